"""From one note's bytes to a Session (or to nothing, for a note that is not one)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from posixpath import basename
from typing import Any

from ..config import Settings
from ..errors import NoteProblem
from ..files import read_in_vault
from ..measures.reading import rounded
from ..model import (
    SRS,
    ClientNote,
    Feedback,
    FeedbackItem,
    Measure,
    Note,
    NoteWarning,
    Session,
    raised_by,
)
from .body import read_body, tags_and_prose, visible
from .fields import nfc, read_clients, read_date
from .front_matter import load_properties, read_inline_value, split_front_matter
from .properties import by_lowercase_name, with_inline_fields
from .tags import tags_in_property
from .values import as_text, is_absent
from .warnings import LOOKS_LIKE_A_SESSION, SESSION_SIGNS_IN_A_CLIENT_NOTE, item_warnings

MAX_NOTE_BYTES = 4 * 1024 * 1024
# Prose longer than this is not kept with its session, but read again when a rule needs
# it: memory stays bounded whatever the notes hold.
KEPT_PROSE_CHARS = 256 * 1024

# What only a session note has besides its client (SPEC section 2): a note named for
# its client with a ``status`` is a session all the same when it has one of these
# (``2026-11-02/RM-07.md`` with ``status: done``), and a note without a client that
# has a ``date`` and one of these looks like a session. A date alone is none: a client
# note may well have one (the day of the intake). The scores of every measure
# (:func:`session_properties`) and feedback tags are the other signs.
SESSION_PROPERTIES = ("feedback_invited", "feedback")


@functools.cache
def session_properties(measures: tuple[Measure, ...]) -> tuple[str, ...]:
    """:data:`SESSION_PROPERTIES` and every property of the ``measures``."""
    return (*SESSION_PROPERTIES, *(name for measure in measures for name in measure.properties))

# More feedback items than anyone records in a session would multiply the alerts and
# the digest's lines (each by every client of the note).
MAX_ITEMS = 100

Extract = Callable[..., Iterable[Feedback]]
"""``extract(note=...)``: every extractor's answer for a note (the extractor hook,
with the settings bound)."""


def read_session(raw: bytes, path: str, extract: Extract,
                 settings: Settings) -> Session | ClientNote | NoteWarning | None:
    """Read a note; None when it is neither a session note nor a client note (a
    :class:`NoteWarning` when it looks like a session note all the same);
    NoteProblem when unusable.

    :param raw: the file's bytes.
    :param path: its vault-relative POSIX path.
    :param extract: the feedback extractors.
    :param settings: the settings in force (the feedback tag, the measures).
    """
    signs = (session_properties(settings.measures), settings.feedback_tag.lower())
    if len(raw) > MAX_NOTE_BYTES:
        raise NoteProblem(
            f"the note is larger than {MAX_NOTE_BYTES // (1024 * 1024)} MiB; "
            "mutuality does not read notes this big"
        )
    front_matter, body = split_front_matter(decode(raw))
    if front_matter is None and "::" not in body:
        return None  # no properties of any kind
    properties = {} if front_matter is None else by_lowercase_name(
        load_properties(front_matter))
    shown = None
    if "::" in body:  # Dataview's inline fields (most notes have none)
        with contextlib.suppress(NoteProblem):  # past the bounds: its reading will tell
            shown = visible(body)
        if shown is not None:
            properties = with_inline_fields(properties, shown, read_inline_value)
    if not properties:
        return None
    clients = read_clients(properties.get("client"))
    status = properties.get("status")
    if not is_absent(status) and isinstance(status, (str, int, float)):
        name = nfc(basename(path)[:-3].strip())
        # Which names are clients is known once every session is read: a note without
        # a client is taken as a client note for now.
        if not clients:
            signed = _has_session_signs(properties, body, shown, *signs)
            return ClientNote(path, name, as_text(status).strip(),
                              SESSION_SIGNS_IN_A_CLIENT_NOTE if signed else "")
        if name in clients and not _has_session_signs(properties, body, shown, *signs):
            return ClientNote(path, name, as_text(status).strip())
    if not clients:
        if not is_absent(properties.get("date")) and _has_session_signs(
                properties, body, shown, *signs):
            return NoteWarning(path, LOOKS_LIKE_A_SESSION)
        return None
    date = read_date(properties.get("date"), basename(path))
    inline_tags, text = tags_and_prose(visible(body) if shown is None else shown)
    note = Note(path, properties, body, inline_tags, text)
    return session_from(note, clients, date, extract(note=note))


def _has_session_signs(properties: Mapping[str, Any], body: str, shown: str | None,
                       signs: tuple[str, ...], feedback_tag: str) -> bool:
    """Whether the note has what only a session note has (the properties ``signs``, or
    a tag under ``feedback_tag``); ``shown``: its body as Obsidian shows it, if made."""
    if any(not is_absent(properties.get(name)) for name in signs):
        return True
    prefix = feedback_tag + "/"
    tags = tags_in_property(properties.get("tags"))
    if prefix in body:
        with contextlib.suppress(NoteProblem):  # a body past the bounds: no tags read
            tags += tags_and_prose(visible(body) if shown is None else shown)[0]
    return any(tag.startswith(prefix) for tag in tags)


class ProseReadWhenAsked:
    """A note's prose not held in memory but read when asked (:meth:`read`); equal to
    the same prose however it is kept, so sessions read again compare as they did."""

    __slots__ = ()

    def read(self) -> str:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.read() == other
        if isinstance(other, ProseReadWhenAsked):
            return self is other or self.read() == other.read()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # what it reads may change


@dataclass(frozen=True, eq=False)
class ProseInFile(ProseReadWhenAsked):
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
    scores: dict[str, float] = {}
    risks: dict[str, float] = {}
    for answer in answers:
        invited = invited or answer.invited
        if answer.srs_total is not None and SRS not in scores:
            scores[SRS] = rounded(answer.srs_total)  # a plugin's too (SPEC section 3)
        for name, score in answer.scores.items():
            if name not in scores:
                scores[name] = rounded(score)
        for name, score in answer.risks.items():  # never hidden: the highest recorded
            risks[name] = max(score, risks.get(name, score))
        for item in answer.items:
            item = item.normalized()
            if not item.theme:
                continue
            earlier = items.get(item.key)
            items[item.key] = item if earlier is None else earlier.filled_from(item)
    if len(items) > MAX_ITEMS:
        raise NoteProblem(f"the note holds more than {MAX_ITEMS} different feedback items; "
                          f"mutuality reads up to {MAX_ITEMS} a session")
    warnings = item_warnings(items.values(), invited)
    return Session(
        path=note.path,
        date=date,
        clients=clients,
        invited=invited,
        items=tuple(_settled(item, invited) for item in items.values()),
        scores=scores,
        text=note.text,
        warnings=warnings,
        risks=risks,
    )


def _settled(item: FeedbackItem, invited: bool) -> FeedbackItem:
    """Fill what the rules derive: who raised it, and the phrase of a words item."""
    by = raised_by(item.by, invited)
    phrase = item.phrase
    if item.theme == "words" and phrase is None and item.signal:
        phrase = item.signal.replace("-", " ")
    if by == item.by and phrase == item.phrase:
        return item
    return FeedbackItem(item.theme, item.signal, item.quote, phrase, item.response, by)
