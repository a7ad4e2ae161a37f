"""uninvited-streak: N sessions in a row where feedback was not invited."""

from ..hookspecs import hookimpl
from ..model import Rule, Session
from .sequence import streak_rule

NAME = "uninvited-streak"


def uninvited(session: Session) -> bool:
    return not session.invited


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [streak_rule(
        NAME, uninvited,
        lambda needed, first: f"{needed} sessions in a row without inviting feedback, "
                              f"since {first}",
        "sessions in a row without inviting feedback",
    )]
