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
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import MutualityError, NoteProblem
from .files import Folder, NotAFile, kind_of, open_private, os_reason, read_in_vault, read_regular
from .platforms import set_mode
from .reading.front_matter import load_properties, split_front_matter
from .reading.note import MAX_NOTE_BYTES, decode
from .walk import find_notes

MARKER_KEY = "generated_by"
MARKER_VALUE = "mutuality"


class NotWritten(MutualityError):
    """A generated note was not written; the message says why and what to do."""


def is_generated(text: str, name: str = "") -> bool:
    """True when the note's properties carry ``generated_by: mutuality``; a file of
    another kind (``name``: an Obsidian ``.base``, which is YAML), in its first line as
    a comment."""
    if not name.endswith(".md") and name:
        return text.startswith(f"# {MARKER_KEY}: {MARKER_VALUE}\n")
    try:
        front_matter, _ = split_front_matter(text)
        properties = load_properties(front_matter) if front_matter is not None else {}
    except NoteProblem:
        return False
    return properties.get(MARKER_KEY) == MARKER_VALUE


def write_generated(vault: Path, output_folder: str, name: str, text: str,
                    leftovers: Leftovers | None = None,
                    unless_changed_from: str | None = None) -> Path | None:
    """Write ``text`` as ``OUTPUT_FOLDER/name`` in the vault; return its path.

    The output folder is reached without following a link and the note is written
    and renamed in that very folder, so a link put anywhere on the way cannot lead the
    write out of the vault.

    :param leftovers: where the temporary files of this vault's writes are recorded,
        so that one a killed write left behind is removed by the next write (only
        those: nothing else in the output folder is ever deleted).
    :param unless_changed_from: the note as read before ("" when there was none):
        when it has changed since (a gap ticked in Alerts.md, a dismissal recorded by
        another command), it is not written and None is returned.
    :raises NotWritten: when the folder or file is a link, what is there is not a note
        made by mutuality, or the disk refuses the write.
    """
    if not is_generated(text, name):
        raise ValueError(f"generated note {name} lacks `{MARKER_KEY}: {MARKER_VALUE}`")
    if not Path(vault).is_dir():  # never make the vault itself (it may have been moved)
        raise NotWritten(f"{vault}: the vault folder is not there")
    with _output_folder(Path(vault), output_folder) as folder:
        relative = f"{output_folder}/{name}"
        present, mode = _note_there(folder, name, relative)
        if present == text:  # unchanged: Obsidian and file watchers need not hear of it
            return folder.path / name
        if leftovers is not None:
            leftovers.remove()
        descriptor, temporary = _create_temporary(folder, output_folder)
        if leftovers is not None:
            leftovers.record(folder.path / temporary, descriptor)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
                stream.flush()
                if mode is not None:  # the mode the user gave the note
                    set_mode(stream.fileno(), folder.path / temporary, mode)
                os.fsync(stream.fileno())
                written = file_stamp(os.fstat(stream.fileno()))
            # Looked at just before it is replaced, so that a note edited meanwhile (a
            # gap ticked, even while this was made to last on disk) is not lost.
            if unless_changed_from is not None and (
                    _note_there(folder, name, relative)[0] or "") != unless_changed_from:
                folder.unlink(temporary)
                return None
            folder.replace(temporary, name)
            if leftovers is not None:
                leftovers.written[relative] = written
        except BaseException as error:
            with contextlib.suppress(OSError):
                folder.unlink(temporary)
            if isinstance(error, OSError):  # a full disk, a folder made read-only
                raise NotWritten(f"{relative} was not written ({os_reason(error)}); "
                                 "the note there, if any, is as it was") from None
            raise
        finally:
            if leftovers is not None:
                leftovers.forget(folder.path / temporary)
        folder.sync()
        return folder.path / name


def _output_folder(vault: Path, output_folder: str) -> Folder:
    """The output folder, made if need be; NotWritten when a link or a file is on the
    way or it cannot be made."""
    try:
        return Folder(vault, output_folder, make=True)
    except NotAFile as error:
        raise NotWritten(f"{error.filename}: is a link or a file; mutuality writes only "
                         "into a real folder in the vault") from None
    except OSError as error:
        raise NotWritten(f"{vault / output_folder}: cannot be made into the output folder "
                         f"({os_reason(error)}); move what is there or choose another "
                         "output_folder") from None


def _create_temporary(folder: Folder, output_folder: str) -> tuple[int, str]:
    """(descriptor, name) of a new temporary file in the folder. A dot-name: never read
    as a note, even if a crash leaves it behind."""
    for _ in range(100):
        name = f"{TEMPORARY_PREFIX}{secrets.token_hex(8)}.tmp"
        try:
            return folder.create(name), name
        except FileExistsError:
            continue
        except OSError as error:
            raise NotWritten(f"the output folder {output_folder} cannot be written "
                             f"({os_reason(error)})") from None
    raise NotWritten(f"the output folder {output_folder} cannot be written "
                     "(no free name for a temporary file)")


def _note_there(folder: Folder, name: str, relative: str) -> tuple[str | None, int | None]:
    """The text and mode of the note mutuality made as ``name`` earlier, or (None,
    None) when there is none; NotWritten when something else is there."""
    try:
        status = folder.lstat(name)
    except FileNotFoundError:
        return None, None
    except OSError as error:
        raise NotWritten(f"{relative} was not written ({os_reason(error)})") from None
    if not stat.S_ISREG(status.st_mode):
        raise NotWritten(f"{relative} was not written: what is there is not a note "
                         f"({kind_of(status.st_mode)}); move it away to let mutuality write")
    try:
        text: str | None = decode(folder.read(name, MAX_NOTE_BYTES))
    except (OSError, NoteProblem):
        text = None
    if text is None or not is_generated(text, name):
        raise NotWritten(
            f"{relative} was not written: a note of that name is already there and was "
            f"not made by mutuality (it has no `{MARKER_KEY}: {MARKER_VALUE}`); "
            "rename or move it to let mutuality write here"
        )
    return text, stat.S_IMODE(status.st_mode)


def require_own_output_folder(vault: Path, output_folder: str,
                              checked: dict[str, FileStamp] | None = None) -> None:
    """The output folder holds only notes mutuality wrote: it is never read as notes,
    so one of the therapist's there would be hidden from every report. (A link in its
    place is never followed, by reading or writing: it hides nothing.)

    :param checked: the notes found to be mutuality's at an earlier call, each with
        its file as it was then; a note still that very file is not read again (a
        watcher checks at every write of its own, and the folder holds a page per
        client). Brought up to date here.
    :raises MutualityError: naming the first note that is not mutuality's.
    """
    found = sorted(find_notes(vault, "", [], output_folder))
    if checked is not None:  # what is gone from the folder is forgotten
        for gone in checked.keys() - {relative for relative, _ in found}:
            del checked[gone]
    for relative, status in found:
        # The dismissals are the therapist's data, checked whenever they are read: one
        # the therapist broke by hand is told there, and stops nothing else.
        if relative == f"{output_folder}/{DISMISSED_NOTE}":
            continue
        # Taken before the note is read: a change while it is read shows next time.
        stamp = file_stamp(status)
        if checked is not None and checked.get(relative) == stamp:
            continue
        made = made_by_mutuality(vault, relative)
        if made is None:
            continue  # deleted since it was listed
        if not made:
            raise MutualityError(
                f"{relative}: the output folder {output_folder} holds notes mutuality did "
                "not write, and it never reads that folder, so they would be left out of "
                "everything: choose another output_folder in the settings, or move them")
        if checked is not None:
            checked[relative] = stamp


FileStamp = tuple[int, int, int]
"""(inode, modification time in ns, size): the very file, as it was. A note written
again is another file (written beside it, then renamed)."""


def file_stamp(status: os.stat_result) -> FileStamp:
    return (status.st_ino, status.st_mtime_ns, status.st_size)


def made_by_mutuality(vault: Path, relative: str) -> bool | None:
    """Whether the file at the vault-relative ``relative`` is one mutuality made (None
    when nothing is there)."""
    try:
        return is_generated(head_text(read_in_vault(vault, relative, MARKER_HEAD_BYTES)),
                            relative)
    except FileNotFoundError:
        return None
    except (OSError, NoteProblem, UnicodeDecodeError):
        return False


def head_text(raw: bytes) -> str:
    """The beginning of a file read to :data:`MARKER_HEAD_BYTES` (one byte more tells
    there is more), as text: a longer file is cut at its last line break there, never
    inside a character (the properties, which tell who made it, end long before).

    :raises NoteProblem: when it is not UTF-8 text.
    """
    if len(raw) > MARKER_HEAD_BYTES:
        raw = raw[:MARKER_HEAD_BYTES].rpartition(b"\n")[0]
    return decode(raw)


def remove_generated(vault: Path, output_folder: str, name: str) -> bool:
    """Delete ``OUTPUT_FOLDER/name`` if it is a note mutuality made (reached as
    :func:`write_generated` reaches it); False when nothing is there.

    :raises NotWritten: when what is there is not mutuality's, or the disk refuses.
    """
    relative = f"{output_folder}/{name}"
    try:
        with Folder(Path(vault), output_folder) as folder:
            present, _ = _note_there(folder, name, relative)
            if present is None:
                return False
            folder.unlink(name)
            folder.sync()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise NotWritten(f"{relative} was not removed ({os_reason(error)})") from None
    return True


# The note of the gaps the therapist dismissed (see ``dismissals``).
DISMISSED_NOTE = "Dismissed gaps.md"
MARKER_HEAD_BYTES = 64 * 1024  # the properties block of a generated note is short
TEMPORARY_PREFIX = ".mutuality-"
STALE_SECONDS = 60


class Leftovers:
    """A record, kept in the state folder, of the temporary files writes are making:
    what a killed write left behind is known to be mutuality's, by name and file.

    The record is a convenience: when it cannot be kept (a full disk, something
    else where it goes), writes go on and what a killed one leaves is not removed.

    :ivar written: what the latest write of each note left, by vault-relative path (in
        memory only): a watcher tells its own writes from the therapist's changes by it.
    """

    def __init__(self, record: Path):
        self.record_path = record
        self.written: dict[str, FileStamp] = {}

    def record(self, temporary: Path, descriptor: int) -> None:
        status = os.fstat(descriptor)
        self._write(json.dumps([str(temporary), status.st_dev, status.st_ino]) + "\n",
                    os.O_APPEND)

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
            lines = read_regular(self.record_path, MAX_RECORD_BYTES).decode("utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return
        kept = []
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, list) and len(entry) == 3 and keep(entry):
                kept.append(line + "\n")
        self._write("".join(kept), os.O_TRUNC)

    def _write(self, text: str, how: int) -> None:
        """Append to the record or replace it; never through a link, never blocking,
        readable by the user only; nothing when it cannot be written."""
        try:
            descriptor = open_private(self.record_path, os.O_WRONLY | how)
        except OSError:
            return
        try:
            os.write(descriptor, text.encode("utf-8"))
        except OSError:
            pass
        finally:
            os.close(descriptor)


MAX_RECORD_BYTES = 1024 * 1024
