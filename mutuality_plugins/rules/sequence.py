"""Helpers for rules, which read one client's sessions in order."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from ..model import Holding, Rule, Session


def streak_rule(
    name: str,
    belongs: Callable[[Session], bool],
    says: Callable[[int, date], str],
    description: str,
    *,
    sessions: int = 3,
) -> Rule:
    """A rule whose condition is a run of at least ``sessions`` consecutive sessions
    that ``belong`` (a ``warning``): raised once per run, at the session where it
    reaches that length, and open as a gap while it goes on.

    :param says: the sentence, from the run's length so far and its first day.
    """

    def condition(client: str, ordered: Sequence[Session], settings: Mapping[str, Any],
                  first: int) -> Iterator[Holding]:
        needed = settings["sessions"]
        begun = 0  # where the run going on began
        for index, session in enumerate(ordered):
            if not belongs(session):
                begun = index + 1
                continue
            length = index + 1 - begun
            if length >= needed and index >= first:
                # The notes of the run as it reaches N, where the alert is raised
                # (later ones are not shown: a run may be a thousand sessions long).
                evidence = tuple(s.path for s in ordered[begun:index + 1]) \
                    if length == needed else ()
                yield Holding(session, None, "warning", says(length, ordered[begun].date),
                              evidence)

    return Rule(name, settings={"sessions": sessions}, description=description,
                condition=condition)
