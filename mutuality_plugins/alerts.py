"""Run the alert rules over every client's sessions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from .model import Alert, Rule, Session


def raise_alerts(
    sessions_by_client: Mapping[str, Sequence[Session]],
    rules: Iterable[Rule],
    settings: Mapping[str, Mapping[str, Any]],
    since: date | None = None,
) -> list[Alert]:
    """Every alert of the enabled rules, once each, sorted as SPEC section 6 says.

    :param sessions_by_client: each client's sessions ordered by (date, path).
    :param settings: the settings of each enabled rule, by rule name; a rule not
        named here is off.
    :param since: only alerts raised at sessions on or after this day (all when None).
    """
    raised: dict[tuple, Alert] = {}
    for rule in rules:
        if rule.name not in settings:
            continue
        for client, sessions in sessions_by_client.items():
            for alert in rule.check(client, sessions, settings[rule.name], since):
                if since is None or alert.date >= since:
                    raised.setdefault(alert.identity, alert)
    return sorted(raised.values(), key=lambda alert: alert.order)
