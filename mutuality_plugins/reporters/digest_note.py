"""The weekly digest as an Obsidian note: numbers, alerts, clients, charts, trends.

Charts are Mermaid ``xychart-beta``; not every Obsidian renders every Mermaid chart
type, so each chart has its numbers in a table beside it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from ..model import BY_CLIENT, SRS, FeedbackItem, Period, urgency
from .markdown import CALLOUTS, callout, generated_note, mermaid_label, table, wikilink, words
from .outcomes import client_section, practice_lines

if TYPE_CHECKING:  # imported when the report is made: loading the plugins must not
    from ..practice import Practice


def digest_note(practice: Practice, period: Period, data: dict[str, Any]) -> str:
    """The note for the week ``period``, from :func:`~.digest.digest_data` with the
    outcome courses as they are (``courses_as=list``): the note draws them itself."""
    start, end = date.fromisoformat(data["start"]), date.fromisoformat(data["end"])
    sections = [
        f"# Mutuality digest {data['week']}\n\n"
        f"Sessions from {start:%A} {start.day} {start:%B} to "
        f"{end:%A} {end.day} {end:%B %Y}.",
        _numbers(data),
        _gaps(data),
        _alerts(data),
        _clients(practice, period, data),
        _outcomes(practice, data),
        _last_weeks(data),
        _trend(data),
    ]
    properties = {
        "week": data["week"], "start": start, "end": end,
        "sessions": data["sessions"], "alerts": len(data["alerts"]),
        "gaps_open": len(data["gaps_open"]), "gaps_closed": len(data["gaps_closed"]),
    }
    body = "\n\n".join(sections)
    del sections  # a thousand clients' charts are megabytes: not held while copied again
    return generated_note(properties, body)


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({round(100 * part / whole)}%)" if whole else "–"


def _numbers(data: dict[str, Any]) -> str:
    themes = ", ".join(f"{words(theme)} {count}" for theme, count in data["themes"].items())
    return "\n\n".join([
        "## The week in numbers",
        table(["sessions", "clients", "feedback invited", "feedback items"],
              [[data["sessions"], data["clients"], _share(data["invited"], data["sessions"]),
                data["items"]]]),
        f"Items by theme: {themes}." if themes else "No feedback items this week.",
    ])


def _most_urgent_first(listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Alerts or gaps (as JSON) with risk items first, then the most severe."""
    return sorted(listed, key=lambda item: urgency(item["rule"], item["severity"]))


def _with_status(gap: dict[str, Any]) -> str:
    """The gap's client, with their status when they are not active (a risk item)."""
    status = gap.get("client_status", "active")
    return gap["client"] if status == "active" else f"{gap['client']} ({status})"


def _gaps(data: dict[str, Any]) -> str:
    """What was still wrong at the week's end, and what was put right during it."""
    parts = ["## Open gaps"]
    if data["gaps_open"]:
        parts.append("What was still wrong at the week's end, for each active client (and "
                     "every risk item, whatever the client's status):")
        parts.append("\n".join(
            f"- **{words(_with_status(gap))}** ({gap['severity']}): {words(gap['message'])}; "
            f"open since {gap['opened']}, last {wikilink(gap['notes'][-1])}"
            for gap in _most_urgent_first(data["gaps_open"])))
    else:
        parts.append("No gap was open at the week's end.")
    if data["gaps_closed"]:
        parts.append("Put right during the week:\n" + "\n".join(
            f"- **{words(gap['client'])}**: {words(gap['message'])} (open since "
            f"{gap['opened']})" for gap in data["gaps_closed"]))
    return "\n\n".join(parts)


def _alerts(data: dict[str, Any]) -> str:
    if not data["alerts"]:
        return "## Alerts\n\nNo alerts this week."
    callouts = [
        callout(CALLOUTS.get(alert["severity"], "note"),
                f"{words(alert['client'])}, {alert['date']}: {words(alert['message'])}",
                ["Notes: " + ", ".join(wikilink(path) for path in alert["evidence"])])
        for alert in _most_urgent_first(data["alerts"])
    ]
    return "\n\n".join(["## Alerts", *callouts])


def _clients(practice: Practice, period: Period, data: dict[str, Any]) -> str:
    of_note = {s.path: s for s in practice.scan.sessions if s.date in period}
    parts = ["## Clients"]
    for client, numbers in data["by_client"].items():
        own = [of_note[path] for path in numbers["notes"]]  # in the order of sessions
        links = ", ".join(
            wikilink(s.path, str(s.date)) + (" (feedback invited)" if s.invited else "")
            for s in own
        )
        lines = [f"### {words(client)}", f"Sessions: {links}."]
        if numbers["items"]:
            lines.append(f"Raised unprompted: {_share(numbers['unprompted'], numbers['items'])}.")
        lines += [_item_line(item) for s in own for item in s.items]
        parts.append("\n".join(lines))
    if len(parts) == 1:
        parts.append("No sessions this week.")
    return "\n\n".join(parts)


def _outcomes(practice: Practice, data: dict[str, Any]) -> str:
    """Whether the help is helping: the practice's classes, then each client's measures."""
    measures = practice.settings.measures
    if not data["outcomes"]:
        return ("## Outcomes\n\nNo active client has a measure recorded (the Outcome Rating "
                "Scale as `ors_total`, the PHQ-9 as `phq9_items`: see the README).")
    parts = ["## Outcomes", "Each active client's course on each measure recorded, from "
             "intake to the week's end: a change of at least the measure's reliable change "
             "is more than its error; recovered is reliably improved and out of the "
             "clinical range."]
    lines = practice_lines(data["outcome_classes"], measures)
    if lines:
        parts.append("\n".join(["The practice:", *lines]))
    by_name = {measure.name: measure for measure in measures}
    if SRS in by_name:  # its chart's line is alliance-low's cutoff, as the alerts use
        alliance = practice.settings.rules.get("alliance-low", {})
        by_name[SRS] = replace(by_name[SRS], cutoff=float(alliance.get("cutoff",
                                                                       by_name[SRS].cutoff)))
    for client, courses in data["outcomes"].items():
        parts.append(client_section(courses, by_name, f"### {words(client)}, measures"))
    return "\n\n".join(parts)


def _item_line(item: FeedbackItem) -> str:
    said = f' "{words(" ".join(item.quote.split()))}"' if item.quote else ""
    who = "raised by the client" if item.by == BY_CLIENT else "when invited"
    response = f"response: {words(item.response)}; " if item.response else ""
    return f"- **{words(item.label)}**{said} ({response}{who})"


def _last_weeks(data: dict[str, Any]) -> str:
    weeks = data["weeks"]
    # A week without sessions is shown as such, not as a week at 0 %.
    labels = ", ".join(f'"{w["week"][-3:]}{"" if w["sessions"] else " none"}"' for w in weeks)
    themes = sorted({theme for w in weeks for theme in w["themes"]})
    invited = [round(100 * w["invited"] / w["sessions"]) if w["sessions"] else 0 for w in weeks]
    charts = [
        "```mermaid\nxychart-beta\n"
        '    title "Sessions with feedback invited (%)"\n'
        f"    x-axis [{labels}]\n"
        '    y-axis "%" 0 --> 100\n'
        f"    bar {invited}\n```"
    ]
    if themes:
        highest = max(w["themes"].get(theme, 0) for w in weeks for theme in themes)
        lines = "".join(f"    line {[w['themes'].get(theme, 0) for w in weeks]}\n"
                        for theme in themes)
        charts.append(
            "```mermaid\nxychart-beta\n"
            f'    title "Feedback items by theme (lines: {mermaid_label(", ".join(themes))})"\n'
            f"    x-axis [{labels}]\n"
            f'    y-axis "items" 0 --> {max(highest, 1)}\n'
            f"{lines}```"
        )
    numbers = table(
        ["week", "sessions", "feedback invited", "items", *themes],
        [[w["week"], w["sessions"], _share(w["invited"], w["sessions"]), w["items"],
          *(w["themes"].get(theme, 0) for theme in themes)] for w in weeks],
    )
    return "\n\n".join([f"## The last {len(weeks)} weeks", *charts, numbers])


def _trend(data: dict[str, Any]) -> str:
    clients = data["trend"]
    if not clients:
        return ""
    weeks = [w["week"][-3:] for w in data["weeks"]]
    rows = [
        [client, *(f"{t['unprompted']} of {t['items']}" if t["items"] else
                   "no items" if t["sessions"] else "" for t in trend)]
        for client, trend in clients.items()
    ]
    return "\n\n".join([
        "## Mutuality trend",
        "Feedback items each active client raised unprompted, week by week (empty: no "
        "session that week): a rising share is the sign that a client is learning to steer.",
        table(["client", *weeks], rows),
    ])
