"""Opening files that someone else may have written: a vault is often synced or shared.

Only regular files are read, never through a symbolic link, and never in a way that
can block: a FIFO or a device put where a note was would make a plain ``open`` wait
for ever, and a link could lead outside the vault.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# Where the platform has them (Windows has neither): do not follow a link in the last
# part of the path, do not wait for a writer to open a FIFO.
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NO_BLOCK = getattr(os, "O_NONBLOCK", 0)
_READ = os.O_RDONLY | _NO_FOLLOW | _NO_BLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(
    os, "O_BINARY", 0)


class NotAFile(OSError):
    """What was found is not a regular file (or is a link): it is not read."""

    def __init__(self, path: str | Path, what: str):
        super().__init__(errno.EINVAL, what, str(path))


def read_regular(path: str | Path, cap: int) -> bytes:
    """The first ``cap`` + 1 bytes of a regular file (one byte past the cap tells a
    file is too big), read without following a link and without blocking.

    :raises NotAFile: for a link, a FIFO, a device or a folder.
    :raises OSError: when it cannot be opened or read.
    """
    try:
        descriptor = os.open(path, _READ)
    except OSError as error:
        if error.errno == errno.ELOOP or (_NO_FOLLOW == 0 and os.path.islink(path)):
            raise NotAFile(path, "it is a link, which mutuality does not follow") from None
        raise
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise NotAFile(path, kind_of(status.st_mode))
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


def kind_of(mode: int) -> str:
    """What a thing that is not a regular file is, for a message."""
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    if stat.S_ISLNK(mode):
        return "it is a link, which mutuality does not follow"
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return "it is a pipe, not a file"
    return "it is a device or something else, not a file"


def regular_or_absent(path: Path) -> bool:
    """True when nothing is at ``path``, or a regular file that is not a link."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return True
    return stat.S_ISREG(status.st_mode)
