"""Run the alert rules over every client's sessions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from bisect import bisect_left
from datetime import date
from operator import attrgetter
from typing import Any

from .model import Alert, Rule, Session
from .plugin_calls import Failures


def raise_alerts(
    sessions_by_client: Mapping[str, Sequence[Session]],
    rules: Iterable[tuple[str, Rule]],
    settings: Mapping[str, Mapping[str, Any]],
    since: date | None = None,
    failures: Failures | None = None,
) -> list[Alert]:
    """Every alert of the enabled rules, once each, sorted as SPEC section 6 says.

    :param sessions_by_client: each client's sessions ordered by (date, path).
    :param settings: the settings of each enabled rule, by rule name; a rule not
        named here is off.
    :param rules: (plugin name, rule) pairs.
    :param since: only alerts raised at sessions on or after this day (all when None).
    :param failures: where a rule's error is recorded; its alerts for that client are
        then left out, and the other rules and clients go on.
    """
    failures = failures if failures is not None else Failures()
    raised: dict[tuple, Alert] = {}
    for plugin, rule in rules:
        if rule.name not in settings:
            continue
        for client, sessions in sessions_by_client.items():
            try:
                alerts = list(rule.check(client, sessions, settings[rule.name], since))
            except Exception as error:
                failures.record(plugin, f"rule {rule.name}", error)
                continue
            for alert in alerts:
                if since is None or alert.date >= since:
                    raised.setdefault(alert.identity, alert)
    return sorted(raised.values(), key=lambda alert: alert.order)


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
