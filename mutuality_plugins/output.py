"""Stdout for the command's own output, stderr for mutuality's messages.

While a command runs, other programs may read its stdout (``--format json``,
``watch --format jsonl``), so nothing else may reach it: what plugin code prints,
from any thread, and what anything writes to file descriptor 1 itself (a child
process, C code), goes to stderr. And mutuality's own messages reach the real
stderr whatever a plugin does to ``sys.stderr``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable
from typing import IO, Any


class _Discard:
    """Where output goes when its stream was closed before mutuality started."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "the stream was closed")


class Output:
    """The streams of one command: :attr:`own` (its output) and :attr:`messages`.

    :param elsewhere: True when the running code is not mutuality's own command
        code (plugin code, or a thread a plugin started): its writes to
        ``sys.stdout`` go to stderr.
    """

    def __init__(self, elsewhere: Callable[[], bool]):
        self._elsewhere = elsewhere
        self._original: tuple[Any, Any] | None = None
        self._own_descriptor: int | None = None  # a copy of the real file descriptor 1
        self.own: IO[str] = sys.stdout or _Discard()  # type: ignore[assignment]
        self.messages: IO[str] = sys.stderr or _Discard()  # type: ignore[assignment]
        self.finished = False

    def reserve(self) -> None:
        """From now on, stdout is the command's alone."""
        if self._original is not None:
            return
        self._original = (sys.stdout, sys.stderr)
        own = self.own
        if _is_descriptor(own, 1):
            # What writes to descriptor 1 itself goes to stderr (or nowhere, when the
            # shell closed stderr); the command writes to a copy of the real one.
            own.flush()
            # Python says there is no stderr (None) when the shell closed it: then a
            # descriptor 2 open now is some file opened since, not stderr.
            stderr_open = not isinstance(self.messages, _Discard) and _is_open(2)
            self._own_descriptor = _copy_above_2(1)
            if stderr_open:
                os.dup2(2, 1)
            else:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.close(devnull)
            self.own = open(self._own_descriptor, "w",  # noqa: SIM115 (closed by finish)
                            buffering=1 if getattr(own, "line_buffering", False) else -1,
                            encoding=getattr(own, "encoding", None) or "utf-8",
                            errors=getattr(own, "errors", None) or "strict")
        sys.stdout = _Router(self)
        sys.stderr = _Unclosable(self.messages)

    def give_to_command(self) -> None:
        """A plugin's command runs: its output, child processes' included, is the
        command's own."""
        if self._own_descriptor is not None:
            self.own.flush()
            os.dup2(self._own_descriptor, 1)

    def finish(self) -> OSError | None:
        """The command is done: its output is flushed (the error writing it, if any, is
        returned), and whatever is written after it (a plugin at exit) goes to stderr."""
        if self._original is None or self.finished:
            return None
        self.finished = True
        failure = None
        try:
            self.own.flush()
        except OSError as error:  # a broken pipe, a full disk
            failure = error
            if self._own_descriptor is not None:  # nothing more is tried there at exit
                with contextlib.suppress(OSError):
                    devnull = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(devnull, self._own_descriptor)
                    os.close(devnull)
        if self._own_descriptor is None:  # a test runner's streams: give them back
            sys.stdout, sys.stderr = self._original
        return failure


class _Router:
    """Stands for ``sys.stdout``: mutuality's own command code writes the command's
    output; everything else, and everything once the command is done, stderr."""

    def __init__(self, output: Output):
        self._output = output

    def _target(self) -> IO[str]:
        output = self._output
        return output.messages if output.finished or output._elsewhere() else output.own

    def write(self, text: str) -> int:
        target = self._target()
        written = target.write(text)
        if target is self._output.messages:  # stderr shows what comes as it comes
            target.flush()
        return written

    def close(self) -> None:
        """Not a plugin's to close: the command still writes there."""

    def __getattr__(self, name: str) -> Any:  # flush, buffer, isatty, encoding, ...
        return getattr(self._target(), name)


class _Unclosable:
    """Stands for ``sys.stderr``: a plugin closing it cannot silence mutuality."""

    def __init__(self, stream: IO[str]):
        self._stream = stream

    def close(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _is_descriptor(stream: Any, number: int) -> bool:
    try:
        return bool(stream.fileno() == number)
    except (AttributeError, OSError, ValueError):  # a test runner's stream, or closed
        return False


def _copy_above_2(descriptor: int) -> int:
    """A copy of the descriptor, never 0, 1 or 2: where the shell closed one of those,
    a plain copy would take its place, and be taken for it."""
    low = []
    copy = os.dup(descriptor)
    while copy <= 2:
        low.append(copy)
        copy = os.dup(descriptor)
    for taken in low:
        os.close(taken)
    return copy


def _is_open(descriptor: int) -> bool:
    try:
        os.fstat(descriptor)
    except OSError:
        return False
    return True
