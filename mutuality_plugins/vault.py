"""Scan a vault: find its Markdown notes and read each into a session or a problem."""

from __future__ import annotations

import gc
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from .config import Settings
from .errors import MutualityError, NoteProblem, VaultError
from .files import OpenFolders, os_reason, spelled_in_vault, stat_in_vault
from .index import (
    CHUNK,
    DAMAGED,
    Encoded,
    NoteIndex,
    ProseOf,
    Row,
    Stamp,
    StoredEntry,
    decode_many,
    encode,
    forget_shared,
    prose_in_index,
)
from .model import (
    GONE,
    Feedback,
    Gone,
    LongProse,
    Note,
    Problem,
    Reading,
    ScanResult,
    Session,
)
from .parallel import in_batches, workers_for
from .plugin_calls import PluginFailure, implementations
from .plugins import PluginManager
from .reading.front_matter import yaml_parser
from .reading.note import MAX_NOTE_BYTES, Extract, ProseInFile, keep_prose, read_session
from .reading.values import is_utf8
from .walk import CONFLICT_COPY, find_notes, is_conflict_copy, is_note_name

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called as notes are read."""


def scan_vault(
    vault: Path | str,
    plugins: PluginManager,
    settings: Settings = Settings(),
    *,
    progress: Progress | None = None,
    index: NoteIndex | None = None,
) -> ScanResult:
    """Read every note of the vault; a note that cannot be used becomes a problem.

    The output folder of the settings is never read. The plugins' guard calls the
    extractors (one that fails is named there and the note is read without it); with
    its ``debug`` set, any unexpected error propagates.

    :param index: re-read only the notes changed since it was last brought up to
        date, and bring it up to date.
    """
    state = VaultState(vault, plugins, settings, index=index)
    state.rescan(progress)
    return state.result()


def require_vault(vault: Path | str) -> Path:
    """The vault's path; VaultError when it is not a folder."""
    root = Path(vault)
    if not root.is_dir():
        raise VaultError(root, "not a folder" if root.exists() else "no such folder")
    return root


class VaultState:
    """The vault as read so far: each note's stamp and reading, brought up to date by
    a whole re-scan or for some paths only (what ``mutuality watch`` does as notes are
    saved). Changes go to the index, when there is one."""

    def __init__(self, vault: Path | str, plugins: PluginManager, settings: Settings, *,
                 index: NoteIndex | None = None):
        self.root = require_vault(vault)
        self.settings = settings
        self.guard = plugins.guard
        self.notes: dict[str, tuple[Stamp, Reading]] = {}
        self._folder_problems: list[Problem] = []
        self._reader = NoteReader(self.root, plugins, settings)
        self._index = index
        # Whether the index may hold readings of notes gone since (until the first
        # whole scan has looked at every reading it holds).
        self._stale_in_index = index is not None
        self._forced: set[str] = set()
        # Read while a plugin failed, or while the note could not be opened: worth
        # reading again.
        self.spoilt: set[str] = set()
        # What the index could not take yet (a full disk), and why.
        self._unsaved: dict[str, Row] = {}
        self._unsaved_gone: set[str] = set()
        self.index_trouble: str | None = None
        self._frozen = False
        # The last result made, and the notes read again since (see result()).
        self._result: ScanResult | None = None
        self._read_again: set[str] = set()

    def rescan(self, progress: Progress | None = None) -> dict[str, Reading]:
        """Walk the whole vault; return the paths whose reading changed, each with its
        reading before (None for a new note)."""
        self._folder_problems = []
        found = {path: _stamp(status) for path, status in find_notes(
            self.root, self.settings.output_folder, self._folder_problems)}
        return self._bring_up_to_date(found, removed=self.notes.keys() - found.keys(),
                                      progress=progress, whole=True)

    def refresh(self, paths: Iterable[str]) -> dict[str, Reading]:
        """Look again at these vault-relative paths only (notes or folders, present or
        gone); return the paths whose reading changed, each with its reading before.

        A note named here is read again even if its stamp did not change: an edit
        within one tick of a coarse clock (FAT, SMB) keeps the time and the size.
        """
        found: dict[str, Stamp] = {}
        removed: set[str] = set()
        for relative in paths:
            relative = relative.strip("/")
            if not relative or self._ignored(relative):
                continue
            prefix = relative + "/"
            removed |= {path for path in self.notes if path == relative or path.startswith(prefix)}
            kind = stat_in_vault(self.root, relative)
            if kind is None:
                continue  # gone, or a link now (in this path or on its way): not a note
            if stat.S_ISDIR(kind.st_mode):
                found.update((path, _stamp(status)) for path, status in find_notes(
                    self.root, self.settings.output_folder, [], relative))
            elif is_note_name(relative) and stat.S_ISREG(kind.st_mode):
                # A case-insensitive disk finds `a.md` for `A.md` (a rename of the case
                # only, told by its old name): the note is known by the name it has.
                spelled = spelled_in_vault(self.root, relative)
                if spelled is None:
                    continue
                if spelled != relative:
                    removed.add(relative)
                found[spelled] = _stamp(kind)
                self._forced.add(spelled)  # read it again, whatever its stamp
        removed |= self._moved_away(found.keys() - self.notes.keys())
        return self._bring_up_to_date(found, removed - found.keys())

    def _moved_away(self, new: Iterable[str]) -> set[str]:
        """The notes known by the names of these new ones that are gone from where they
        were: moved. A note, or a folder of them, moved into a folder made for it may be
        told of before it is told gone: it would count twice meanwhile (and a run of
        sessions reach its length a session early)."""
        names = {path.rpartition("/")[2].casefold() for path in new}
        if not names:
            return set()
        return {path for path in self.notes if path.rpartition("/")[2].casefold() in names
                and spelled_in_vault(self.root, path) != path}

    def read_spoilt_again(self) -> dict[str, Reading]:
        """Read again the notes read while a plugin failed (it may work now)."""
        return self.refresh(sorted(self.spoilt))

    def _ignored(self, relative: str) -> bool:
        parts = relative.split("/")
        output = self.settings.output_folder
        return any(part.startswith(".") for part in parts) or (
            relative == output or relative.startswith(output + "/"))

    def _bring_up_to_date(self, found: Mapping[str, Stamp], removed: Iterable[str],
                          progress: Progress | None = None,
                          whole: bool = False) -> dict[str, Reading]:
        with _without_cycle_collection():
            changed = self._bring_up_to_date_now(found, removed, progress, whole)
        forget_shared()
        if whole:  # the folders were looked at again too: the next result is made anew
            self._result, self._read_again = None, set()
        else:
            self._read_again.update(changed)
        if whole and not self._frozen and len(self.notes) >= FROZEN_FROM:
            # What was just read lives as long as the command (or the watcher): kept out
            # of the cycle collector's walks, which over 100,000 notes' readings take a
            # quarter of a second each, every few saves. Once only: what is frozen is
            # never collected, should it ever be part of a cycle.
            gc.freeze()
            self._frozen = True
        return changed

    def _bring_up_to_date_now(self, found: Mapping[str, Stamp], removed: Iterable[str],
                              progress: Progress | None, whole: bool) -> dict[str, Reading]:
        removed = set(removed)
        changed = {path: self.notes[path][1] for path in removed if path in self.notes}
        # First what the index already knows, decoded a chunk at a time; then the rest
        # is read.
        new: dict[str, Stamp] = {}
        to_read: list[tuple[str, Stamp]] = []
        for relative in sorted(found):
            stamp = found[relative]
            known = self.notes.get(relative)
            if known is not None and known[0] == stamp:
                if relative not in self._forced:
                    continue
                to_read.append((relative, stamp))
                changed[relative] = known[1]
                continue
            changed[relative] = known[1] if known is not None else None
            new[relative] = stamp
        stale: list[str] = []
        to_read += self._load_stored(new, stale if whole and self._stale_in_index else None)
        stored_changes: list[Row] = []
        unstored: set[str] = set()
        now = time.time_ns()
        done = 0
        # The readings come in the order asked: each is kept under the walk's own copy of
        # its path (100,000 paths are 8 MB), the reader's let go.
        asked = iter(to_read)
        for batch in self._reader.read_all([relative for relative, _ in to_read]):
            entries: list[StoredEntry] = []
            prose: dict[str, str | None] = {}
            for read in batch:
                relative, stamp = next(asked)
                assert read.path == relative, f"{read.path} read for {relative}"
                self.guard.add_failures(read.failures)
                if read.entry is None:  # deleted while the vault was being read
                    removed.add(relative)
                    continue
                # Not kept for the next scan: a reading spoilt by a failing plugin or by a
                # cause that may pass (it is read again), and one of a note changed so
                # lately that a same-size edit could keep its stamp.
                (self.spoilt.add if read.spoilt else self.spoilt.discard)(relative)
                if not read.spoilt and now - stamp[0] > RACY_NANOSECONDS:
                    stored_changes.append((relative, *stamp, *read.entry))
                else:
                    unstored.add(relative)  # nor an older reading of it
                kind, data, prose[relative] = read.entry
                entries.append((relative, stamp, kind, data))
            # Made from what is stored, as a later scan makes them from the index.
            damaged = self._keep_decoded(entries, self._prose_of(prose))
            assert not damaged, f"{damaged}: readings that cannot be stored"
            if self._index is not None and len(stored_changes) >= CHUNK:
                self._store(stored_changes, set())  # its prose is not held meanwhile
                stored_changes = []
            done += len(batch)
            if progress is not None:
                progress(done, len(to_read))
        for relative in removed:
            self.notes.pop(relative, None)
        self._forced = set(self.spoilt)  # whatever their stamps, as for a named note
        self.spoilt -= removed
        if self._index is not None:
            gone = set(removed) | unstored
            if whole:  # stored notes the walk did not find are gone too
                gone.update(stale)
                self._stale_in_index = False
            self._store(stored_changes, gone)
        return changed

    def _load_stored(self, wanted: dict[str, Stamp],
                     stale: list[str] | None) -> list[tuple[str, Stamp]]:
        """Take the readings of the notes ``wanted`` from the index (with ``stale``,
        add to it the notes it holds that are not wanted); return those it could not
        give (changed, damaged, or never stored): to be read."""
        if self._index is None:
            return sorted(wanted.items())
        prose_of = prose_in_index(self._index, str(self.root))
        for chunk in self._index.stored(wanted, stale):
            damaged = set(self._keep_decoded(chunk, prose_of))
            for relative, *_ in chunk:
                if relative not in damaged:
                    del wanted[relative]
        return sorted(wanted.items())

    def _keep_decoded(self, entries: Sequence[StoredEntry], prose_of: ProseOf) -> list[str]:
        """Keep the readings of stored ``entries``; return the paths of those damaged."""
        damaged = []
        for (relative, stamp, *_), reading in zip(
                entries, decode_many(entries, prose_of), strict=True):
            if reading is DAMAGED:
                damaged.append(relative)
            else:
                self.notes[relative] = (stamp, reading)
        return damaged

    def _prose_of(self, read: Mapping[str, str | None]) -> ProseOf:
        """Where the prose of the sessions just ``read`` (path -> prose) is: in the
        index, read from it when needed rather than held (a vault of 100,000 notes
        would hold hundreds of megabytes of it); without one, held (read from the note
        again when too long to keep)."""
        root = str(self.root)
        if self._index is not None:
            return prose_in_index(self._index, root)

        def held(path: str) -> str | LongProse:
            prose = read.get(path)
            return ProseInFile(root, path) if prose is None else prose

        return held

    def _store(self, changed: list[Row], gone: set[str]) -> None:
        """Bring the index up to date; when it cannot be written (a full disk), what it
        lacks is kept here and written with the next change: nothing read is lost."""
        assert self._index is not None
        unsaved = {path: entry for path, entry in self._unsaved.items() if path not in gone}
        unsaved.update((entry[0], entry) for entry in changed)
        gone = (self._unsaved_gone | gone) - unsaved.keys()
        try:
            self._index.update(list(unsaved.values()), removed=gone)
        except sqlite3.Error as error:
            self._unsaved, self._unsaved_gone = unsaved, gone
            self.index_trouble = str(error)
            self._result = None  # readings are made again below
            # Their prose is not in the index (an older one may be): read from the notes.
            for path in [*unsaved, *gone]:
                stamp, reading = self.notes.get(path, (None, None))
                if stamp is not None and isinstance(reading, Session):
                    self.notes[path] = (stamp, replace(
                        reading, text=ProseInFile(str(self.root), path)))
        else:
            self._unsaved, self._unsaved_gone = {}, set()
            self.index_trouble = None

    def result(self) -> ScanResult:
        """What was read, as one result: after a few notes were read again (a
        watcher's save), made from the last one."""
        before, read_again = self._result, self._read_again
        if before is None or len(read_again) > FEW_READ_AGAIN:
            made = ScanResult.of(((path, reading) for path, (_, reading) in self.notes.items()),
                                 self._folder_problems)
        else:
            now: dict[str, Reading | Gone] = {
                path: self.notes[path][1] if path in self.notes else GONE
                for path in read_again}
            made = before.updated(len(self.notes), now, self._folder_problems)
        self._result, self._read_again = made, set()
        return made


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Readings are plain data without reference cycles, made by the ten thousand:
    Python's cycle collector, set off by every few hundred new objects, would walk
    them again and again for nothing (a quarter of the time of loading the index)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Up to this many notes read again, a result is made from the one before (each costs
# a few moves of its lists); beyond, from every note (sorting them all).
FEW_READ_AGAIN = 1_000

# From this many notes on, the readings of the first whole scan are frozen (gc.freeze).
FROZEN_FROM = 5_000

# A note changed less than this before it was read may change again within the same
# tick of a coarse file-system clock (FAT keeps 2 s), with the same size: its stamp
# would not show it, so its reading is not stored (it is simply read again).
RACY_NANOSECONDS = 3_000_000_000

class Vanished:
    """What :meth:`NoteReader.read` gives for a note deleted since it was listed."""


class ReadNote(NamedTuple):
    """What reading a note gave, as it is sent from one process to another (a tuple:
    ten times cheaper to send than a dataclass).

    :ivar entry: the reading as the index stores it; None for a note deleted since it
        was listed.
    :ivar spoilt: read while a plugin failed, or for a cause that may pass: to be read
        again rather than stored.
    :ivar failures: the plugins' failures while it was read (to be told).
    """

    path: str
    entry: Encoded | None
    spoilt: bool
    failures: tuple[PluginFailure, ...] = ()


VANISHED = Vanished()


class NoteReader:
    """Reads one note of a vault at a time, with the plugins and settings in force."""

    def __init__(self, root: Path, plugins: PluginManager, settings: Settings):
        self.root = root
        self._extract = _extractors(plugins, settings)
        self._settings = settings
        self._guard = plugins.guard
        self._folders = OpenFolders(root)

    @contextmanager
    def in_turn(self) -> Iterator[None]:
        """While notes are read one after another (the folder of one is kept open for
        the next)."""
        try:
            yield
        finally:
            self._folders.close()

    def read_all(self, paths: Sequence[str]) -> Iterator[list[ReadNote]]:
        """Read these notes, a batch at a time (in the order given), on every core when
        they are many; with ``--debug``, here: an error then comes with its own
        traceback, not as whatever of it could be sent back from another process."""
        if paths:
            # Here, not at a note: a YAML that cannot be imported (a broken install) is
            # the command's error, never stored as the reading of every note; and the
            # processes forked have it already.
            yaml_parser()
        workers = 1 if self._guard.debug else workers_for(len(paths))
        return in_batches(self._read_batch, paths, workers)

    def _read_batch(self, paths: Sequence[str]) -> list[ReadNote]:
        with self.in_turn():
            return [self.read_note(relative) for relative in paths]

    def read_note(self, relative: str) -> ReadNote:
        """The note read, as the index stores it."""
        failed_before = len(self._guard.failures)
        reading = self.read(relative)
        failures = tuple(self._guard.take_failures(since=failed_before))
        if isinstance(reading, Vanished):
            return ReadNote(relative, None, False, failures)
        spoilt = bool(failures) or (isinstance(reading, Problem) and reading.passing)
        return ReadNote(relative, encode(reading), spoilt, failures)

    def read(self, relative: str) -> Reading | Vanished:
        """The note's reading, or :data:`VANISHED`."""
        if is_conflict_copy(relative.rpartition("/")[2]):
            return Problem(relative, CONFLICT_COPY)  # told by its name, never read
        try:
            raw = self._folders.read(relative, MAX_NOTE_BYTES)
            reading = read_session(raw, relative, self._extract, self._settings)
            if isinstance(reading, Session):
                return keep_prose(reading, self.root, relative)
            return reading
        except NoteProblem as problem:  # a plugin's reason too: made writable text
            reason = str(problem)
            return Problem(relative, reason if is_utf8(reason) else "".join(
                "\ufffd" if "\ud800" <= char <= "\udfff" else char for char in reason))
        except FileNotFoundError:
            return VANISHED
        except OSError as error:
            return Problem(relative, f"could not be opened: {os_reason(error)}", passing=True)
        except Exception as error:
            if self._guard.debug:
                raise
            return Problem(relative, _unexpected(error))


def _stamp(status: os.stat_result) -> Stamp:
    return (status.st_mtime_ns, status.st_size)


def _extractors(plugins: PluginManager, settings: Settings) -> Extract:
    """Every extractor, each on its own: one that fails is left out for that note; a
    NoteProblem it raises makes the note a problem."""
    hook = plugins.hook.mutuality_extract_feedback
    calls = implementations(hook, settings=settings)
    guard = plugins.guard
    built_in = plugins.built_in()

    def extract(note: Note) -> list[Feedback]:
        return [answer for _, answer in guard.answers_of(
            calls, hook.name, on_note=note.path, passes=(MutualityError,), trusted=built_in,
            note=note)]

    return extract


def _unexpected(error: Exception) -> str:
    return (
        f"mutuality could not read this note ({type(error).__name__}); "
        "run the same command as `mutuality --debug ...` to see why"
    )
