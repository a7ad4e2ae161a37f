"""One watcher a vault: two would hand every alert on twice and both write Alerts.md.

The lock is taken on the vault's folder itself, so it holds whatever the state folder
(another one, none with ``--no-cache``, or one that cannot be used). Where the file
system cannot lock a folder (NFS, some network shares), a lock file beside the index
does, which then also names the process holding it. When neither can be had, the
watcher goes on with a warning: one watcher too many is better than none.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from . import platforms
from .errors import MutualityError
from .files import open_private, os_reason
from .platforms import FOLDER, lock_exclusively

_TAKEN = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES}


class AlreadyWatched(MutualityError):
    """Another watcher watches the vault (exit 2)."""

    def __init__(self, holder: str = ""):
        super().__init__(
            "another `mutuality watch` is watching this vault already"
            + (f" (process {holder})" if holder.isdigit() else " (the background service, "
               "perhaps)")
            + "; stop it first, or leave it to do the work")


@contextlib.contextmanager
def only_watcher(vault: Path, lock_file: Path | None,
                 warn: Callable[[str], None]) -> Iterator[None]:
    """Hold the vault's watch lock while a watcher runs.

    :param lock_file: where a lock file may be kept (beside the index), if anywhere.
    :raises AlreadyWatched: when another process holds it.
    """
    if not platforms.HAS_LOCKS:  # Windows: said in the README
        yield
        return
    with contextlib.ExitStack() as held:
        why = _lock(held, lambda: os.open(vault, os.O_RDONLY | FOLDER))
        if why is not None and lock_file is not None:
            why = _lock(held, lambda: open_private(lock_file, os.O_RDWR), write_pid=True)
        if why is not None:
            warn(f"warning: mutuality cannot make sure it is the only watcher of this vault "
                 f"({why}): run one `mutuality watch` of it at a time")
        yield


def _lock(held: contextlib.ExitStack, opening: Callable[[], int],
          write_pid: bool = False) -> str | None:
    """Lock what ``opening`` opens for as long as ``held`` holds; None when it is
    locked, or why it cannot be."""
    try:
        descriptor = opening()
    except OSError as error:
        return os_reason(error)
    held.callback(os.close, descriptor)  # the lock goes with it
    try:
        if not lock_exclusively(descriptor):
            return "no locks on this system"
    except OSError as error:
        if error.errno not in _TAKEN:
            return os_reason(error)
        holder = ""
        if write_pid:
            with contextlib.suppress(OSError):
                holder = os.read(descriptor, 32).decode("ascii", "replace").strip()
        raise AlreadyWatched(holder) from None
    if write_pid:
        with contextlib.suppress(OSError):  # only to name the holder
            os.ftruncate(descriptor, 0)
            os.write(descriptor, str(os.getpid()).encode())
    return None
