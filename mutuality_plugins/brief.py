"""The brief before the next session with one client (SPEC section 10): what they asked
for, in a minute of reading: the open gaps as things to do, the words to avoid, the
requests held for later, the pace they asked for, their measures, and their own words
in the last sessions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .measures.outcome import outcomes
from .measures.reading import score_text
from .model import BY_CLIENT, RISK_ITEM, FeedbackItem, Session, urgency
from .practice import ACTIVE, Practice
from .reporters.gaps import gap_json
from .reporters.markdown import words
from .rules.flagged_word_reused import NAME as FLAGGED_WORD_REUSED
from .rules.flagged_word_reused import phrase_words

# The sessions whose feedback the brief quotes, newest first.
RECENT_SESSIONS = 3

# What each rule's open gap asks of the therapist today (a plugin's rule: its message).
TO_DO = {
    RISK_ITEM: "Follow up the risk item first",
    "uninvited-streak": "Invite feedback today",
    "silent-client": "Ask for feedback another way: asked, and nothing came back",
    "recurring-signal": "The same feedback keeps coming back: name it with the client and "
                        "change course",
    "flagged-word-reused": "Do not use the word the client objected to",
    "pending-feedback": "Come back to what the client asked to hold",
    "alliance-low": "Ask what would make the sessions work better for the client",
    "outcome-deteriorated": "Ask what has been getting worse",
    "not-on-track": "Talk about what could help more",
}


def brief_data(practice: Practice, client: str,
               sessions: Sequence[Session] | None = None) -> dict[str, Any]:
    """The brief as JSON-ready data, from a practice with every alert (``since`` None);
    ``sessions``: the client's, in order, when already at hand."""
    if sessions is None:
        sessions = practice.scan.sessions_by_client().get(client, [])
    gaps = sorted((gap for gap in practice.gaps
                   if gap.client == client and not practice.is_dismissed(gap)),
                  key=lambda gap: (urgency(gap.rule, gap.severity), gap.order))
    courses = outcomes({client: sessions}, practice.settings.measures).get(client, [])
    return {
        "client": client,
        "status": practice.statuses.get(client, ACTIVE),
        "sessions": len(sessions),
        "first": sessions[0].date.isoformat() if sessions else None,
        "last": sessions[-1].date.isoformat() if sessions else None,
        "gaps": [gap_json(practice, gap) for gap in gaps],
        "avoid": _avoid(practice, client, sessions),
        "pending": _pending(sessions),
        "measures": {course.measure.name: {key: course.as_json()[key] for key in (
            "intake", "previous", "latest", "change", "class")} for course in courses},
        "recent": [{"date": session.date.isoformat(), "note": session.path,
                    "theme": item.theme, "signal": item.signal, "quote": item.quote,
                    "response": item.response, "by": item.by}
                   for session in reversed(sessions[-RECENT_SESSIONS:])
                   for item in sorted(session.items, key=lambda item: item.quote is None)],
    }


def _avoid(practice: Practice, client: str, sessions: Sequence[Session]) -> list[dict[str, Any]]:
    """Each phrase the client objected to, when first, and when last used since (the
    latest session flagged-word-reused was raised at for it)."""
    objected: dict[str, str] = {}
    for session in sessions:
        for item in session.items:
            if item.theme == "words" and item.phrase and (said := phrase_words(item.phrase)):
                objected.setdefault(" ".join(said), session.date.isoformat())
    used: dict[str, str] = {}
    for alert in practice.alerts:
        if alert.rule == FLAGGED_WORD_REUSED and alert.client == client and alert.detail:
            used[alert.detail] = max(used.get(alert.detail, ""), alert.date.isoformat())
    return [{"phrase": phrase, "objected": day, "last_used": used.get(phrase)}
            for phrase, day in sorted(objected.items(), key=lambda pair: (pair[1], pair[0]))]


def _pending(sessions: Sequence[Session]) -> list[dict[str, Any]]:
    """The items held for later that no later session took up (an item of the theme)."""
    held: list[dict[str, Any]] = []
    later_themes: set[str] = set()
    for session in reversed(sessions):
        held += [{"theme": item.theme, "signal": item.signal, "quote": item.quote,
                  "since": session.date.isoformat()}
                 for item in session.items
                 if item.response == "pending" and item.theme not in later_themes]
        later_themes.update(item.theme for item in session.items)
    return held[::-1]


def brief_markdown(data: dict[str, Any], practice: Practice) -> str:
    """The brief as a checklist for the session, in plain words."""
    client = words(data["client"])
    status = "" if data["status"] == ACTIVE else f" ({data['status']})"
    lines = [f"# Before the session with {client}{status}", "",
             f"{data['sessions']} session{'s' if data['sessions'] != 1 else ''} since "
             f"{data['first']}, the last on {data['last']}."]
    lines += ["", "## To do today"]
    lines += [f"- [ ] **{TO_DO.get(gap['rule'], 'Look at this')}** ({words(gap['message'])})"
              for gap in data["gaps"]] or ["Nothing is open: keep inviting feedback."]
    if data["avoid"]:
        lines += ["", "## Words to avoid"]
        lines += [f"- \"{words(entry['phrase'])}\": objected to on {entry['objected']}"
                  + (f"; used again on {entry['last_used']}" if entry["last_used"] else "")
                  for entry in data["avoid"]]
    if data["pending"]:
        lines += ["", "## Held for later: come back to it"]
        lines += [f"- {_said(entry)} (held on {entry['since']})" for entry in data["pending"]]
    pace = next((entry for entry in data["recent"] if entry["theme"] == "pacing"), None)
    if pace is not None:
        lines += ["", "## Pace", f"Last said on {pace['date']}: {_said(pace)}."]
    if data["measures"]:
        lines += ["", "## Measures"]
        labels = {measure.name: measure.label for measure in practice.settings.measures}
        lines += [f"- {words(labels.get(name, name))}: {_course(course)}"
                  for name, course in data["measures"].items()]
    if data["recent"]:
        lines += ["", f"## In their words, the last {RECENT_SESSIONS} sessions"]
        lines += [f"- {entry['date']}: {_said(entry)}"
                  + (f" (you: {words(entry['response'])})" if entry["response"] else "")
                  + (" — raised unasked" if entry["by"] == BY_CLIENT else "")
                  for entry in data["recent"]]
    return "\n".join(lines) + "\n"


def _said(entry: dict[str, Any]) -> str:
    label = FeedbackItem(entry["theme"], entry["signal"]).label
    quote = f" \"{words(' '.join(entry['quote'].split()))}\"" if entry.get("quote") else ""
    return f"{words(label)}{quote}"


def _course(course: dict[str, Any]) -> str:
    previous = "" if course["previous"] is None else f", previous {score_text(course['previous'])}"
    kind = "" if course["class"] is None else f": {course['class'].replace('-', ' ')}"
    return (f"intake {score_text(course['intake'])}{previous}, latest "
            f"{score_text(course['latest'])}{kind}")
