"""A practice: everything read from a vault, with the alerts its sessions raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .alerts import raise_alerts
from .config import Settings, rule_settings
from .index import NoteIndex
from .model import Alert, ScanResult
from .plugin_calls import Failures, collect_rules
from .vault import Progress, scan_vault


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


def read_practice(
    vault: Path,
    plugin_manager,
    settings: Settings,
    today: date,
    *,
    alerts_since: date | None = None,
    progress: Progress | None = None,
    failures: Failures | None = None,
    index: NoteIndex | None = None,
) -> Practice:
    failures = failures if failures is not None else Failures()
    rules = collect_rules(plugin_manager, failures)
    # A config mistake stops before the scan.
    enabled = rule_settings(settings, [rule for _, rule in rules])
    scan = scan_vault(vault, plugin_manager, settings, progress=progress, failures=failures,
                      index=index)
    alerts = raise_alerts(scan.sessions_by_client(), rules, enabled, alerts_since, failures)
    return Practice(Path(vault), scan, tuple(alerts), settings, today, alerts_since)
