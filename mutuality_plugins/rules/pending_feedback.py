"""pending-feedback: a request held for later ("can you hold it?") never revisited.

An item held for later (response ``pending``) is revisited when a later item has its
theme. The condition holds from the M-th session after it until the session before
the one that revisits it (to the latest, while none does): raised at the M-th.

Bounded work: the sessions are walked once, last first, keeping for each theme the
index of the next session that holds it, so each held item is answered in constant
time, and its whole run is stated at once (one holding ``through`` its last session).
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..hookspecs import hookimpl
from ..model import Holding, Rule, Session

NAME = "pending-feedback"


def condition(client: str, sessions: Sequence[Session], settings: Mapping[str, Any],
              first: int) -> Iterator[Holding]:
    after = settings["sessions"]
    last = len(sessions) - 1
    # Walked last first: ``next_with[theme]`` is the index of the next session, after
    # the one looked at, that holds the theme.
    next_with: dict[str, int] = {}
    held: list[list[Holding]] = []  # of each session, last first
    for index in range(last, -1, -1):
        items = sessions[index].items
        begins = index + after  # the M-th session after this one
        held.append([])
        for item in items:
            ends = next_with.get(item.theme, last + 1) - 1
            if item.response == "pending" and begins <= ends and ends >= first:
                held_in = sessions[index]
                later = sessions[index + 1: begins + 1]
                held[-1].append(Holding(
                    sessions[begins], item.label, "info",
                    f"{item.label}, held for later on {held_in.date}, has not come up "
                    "again since",
                    (held_in.path, *(s.path for s in later)),
                    through=sessions[ends]))
        for item in items:
            next_with[item.theme] = index
    for holdings in reversed(held):
        yield from holdings


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [Rule(NAME, settings={"sessions": 2}, description="a held request not revisited",
                 condition=condition)]
