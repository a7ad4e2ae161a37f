"""Helpers for rules, which read one client's sessions in order."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from operator import attrgetter
from typing import Any

from ..model import Alert, Rule, Session


def runs_reaching(
    sessions: Sequence[Session], belongs: Callable[[Session], bool], length: int
) -> Iterator[list[Session]]:
    """Each run of consecutive sessions that ``belong``, at the session where it
    reaches exactly ``length``: once per run, a session that does not belong ends it."""
    run: list[Session] = []
    for session in sessions:
        if belongs(session):
            run.append(session)
        else:
            run = []
        if len(run) == length:
            yield run[:]


def leading_up_to(sessions: Sequence[Session], since: date | None, lead: int) -> Sequence[Session]:
    """The sessions from ``lead`` sessions before the first one on or after ``since``.

    A rule whose alert at a session depends only on that session and the ``lead``
    before it can check just these: what it would raise before ``since`` is dropped
    anyway, so it saves the work (all sessions when ``since`` is None).
    """
    if since is None:
        return sessions
    first = bisect_left(sessions, since, key=attrgetter("date"))
    return sessions[max(0, first - lead):]


def streak_rule(
    name: str,
    belongs: Callable[[Session], bool],
    says: Callable[[int, date], str],
    description: str,
    *,
    sessions: int = 3,
) -> Rule:
    """A rule raised once per run of ``sessions`` consecutive sessions that ``belong``,
    at the session where the run reaches that length (a ``warning``).

    :param says: the alert's sentence, from the run's length and its first day.
    """

    def check(client: str, ordered: Sequence[Session], settings: Mapping[str, Any],
              since: date | None) -> Iterator[Alert]:
        needed = settings["sessions"]
        # A run reaching N at or after ``since`` starts at most N sessions before it.
        for run in runs_reaching(leading_up_to(ordered, since, needed), belongs, needed):
            at = run[-1]
            yield Alert(name, client, at.date, at.path, "warning", None,
                        says(needed, run[0].date), tuple(session.path for session in run))

    return Rule(name, check, {"sessions": sessions}, description)
