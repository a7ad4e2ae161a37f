"""A practice: everything read from a vault, with the alerts its sessions raise.

One builder assembles it, for a command and for the watcher alike: it runs the
enabled rules for each client, and for the watcher again only for the clients whose
sessions changed since the last build.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from .config import Settings, rule_settings
from .contracts import EACH_ALERT, PluginFault
from .model import MOST_A_SESSION, Alert, ScanResult, Session
from .plugin_calls import FAILED
from .plugins import PluginManager


@dataclass(frozen=True)
class Practice:
    """What reporters receive.

    :ivar scan: the notes read, the sessions and the problem notes.
    :ivar alerts: the alerts of the enabled rules raised at sessions on or after
        ``alerts_since`` (all of them when it is None), sorted by (date, client,
        rule, detail, note).
    :ivar today: the day the report is made; reports' default periods count from it.
        Sessions dated after it are not in ``scan``: they have not happened yet.
    :ivar client: the one client the practice is made for (``--client``), if any:
        ``scan`` holds that client's sessions, ``alerts`` that client's alerts.
    """

    vault: Path
    scan: ScanResult
    alerts: tuple[Alert, ...]
    settings: Settings
    today: date
    alerts_since: date | None = None
    client: str | None = None


class PracticeBuilder:
    """Turns what was read from a vault into a :class:`Practice`.

    The rules and their settings are taken once (a mistake in ``[rules.NAME]`` stops
    here, before any note is read). A rule that fails is named by the guard; its
    alerts for that client are left out, the other rules and clients go on, and that
    client's rules run again at the next build (the failure may have passed).
    """

    def __init__(self, vault: Path, plugins: PluginManager, settings: Settings):
        self.vault = Path(vault)
        self.settings = settings
        self.guard = plugins.guard
        self.rules = plugins.rules()
        self.enabled = rule_settings(settings, [rule for _, rule in self.rules])
        # client -> (the sessions, ``since``, their alerts) of the last build where no
        # rule failed for that client
        self._known: dict[str, tuple[list[Session], date | None, list[Alert]]] = {}
        self.unsettled = False  # a rule failed at the last build: worth building again

    def build(self, scan: ScanResult, today: date, since: date | None = None,
              only: str | None = None) -> Practice:
        """The practice of ``scan`` as of ``today`` (later sessions have not happened
        yet), with the alerts raised on or after ``since``; of the client ``only``,
        when given."""
        if only is not None or any(session.date > today for session in scan.sessions):
            scan = replace(scan, sessions=tuple(
                session for session in scan.sessions if session.date <= today
                and (only is None or only in session.clients)))
        known = {}
        raised: dict[tuple[Any, ...], Alert] = {}
        by_client = scan.sessions_by_client()
        if only is not None:
            by_client = {only: by_client.get(only, [])}
        for client, sessions in by_client.items():
            before = self._known.get(client)
            # Unchanged sessions are the very same objects: this compares pointers.
            if before is not None and before[0] == sessions and before[1] == since:
                alerts = before[2]
                known[client] = before
            else:
                failed_before = len(self.guard.failures)
                alerts = self._alerts_of(client, sessions, since)
                if len(self.guard.failures) == failed_before:
                    known[client] = (sessions, since, alerts)
            for alert in alerts:
                raised.setdefault(alert.listed_as, alert)
        self._known = known
        self.unsettled = len(known) < len(by_client)
        alerts = sorted(raised.values(), key=lambda alert: alert.order)
        return Practice(self.vault, scan, tuple(alerts), self.settings, today, since, only)

    def _alerts_of(self, client: str, sessions: Sequence[Session],
                   since: date | None) -> list[Alert]:
        found = []
        for plugin, rule in self.rules:
            if rule.name not in self.enabled:
                continue
            alerts = self.guard.call(
                plugin, f"rule {rule.name}", rule.check, client, sessions,
                self.enabled[rule.name], since,
                contract=lambda answer: capped_alerts(answer, client, sessions))
            if alerts is FAILED or alerts is None:
                continue
            found += [alert for alert in alerts if since is None or alert.date >= since]
        return found


# What a rule may give in all, a session: enough for the built-in rules' most (one
# alert an item, 100 a session), not for a rule that never stops.
MOST_TAKEN_A_SESSION = 200
# The notes an alert links to: a streak or a held request may span a thousand sessions
# (a vault's settings choose how many), and every alert would list them all.
MOST_EVIDENCE = 10


def capped_alerts(answer: Any, client: str, sessions: Sequence[Session]) -> list[Alert]:
    """A rule's alerts for ``client`` at ``sessions``, checked as they come: each must be
    that client's at one of those sessions; at most :data:`MOST_A_SESSION` at a
    session are kept (the first ones given, the last saying how many more), each with
    its first and last notes of evidence when there are many.

    :raises PluginFault: for an alert of another client or note, or more than
        :data:`MOST_TAKEN_A_SESSION` a session in all (a rule that never stops).
    """
    notes = {session.path for session in sessions}
    most = MOST_TAKEN_A_SESSION * len(sessions)
    kept: dict[str, list[Alert]] = {}
    unlisted: Counter[str] = Counter()
    for taken, alert in enumerate(EACH_ALERT(answer), start=1):
        if alert.client != client or alert.note not in notes:
            raise PluginFault("its Alert should be raised for the client and at one of the "
                              "sessions it was given")
        if taken > most:
            raise PluginFault(f"it gave more than {MOST_TAKEN_A_SESSION} alerts a session")
        at_session = kept.setdefault(alert.note, [])
        if len(at_session) < MOST_A_SESSION:
            at_session.append(_evidence_cut(alert))
        else:
            unlisted[alert.note] += 1
    for note, more in unlisted.items():
        kept[note][-1] = kept[note][-1].with_more(more)
    return [alert for at_session in kept.values() for alert in at_session]


def _evidence_cut(alert: Alert) -> Alert:
    """The alert with its first and last notes of evidence, when there are many."""
    evidence = alert.evidence
    if len(evidence) <= MOST_EVIDENCE:
        return alert
    half = MOST_EVIDENCE // 2
    return replace(alert, evidence=(*evidence[:half], *evidence[-half:]),
                   message=f"{alert.message} ({len(evidence)} notes; the first and last "
                           f"{half} are linked)")
