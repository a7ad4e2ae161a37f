"""The brief before the next session with one client (SPEC section 10): what they asked
for, in a minute of reading: the open gaps as things to do, the words to avoid, the
requests held for later, the pace they asked for, their measures, and their own words
in the last sessions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .measures.outcome import outcomes
from .measures.reading import score_text
from .model import ACTIVE, BY_CLIENT, RISK_ITEM, Session, urgency
from .practice import Practice
from .reporters.gaps import gap_json
from .rules import flagged_word_reused

# What the brief shows of each measure's course.
_COURSE = ("intake", "previous", "latest", "change", "class")
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
        "avoid": _avoid(client, sessions),
        "pending": _pending(sessions),
        "pace": _pace(sessions),
        "measures": {course.measure.name: {key: value for key, value in course.as_json().items()
                                           if key in _COURSE} for course in courses},
        "recent": [{"date": session.date.isoformat(), "note": session.path,
                    "theme": item.theme, "signal": item.signal, "quote": item.quote,
                    "response": item.response, "by": item.by}
                   for session in reversed(sessions[-RECENT_SESSIONS:])
                   for item in sorted(session.items, key=lambda item: item.quote is None)],
    }


def _avoid(client: str, sessions: Sequence[Session]) -> list[dict[str, Any]]:
    """Each phrase the client objected to, when first, and when last used since: the
    latest later session whose note holds it without objecting to it again (searched
    as flagged-word-reused searches, whether that rule is on or not)."""
    objected: dict[str, str] = {}
    for session in sessions:
        for phrase in flagged_word_reused.phrases_of(session):
            objected.setdefault(phrase, session.date.isoformat())
    used: dict[str, str] = {}
    for held in flagged_word_reused.condition(client, sessions, {}, 0):
        if held.detail is not None:
            used[held.detail] = held.session.date.isoformat()  # the sessions come in order
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


def _pace(sessions: Sequence[Session]) -> dict[str, Any] | None:
    """The pace the client last asked for: the latest pacing item, however old."""
    for session in reversed(sessions):
        for item in sorted(session.items, key=lambda item: item.quote is None):
            if item.theme == "pacing":
                return {"date": session.date.isoformat(), "signal": item.signal,
                        "quote": item.quote}
    return None


def plain(text: str) -> str:
    """Words from a note for a terminal: on one line, as written (the terminal is
    kept from being steered where the output is printed)."""
    return " ".join(text.split())


def brief_markdown(data: dict[str, Any], practice: Practice, shown: Callable[[str], str] = plain,
                   tasks: bool = True, measures: bool = True) -> str:
    """The brief as a checklist for the session, in plain words.

    :param shown: how words from the notes are shown: :func:`plain` for a terminal,
        ``words`` for a note of the vault (nothing in them read as markup).
    :param tasks: the things to do as task boxes (``- [ ]``); plain items on a client
        page, where a tick would not dismiss the gap (only one in Alerts.md does).
    :param measures: each measure in one line (not on a client page, which charts them).
    """
    status = "" if data["status"] == ACTIVE else f" ({data['status']})"
    lines = [f"# Before the session with {shown(data['client'])}{status}", "",
             f"{data['sessions']} session{'s' if data['sessions'] != 1 else ''} since "
             f"{data['first']}, the last on {data['last']}."]
    lines += ["", "## To do today"]
    box = "- [ ] " if tasks else "- "
    lines += [f"{box}**{TO_DO.get(gap['rule'], 'Look at this')}** ({_said_when(gap, shown)})"
              for gap in data["gaps"]] or ["Nothing is open: keep inviting feedback."]
    if data["avoid"]:
        lines += ["", "## Words to avoid"]
        lines += [f"- \"{shown(entry['phrase'])}\": objected to on {entry['objected']}"
                  + (f"; used again on {entry['last_used']}" if entry["last_used"] else "")
                  for entry in data["avoid"]]
    if data["pending"]:
        lines += ["", "## Held for later: come back to it"]
        lines += [f"- {said(entry, shown)} (held on {entry['since']})"
                  for entry in data["pending"]]
    if data["pace"] is not None:
        lines += ["", "## Pace", f"Last asked for on {data['pace']['date']}: "
                                 f"{said({'theme': 'pacing', **data['pace']}, shown)}."]
    if data["measures"] and measures:
        lines += ["", "## Measures"]
        labels = {measure.name: measure.label for measure in practice.settings.measures}
        lines += [f"- {shown(labels.get(name, name))}: {_course(course)}"
                  for name, course in data["measures"].items()]
    if data["recent"]:
        lines += ["", f"## In their words, the last {RECENT_SESSIONS} sessions"]
        lines += [f"- {entry['date']}: {said(entry, shown)}"
                  + (f" (you: {shown(entry['response'])})" if entry["response"] else "")
                  + (" — raised unasked" if entry["by"] == BY_CLIENT else "")
                  for entry in data["recent"]]
    return "\n".join(lines) + "\n"


def _said_when(gap: dict[str, Any], shown: Callable[[str], str]) -> str:
    """The gap's message, saying which session "this session" is."""
    message = shown(gap["message"])
    return f"{message}; the session of {gap['latest']}" if "this session" in message else message


def said(entry: dict[str, Any], shown: Callable[[str], str] = plain) -> str:
    """A feedback item in words: ``pacing: too fast "Slow down"`` (not its tag
    spelling, ``pacing/too-fast``)."""
    signal = entry["signal"].replace("-", " ").replace("_", " ").strip()
    quote = f" \"{shown(entry['quote'])}\"" if entry.get("quote") else ""
    return f"{shown(entry['theme'])}{': ' + shown(signal) if signal else ''}{quote}"


def _course(course: dict[str, Any]) -> str:
    previous = "" if course["previous"] is None else f", previous {score_text(course['previous'])}"
    kind = "" if course["class"] is None else f": {course['class'].replace('-', ' ')}"
    return (f"intake {score_text(course['intake'])}{previous}, latest "
            f"{score_text(course['latest'])}{kind}")
