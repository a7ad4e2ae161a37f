"""pending-feedback: a request held for later ("can you hold it?") never revisited."""

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from ..hookspecs import hookimpl
from ..model import Alert, Rule, Session
from .sequence import leading_up_to

NAME = "pending-feedback"


def check(client: str, sessions: Sequence[Session], settings: Mapping[str, Any],
          since: date | None) -> Iterator[Alert]:
    after = settings["sessions"]
    # An alert is raised M sessions after the held request.
    sessions = leading_up_to(sessions, since, after)
    for index, held_in in enumerate(sessions):
        held = [item for item in held_in.items if item.response == "pending"]
        later = sessions[index + 1 : index + 1 + after]
        if not held or len(later) < after:
            continue
        for item in held:
            if any(other.theme == item.theme for s in later for other in s.items):
                continue
            at = later[-1]
            yield Alert(
                NAME, client, at.date, at.path, "info", item.label,
                f"{item.label}, held for later on {held_in.date}, has not come up "
                f"again in the {after} sessions since",
                (held_in.path, *(s.path for s in later)),
            )


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [Rule(NAME, check, {"sessions": 2}, "a held request not revisited")]
