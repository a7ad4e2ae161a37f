"""Warnings: notes that are read but look wrong (SPEC section 2). Exactly these kinds:

- a ``response`` or ``by`` that mutuality does not know;
- a pacing or topic signal outside the known ones, or a theme that is a likely typo
  of a known one (with the nearest known value when it is a likely typo);
- a session dated after today;
- two session notes with the same clients on one date (each note is warned);
- a note with no ``client`` that looks like a session.

The first two are of one note and found as it is read; the next two depend on the
day and on the other notes, so they are found over the whole scan.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from difflib import get_close_matches
from functools import lru_cache
from itertools import groupby
from operator import attrgetter

from ..model import (
    BY_CLIENT,
    BY_INVITED,
    KNOWN_SIGNALS,
    RESPONSES,
    FeedbackItem,
    NoteWarning,
    ScanResult,
    known_by,
)

# The second part of the invitation tag (``feedback/invited``).
INVITED = "invited"
# More than this for one note says the same thing again and again.
MOST_PER_NOTE = 10
_SHOWN_CHARACTERS = 40
# How alike a value and a known one must be to be a likely typo (difflib's ratio):
# "pendig" and "pending" are 0.92, "word" and "words" 0.89, "pace" and "pacing" 0.6.
_TYPO_LIKENESS = 0.75
# What needs no warning, at a glance: the known signals of each theme (any of words),
_ANY: frozenset[str] = frozenset()
_KNOWN_SIGNALS = {theme: frozenset({*signals, ""}) if signals else _ANY
                  for theme, signals in KNOWN_SIGNALS.items()}
_RESPONSES = frozenset({*RESPONSES, None})
_BY = frozenset({BY_CLIENT, BY_INVITED, None})


def item_warnings(items: Iterable[FeedbackItem], invited: bool) -> tuple[str, ...]:
    """What looks wrong in a session's items, as read (before ``by`` is settled), in a
    session ``invited`` or not."""
    warnings: list[str] = []
    for item in items:
        signals = _KNOWN_SIGNALS.get(item.theme, ())
        if ((signals is _ANY or item.signal in signals) and item.response in _RESPONSES
                and item.by in _BY):
            continue  # most items: nothing to look at
        warnings += _item_warnings(item, invited)
        if len(warnings) >= MOST_PER_NOTE:
            break
    return tuple(dict.fromkeys(warnings))[:MOST_PER_NOTE]


def _item_warnings(item: FeedbackItem, invited: bool) -> Iterator[str]:
    theme = item.theme
    if theme not in KNOWN_SIGNALS:
        nearest = _nearest(theme, (*KNOWN_SIGNALS, INVITED))
        if nearest == INVITED:  # feedback/invted, feedback/invited/yes: a theme
            which = "is" if theme == INVITED else "looks like a typo of"
            yield (f"the feedback theme {_shown(theme)} {which} invited, but only the tag "
                   "feedback/invited alone says you invited feedback; this one is kept as "
                   "feedback of that theme"
                   + ("" if invited else ", and the session is not read as invited"))
        elif nearest:
            yield (f"the feedback theme {_shown(theme)} looks like a typo of {nearest}; "
                   "it is kept as a theme of its own")
    elif KNOWN_SIGNALS[theme] and item.signal and item.signal not in KNOWN_SIGNALS[theme]:
        yield (f"the {theme} signal {_shown(item.signal)} is not one mutuality knows "
               f"{_did_you_mean(item.signal, KNOWN_SIGNALS[theme])}; it is kept as written")
    if item.response is not None and item.response not in RESPONSES:
        yield (f"the response {_shown(item.response)} is not one mutuality knows "
               f"{_did_you_mean(item.response, RESPONSES)}; it is kept as written")
    if item.by and item.by.strip() and known_by(item.by) is None:
        read_as = ("invited, as you invited feedback in this session" if invited else
                   "client (who spoke up unprompted), as feedback was not invited")
        yield (f"`by: {_shown(item.by, quoted=False)}` is not one mutuality knows "
               f"{_did_you_mean(item.by.strip().lower(), (BY_CLIENT, BY_INVITED))}; "
               f"it is read as {read_as}")


@lru_cache(maxsize=4096)  # a vault uses the same few values again and again
def _nearest(value: str, known: tuple[str, ...]) -> str | None:
    found = get_close_matches(value, known, n=1, cutoff=_TYPO_LIKENESS)
    return found[0] if found else None


def _did_you_mean(value: str, known: tuple[str, ...]) -> str:
    nearest = _nearest(value, known)
    if nearest is not None:
        return f"(did you mean {nearest}?)"
    return f"({', '.join(known[:-1])} or {known[-1]})"


def _shown(value: str, quoted: bool = True) -> str:
    """A value of the note, short, to name it in a warning (what prints it makes it
    printable)."""
    value = value.strip()
    if len(value) > _SHOWN_CHARACTERS:
        value = value[: _SHOWN_CHARACTERS - 1] + "…"
    return f'"{value}"' if quoted else value


LOOKS_LIKE_A_SESSION = (
    "this note has a date and what a session note has (feedback_invited, a feedback tag "
    "or a score) but no `client`, so it is not read as a session: add `client: ` with "
    "the client's id if it is one"
)
SESSION_SIGNS_IN_A_CLIENT_NOTE = (
    "this note has a `status` and no `client`, so it is read as a client note, yet it "
    "holds what a session note has (feedback_invited, a feedback tag or a score), which "
    "mutuality reads only in session notes: write it in the note of the session it came "
    "from (an intake score in the first session's note), or add `client:` if this is one"
)


def vault_warnings(scan: ScanResult, today: dt.date) -> tuple[NoteWarning, ...]:
    """Every warning of the scan, sorted by path: each note's own, each session dated
    after ``today``, and each session note with the same clients on one date as
    another."""
    warnings = [*scan.note_warnings]
    warnings += (NoteWarning(note.path, note.warning) for note in scan.client_notes
                 if note.warning)
    warnings += (NoteWarning(session.path, message)
                 for session in scan.sessions for message in session.warnings)
    warnings += (
        NoteWarning(session.path, f"the session is dated {session.date}, after today "
                                  f"({today}): alerts, gaps and digests leave it out until "
                                  "then; check the date")
        for session in scan.sessions if session.date > today)
    warnings += _same_clients_on_one_date(scan)
    return tuple(sorted(warnings, key=lambda warning: warning.path))


def _same_clients_on_one_date(scan: ScanResult) -> Iterator[NoteWarning]:
    # Looked for in each client's sessions (in date order, then by path), not in one
    # table of every session: over 100,000 notes that table is the largest thing a
    # report holds at its end. A joint session is looked at under its first client.
    for client, sessions in scan.sessions_by_client().items():
        for day, of_the_day in groupby(sessions, key=attrgetter("date")):
            same: dict[tuple[str, ...], list[str]] = defaultdict(list)
            for session in of_the_day:
                clients = tuple(sorted(session.clients))
                if clients[0] == client:
                    same[clients].append(session.path)
            for clients, paths in same.items():
                if len(paths) > 1:
                    yield from _told_apart(day, clients, paths)


def _told_apart(day: dt.date, clients: tuple[str, ...], paths: list[str]
                ) -> Iterator[NoteWarning]:
    whose = "client" if len(clients) == 1 else "clients"
    for path in paths:
        rest = [other for other in paths if other != path]
        more = f" and {len(rest) - 1} more" if len(rest) > 1 else ""
        yield NoteWarning(path, (
            f"another session note has the same {whose} on {day}: "
            f"{rest[0]}{more}; if one is a copy, merge them and delete it"))
