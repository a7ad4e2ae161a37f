"""The two streak rules: a run of sessions where something keeps missing.

- uninvited-streak: N sessions in a row where feedback was not invited.
- silent-client: N sessions in a row where feedback was invited and none came.

Both are raised once per run, at the session where the run reaches N, and stay open
as a gap until a session breaks the run.
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
                    lambda length, first: f"not invited to give feedback for {length} "
                                          f"sessions in a row, since {first}",
                    "sessions in a row without inviting feedback"),
        streak_rule("silent-client", silent,
                    lambda length, first: f"feedback invited {length} sessions in a row and "
                                          f"none recorded, since {first}",
                    "invited sessions in a row with no feedback"),
    ]
