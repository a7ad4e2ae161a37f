"""From one note's bytes to a Session (or to nothing, for a note that is not one)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from posixpath import basename
from typing import Any

from ..errors import NoteProblem
from ..extractors.session_rating import SCALES, TOTAL
from ..files import read_in_vault
from ..model import (
    BY_CLIENT,
    BY_INVITED,
    ClientNote,
    Feedback,
    FeedbackItem,
    Note,
    NoteWarning,
    Session,
)
from .body import read_body
from .fields import nfc, read_clients, read_date
from .front_matter import load_properties, read_inline_value, split_front_matter
from .properties import by_lowercase_name, with_inline_fields
from .tags import tags_in_property
from .values import as_text, is_absent
from .warnings import LOOKS_LIKE_A_SESSION, item_warnings

MAX_NOTE_BYTES = 4 * 1024 * 1024
# Prose longer than this is not kept with its session, but read again when a rule needs
# it: memory stays bounded whatever the notes hold.
KEPT_PROSE_CHARS = 256 * 1024

# What only a session note has: a note with a client and one of these is a session,
# whatever its name and status (``2026-11-02/RM-07.md`` with ``status: done``). A date
# is not one: a client note may well have one (the day of the intake).
SESSION_KEYS = ("feedback_invited", "feedback")

# More feedback items than anyone records in a session would multiply the alerts and
# the digest's lines (each by every client of the note).
MAX_ITEMS = 100

Extract = Callable[..., Iterable[Feedback]]
"""``extract(note=...)``: every extractor's answer for a note (the extractor hook,
with the settings bound)."""


def read_session(raw: bytes, path: str, extract: Extract,
                 feedback_tag: str = "feedback") -> Session | ClientNote | NoteWarning | None:
    """Read a note; None when it is neither a session note nor a client note (a
    :class:`NoteWarning` when it looks like a session note all the same);
    NoteProblem when unusable.

    :param raw: the file's bytes.
    :param path: its vault-relative POSIX path.
    :param extract: the feedback extractors.
    :param feedback_tag: the first part of feedback tags, lowercased.
    """
    if len(raw) > MAX_NOTE_BYTES:
        raise NoteProblem(
            f"the note is larger than {MAX_NOTE_BYTES // (1024 * 1024)} MiB; "
            "mutuality does not read notes this big"
        )
    front_matter, body = split_front_matter(decode(raw))
    properties = {} if front_matter is None else by_lowercase_name(
        load_properties(front_matter))
    if "::" in body:  # Dataview's inline fields (most notes have none)
        properties = with_inline_fields(properties, body, read_inline_value)
    if not properties:
        return None
    clients = read_clients(properties.get("client"))
    client_note = read_client_note(path, properties, clients)
    if client_note is not None:
        return client_note
    if not clients:
        if _looks_like_a_session(properties, body, feedback_tag):
            return NoteWarning(path, LOOKS_LIKE_A_SESSION)
        return None
    date = read_date(properties.get("date"), basename(path))
    inline_tags, text = read_body(body)
    note = Note(path, properties, body, inline_tags, text)
    return session_from(note, clients, date, extract(note=note))


def _looks_like_a_session(properties: Mapping[str, Any], body: str, feedback_tag: str) -> bool:
    """A note with no client looks like a session note when it has a ``date`` together
    with ``feedback_invited``, a feedback tag or a score (SPEC section 2)."""
    if is_absent(properties.get("date")):
        return False
    if any(not is_absent(properties.get(name)) for name in ("feedback_invited", *SCALES, TOTAL)):
        return True
    prefix = feedback_tag + "/"
    tags = tags_in_property(properties.get("tags"))
    if prefix in body:
        with contextlib.suppress(NoteProblem):  # a body past the bounds: no tags read
            tags += read_body(body)[0]
    return any(tag.startswith(prefix) for tag in tags)


def read_client_note(path: str, properties: Mapping[str, Any],
                     clients: tuple[str, ...]) -> ClientNote | None:
    """The note as a client note: one with a ``status`` property, named for a client
    (``RM-07.md``). Which names are clients is known once every session is read, so a
    note without ``client`` is taken as one for now; a note with ``client`` is one when
    its name is among its own clients (``Clients/RM-07.md`` with ``client: RM-07``)."""
    status = properties.get("status")
    if is_absent(status) or not isinstance(status, (str, int, float)):
        return None
    name = nfc(basename(path)[:-3].strip())
    if clients and (name not in clients or any(
            not is_absent(properties.get(key)) for key in SESSION_KEYS)):
        return None  # a session note (one a day, named for the client, say)
    return ClientNote(path, name, as_text(status).strip())


@dataclass(frozen=True)
class ProseInFile:
    """The prose of the note at ``path`` in the vault ``root``, read when asked."""

    root: str
    path: str  # vault-relative, POSIX

    def read(self) -> str:
        try:
            raw = read_in_vault(Path(self.root), self.path, MAX_NOTE_BYTES)
            front_matter, body = split_front_matter(decode(raw))
            return read_body(body)[1]
        except (OSError, NoteProblem):
            return ""  # gone or changed: its next reading will tell


def keep_prose(session: Session, root: Path | str, path: str) -> Session:
    """The session, with its prose left in its note (``path`` in the vault ``root``)
    when it is too long to keep."""
    if isinstance(session.text, str) and len(session.text) > KEPT_PROSE_CHARS:
        return replace(session, text=ProseInFile(str(root), path))
    return session


def decode(raw: bytes) -> str:
    """UTF-8 text (a BOM dropped) with ``\\n`` line endings, as Windows tools save it too."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteProblem(
            "the note is not UTF-8 text: open it in Obsidian and save it again, "
            "or re-save it as UTF-8"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def session_from(
    note: Note, clients: tuple[str, ...], date: dt.date, answers: Iterable[Feedback]
) -> Session:
    """Merge every extractor's answer into the session (see the extractor hook)."""
    items: dict[tuple[str, str], FeedbackItem] = {}
    invited = False
    srs_total = None
    for answer in answers:
        invited = invited or answer.invited
        if srs_total is None:
            srs_total = answer.srs_total
        for item in answer.items:
            item = item.normalized()
            if not item.theme:
                continue
            earlier = items.get(item.key)
            items[item.key] = item if earlier is None else earlier.filled_from(item)
    if len(items) > MAX_ITEMS:
        raise NoteProblem(f"the note holds more than {MAX_ITEMS} different feedback items; "
                          f"mutuality reads up to {MAX_ITEMS} a session")
    warnings = item_warnings(items.values())
    return Session(
        path=note.path,
        date=date,
        clients=clients,
        invited=invited,
        items=tuple(_settled(item, invited) for item in items.values()),
        srs_total=srs_total,
        text=note.text,
        warnings=warnings,
    )


def _settled(item: FeedbackItem, invited: bool) -> FeedbackItem:
    """Fill what the rules derive: who raised it, and the phrase of a words item."""
    by = item.by.strip().lower() if item.by else None
    if by not in (BY_CLIENT, BY_INVITED):
        by = BY_INVITED if invited else BY_CLIENT
    phrase = item.phrase
    if item.theme == "words" and phrase is None and item.signal:
        phrase = item.signal.replace("-", " ")
    if by == item.by and phrase == item.phrase:
        return item
    return FeedbackItem(item.theme, item.signal, item.quote, phrase, item.response, by)
