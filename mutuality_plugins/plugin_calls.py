"""Calling plugin code: one guard for every hook and every plugin.

Plugins are called one implementation at a time, so that one plugin's failure cannot
take the others down. What a plugin returns is checked against its hook's contract
(``contracts.py``). A failure (an error, an exit, or a wrong answer) is recorded by
plugin, hook and note, never by the error's text, which could quote a note; the rest
of the work goes on and the command ends with exit status 1. With ``--debug`` the
error is raised instead.

The guard knows which code is plugin code, so that what plugin code prints never
reaches the command's own output (``output.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from .errors import PluginFault
from .output import Output

if TYPE_CHECKING:
    import pluggy

    from .contracts import Contract

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

    Its :attr:`output` keeps stdout for the command's own output.
    """

    def __init__(self, debug: bool = False):
        self.debug = debug
        self.failures: list[PluginFailure] = []
        self._failures_lock = threading.Lock()  # sinks fail in threads of their own
        self._in_plugin = threading.local()
        self._running = _Running(self._in_plugin)
        self.output = Output(self.elsewhere)

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
        from .contracts import HOOKS  # with the model: not imported for `mutuality --help`

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
        """Keep a failure; with ``debug``, raise the error instead (an exit as an error
        whose traceback shows: it would end mutuality without a word)."""
        if self.debug:
            if isinstance(error, SystemExit):
                raise RuntimeError(f"plugin {plugin} called sys.exit({error.code!r}) in "
                                   f"{hook}") from error
            raise error
        reason = str(error) if isinstance(error, PluginFault) else _kind(error)
        with self._failures_lock:
            self.failures.append(PluginFailure(plugin, hook, reason, on_note))

    def failed(self, hook: str) -> list[str]:
        """The plugins that failed in ``hook`` (their failures kept to be told)."""
        return sorted({failure.plugin for failure in self.failures if failure.hook == hook})

    def summary(self) -> list[str]:
        """One line per plugin and hook (see :func:`summarize`)."""
        return summarize(self.failures)

    def take_failures(self, since: int = 0) -> list[PluginFailure]:
        """The failures so far (from the ``since``-th on), forgotten here (a watcher
        tells them as they come)."""
        with self._failures_lock:
            taken, self.failures = self.failures[since:], self.failures[:since]
        return taken

    def add_failures(self, failures: Iterable[PluginFailure]) -> None:
        """Keep failures taken elsewhere (in another process) to be told."""
        with self._failures_lock:
            self.failures.extend(failures)

    def __bool__(self) -> bool:
        return bool(self.failures)

    def elsewhere(self) -> bool:
        """True in plugin code, or in a thread that is not mutuality's own (one a
        plugin started): what is printed there is not the command's output."""
        if getattr(self._in_plugin, "depth", 0):
            return True
        return not (_in_main_thread()
                    or threading.current_thread().name.startswith(OWN_THREAD_PREFIX))


def summarize(failures: list[PluginFailure]) -> list[str]:
    """One line per plugin and hook: the first failure, and how many there were."""
    first: dict[tuple[str, str], PluginFailure] = {}
    count: dict[tuple[str, str], int] = {}
    for failure in failures:
        key = (failure.plugin, failure.hook)
        first.setdefault(key, failure)
        count[key] = count.get(key, 0) + 1
    return [str(first[key]) + (f" (and {count[key] - 1} more times)" if count[key] > 1 else "")
            for key in first]


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

