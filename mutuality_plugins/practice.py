"""A practice: everything read from a vault, with the alerts its sessions raise.

One builder assembles it, for a command and for the watcher alike: it runs the
enabled rules for each client, and for the watcher again only for the clients whose
sessions changed since the last build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .config import Settings, rule_settings
from .model import SEVERITIES, Alert, ScanResult, Session
from .plugin_calls import FAILED, PluginGuard, list_of
from .plugins import PluginManager, rules_of


@dataclass(frozen=True)
class Practice:
    """What reporters receive.

    :ivar scan: the notes read, the sessions and the problem notes.
    :ivar alerts: the alerts of the enabled rules raised at sessions on or after
        ``alerts_since`` (all of them when it is None), sorted by (date, client,
        rule, detail, note).
    :ivar today: the day the report is made; reports' default periods count from it.
    """

    vault: Path
    scan: ScanResult
    alerts: tuple[Alert, ...]
    settings: Settings
    today: date
    alerts_since: date | None = None


def _alert(alert: Alert) -> str | None:
    if not isinstance(alert.date, date) or not isinstance(alert.note, str):
        return "should have the session's date and note"
    if alert.severity not in SEVERITIES:
        return f"should have a severity among {', '.join(SEVERITIES)}"
    if not isinstance(alert.message, str):
        return "should have a message"
    return None


_ALERTS = list_of(Alert, _alert)


class PracticeBuilder:
    """Turns what was read from a vault into a :class:`Practice`.

    The rules and their settings are taken once (a mistake in ``[rules.NAME]`` stops
    here, before any note is read). A rule that fails is named by the guard; its
    alerts for that client are left out and the other rules and clients go on.
    """

    def __init__(self, vault: Path, plugins: PluginManager, settings: Settings,
                 guard: PluginGuard):
        self.vault = Path(vault)
        self.settings = settings
        self.guard = guard
        self.rules = rules_of(plugins, guard)
        self.enabled = rule_settings(settings, [rule for _, rule in self.rules])
        # client -> (the sessions, ``since``, their alerts) of the last build
        self._known: dict[str, tuple[list[Session], date | None, list[Alert]]] = {}

    def build(self, scan: ScanResult, today: date, since: date | None = None) -> Practice:
        """The practice of ``scan``, with the alerts raised on or after ``since``."""
        by_client = scan.sessions_by_client()
        known = {}
        for client, sessions in by_client.items():
            before = self._known.get(client)
            # Unchanged sessions are the very same objects: this compares pointers.
            if before is not None and before[0] == sessions and before[1] == since:
                known[client] = before
            else:
                known[client] = (sessions, since, self._alerts_of(client, sessions, since))
        self._known = known
        raised: dict[tuple[Any, ...], Alert] = {}
        for _, _, alerts in known.values():
            for alert in alerts:
                raised.setdefault(alert.identity, alert)
        alerts = sorted(raised.values(), key=lambda alert: alert.order)
        return Practice(self.vault, scan, tuple(alerts), self.settings, today, since)

    def _alerts_of(self, client: str, sessions: Sequence[Session],
                   since: date | None) -> list[Alert]:
        found = []
        for plugin, rule in self.rules:
            if rule.name not in self.enabled:
                continue
            alerts = self.guard.call(plugin, f"rule {rule.name}", rule.check, client, sessions,
                                     self.enabled[rule.name], since, contract=_ALERTS)
            if alerts is FAILED or alerts is None:
                continue
            found += [alert for alert in alerts if since is None or alert.date >= since]
        return found
