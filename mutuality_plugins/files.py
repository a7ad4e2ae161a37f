"""Opening files that someone else may have written: a vault is often synced or shared.

Only regular files are read, never through a symbolic link, and never in a way that
can block: a FIFO or a device put where a note was would make a plain ``open`` wait
for ever, and a link could lead outside the vault. A link is not followed in any part
of a path below the vault's folder either: a sync program may replace a folder of the
vault with a link at any moment, between listing a note and reading it too, so notes
and generated notes are reached one folder at a time (:class:`Folder`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import unicodedata
from pathlib import Path, PurePosixPath
from types import TracebackType

from .platforms import (
    BINARY,
    BY_FOLDER,
    CLOSE_ON_EXEC,
    FOLDER,
    NO_BLOCK,
    NO_FOLLOW,
    is_link,
    long_path,
)

# Names of this module's own: a test takes the other systems' way by changing them.
_NO_FOLLOW, _NO_BLOCK, _CLOSE_ON_EXEC = NO_FOLLOW, NO_BLOCK, CLOSE_ON_EXEC
_READ = os.O_RDONLY | _NO_FOLLOW | _NO_BLOCK | _CLOSE_ON_EXEC | BINARY
_OPEN_FOLDER = os.O_RDONLY | FOLDER | _NO_FOLLOW | _CLOSE_ON_EXEC
_BY_FOLDER = BY_FOLDER
_LINK = "it is a link, which mutuality does not follow"

Identity = tuple[int, int]
"""A file's (device, inode): what it is, whatever path leads to it."""


class NotAFile(OSError):
    """What was found is not a regular file (or is a link): it is not read."""

    def __init__(self, path: str | Path, what: str):
        super().__init__(errno.EINVAL, what, str(path))


def read_regular(path: str | Path, cap: int) -> bytes:
    """The first ``cap`` + 1 bytes of a regular file (one byte past the cap tells a
    file is too big), read without following a link in its last part and without
    blocking.

    :raises NotAFile: for a link, a FIFO, a device or a folder.
    :raises OSError: when it cannot be opened or read.
    """
    return _read_opened(_open_regular(path, None), path, cap)


def open_private(path: Path, flags: int) -> int:
    """A descriptor of the regular file ``path`` in the state folder, made readable by
    the user only if it is new, opened with ``flags`` (with ``O_CREAT``), never through
    a link, never blocking.

    :raises NotAFile: for a link, a FIFO, a device or a folder.
    """
    try:
        descriptor = os.open(path, flags | os.O_CREAT | _NO_FOLLOW | _NO_BLOCK | _CLOSE_ON_EXEC,
                             0o600)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotAFile(path, _LINK) from None
        if error.errno == errno.EISDIR:
            raise NotAFile(path, "it is a folder, not a file") from None
        raise
    try:
        _require_regular(descriptor, path)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def read_in_vault(root: Path, relative: str, cap: int) -> bytes:
    """:func:`read_regular` for the vault-relative POSIX path ``relative``, following a
    link in no part of it."""
    folder, name = posixpath_split(relative)
    with Folder(root, folder) as opened:
        return opened.read(name, cap)


class OpenFolders:
    """Reads notes one after another, keeping the folder of the last one open for the
    next: a walk lists a folder's notes together, so each folder is reached once, not
    once a note. A folder moved or swapped for a link meanwhile is read as it was
    opened (never through the link); :meth:`close` when the notes are read. (Where
    folders cannot be held open, each note's way is checked again.)"""

    def __init__(self, root: Path):
        self.root = root
        self._open: tuple[str, Folder] | None = None

    def read(self, relative: str, cap: int) -> bytes:
        """:func:`read_in_vault`."""
        if not _BY_FOLDER:  # a folder's path is checked again for each note
            return read_in_vault(self.root, relative, cap)
        folder, name = posixpath_split(relative)
        if self._open is None or self._open[0] != folder:
            self.close()
            self._open = (folder, Folder(self.root, folder))
        return self._open[1].read(name, cap)

    def close(self) -> None:
        if self._open is not None:
            self._open[1].close()
            self._open = None


def stat_in_vault(root: Path, relative: str) -> os.stat_result | None:
    """What is at the vault-relative POSIX path ``relative`` (a link is not followed);
    None when nothing is, or when a part of the way there is a link."""
    folder, name = posixpath_split(relative)
    try:
        with Folder(root, folder) as opened:
            return opened.lstat(name)
    except OSError:
        return None


def spelled_in_vault(root: Path, relative: str) -> str | None:
    """The path as its folder spells the file's name: on a case-insensitive disk
    (Windows, macOS by default) ``notes/a.md`` may be ``notes/A.md``, one note, not two;
    None when the folder holds no such name."""
    folder, name = posixpath_split(relative)
    try:
        with Folder(root, folder) as opened:
            names = [entry.name for entry in opened.entries()]
    except OSError:
        return None
    if name in names:
        return relative
    # Case aside, and composed or not (macOS gives names decomposed).
    wanted = unicodedata.normalize("NFC", name).casefold()
    same = [listed for listed in names
            if unicodedata.normalize("NFC", listed).casefold() == wanted]
    return (f"{folder}/{same[0]}" if folder else same[0]) if len(same) == 1 else None


def posixpath_split(relative: str) -> tuple[str, str]:
    """(folder, name) of a vault-relative POSIX path; the folder is "" at the top."""
    folder, _, name = relative.rpartition("/")
    return folder, name


def _open_regular(path: str | Path, folder: int | None) -> int:
    """A descriptor of the file (a name in the open ``folder``, when given)."""
    try:
        if folder is None:
            if _NO_FOLLOW == 0 and is_link(os.lstat(path)):  # no flag for it (Windows)
                raise NotAFile(path, _LINK)
            return os.open(path, _READ)
        return os.open(path, _READ, dir_fd=folder)
    except NotAFile:
        raise
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotAFile(path, _LINK) from None
        raise


def _require_regular(descriptor: int, path: str | Path) -> os.stat_result:
    """The status of what ``descriptor`` opened; NotAFile unless a regular file."""
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        raise NotAFile(path, kind_of(status.st_mode))
    return status


def _read_opened(descriptor: int, path: str | Path, cap: int) -> bytes:
    try:
        status = _require_regular(descriptor, path)
        # Asking for what the file holds: a read of the whole cap would allocate it
        # for every note.
        wanted = min(status.st_size, cap) + 1
        chunks = []
        while wanted > 0:
            chunk = os.read(descriptor, wanted)
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


class Folder:
    """A folder of the vault, reached one part at a time without following a link:
    names in it are then opened, replaced and removed relative to it, so what the
    folder's path leads to cannot change in between.

    Where the platform cannot open names relative to a folder (Windows), each part of
    the path is checked not to be a link when the folder is opened, and names are
    joined to its path.

    :raises NotAFile: when a part of the way is a link or not a folder.
    :raises FileNotFoundError: when a part is missing (and ``make`` is false).
    """

    def __init__(self, root: Path, relative: str = "", *, make: bool = False,
                 identity: Identity | None = None):
        """:param identity: the folder's (device, inode) as listed in the folder
            holding it, known to be reached without a link: the folder is then opened
            by its path at once and checked to be that very folder (a walk through a
            deep vault would otherwise open each folder again for each below it)."""
        self.path = Path(root, relative) if relative else Path(root)
        self._descriptor: int | None = None
        parts = PurePosixPath(relative).parts if relative else ()
        if not _BY_FOLDER:
            _check_no_link(Path(root), parts, make)
            return
        if identity is not None:
            self._descriptor = _open_folder_again(self.path, identity)
            return
        descriptor = os.open(root, _OPEN_FOLDER & ~_NO_FOLLOW)  # the vault may be a link
        try:
            for depth, part in enumerate(parts, start=1):
                if make:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o777, dir_fd=descriptor)
                try:
                    following = os.open(part, _OPEN_FOLDER, dir_fd=descriptor)
                except OSError as error:
                    raise _not_opened(error, part, descriptor,
                                      Path(root, *parts[:depth])) from None
                os.close(descriptor)
                descriptor = following
        except BaseException:
            os.close(descriptor)
            raise
        self._descriptor = descriptor

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def _at(self, name: str) -> tuple[str, dict[str, int]]:
        """How a function taking ``dir_fd`` is to name ``name``."""
        if self._descriptor is None:
            return long_path(self.path / name), {}
        return name, {"dir_fd": self._descriptor}

    def entries(self) -> list[os.DirEntry[str]]:
        """What the folder holds (a ``stat`` of an entry works while it is open)."""
        with os.scandir(long_path(self.path) if self._descriptor is None
                        else self._descriptor) as listed:
            return list(listed)

    def read(self, name: str, cap: int) -> bytes:
        """:func:`read_regular` of ``name`` in this folder."""
        where, _ = self._at(name)
        return _read_opened(_open_regular(where, self._descriptor), self.path / name, cap)

    def create(self, name: str, mode: int = 0o600) -> int:
        """A new file ``name`` (``mode``, less the umask), open for writing;
        FileExistsError when a file, a link or anything else has that name."""
        where, folder = self._at(name)
        return os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW
                       | _CLOSE_ON_EXEC | BINARY, mode, **folder)

    def lstat(self, name: str) -> os.stat_result:
        where, folder = self._at(name)
        return os.stat(where, follow_symlinks=False, **folder)

    def replace(self, name: str, new_name: str) -> None:
        """Rename ``name`` to ``new_name`` in this folder, over what was there."""
        if self._descriptor is None:
            os.replace(long_path(self.path / name), long_path(self.path / new_name))
        else:
            os.replace(name, new_name, src_dir_fd=self._descriptor,
                       dst_dir_fd=self._descriptor)

    def unlink(self, name: str) -> None:
        where, folder = self._at(name)
        os.unlink(where, **folder)

    def sync(self) -> None:
        """Make renames in the folder durable (where the platform allows it)."""
        if self._descriptor is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._descriptor)


def identity(status: os.stat_result) -> Identity:
    return (status.st_dev, status.st_ino)


def _open_folder_again(path: Path, known: Identity) -> int:
    descriptor = os.open(path, _OPEN_FOLDER)
    if identity(os.fstat(descriptor)) != known:
        os.close(descriptor)
        raise NotAFile(path, f"{path.name}, a folder, was replaced while it was being read "
                             "(by a link, say)")
    return descriptor


def _not_opened(error: OSError, part: str, parent: int, path: Path) -> OSError:
    """What to raise when the folder ``part`` of ``parent`` (at ``path``) could not be
    opened: why, in mutuality's words when it is a link or not a folder."""
    if error.errno in (errno.ELOOP, errno.ENOTDIR):
        try:
            mode = os.stat(part, dir_fd=parent, follow_symlinks=False).st_mode
        except OSError:
            return error
        return NotAFile(path, _not_a_folder(path, mode))
    return error


def _not_a_folder(path: Path, mode: int, link: bool = False) -> str:
    what = ("a link, which mutuality does not follow" if link or stat.S_ISLNK(mode)
            else "not a folder")
    return f"{path.name}, a folder on its way, is {what}"


def _check_no_link(root: Path, parts: tuple[str, ...], make: bool) -> None:
    at = root
    for part in parts:
        at = at / part
        if make and not os.path.lexists(long_path(at)):
            os.mkdir(long_path(at))
        status = os.lstat(long_path(at))
        if is_link(status) or not stat.S_ISDIR(status.st_mode):
            raise NotAFile(at, _not_a_folder(at, status.st_mode, is_link(status)))


def os_reason(error: OSError) -> str:
    """Why a file or folder could not be used, for a message."""
    if isinstance(error, NotAFile):  # mutuality's own words, which may name a folder
        return error.strerror or "not a file"
    return (error.strerror or type(error).__name__).lower()


def kind_of(mode: int) -> str:
    """What a thing that is not a regular file is, for a message."""
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    if stat.S_ISLNK(mode):
        return _LINK
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return "it is a pipe, not a file"
    return "it is a device or something else, not a file"
