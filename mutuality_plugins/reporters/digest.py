"""The ``digest`` reporter: one ISO week of sessions, feedback and alerts.

Formats: ``markdown``, an Obsidian note kept as ``YYYY-Www.md`` in the output folder
with ``--write``, and ``json`` (``week``, ``start``, ``end``, the week's totals, its
alerts, each client's figures and the last weeks). Both come from :func:`digest_data`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from ..errors import MutualityError
from ..hookspecs import hookimpl
from ..model import BY_CLIENT, Period, Reporter, Session
from ..practice import Practice
from .digest_note import digest_note
from .plain import as_json

WEEKS_SHOWN = 8


def default_period(today: date) -> Period:
    """The last complete ISO week."""
    return Period.iso_week(today - timedelta(days=7))


def week_of(period: Period) -> tuple[str, date, date]:
    """The ISO week the period is: its name, Monday and Sunday."""
    if period.week is None or period.start is None or period.end is None:
        raise MutualityError("a digest covers one ISO week: name it like --week 2026-W47")
    return period.week, period.start, period.end


def _name(monday: date) -> str:
    return monday.strftime("%G-W%V")


def totals(sessions: Sequence[Session]) -> dict[str, Any]:
    """Sessions, clients, invited, items and themes; a joint session counts once."""
    themes = Counter(item.theme for session in sessions for item in session.items)
    return {
        "sessions": len(sessions),
        "clients": len({client for session in sessions for client in session.clients}),
        "invited": sum(session.invited for session in sessions),
        "items": sum(len(session.items) for session in sessions),
        "themes": dict(sorted(themes.items())),
    }


def unprompted(sessions: Sequence[Session]) -> dict[str, int]:
    """Items the client raised without being asked: the sign they learn to steer."""
    items = [item for session in sessions for item in session.items]
    return {"items": len(items), "unprompted": sum(item.by == BY_CLIENT for item in items)}


def digest_data(practice: Practice, period: Period) -> dict[str, Any]:
    """Everything the digest shows, as JSON-ready data."""
    week, start, end = week_of(period)
    mondays = [start - timedelta(weeks=back) for back in range(WEEKS_SHOWN - 1, -1, -1)]
    by_week: dict[date, list[Session]] = {monday: [] for monday in mondays}
    for session in practice.scan.sessions:
        monday = session.date - timedelta(days=session.date.weekday())
        if monday in by_week:
            by_week[monday].append(session)
    this_week = sorted(by_week[start], key=lambda s: s.order)
    clients = sorted({client for session in this_week for client in session.clients})
    alerts = [alert for alert in practice.alerts if alert.date in period]

    def of_client(client: str, sessions: Sequence[Session]) -> list[Session]:
        return [session for session in sessions if client in session.clients]

    return {
        "week": week,
        "start": start.isoformat(),
        "end": end.isoformat(),
        **totals(this_week),
        "alerts": [alert.as_json() for alert in alerts],
        "by_client": {
            client: {
                **{key: value for key, value in totals(of_client(client, this_week)).items()
                   if key != "clients"},
                "unprompted": unprompted(of_client(client, this_week))["unprompted"],
                "notes": [session.path for session in of_client(client, this_week)],
                "alerts": sum(alert.client == client for alert in alerts),
                "trend": [
                    {"week": _name(monday), **unprompted(of_client(client, by_week[monday]))}
                    for monday in mondays
                ],
            }
            for client in clients
        },
        "weeks": [
            {"week": _name(monday), "start": monday.isoformat(), **totals(by_week[monday])}
            for monday in mondays
        ],
    }


def render_json(practice: Practice, period: Period) -> str:
    return as_json(digest_data(practice, period))


def render_markdown(practice: Practice, period: Period) -> str:
    return digest_note(practice, period, digest_data(practice, period))


@hookimpl
def mutuality_reporters() -> list[Reporter]:
    return [Reporter(
        "digest",
        {"markdown": render_markdown, "json": render_json},
        default_period,
        note_name=lambda period: f"{week_of(period)[0]}.md",
        description="the weekly digest: numbers, alerts, each client's feedback, trends",
    )]
