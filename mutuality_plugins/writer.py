"""Writing generated notes into the vault's output folder, and nowhere else.

A note is replaced only when it carries ``generated_by: mutuality`` in its
properties: a file of the user's that happens to have the same name is left alone.
Writes are atomic: a temporary file in the same folder, flushed to disk, then renamed
over the old one, so an interrupted write leaves the old note whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import MutualityError, NoteProblem
from .files import kind_of, read_regular
from .reading.front_matter import load_properties, split_front_matter
from .reading.note import MAX_NOTE_BYTES, decode

MARKER_KEY = "generated_by"
MARKER_VALUE = "mutuality"


class NotWritten(MutualityError):
    """A generated note was not written; the message says why and what to do."""


def is_generated(text: str) -> bool:
    """True when the note's properties carry ``generated_by: mutuality``."""
    try:
        front_matter, _ = split_front_matter(text)
        properties = load_properties(front_matter) if front_matter is not None else {}
    except NoteProblem:
        return False
    return properties.get(MARKER_KEY) == MARKER_VALUE


def write_generated(vault: Path, output_folder: str, name: str, text: str,
                    leftovers: Leftovers | None = None) -> Path:
    """Write ``text`` as ``OUTPUT_FOLDER/name`` in the vault; return its path.

    :param leftovers: where the temporary files of this vault's writes are recorded,
        so that one a killed write left behind is removed by the next write (only
        those: nothing else in the output folder is ever deleted).
    :raises NotWritten: when the folder or file is a link, what is there is not a note
        made by mutuality, or the disk refuses the write.
    """
    if not is_generated(text):
        raise ValueError(f"generated note {name} lacks `{MARKER_KEY}: {MARKER_VALUE}`")
    folder = Path(vault)
    if not folder.is_dir():  # never make the vault itself (it may have been moved)
        raise NotWritten(f"{folder}: the vault folder is not there")
    for part in Path(output_folder).parts:
        folder = folder / part
        if folder.is_symlink():
            raise NotWritten(
                f"{folder}: is a link; mutuality writes only into a real folder in the vault"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise NotWritten(f"{folder}: cannot be made into the output folder ({error.strerror}); "
                         "move what is there or choose another output_folder") from None
    target = folder / name
    relative = f"{output_folder}/{name}"
    present = _note_there(target, relative)
    if present == text:  # unchanged: Obsidian and file watchers need not hear of it
        return target
    if leftovers is not None:
        leftovers.remove()
    try:
        # A dot-name: never read as a note, even if a crash leaves it behind.
        file, temporary = tempfile.mkstemp(dir=folder, prefix=TEMPORARY_PREFIX, suffix=".tmp")
    except OSError as error:
        raise NotWritten(f"the output folder {output_folder} cannot be written "
                         f"({(error.strerror or type(error).__name__).lower()})") from None
    if leftovers is not None:
        leftovers.record(Path(temporary))
    try:
        with os.fdopen(file, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if present is not None:  # keep the mode the user gave the note; new ones stay 0600
            os.chmod(temporary, os.lstat(target).st_mode & 0o777)
        os.replace(temporary, target)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):  # a full disk, a folder made read-only
            raise NotWritten(f"{relative} was not written "
                             f"({(error.strerror or type(error).__name__).lower()}); "
                             "the note there, if any, is as it was") from None
        raise
    finally:
        if leftovers is not None:
            leftovers.forget(Path(temporary))
    _sync_folder(folder)
    return target


def _note_there(target: Path, relative: str) -> str | None:
    """The text of the note mutuality made at ``target`` earlier, or None when there is
    none; NotWritten when something else is there."""
    try:
        status = os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise NotWritten(f"{relative} was not written ({(error.strerror or '').lower()})") from None
    if not stat.S_ISREG(status.st_mode):
        raise NotWritten(f"{relative} was not written: what is there is not a note "
                         f"({kind_of(status.st_mode)}); move it away to let mutuality write")
    try:
        text = decode(read_regular(target, MAX_NOTE_BYTES))
    except (OSError, NoteProblem):
        text = None
    if text is None or not is_generated(text):
        raise NotWritten(
            f"{relative} was not written: a note of that name is already there and was "
            f"not made by mutuality (it has no `{MARKER_KEY}: {MARKER_VALUE}`); "
            "rename or move it to let mutuality write here"
        )
    return text


def require_own_output_folder(vault: Path, output_folder: str) -> None:
    """The output folder holds only notes mutuality wrote: it is never read as notes,
    so one of the therapist's there would be hidden from every report.

    :raises MutualityError: naming the first note that is not mutuality's.
    """
    pending = [Path(vault) / output_folder]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue  # not there yet, or not a folder: writing will say so
        for entry in entries:
            if entry.name.startswith(".") or entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            elif (entry.name.lower().endswith(".md") and entry.is_file(follow_symlinks=False)
                  and not _made_here(Path(entry.path))):
                relative = Path(entry.path).relative_to(vault).as_posix()
                raise MutualityError(
                    f"{relative}: the output folder {output_folder} holds notes mutuality did "
                    "not write, and it never reads that folder, so they would be left out of "
                    "everything: choose another output_folder in the settings, or move them")


def _made_here(path: Path) -> bool:
    try:
        return is_generated(decode(read_regular(path, MARKER_HEAD_BYTES)[:MARKER_HEAD_BYTES]))
    except (OSError, NoteProblem, UnicodeDecodeError):
        return False


MARKER_HEAD_BYTES = 64 * 1024  # the properties block of a generated note is short
TEMPORARY_PREFIX = ".mutuality-"
STALE_SECONDS = 60


class Leftovers:
    """A record, kept in the state folder, of the temporary files writes are making:
    what a killed write left behind is known to be mutuality's, by name and file."""

    def __init__(self, record: Path):
        self.record_path = record

    def record(self, temporary: Path) -> None:
        status = os.lstat(temporary)
        with open(self.record_path, "a", encoding="utf-8") as journal:
            journal.write(json.dumps([str(temporary), status.st_dev, status.st_ino]) + "\n")

    def forget(self, temporary: Path) -> None:
        self._rewrite(lambda entry: entry[0] != str(temporary))

    def remove(self) -> None:
        """Delete each recorded temporary that is still the very file it was and was
        left more than a minute ago (a write takes milliseconds: another process may
        be in the middle of a newer one)."""

        def keep(entry: list[Any]) -> bool:
            path, device, inode = entry
            try:
                status = os.lstat(path)
            except OSError:
                return False  # renamed into place, or gone
            if (status.st_dev, status.st_ino) != (device, inode):
                return False  # another file took the name: not ours to delete
            if time.time() - status.st_mtime <= STALE_SECONDS:
                return True
            if stat.S_ISREG(status.st_mode) and Path(path).name.startswith(TEMPORARY_PREFIX):
                with contextlib.suppress(OSError):
                    os.unlink(path)
            return False

        self._rewrite(keep)

    def _rewrite(self, keep: Callable[[list[Any]], bool]) -> None:
        try:
            lines = self.record_path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return
        kept = []
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, list) and len(entry) == 3 and keep(entry):
                kept.append(line + "\n")
        with contextlib.suppress(OSError):
            self.record_path.write_text("".join(kept), encoding="utf-8")


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
