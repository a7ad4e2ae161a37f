"""The two streak rules: a run of sessions where something keeps missing.

- uninvited-streak: N sessions in a row where feedback was not invited.
- silent-client: N sessions in a row where feedback was invited and none came.

Both are raised once per run, at the session where the run reaches N.
"""

from ..hookspecs import hookimpl
from ..model import Rule, Session
from .sequence import streak_rule


def uninvited(session: Session) -> bool:
    return not session.invited


def silent(session: Session) -> bool:
    return session.invited and not session.items


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [
        streak_rule("uninvited-streak", uninvited,
                    lambda needed, first: f"{needed} sessions in a row without inviting "
                                          f"feedback, since {first}",
                    "sessions in a row without inviting feedback"),
        streak_rule("silent-client", silent,
                    lambda needed, first: f"feedback invited {needed} sessions in a row and "
                                          f"none recorded, since {first}",
                    "invited sessions in a row with no feedback"),
    ]
