"""The ``alerts`` reporter: feedback-gap alerts for the therapist, grouped by client.

Formats: ``text`` (one plain sentence an alert), ``json`` (a list of alerts sorted
by date, client, rule, detail and note) and
``markdown``, kept as ``Alerts.md`` in the output folder with ``--write``.
"""

from __future__ import annotations

import shlex
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING

from ..hookspecs import hookimpl
from ..model import SEVERITIES, Alert, Period, Reporter, open_count
from .gaps import checklist
from .markdown import CALLOUTS, callout, generated_note, note_name, wikilink, words
from .plain import as_json, count, printable
from .plain import by_client as grouped_by_client

if TYPE_CHECKING:  # imported when the report is made: loading the plugins must not
    from ..practice import Practice

DEFAULT_DAYS = 28


def default_period(today: date) -> Period:
    """Alerts raised at sessions in the last 28 days, today included."""
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), None)


def alerts_in(practice: Practice, period: Period) -> list[Alert]:
    """The alerts raised in the period: a stretch of them, in order of date (a watcher
    shows the last 28 days' at each save, of all the years a vault holds)."""
    alerts = practice.alerts
    first = 0 if period.start is None else bisect_left(alerts, period.start, key=_DATE)
    end = len(alerts) if period.end is None else bisect_right(alerts, period.end, key=_DATE)
    return list(alerts[first:end])


_DATE = attrgetter("date")


def by_client(alerts: Sequence[Alert]) -> list[tuple[str, list[Alert]]]:
    """Clients with their alerts, most severe first; the client with the most severe
    alert first."""
    return grouped_by_client(alerts, attrgetter("order"))


def describe(period: Period) -> str:
    if period.start is None and period.end is None:
        return "all sessions"
    if period.week:
        return f"sessions in {period.week}"
    return f"sessions since {period.start}" if period.end is None else (
        f"sessions from {period.start} to {period.end}"
    )


def render_text(practice: Practice, period: Period) -> str:
    alerts = alerts_in(practice, period)
    covered = describe(period) if practice.client is None else (
        f"{practice.client}, {describe(period)}")
    if not alerts:
        return "\n".join([f"No alerts for {covered}.", *_gaps_line(practice)])
    counts = ", ".join(
        _count(sum(alert.severity == severity for alert in alerts), severity)
        for severity in SEVERITIES if any(alert.severity == severity for alert in alerts)
    )
    lines = [f"Alerts for {covered} ({counts}):"]
    for _, client_alerts in by_client(alerts):
        lines.append("")
        lines += [alert_line(alert) for alert in client_alerts]
    return "\n".join(lines + _gaps_line(practice))


def _gaps_line(practice: Practice) -> list[str]:
    """Alerts are events: say what is still wrong now, and where to see it."""
    gaps = practice.listed_gaps()
    if not gaps:
        return []
    clients, total = len({gap.client for gap in gaps}), open_count(gaps)
    command = shlex.join(["mutuality", "gaps", str(practice.vault), *(
        ["--client", practice.client] if practice.client else [])])
    return ["", f"Still open: {count(total, 'gap')} of {count(clients, 'client')}; "
                f"`{command}` lists {'them' if total != 1 else 'it'}."]


def alert_line(alert: Alert) -> str:
    """One alert as one line: severity, client, day, the sentence, the notes."""
    notes = ", ".join(note_name(path) for path in alert.evidence)
    return printable(f"[{alert.severity}] {alert.client}, {alert.date}: {alert.message} "
                     f"(notes: {notes})")


def _count(number: int, severity: str) -> str:
    if severity == "info":
        return f"{number} to note"
    return f"{number} {severity}{'' if number == 1 else 's'}"


def render_json(practice: Practice, period: Period) -> str:
    return as_json([a.as_json() for a in alerts_in(practice, period)])


def render_markdown(practice: Practice, period: Period) -> str:
    alerts = alerts_in(practice, period)
    gaps = checklist(practice)
    body = ["# Alerts", "## Open gaps",
            f"What is still wrong for each active client as of {practice.today}, until it is "
            "put right, and every risk item whatever the client's status. Tick a gap to "
            "dismiss it (a false alarm, or dealt with outside the notes): it is not shown "
            "again. A risk item is never dismissed: it closes when a later session records "
            "that item at 0.",
            "\n".join(gaps) if gaps else "No open gaps.",
            "## Recent alerts", f"Feedback-gap alerts for {describe(period)}."]
    if not alerts:
        body.append("No alerts.")
    for client, client_alerts in by_client(alerts):
        body.append(f"### {words(client)}")
        for alert in client_alerts:
            body.append(callout(
                CALLOUTS.get(alert.severity, "note"),
                f"{alert.date}: {words(alert.message)}",
                ["Notes: " + ", ".join(wikilink(path) for path in alert.evidence)],
            ))
    properties = {"updated": practice.today, "since": period.start, "alerts": len(alerts),
                  "open_gaps": open_count(practice.listed_gaps())}
    return generated_note(properties, "\n\n".join(body))


@hookimpl
def mutuality_reporters() -> list[Reporter]:
    return [Reporter(
        "alerts",
        {"text": render_text, "json": render_json, "markdown": render_markdown},
        default_period,
        note_name=lambda period: "Alerts.md",
        description="feedback-gap alerts, grouped by client",
    )]
