"""Calling plugin code: one guard for every hook and every plugin.

Plugins are called one implementation at a time, so that one plugin's failure cannot
take the others down. What a plugin returns is checked against its hook's contract
(``contracts.py``). A failure (an error, an exit, or a wrong answer) is recorded by
plugin, hook and note, never by the error's text, which could quote a note; the rest
of the work goes on and the command ends with exit status 1. With ``--debug`` the
error is raised instead.

While the guard is open, stdout belongs to the command's own output (``--format
json``, watch's ``jsonl``): what plugin code prints, from its own thread or any
other, goes to stderr, and so does whatever writes to file descriptor 1 itself.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

import pluggy

from .contracts import HOOKS, Contract, PluginFault

FAILED: Any = type("Failed", (), {"__repr__": lambda self: "FAILED"})()
"""What :meth:`PluginGuard.call` gives when the plugin failed (its failure is recorded)."""

OWN_THREAD_PREFIX = "mutuality-"
"""Threads of mutuality's own are named so; their writes to stdout are its output."""


@dataclass(frozen=True)
class PluginFailure:
    plugin: str
    hook: str
    reason: str
    note: str | None = None

    def __str__(self) -> str:
        where = f" on {self.note}" if self.note else ""
        return f"plugin {self.plugin} failed in {self.hook}{where}: {self.reason}"


class PluginGuard:
    """Calls plugin code and keeps its failures; one per command (or watcher).

    :meth:`reserve_stdout` (and :meth:`reserve_descriptor`) keep stdout for the
    command's own output until :meth:`release_stdout`.
    """

    def __init__(self, debug: bool = False):
        self.debug = debug
        self.failures: list[PluginFailure] = []
        self._failures_lock = threading.Lock()  # sinks fail in threads of their own
        self._in_plugin = threading.local()
        self._running = _Running(self._in_plugin)
        self._router: _StdoutRouter | None = None
        self._saved_descriptor: int | None = None

    # Calling

    def call(self, plugin: str, hook: str, function: Callable[..., Any], *args: Any,
             on_note: str | None = None, contract: Contract | None = None,
             passes: tuple[type[Exception], ...] = (), **kwargs: Any) -> Any:
        """``function(*args, **kwargs)``'s answer (checked by ``contract``), or
        :data:`FAILED` when it raised, exited or broke the contract (recorded here,
        with ``on_note``, the note being read, if any).

        :param passes: errors that are not failures but messages for the user (a
            :class:`~mutuality_plugins.NoteProblem` from an extractor): they propagate.
        """
        with self.running():
            return self._answer(plugin, hook, partial(function, *args, **kwargs), {},
                                on_note, contract, passes)

    def answers(self, caller: pluggy.HookCaller, **arguments: Any) -> list[tuple[str, Any]]:
        """(plugin, answer) of each implementation of a hook that answered (not None),
        in pluggy's order."""
        return self.answers_of(implementations(caller, **arguments), caller.name)

    def answers_of(self, calls: list[tuple[str, Callable[..., Any]]], hook: str, *,
                   on_note: str | None = None, passes: tuple[type[Exception], ...] = (),
                   trusted: Collection[str] = (), **arguments: Any) -> list[tuple[str, Any]]:
        """Like :meth:`answers`, for calls prepared once by :func:`implementations` and
        given the rest of their ``arguments`` here (reading notes calls the same
        extractors ten thousand times, so this loop is lean).

        :param trusted: plugins whose answers need no checking (mutuality's own,
            whose types are checked before it is released).
        """
        contract = HOOKS[hook]
        found = []
        with self.running():
            for plugin, function in calls:
                answer = self._answer(plugin, hook, function, arguments, on_note,
                                      None if plugin in trusted else contract, passes)
                if answer is not None and answer is not FAILED:
                    found.append((plugin, answer))
        return found

    def _answer(self, plugin: str, hook: str, function: Callable[..., Any],
                arguments: dict[str, Any], on_note: str | None, contract: Contract | None,
                passes: tuple[type[Exception], ...]) -> Any:
        """The one place plugin code is called: its answer, checked, or FAILED."""
        try:
            answer = function(**arguments)
            return answer if contract is None or answer is None else contract(answer)
        except passes:
            raise
        except BaseException as error:  # an exit too: a plugin never ends mutuality
            if isinstance(error, KeyboardInterrupt) and _in_main_thread():
                raise  # the user's Ctrl-C (only the main thread is sent signals)
            self.record(plugin, hook, error, on_note)
            return FAILED

    def contributions(self, caller: pluggy.HookCaller) -> list[tuple[str, Any]]:
        """(plugin, item) of every item of the lists a hook's implementations return."""
        return [(plugin, item) for plugin, answer in self.answers(caller) for item in answer]

    def running(self) -> _Running:
        """Mark plugin code running in this thread (a call, loading a plugin's file):
        what it prints goes to stderr. A context manager."""
        return self._running

    # Failures

    def record(self, plugin: str, hook: str, error: BaseException,
               on_note: str | None = None) -> None:
        """Keep a failure; with ``debug``, raise the error instead."""
        if self.debug:
            raise error
        reason = str(error) if isinstance(error, PluginFault) else _kind(error)
        with self._failures_lock:
            self.failures.append(PluginFailure(plugin, hook, reason, on_note))

    def failed(self, hook: str) -> list[str]:
        """The plugins that failed in ``hook`` (their failures kept to be told)."""
        return sorted({failure.plugin for failure in self.failures if failure.hook == hook})

    def summary(self) -> list[str]:
        """One line per plugin and hook: the first failure, and how many there were."""
        first: dict[tuple[str, str], PluginFailure] = {}
        count: dict[tuple[str, str], int] = {}
        for failure in self.failures:
            key = (failure.plugin, failure.hook)
            first.setdefault(key, failure)
            count[key] = count.get(key, 0) + 1
        return [str(first[key]) + (f" (and {count[key] - 1} more times)" if count[key] > 1 else "")
                for key in first]

    def take_summary(self) -> list[str]:
        """:meth:`summary`, then forget the failures (a watcher tells them as they come)."""
        with self._failures_lock:
            lines = self.summary()
            self.failures.clear()
        return lines

    def __bool__(self) -> bool:
        return bool(self.failures)

    # Stdout

    def reserve_stdout(self) -> None:
        """From now on, only mutuality's own threads outside plugin code write to
        stdout (see :attr:`stdout`); undone by :meth:`release_stdout`."""
        if self._router is not None:
            return
        self._router = _StdoutRouter(sys.stdout, sys.stderr, self._in_plugin)
        sys.stdout = self._router

    def reserve_descriptor(self) -> None:
        """Also send what writes to file descriptor 1 itself (a child process a plugin
        starts, C code) to stderr, keeping a copy of the real one for the command."""
        router = self._router
        if router is None or self._saved_descriptor is not None:
            return
        own = router.own
        if not _is_descriptor_one(own):  # a test runner's stream, say
            return
        own.flush()
        self._saved_descriptor = os.dup(1)
        os.dup2(2, 1)
        line_buffered = bool(getattr(own, "line_buffering", False))
        router.own = open(os.dup(self._saved_descriptor), "w",  # noqa: SIM115 (closed below)
                          buffering=1 if line_buffered else -1,
                          encoding=getattr(own, "encoding", "utf-8"),
                          errors=getattr(own, "errors", "strict"))

    def release_stdout(self) -> None:
        router, self._router = self._router, None
        if router is None:
            return
        if sys.stdout is router:
            sys.stdout = router.original
        if self._saved_descriptor is not None:
            router.own.close()  # flushed
            os.dup2(self._saved_descriptor, 1)
            os.close(self._saved_descriptor)
            self._saved_descriptor = None

    @property
    def stdout(self) -> IO[str]:
        """The command's own output: stdout as it was before plugins could print."""
        return self._router.own if self._router is not None else sys.stdout

    @property
    def stderr(self) -> IO[str] | None:
        """Where mutuality tells the user things: stderr as it was when the guard
        opened (a plugin that replaces ``sys.stderr`` cannot silence mutuality)."""
        return self._router.stderr if self._router is not None else sys.stderr


class _Running:
    """Counts, per thread, how deep in plugin code it is (a class, not a generator:
    it is entered for every note read)."""

    def __init__(self, in_plugin: threading.local):
        self._in_plugin = in_plugin

    def __enter__(self) -> None:
        self._in_plugin.depth = getattr(self._in_plugin, "depth", 0) + 1

    def __exit__(self, *exc_info: object) -> None:
        self._in_plugin.depth -= 1


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _kind(error: BaseException) -> str:
    """A plugin's error as a message may show it: its kind, and for a file error its
    reason, never its text or the file's name (either could quote a note)."""
    if isinstance(error, OSError) and error.strerror:
        return f"{type(error).__name__}: {error.strerror.lower()}"
    if isinstance(error, SystemExit):
        return "SystemExit (a plugin must not end mutuality)"
    return type(error).__name__


def _is_descriptor_one(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stream.fileno() == 1
    except (AttributeError, OSError, ValueError):  # a stream of a test runner, or closed
        return False


class _StdoutRouter:
    """Stands for ``sys.stdout``: mutuality's own threads, outside plugin code, write
    the command's output; plugin code, and any thread a plugin started, write to
    stderr."""

    def __init__(self, own: IO[str], stderr: IO[str] | None, in_plugin: threading.local):
        self.original = own
        self.own = own
        self.stderr = stderr
        self._in_plugin = in_plugin

    def _target(self) -> IO[str]:
        ours = _in_main_thread() or threading.current_thread().name.startswith(OWN_THREAD_PREFIX)
        if ours and not getattr(self._in_plugin, "depth", 0):
            return self.own
        return self.stderr if self.stderr is not None else self.own

    def write(self, text: str) -> int:
        target = self._target()
        written = target.write(text)
        if target is not self.own:  # stderr: shown as it comes, as stderr always is
            target.flush()
        return written

    def close(self) -> None:
        """Not a plugin's to close: the command still writes there."""

    def __getattr__(self, name: str) -> Any:  # flush, buffer, isatty, encoding, ...
        return getattr(self._target(), name)


def implementations(caller: pluggy.HookCaller,
                    **arguments: Any) -> list[tuple[str, Callable[..., Any]]]:
    """(plugin name, function) of each implementation, in pluggy's calling order, with
    the ``arguments`` it takes already given (an implementation may take only some of
    a hook's arguments); a function still wanting more is called with the rest."""
    calls: list[tuple[str, Callable[..., Any]]] = []
    for impl in reversed(caller.get_hookimpls()):
        given = {name: value for name, value in arguments.items() if name in impl.argnames}
        calls.append((impl.plugin_name, partial(impl.function, **given)))
    return calls

