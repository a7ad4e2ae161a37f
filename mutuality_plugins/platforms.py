"""What differs between Windows, macOS and Linux, in one place: every call that exists
on some systems only is made here, with what is done where it does not exist (a test
fails when such a name is used anywhere else).

Verified on Linux; the Windows and macOS paths are run on Linux with the platform
simulated (``tests/test_platforms.py``), never on those systems themselves.
"""

from __future__ import annotations

import importlib.util
import ntpath
import os
import re
import signal
import stat
import sys
import threading
from typing import Any

WINDOWS = "windows"
MACOS = "macos"
LINUX = "linux"


def this_system() -> str:
    if sys.platform == "win32":
        return WINDOWS
    return MACOS if sys.platform == "darwin" else LINUX


# Opening files, where the platform has the flags (0 where not; Windows has none of the
# first two): do not follow a link in the last part of the path, do not wait for a
# writer to open a FIFO; close on exec; no newline translation (Windows).
NO_FOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
NO_BLOCK: int = getattr(os, "O_NONBLOCK", 0)
CLOSE_ON_EXEC: int = getattr(os, "O_CLOEXEC", 0)
BINARY: int = getattr(os, "O_BINARY", 0)
FOLDER: int = getattr(os, "O_DIRECTORY", 0)
# Opening a name relative to an open folder (POSIX): nothing on the way can change.
# (os.replace is os.rename, which does not overwrite only on Windows.)
BY_FOLDER: bool = (NO_FOLLOW != 0 and {os.open, os.stat, os.mkdir, os.rename, os.unlink}
                   <= os.supports_dir_fd and os.scandir in os.supports_fd)


# A program started with no console window of its own (Windows; 0 elsewhere): Windows'
# subprocess.CREATE_NO_WINDOW, without importing subprocess at every command's start.
NO_WINDOW: int = 0x08000000 if sys.platform == "win32" else 0


def cores_to_fork() -> int:
    """The cores processes forked from this one may use; 0 where forking is not safe:
    only Linux (macOS's own libraries may not survive a fork, Windows has none), and
    only from a process with one thread (a fork copies the others' locks held)."""
    if this_system() != LINUX or threading.active_count() > 1:
        return 0
    return len(os.sched_getaffinity(0))


def forked_pool(workers: int) -> Any:
    """A ``concurrent.futures`` pool of ``workers`` processes forked from this one (see
    :func:`cores_to_fork`): they have what this one has loaded and set up, and leave a
    Ctrl-C to this one (which stops them)."""
    import multiprocessing  # only where it is used: it is slow to import
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=signal.signal,
                               initargs=(signal.SIGINT, signal.SIG_IGN))


# Windows opens a path of this many characters or more only written as \\?\C:\...
# (unless long paths are switched on for the whole machine).
LONG_PATH = 260


def long_path(path: str | os.PathLike[str]) -> str:
    """``path`` as the system opens it whatever its length: on Windows, a long one in
    its extended form; elsewhere as it is."""
    text = os.fspath(path)
    if this_system() != WINDOWS or len(text) < LONG_PATH or text.startswith("\\\\?\\"):
        return text
    absolute = ntpath.abspath(text)
    if absolute.startswith("\\\\"):  # a network share, \\server\share\...
        return "\\\\?\\UNC\\" + absolute[2:]
    return "\\\\?\\" + absolute


# A reparse point: on Windows, a symbolic link or a junction (which any user can make
# and os.path.islink does not call a link).
_REPARSE_POINT = 0x400


def is_link(status: os.stat_result) -> bool:
    """Whether what ``lstat`` saw is a link of any kind: a symbolic link, or on Windows
    any reparse point (a junction too)."""
    return stat.S_ISLNK(status.st_mode) or bool(
        getattr(status, "st_file_attributes", 0) & _REPARSE_POINT)


def listed_link(entry: os.DirEntry[str]) -> bool:
    """Whether a folder's entry is a link: a symbolic link (the listing tells), or on
    Windows any reparse point, a junction too (its listing tells that as well, at no
    cost; elsewhere it would cost a call for each file)."""
    if entry.is_symlink():
        return True
    if this_system() != WINDOWS:
        return False
    try:
        return is_link(entry.stat(follow_symlinks=False))
    except OSError:
        return True  # gone meanwhile: not looked at


def owner() -> int | None:
    """The user's id, where files have owners that way (not on Windows: ACLs)."""
    get = getattr(os, "getuid", None)
    return get() if get is not None else None


def set_mode(descriptor: int, path: str | os.PathLike[str], mode: int) -> None:
    """Give the open file ``mode`` (by its descriptor where the platform can; Windows
    before Python 3.13 only by its path, and only its read-only bit)."""
    change = getattr(os, "fchmod", None)
    if change is not None:
        change(descriptor, mode)
    else:
        os.chmod(path, mode)


# Whether a file or folder can be locked against other processes (not on Windows).
HAS_LOCKS = importlib.util.find_spec("fcntl") is not None


def lock_exclusively(descriptor: int) -> bool:
    """Lock the open file or folder for this process, not waiting; False where the
    platform has no such lock (Windows). BlockingIOError (or another OSError) when
    another process holds it."""
    try:
        import fcntl
    except ImportError:
        return False
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return True


# What a file name cannot hold on some system (Windows above all, where a synced vault
# may go), or Obsidian reads as a link's parts; control characters and the marks that
# reorder text on screen; a leading dot (a hidden file), trailing dots and spaces.
_NOT_IN_NAMES = re.compile(
    '[\\\\/:*?"<>|#^\\[\\]\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029'
    "\u202a-\u202e\u2066-\u2069]|^\\.|[. ](?=[. ]*$)")
# The device names Windows reserves, whatever the extension after them (and spaces
# before it, which Windows drops).
_RESERVED = re.compile(r"(?i)^(CON|PRN|AUX|NUL|COM[0-9\u00b9\u00b2\u00b3]|"
                       r"LPT[0-9\u00b9\u00b2\u00b3]|CONIN\$|CONOUT\$)(?= *(\.|$))")
# A page name's bytes at most: 255 is the limit of most file systems, with room left
# for ``-2`` and ``.md``.
MOST_NAME_BYTES = 200


def safe_name(name: str) -> str:
    """``name`` (a client's id, say) as a file name every system holds, and Obsidian
    links to as it is (without ``.md``)."""
    cut = name.encode("utf-8")[:MOST_NAME_BYTES].decode("utf-8", "ignore")
    return _RESERVED.sub(r"\g<0>-", _NOT_IN_NAMES.sub("-", cut)) or "-"


# Stopping ``watch``: Ctrl-C (SIGINT), ``kill``/systemd/launchd (SIGTERM), Ctrl-Break
# (SIGBREAK, Windows), and on Windows the console closed, the user logging off or the
# machine shutting down (console control events).
_CTRL_CLOSE_EVENT, _CTRL_LOGOFF_EVENT, _CTRL_SHUTDOWN_EVENT = 2, 5, 6
# Windows ends the process once the handler of a close event returns: it waits for the
# watcher to stop this long at most (Windows allows 5 s).
CLOSE_GRACE_SECONDS = 3.0


class StopRequest:
    """How the main thread waits until the watcher is to stop: :meth:`wait` returns
    when the user or the system asks, or when :meth:`wake` is called (the watcher ended
    by itself). Made (and waited on) in the main thread."""

    def wait(self) -> None:
        raise NotImplementedError

    def wake(self) -> None:
        raise NotImplementedError

    def stopped(self) -> None:
        """The watcher has stopped (a console close event may return now)."""

    def restore(self) -> None:
        """Leave the signals as they were."""


class _SignalsWaited(StopRequest):
    """POSIX: the stop signals are blocked in every thread and taken by the main thread
    with sigwait: a handler stopping the watcher could deadlock when two signals come
    at once (Ctrl-C twice, or `timeout`), and the main thread sleeps meanwhile."""

    SIGNALS = {signal.SIGINT, signal.SIGTERM}

    def __init__(self) -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, self.SIGNALS)

    def wait(self) -> None:
        signal.sigwait(self.SIGNALS)

    def wake(self) -> None:
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGTERM)

    # restore: the signals stay blocked, so that a second Ctrl-C, pending, cannot
    # interrupt the watcher's last writes as the process ends.


class _SignalsHandled(StopRequest):
    """Windows (or wherever sigwait is missing): handlers only set an event, which the
    main thread waits for a quarter of a second at a time (so that it runs them);
    closing the console, logging off and shutting down come as console control events."""

    def __init__(self, kernel32: Any = None) -> None:
        self._asked = threading.Event()
        self._done = threading.Event()
        self._before: dict[int, Any] = {}
        for name in ("SIGINT", "SIGTERM", "SIGBREAK"):
            number = getattr(signal, name, None)
            if number is not None:
                self._before[number] = signal.signal(number, self._on_signal)
        self._kernel32 = kernel32
        self._console_handler = None
        if kernel32 is not None:
            import ctypes  # only here: no other command needs it

            handler_type = getattr(ctypes, "WINFUNCTYPE", ctypes.CFUNCTYPE)
            self._console_handler = handler_type(ctypes.c_int, ctypes.c_uint)(self._on_console)
            kernel32.SetConsoleCtrlHandler(self._console_handler, True)

    def _on_signal(self, number: int, frame: Any) -> None:
        self._asked.set()

    def _on_console(self, event: int) -> int:
        """Called by Windows in a thread of its own; True: handled."""
        self._asked.set()
        if event in (_CTRL_CLOSE_EVENT, _CTRL_LOGOFF_EVENT, _CTRL_SHUTDOWN_EVENT):
            self._done.wait(CLOSE_GRACE_SECONDS)  # the process ends when this returns
        return 1

    def wait(self) -> None:
        while not self._asked.wait(0.25):
            pass

    def wake(self) -> None:
        self._asked.set()

    def stopped(self) -> None:
        self._done.set()

    def restore(self) -> None:
        for number, handler in self._before.items():
            signal.signal(number, handler)
        if self._kernel32 is not None and self._console_handler is not None:
            self._kernel32.SetConsoleCtrlHandler(self._console_handler, False)


def _kernel32() -> Any:
    """Windows' kernel32 (its console control handlers), or None elsewhere."""
    import ctypes

    windll = getattr(ctypes, "windll", None)
    return windll.kernel32 if windll is not None else None


def stop_request() -> StopRequest:
    """The way to wait for a stop on this platform."""
    if hasattr(signal, "sigwait") and hasattr(signal, "pthread_sigmask"):
        return _SignalsWaited()
    return _SignalsHandled(_kernel32())

