"""The persistent index: what each note gave when it was last read, and the alerts
already handed on, in SQLite outside the vault.

A scan re-reads only the notes whose modification time or size changed. The index
holds clinical text, so its folder is 0700 and its files 0600. It is never trusted
blindly: a damaged file, another program's database, an older layout or another
vault make it start afresh. Readings are kept under a fingerprint of the plugins and
settings that made them, so other plugins or settings never use them (and the alerts
already handed on survive such a change).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import sqlite3
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import platformdirs

from . import installed
from .config import Settings
from .errors import MutualityError
from .files import open_private, os_reason
from .model import (
    Alert,
    ClientNote,
    FeedbackItem,
    LongProse,
    NoteWarning,
    Problem,
    Reading,
    Session,
)
from .platforms import owner, set_mode
from .plugins import PluginManager
from .reading.note import ProseInFile, ProseReadWhenAsked
from .writer import Leftovers

SCHEMA = 6
# The layouts before, whose record of the alerts handed on is kept, so moving to this
# one announces nothing again: before alerts handed on were known by their date rather
# than their note, and before the prose of the notes was kept apart from their readings
# (the readings are made again).
SENT_BY_NOTE_SCHEMA = 4
PROSE_WITH_READINGS_SCHEMA = 5
READING_TABLES = (
    "notes (fingerprint TEXT NOT NULL, path TEXT NOT NULL, mtime_ns INTEGER NOT NULL,"
    " size INTEGER NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL,"
    " PRIMARY KEY (fingerprint, path))",
    # Apart: loading the readings of 100,000 notes never reads (nor maps) their prose.
    "prose (fingerprint TEXT NOT NULL, path TEXT NOT NULL, text TEXT NOT NULL,"
    " PRIMARY KEY (fingerprint, path))",
)
# What a note's reading holds: a reading made by an earlier version is not used (a note
# read as nothing may be a client note now; a session holds every measure it records).
READINGS = 4
APPLICATION = "mutuality note index"
STATE_VARIABLE = "MUTUALITY_STATE_DIR"

Stamp = tuple[int, int]
"""(modification time in ns, size): a note whose stamp is unchanged is not re-read."""

Encoded = tuple[str, str, str | None]
"""A reading as stored: (kind, data, prose); see :func:`encode`."""

StoredEntry = tuple[str, Stamp, str, str]
"""A note as stored, its prose aside: (path, stamp, kind, data); see :func:`decode_many`."""

Row = tuple[str, int, int, str, str, str | None]
"""A note's row: (path, mtime_ns, size, kind, data, prose)."""

# Up to this many notes, their entries are looked up one by one rather than found among
# all (a note or two saved, under watch, in a vault of 100,000).
LOOKED_UP_ONE_BY_ONE = 1000
# Rows are loaded and decoded this many at a time, so that loading 100,000 notes never
# holds all their stored forms at once.
CHUNK = 4096


class StateError(MutualityError):
    """The state folder is not safe to keep clinical text in (exit 2)."""


class StateUnusable(MutualityError):
    """The state folder or the index cannot be used now; the work goes on without it."""


def state_folder(settings: Settings | None = None) -> Path:
    """The per-user state folder (``MUTUALITY_STATE_DIR``, or ``state_folder`` of the
    settings, else the platform's): made private to its owner (0700, whatever the
    umask), and used only when it is its owner's and no one else can write in it.

    :raises StateError: when someone else could read or change what is kept there.
    :raises StateUnusable: when it cannot be made or reached.
    """
    chosen = os.environ.get(STATE_VARIABLE) or (settings.state_folder if settings else None)
    folder = Path(chosen or platformdirs.user_state_dir("mutuality")).expanduser()
    try:
        # Missing folders on the way are made private too, as XDG asks of its own
        # (~/.local/state made for us is no one else's to look into).
        for made in [*reversed(folder.parents), folder]:  # from the top down
            if not os.path.lexists(made):
                with contextlib.suppress(FileExistsError):  # several commands at once
                    os.mkdir(made, 0o700)
                    os.chmod(made, 0o700)  # the umask may have taken bits away; never added
        status = os.stat(folder)
    except OSError as error:
        raise StateUnusable(f"{folder}: the state folder cannot be made or reached "
                            f"({os_reason(error)})") from None
    if not stat.S_ISDIR(status.st_mode):
        raise StateUnusable(f"{folder}: the state folder is not a folder")
    user = owner()  # None on Windows: its folders have ACLs instead (docs/security.md)
    if user is not None and (status.st_uid != user or status.st_mode & 0o022):
        raise StateError(
            f"{folder}: the state folder belongs to someone else, or others can write in "
            "it; mutuality keeps clinical text there, so it is not used: choose a folder "
            f"of your own ({STATE_VARIABLE}, or state_folder in a --config file), or "
            "`chmod go-w` it")
    return folder


def vault_id(vault: Path) -> str:
    """What names a vault's files in the state folder: 16 hex digits of its path."""
    root = str(Path(vault).resolve())
    return hashlib.sha256(root.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def fingerprint(plugin_manager: PluginManager, settings: Settings) -> str:
    """What a note's reading depends on besides the note: mutuality's version, the
    plugins (a drop-in file by its modification time) and the settings for reading."""
    own = installed.version("mutuality") or "source"
    parts = [own, str(SCHEMA), str(READINGS), settings.feedback_tag, settings.output_folder,
             json.dumps(settings.plugins, sort_keys=True, default=str)]
    for name, origin in sorted(plugin_manager.origins.items()):
        stamp = ""
        if origin.endswith(".py"):
            with contextlib.suppress(OSError):
                stamp = str(os.stat(origin).st_mtime_ns)
        parts.append(f"{name}={origin}@{stamp}")
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


class NoteIndex:
    """One vault's index. Use :meth:`open`; close it when done."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None,
                 fingerprint: str = ""):
        self._db = connection
        self.path = path
        self.fingerprint = fingerprint

    @classmethod
    def open(cls, vault: Path, fingerprint: str, settings: Settings | None = None) -> NoteIndex:
        """The vault's index in the state folder.

        :raises StateError: when the state folder is not safe to use.
        :raises StateUnusable: when it, or the index, cannot be used now (a full disk,
            a folder that cannot be written): :meth:`in_memory` does the work then.
        """
        root = str(Path(vault).resolve())
        path = state_folder(settings) / f"index-{vault_id(vault)}.sqlite3"
        expected = {"application": APPLICATION, "schema": str(SCHEMA), "vault": root}
        index = None
        try:
            try:
                index = cls._connect(path, fingerprint)
                index._create(expected)  # a new file; several commands may start at once
                index._migrate(expected)
                if index._meta() == expected:
                    index._forget_other_fingerprints()
                    return index
            except sqlite3.OperationalError:
                # Locked for long, a full disk: it may hold the record of the alerts
                # handed on, so it is never deleted for a cause that passes.
                if index is not None:
                    index.close()
                raise
            except sqlite3.DatabaseError:  # not a database, or damaged
                pass
            if index is not None:
                index.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            index = cls._connect(path, fingerprint)
            index._create(expected)
            return index
        except (OSError, sqlite3.Error) as error:  # sqlite3.OperationalError: a full disk
            reason = getattr(error, "strerror", None) or str(error)
            raise StateUnusable(f"{path}: the index cannot be used ({reason.lower()})") from None

    @classmethod
    def in_memory(cls, fingerprint: str = "") -> NoteIndex:
        """An index that lasts as long as the command: nothing is kept between runs."""
        connection = sqlite3.connect(":memory:", isolation_level=None,
                                     check_same_thread=False)
        index = cls(connection, None, fingerprint)
        index._create({"application": APPLICATION, "schema": str(SCHEMA), "vault": ""})
        return index

    @classmethod
    def _connect(cls, path: Path, fingerprint: str) -> NoteIndex:
        # Private from the start, and never through a link or onto a pipe put there.
        descriptor = open_private(path, os.O_WRONLY)
        try:
            set_mode(descriptor, path, 0o600)  # an older one made private too
        finally:
            os.close(descriptor)
        connection = sqlite3.connect(path, timeout=10, isolation_level=None,
                                     check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return cls(connection, path, fingerprint)

    def _meta(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM meta"))

    def _create(self, meta: dict[str, str]) -> None:
        """The tables and the meta rows, if there are none yet, in one transaction
        (another command starting at the same moment waits for it)."""
        with self._transaction():
            tables = {name for (name,) in self._db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "meta" in tables:
                return
            if tables:
                raise sqlite3.DatabaseError("another program's database")
            for table in (
                "meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                *READING_TABLES,
                "sent_alerts (sink TEXT, rule TEXT, client TEXT, date TEXT, detail TEXT,"
                " PRIMARY KEY (sink, rule, client, date, detail))",
                "marks (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            ):
                self._db.execute(f"CREATE TABLE {table}")
            self._db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())

    def _migrate(self, expected: dict[str, str]) -> None:
        """Bring the index of a layout before to this one, keeping its record of the
        alerts handed on: what was handed on stays so."""
        with self._transaction():  # looked at inside it: another command may be migrating
            schema = self._meta().get("schema")
            if schema not in (str(SENT_BY_NOTE_SCHEMA), str(PROSE_WITH_READINGS_SCHEMA)) or (
                    self._meta() != {**expected, "schema": schema}):
                return
            if schema == str(SENT_BY_NOTE_SCHEMA):
                self._db.execute("ALTER TABLE sent_alerts RENAME TO sent_alerts_by_note")
                self._db.execute("CREATE TABLE sent_alerts (sink TEXT, rule TEXT, client TEXT,"
                                 " date TEXT, detail TEXT,"
                                 " PRIMARY KEY (sink, rule, client, date, detail))")
            for table in ("notes", "prose"):
                self._db.execute(f"DROP TABLE IF EXISTS {table}")
            for table in READING_TABLES:
                self._db.execute(f"CREATE TABLE {table}")
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'schema'",
                             (expected["schema"],))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    @functools.cached_property
    def leftovers(self) -> Leftovers | None:
        """The record of the temporary files this vault's writes make (beside the index,
        in the state folder), and of what they wrote; None for an index in memory."""
        if self.path is None:
            return None
        return Leftovers(self.path.with_name(self.path.stem + "-writes.jsonl"))

    @property
    def watch_lock(self) -> Path | None:
        """Where the vault's watch lock file may be kept (beside the index), if
        anywhere."""
        return None if self.path is None else self.path.with_name(self.path.stem
                                                                  + "-watch.lock")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> NoteIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _forget_other_fingerprints(self) -> None:
        """Readings made by other plugins or settings are of no more use (a watcher
        still running with them keeps its own)."""
        # Two ranges of the key's index: no walk through every note to find none.
        other = self._db.execute(
            "SELECT 1 FROM notes WHERE fingerprint < ?1 OR fingerprint > ?1 LIMIT 1",
            (self.fingerprint,)).fetchone()
        if other:
            with self._transaction():
                for table in ("notes", "prose"):
                    self._db.execute(f"DELETE FROM {table} WHERE fingerprint != ?",
                                     (self.fingerprint,))

    # Notes

    def stamps(self) -> dict[str, Stamp]:
        """path -> the stamp of the note when its reading was stored."""
        rows = self._db.execute(
            "SELECT path, mtime_ns, size FROM notes WHERE fingerprint = ?", (self.fingerprint,))
        return {path: (mtime, size) for path, mtime, size in rows}

    def stored(self, wanted: Mapping[str, Stamp],
               others: list[str] | None = None) -> Iterator[list[StoredEntry]]:
        """The stored entries of the notes ``wanted`` with the stamps given, in chunks
        (one a note wanted that is stored so; in no particular order); their prose is
        left in the index (:meth:`prose`).

        :param others: where to add the paths of the notes stored that are not wanted
            (each entry is looked at then, as it is for many notes wanted).
        """
        select = "SELECT path, mtime_ns, size, kind, data FROM notes WHERE fingerprint = ?"
        rows: Iterable[tuple[str, int, int, str, str]]
        if others is None and len(wanted) <= LOOKED_UP_ONE_BY_ONE:
            rows = (row for path in wanted for row in self._db.execute(
                select + " AND path = ?", (self.fingerprint, path)))
        else:
            rows = self._db.execute(select, (self.fingerprint,))
        chunk: list[StoredEntry] = []
        for path, mtime, size, kind, data in rows:
            stamp = wanted.get(path)
            if stamp is None:
                if others is not None:
                    others.append(path)
            elif stamp == (mtime, size):
                chunk.append((path, stamp, kind, data))
                if len(chunk) == CHUNK:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    def prose(self, path: str) -> str | None:
        """The prose stored with the note's reading (None if there is none: the note was
        too long to keep it, or its reading is not stored, or the index is closed or
        cannot be read now)."""
        try:
            row = self._db.execute("SELECT text FROM prose WHERE fingerprint = ? AND path = ?",
                                   (self.fingerprint, path)).fetchone()
        except sqlite3.Error:  # sqlite3.ProgrammingError: closed, the command's work done
            return None
        return row[0] if row else None

    def update(self, changed: Iterable[Row], removed: Iterable[str] = ()) -> None:
        encoded = list(changed)
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?, ?)",
                ((self.fingerprint, *entry[:5]) for entry in encoded))
            # A note's prose before is never left with a reading that has none.
            for table in ("notes", "prose"):
                self._db.executemany(f"DELETE FROM {table} WHERE fingerprint = ? AND path = ?",
                                     ((self.fingerprint, path) for path in removed))
            self._db.executemany("DELETE FROM prose WHERE fingerprint = ? AND path = ?",
                                 ((self.fingerprint, entry[0]) for entry in encoded
                                  if entry[5] is None))
            self._db.executemany("INSERT OR REPLACE INTO prose VALUES (?, ?, ?)",
                                 ((self.fingerprint, entry[0], entry[5]) for entry in encoded
                                  if entry[5] is not None))

    # Alerts handed on, by alert sink, and other marks

    def unsent(self, sink: str, alerts: Iterable[Alert]) -> list[Alert]:
        """The alerts the sink named ``sink`` has not received (one of the same
        identity, whatever its note is called now), each identity once (two notes of
        one date may each raise it)."""
        alerts = list(alerts)
        # A few are looked up one by one: the record of a large vault holds tens of
        # thousands.
        record = self._sent(sink) if len(alerts) > FEW_ALERTS else None
        unsent = []
        seen = set()
        for alert in alerts:
            identity = _identity(alert)
            if identity in seen:
                continue
            seen.add(identity)
            sent = self._was_sent(sink, alert) if record is None else (
                identity in record[0] or _by_note(alert) in record[1])
            if not sent:
                unsent.append(alert)
        return unsent

    def _sent(self, sink: str) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
        """What the sink received: identities, and (notes, in a migrated index) what the
        layout before recorded."""
        sent = set(self._db.execute(
            "SELECT rule, client, date, detail FROM sent_alerts WHERE sink = ?", (sink,)))
        by_note: set[tuple[str, ...]] = set()
        with contextlib.suppress(sqlite3.OperationalError):  # only in a migrated index
            by_note = set(self._db.execute(
                "SELECT rule, client, note, detail FROM sent_alerts_by_note WHERE sink = ?",
                (sink,)))
        return sent, by_note

    def _was_sent(self, sink: str, alert: Alert) -> bool:
        if self._db.execute("SELECT 1 FROM sent_alerts WHERE sink = ? AND rule = ? AND "
                            "client = ? AND date = ? AND detail = ?",
                            (sink, *_identity(alert))).fetchone():
            return True
        with contextlib.suppress(sqlite3.OperationalError):  # only in a migrated index
            return bool(self._db.execute(
                "SELECT 1 FROM sent_alerts_by_note WHERE sink = ? AND rule = ? AND "
                "client = ? AND note = ? AND detail = ?", (sink, *_by_note(alert))).fetchone())
        return False

    def remember_sent(self, sink: str, alerts: Iterable[Alert]) -> None:
        with self._transaction():
            self._db.executemany("INSERT OR IGNORE INTO sent_alerts VALUES (?, ?, ?, ?, ?)",
                                 ((sink, *_identity(alert)) for alert in alerts))

    def mark(self, key: str, value: str | None = None) -> str | None:
        """Read a mark, or with ``value`` set it (the last digest written, say)."""
        if value is None:
            row = self._db.execute("SELECT value FROM marks WHERE key = ?", (key,)).fetchone()
            return row[0] if row else None
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO marks VALUES (?, ?)", (key, value))
        return value


# Up to this many alerts are looked up in the record of alerts handed on one by one;
# for more, the whole record of the sink is read.
FEW_ALERTS = 1_000


def _identity(alert: Alert) -> tuple[str, str, str, str]:
    # SQLite compares NULLs as distinct in a key: store a missing detail as "".
    return (alert.rule, alert.client, alert.date.isoformat(), alert.detail or "")


def _by_note(alert: Alert) -> tuple[str, str, str, str]:
    """How the layout before knew an alert handed on."""
    return (alert.rule, alert.client, alert.note, alert.detail or "")


class _Transaction:
    def __init__(self, connection: sqlite3.Connection):
        self._db = connection

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *exc_info: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")


# A session is stored as (kind, a small JSON array, its text apart): the text needs
# no escaping that way, and it is not loaded with the rest: only the search for phrases
# reads it, a note at a time (:class:`ProseInIndex`).


def encode(reading: Reading) -> Encoded:
    if isinstance(reading, Session):
        items = [[i.theme, i.signal, i.quote, i.phrase, i.response, i.by] for i in reading.items]
        data = [reading.date.toordinal(), reading.clients, reading.invited, items,
                reading.scores, reading.warnings, reading.risks]
        # No text: the prose was too long to keep, and is read from the note when needed.
        text = reading.text if isinstance(reading.text, str) else None
        return "s", json.dumps(data, ensure_ascii=False, separators=(",", ":")), text
    if isinstance(reading, Problem):
        return "p", json.dumps(reading.message, ensure_ascii=False), None
    if isinstance(reading, ClientNote):
        return "c", json.dumps([reading.client, reading.status, reading.warning],
                               ensure_ascii=False), None
    if isinstance(reading, NoteWarning):
        return "w", json.dumps(reading.message, ensure_ascii=False), None
    return "o", "null", None


@dataclass(frozen=True, slots=True, eq=False)
class ProseInIndex(ProseReadWhenAsked):
    """The prose of a session note, stored with its reading and read when asked (from
    the note itself when the index has none)."""

    index: NoteIndex
    root: str
    path: str  # vault-relative, POSIX

    def read(self) -> str:
        text = self.index.prose(self.path)
        return ProseInFile(self.root, self.path).read() if text is None else text


DAMAGED = object()
"""What :func:`decode_many` gives for a damaged entry: read that note again."""


ProseOf = Callable[[str], "str | LongProse"]
"""Where a session's prose is, by its path: held, or read when asked."""


def prose_in_index(index: NoteIndex, root: str) -> ProseOf:
    """Prose left in ``index`` (of the vault at ``root``), read when asked."""
    return lambda path: ProseInIndex(index, root, path)


def decode_many(entries: Sequence[StoredEntry], prose_of: ProseOf) -> list[Any]:
    """The readings of stored entries, in order, their prose as ``prose_of`` says.

    One JSON document for all of them: loading 10,000 small ones separately costs
    more than the rest of decoding.
    """
    try:
        datas = json.loads("[" + ",".join(entry[3] for entry in entries) + "]")
        if len(datas) != len(entries):
            raise ValueError("entries run into each other")
    except ValueError:  # a damaged entry: find it, decode the rest
        return [_decode(path, kind, _loaded(data), prose_of) for path, _, kind, data in entries]
    return [_decode(path, kind, data, prose_of)
            for (path, _, kind, _), data in zip(entries, datas, strict=True)]


# What is the same in many readings is held once: a vault of 100,000 notes names a few
# dozen clients, themes and dates thousands of times each.
# Held once, so read-only: a plugin changing one session's scores changes no other's.
_NONE: Mapping[str, float] = MappingProxyType({})  # no scores, no risk items
# The same clients, items, scores, held once (never changed in place), up to so many
# of a kind: then they are forgotten (a watcher's readings change as notes do). Clients
# and scores are known by what the index stores of them (so that one held already is
# not made again); an item by itself, made of the texts it holds (as keys, the stored
# texts of a hundred thousand items would be held twice while they are read).
T = TypeVar("T")
_CLIENTS: dict[tuple[str, ...], tuple[str, ...]] = {}
_ITEM_LISTS: dict[tuple[FeedbackItem, ...], tuple[FeedbackItem, ...]] = {}
_ITEMS: dict[FeedbackItem, FeedbackItem] = {}
_MAPPINGS: dict[tuple[tuple[str, float, type], ...], Mapping[str, float]] = {}
_WARNINGS: dict[tuple[str, ...], tuple[str, ...]] = {}
_SHARED: tuple[dict[Any, Any], ...] = (_CLIENTS, _ITEM_LISTS, _ITEMS, _MAPPINGS, _WARNINGS)
MOST_SHARED = 100_000


def forget_shared() -> None:
    """Forget which parts are held once: the readings made keep sharing them, and the
    tables (with their keys), ten megabytes over 100,000 notes, are not held to the
    end of the command. Made again as the next readings are decoded."""
    for table in _SHARED:
        table.clear()


def _held(table: dict[Any, T], key: Any, make: Callable[[Any], T] | None = None) -> T:
    """The part known by ``key`` held already, else ``make(key)`` (by default the key
    itself), held from now."""
    found = table.get(key)
    if found is None:
        if len(table) >= MOST_SHARED:
            table.clear()
        found = table[key] = key if make is None else make(key)
    return found


def _interned(texts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(map(sys.intern, texts))


def _item(theme: str, signal: str, quote: str | None, phrase: str | None,
          response: str | None, by: str | None) -> FeedbackItem:
    made = FeedbackItem(sys.intern(theme), sys.intern(signal), quote, phrase,
                        response if response is None else sys.intern(response),
                        by if by is None else sys.intern(by))
    return _held(_ITEMS, made)


def _mapping(key: tuple[tuple[str, float, type], ...]) -> Mapping[str, float]:
    return MappingProxyType({name: value for name, value, _ in key})


def _shared_mapping(mapping: dict[str, float]) -> Mapping[str, float]:
    if not mapping:
        return _NONE
    # 36 and 36.0 are equal, and written differently: the type is part of the key.
    values = mapping.values()
    return _held(_MAPPINGS, tuple(zip(mapping, values, map(type, values), strict=True)),
                 _mapping)


@functools.lru_cache(maxsize=4096)
def _date(day: int) -> dt.date:
    return dt.date.fromordinal(day)


def _loaded(data: str) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return DAMAGED


def _decode(path: str, kind: str, data: Any, prose_of: ProseOf) -> Any:
    try:
        if kind == "s":
            day, clients, invited, items, scores, warnings, risks = data
            if type(invited) is not bool or any(len(item) != 6 for item in items) or not (
                    type(scores) is dict and type(risks) is dict):
                return DAMAGED
            made = tuple([_item(*item) for item in items])
            return Session(path, _date(day), _held(_CLIENTS, tuple(clients), _interned),
                           invited, _held(_ITEM_LISTS, made) if made else (),
                           _shared_mapping(scores), prose_of(path),
                           _held(_WARNINGS, tuple(warnings)) if warnings else (),
                           _shared_mapping(risks))
        if kind == "p" and isinstance(data, str):
            return Problem(path, data)
        if kind == "w" and isinstance(data, str):
            return NoteWarning(path, data)
        if kind == "c" and all(isinstance(part, str) for part in data):
            client, status, warning = data
            return ClientNote(path, client, status, warning)
        if kind == "o" and data is None:
            return None
    except (ValueError, TypeError, IndexError, KeyError, OverflowError):
        pass
    return DAMAGED
