"""silent-client: N sessions in a row where feedback was invited and none came."""

from ..hookspecs import hookimpl
from ..model import Rule, Session
from .sequence import streak_rule

NAME = "silent-client"


def silent(session: Session) -> bool:
    return session.invited and not session.items


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [streak_rule(
        NAME, silent,
        lambda needed, first: f"feedback invited {needed} sessions in a row and none "
                              f"recorded, since {first}",
        "invited sessions in a row with no feedback",
    )]
