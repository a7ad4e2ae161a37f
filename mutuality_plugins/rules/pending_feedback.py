"""pending-feedback: a request held for later ("can you hold it?") never revisited.

An item held for later (response ``pending``) is revisited when a later item has its
theme; the alert is raised at the M-th session after it when none of those M did.

Bounded work: the sessions are walked once, last first, keeping for each theme the
index of the next session that holds it, so each held item is answered in constant
time (comparing each held item with every item of the next M sessions was quadratic:
thousands of held items before notes of thousands of items, or a large M).
"""

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from ..hookspecs import hookimpl
from ..model import Alert, FeedbackItem, Rule, Session
from .sequence import leading_up_to

NAME = "pending-feedback"


def check(client: str, sessions: Sequence[Session], settings: Mapping[str, Any],
          since: date | None) -> Iterator[Alert]:
    after = settings["sessions"]
    # An alert is raised M sessions after the held request.
    sessions = leading_up_to(sessions, since, after)
    # Walked last first: ``next_with[theme]`` is the index of the next session, after
    # the one looked at, that holds the theme.
    next_with: dict[str, int] = {}
    unanswered: list[tuple[int, list[FeedbackItem]]] = []
    for index in range(len(sessions) - 1, -1, -1):
        items = sessions[index].items
        last = index + after  # the M-th session after this one, if there is one
        if last < len(sessions):
            held = [item for item in items if item.response == "pending"
                    and next_with.get(item.theme, last + 1) > last]
            if held:
                unanswered.append((index, held))
        for item in items:
            next_with[item.theme] = index
    for index, held in reversed(unanswered):
        held_in, later = sessions[index], sessions[index + 1: index + 1 + after]
        at = later[-1]
        evidence = (held_in.path, *(s.path for s in later))  # one tuple for all held here
        for item in held:
            yield Alert(
                NAME, client, at.date, at.path, "info", item.label,
                f"{item.label}, held for later on {held_in.date}, has not come up "
                f"again in the {after} sessions since",
                evidence,
            )


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [Rule(NAME, check, {"sessions": 2}, "a held request not revisited")]
