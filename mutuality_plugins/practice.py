"""A practice: everything read from a vault, with the alerts its sessions raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pluggy

from .alerts import raise_alerts
from .config import Settings, rule_settings
from .model import Alert, ScanResult
from .plugins import collect_rules
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
    plugin_manager: pluggy.PluginManager,
    settings: Settings,
    today: date,
    *,
    alerts_since: date | None = None,
    progress: Progress | None = None,
    debug: bool = False,
) -> Practice:
    rules = collect_rules(plugin_manager)
    enabled = rule_settings(settings, rules)  # a config mistake stops before the scan
    scan = scan_vault(vault, plugin_manager, settings, progress=progress, debug=debug)
    alerts = raise_alerts(scan.sessions_by_client(), rules, enabled, alerts_since)
    return Practice(Path(vault), scan, tuple(alerts), settings, today, alerts_since)
