"""The ``digest`` reporter: one ISO week of sessions, feedback and alerts.

Formats: ``markdown``, an Obsidian note kept as ``YYYY-Www.md`` in the output folder
with ``--write``, and ``json`` (``week``, ``start``, ``end``, the week's totals, its
alerts, each client's figures, each active client's measures and the practice's
classes, and the last weeks). Both come from :func:`digest_data`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..errors import MutualityError
from ..hookspecs import hookimpl
from ..model import ACTIVE, BY_CLIENT, Period, Reporter, Session, monday_of
from .digest_note import digest_note
from .gaps import gap_json
from .outcomes import classes_of, course_json, courses_until
from .plain import as_json

if TYPE_CHECKING:  # imported when the report is made: loading the plugins must not
    from ..measures.outcome import Outcome
    from ..practice import Practice

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
    counted = client_totals(sessions)
    return {"sessions": counted.pop("sessions"),
            "clients": len({client for session in sessions for client in session.clients}),
            **counted}


def client_totals(sessions: Sequence[Session]) -> dict[str, Any]:
    """Sessions, invited, items and themes (of one client's sessions)."""
    themes = Counter(item.theme for session in sessions for item in session.items)
    return {
        "sessions": len(sessions),
        "invited": sum(session.invited for session in sessions),
        "items": sum(len(session.items) for session in sessions),
        "themes": dict(sorted(themes.items())),
    }


def unprompted(sessions: Sequence[Session]) -> dict[str, int]:
    """Items the client raised without being asked: the sign they learn to steer."""
    items = [item for session in sessions for item in session.items]
    return {"items": len(items), "unprompted": sum(item.by == BY_CLIENT for item in items)}


def sessions_by_client(sessions: Sequence[Session]) -> dict[str, list[Session]]:
    """Each client's sessions, in the order given (a joint session is each client's)."""
    grouped: dict[str, list[Session]] = {}
    for session in sessions:
        for client in session.clients:
            grouped.setdefault(client, []).append(session)
    return grouped


def _in_json(courses: list[Outcome]) -> list[dict[str, Any]]:
    return [course_json(course) for course in courses]


def digest_data(practice: Practice, period: Period,
                courses_as: Callable[[list[Outcome]], Any] = _in_json) -> dict[str, Any]:
    """Everything the digest shows, as JSON-ready data; each client's outcome courses
    as ``courses_as`` makes them (the note takes the courses as they are: it draws the
    latest scores only, and every score of a thousand clients would not be small)."""
    week, start, end = week_of(period)
    mondays = [start - timedelta(weeks=back) for back in range(WEEKS_SHOWN - 1, -1, -1)]
    by_week: dict[date, list[Session]] = {monday: [] for monday in mondays}
    for session in practice.scan.sessions:
        monday = monday_of(session.date)
        if monday in by_week:
            by_week[monday].append(session)
    this_week = sorted(by_week[start], key=lambda s: s.order)
    own = sessions_by_client(this_week)
    if practice.client is not None:  # --client: not the others of a joint session
        own = {practice.client: own.get(practice.client, [])}
    own_by_week = {monday: sessions_by_client(by_week[monday]) for monday in mondays}
    alerts = [alert for alert in practice.alerts if alert.date in period]
    alerts_of = Counter(alert.client for alert in alerts)
    names = {monday: _name(monday) for monday in mondays}
    # The gaps open at the week's end, and those closed during it.
    last_day = min(end, practice.today)
    gaps_open = practice.listed_gaps_on(last_day)
    still = {gap.id for gap in practice.gaps_on(last_day)}
    gaps_closed = [gap for gap in practice.gaps_on(start - timedelta(days=1))
                   if gap.id not in still]
    # Every client active at the week's end is in the trend, seen that week or not.
    from ..practice import client_statuses  # see the imports above

    statuses = client_statuses(practice.scan, last_day, practice.settings)
    trended = sorted({*own, *(client for client, status in statuses.items()
                              if status == ACTIVE and practice.client in (None, client))})
    # Is the help helping: the measures of those clients, as of the week's end.
    every_session = practice.scan.sessions_by_client()
    courses = courses_until({client: every_session.get(client, []) for client in trended},
                            practice.settings.measures, last_day)

    return {
        "week": week,
        "start": start.isoformat(),
        "end": end.isoformat(),
        **totals(this_week),
        "alerts": [alert.as_json() for alert in alerts],
        "by_client": {
            client: {
                **client_totals(sessions),
                "unprompted": unprompted(sessions)["unprompted"],
                "notes": [session.path for session in sessions],
                "alerts": alerts_of[client],
                "trend": [
                    {"week": names[monday], **unprompted(own_by_week[monday].get(client, []))}
                    for monday in mondays
                ],
            }
            for client, sessions in sorted(own.items())
        },
        "weeks": [
            {"week": names[monday], "start": monday.isoformat(), **totals(by_week[monday])}
            for monday in mondays
        ],
        "outcomes": {client: courses_as(found) for client, found in courses.items()},
        "outcome_classes": classes_of(courses),
        "gaps_open": [gap_json(practice, gap, statuses) for gap in gaps_open],
        "gaps_closed": [gap_json(practice, gap, statuses) for gap in gaps_closed],
        "trend": {
            client: [
                {"week": names[monday], "sessions": len(own_by_week[monday].get(client, [])),
                 **unprompted(own_by_week[monday].get(client, []))}
                for monday in mondays
            ]
            for client in trended
        },
    }


def render_json(practice: Practice, period: Period) -> str:
    return as_json(digest_data(practice, period))


def render_markdown(practice: Practice, period: Period) -> str:
    return digest_note(practice, period, digest_data(practice, period, courses_as=list))


@hookimpl
def mutuality_reporters() -> list[Reporter]:
    return [Reporter(
        "digest",
        {"markdown": render_markdown, "json": render_json},
        default_period,
        note_name=lambda period: f"{week_of(period)[0]}.md",
        description="the weekly digest: numbers, alerts, each client's feedback, trends",
    )]
