"""Calling plugin code: one guard for every hook and every plugin.

Plugins are called one implementation at a time, so that one plugin's failure cannot
take the others down. What a plugin returns is checked against its hook's contract.
A failure (an error, or a wrong answer) is recorded by plugin, hook and note, never
by the error's text, which could quote a note; the rest of the work goes on and the
command ends with exit status 1. With ``--debug`` the error is raised instead.

While plugin code runs, what it prints goes to stderr: stdout belongs to the
command's own output (``--format json``, watch's ``jsonl``).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import IO, Any, TypeVar

import click
import pluggy

from .errors import MutualityError, describe
from .model import AlertSink, Feedback, FeedbackItem, Reporter, Rule

T = TypeVar("T")

FAILED: Any = type("Failed", (), {"__repr__": lambda self: "FAILED"})()
"""What :meth:`PluginGuard.call` gives when the plugin failed (its failure is recorded)."""


class PluginFault(Exception):
    """A fault mutuality found in a plugin (a wrong answer, too slow): the message is
    mutuality's own, never the plugin's, so it may be shown."""


@dataclass(frozen=True)
class PluginFailure:
    plugin: str
    hook: str
    reason: str
    note: str | None = None

    def __str__(self) -> str:
        where = f" on {self.note}" if self.note else ""
        return f"plugin {self.plugin} failed in {self.hook}{where}: {self.reason}"


Contract = Callable[[Any], Any]
"""Checks a plugin's answer: returns it (a list made of an iterable) or raises
:class:`PluginFault` saying what is wrong."""


class PluginGuard:
    """Calls plugin code and keeps its failures; one per command (or watcher).

    Use it as a context manager around the command: inside, stdout is reserved for
    the command's own output while plugin code runs.
    """

    def __init__(self, debug: bool = False):
        self.debug = debug
        self.failures: list[PluginFailure] = []
        self._in_plugin = threading.local()
        self._router: _StdoutRouter | None = None
        self._saved_descriptor: int | None = None

    # Calling

    def call(self, plugin: str, hook: str, function: Callable[..., Any], *args: Any,
             on_note: str | None = None, contract: Contract | None = None,
             **kwargs: Any) -> Any:
        """``function(*args, **kwargs)``'s answer (checked by ``contract``), or
        :data:`FAILED` when it raised or broke the contract (recorded here, with
        ``on_note``, the note being read, if any).

        A :class:`~mutuality_plugins.errors.MutualityError` (a note problem, a
        message written for the user) is not a failure: it propagates.
        """
        self._in_plugin.depth = getattr(self._in_plugin, "depth", 0) + 1
        try:
            answer = function(*args, **kwargs)
            return answer if contract is None or answer is None else contract(answer)
        except MutualityError:
            raise
        except Exception as error:
            self.record(plugin, hook, error, on_note)
            return FAILED
        finally:
            self._in_plugin.depth -= 1

    def answers(self, caller: pluggy.HookCaller, **arguments: Any) -> list[tuple[str, Any]]:
        """(plugin, answer) of each implementation of a hook that answered (not None),
        in pluggy's order."""
        return self.answers_of(implementations(caller), caller.name, **arguments)

    def answers_of(self, calls: list[tuple[str, Callable[..., Any]]], hook: str, *,
                   on_note: str | None = None, **arguments: Any) -> list[tuple[str, Any]]:
        """Like :meth:`answers`, for calls prepared once by :func:`implementations`
        (reading notes calls the same extractors ten thousand times)."""
        contract = CONTRACTS[hook]
        found = []
        for plugin, function in calls:
            answer = self.call(plugin, hook, function, on_note=on_note, contract=contract,
                               **arguments)
            if answer is not None and answer is not FAILED:
                found.append((plugin, answer))
        return found

    def contributions(self, caller: pluggy.HookCaller, **arguments: Any) -> list[tuple[str, Any]]:
        """(plugin, item) of every item of the lists a hook's implementations return."""
        return [(plugin, item) for plugin, answer in self.answers(caller, **arguments)
                for item in answer]

    # Failures

    def record(self, plugin: str, hook: str, error: BaseException,
               on_note: str | None = None) -> None:
        """Keep a failure; with ``debug``, raise the error instead."""
        if self.debug:
            raise error
        reason = str(error) if isinstance(error, PluginFault) else describe(error)
        self.failures.append(PluginFailure(plugin, hook, reason, on_note))

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
        lines = self.summary()
        self.failures.clear()
        return lines

    def __bool__(self) -> bool:
        return bool(self.failures)

    # Stdout

    def __enter__(self) -> PluginGuard:
        own = sys.stdout
        self._saved_descriptor = None
        if _is_descriptor_one(own):
            # Whatever writes to file descriptor 1 itself (a child process a plugin
            # starts, C code) goes to stderr; the command keeps a copy of the real one.
            own.flush()
            self._saved_descriptor = os.dup(1)
            os.dup2(2, 1)
            line_buffered = bool(getattr(own, "line_buffering", False))
            own = open(os.dup(self._saved_descriptor), "w",  # noqa: SIM115 (closed on exit)
                       buffering=1 if line_buffered else -1, encoding=own.encoding,
                       errors=own.errors)
        self._router = _StdoutRouter(own, self._in_plugin)
        sys.stdout = self._router
        return self

    def __exit__(self, *exc_info: object) -> None:
        router, self._router = self._router, None
        if router is None:
            return
        if sys.stdout is router:
            sys.stdout = router.own if self._saved_descriptor is None else sys.__stdout__
        if self._saved_descriptor is not None:
            router.own.close()  # flushed
            os.dup2(self._saved_descriptor, 1)
            os.close(self._saved_descriptor)
            self._saved_descriptor = None

    @property
    def stdout(self) -> IO[str]:
        """The command's own output: stdout as it was before plugins could print."""
        return self._router.own if self._router is not None else sys.stdout


def _is_descriptor_one(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stream.fileno() == 1
    except (AttributeError, OSError, ValueError):  # a stream of a test runner, or closed
        return False


class _StdoutRouter:
    """Stands for ``sys.stdout``: in a thread running plugin code, writes go to
    stderr; elsewhere to the command's own stdout."""

    def __init__(self, own: IO[str], in_plugin: threading.local):
        self.own = own
        self._in_plugin = in_plugin

    def _target(self) -> IO[str]:
        return sys.stderr if getattr(self._in_plugin, "depth", 0) else self.own

    def write(self, text: str) -> int:
        return self._target().write(text)

    def __getattr__(self, name: str) -> Any:  # flush, buffer, isatty, encoding, ...
        return getattr(self._target(), name)


def implementations(caller: pluggy.HookCaller,
                    **bound: Any) -> list[tuple[str, Callable[..., Any]]]:
    """(plugin name, function) of each implementation, in pluggy's calling order, with
    the arguments in ``bound`` already given (an implementation may take only some of
    a hook's arguments)."""
    calls: list[tuple[str, Callable[..., Any]]] = []
    for impl in reversed(caller.get_hookimpls()):
        given = {name: value for name, value in bound.items() if name in impl.argnames}
        calls.append((impl.plugin_name, partial(impl.function, **given)))
    return calls


# The contracts: what each hook may return (None is always allowed: "nothing").


def _kind(value: Any) -> str:
    """``an int``, ``a str``: what a value is, never what it holds."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def list_of(kind: type[T], check: Callable[[T], str | None] = lambda item: None) -> Contract:
    """A list (or any iterable but text or a mapping) of ``kind``, each passing ``check``."""

    def contract(answer: Any) -> list[T]:
        if isinstance(answer, (str, bytes, Mapping)) or not isinstance(answer, Iterable):
            raise PluginFault(f"it returned {_kind(answer)}, not a list of {kind.__name__}")
        items = list(answer)
        for item in items:
            if not isinstance(item, kind):
                raise PluginFault(
                    f"it returned a list holding {_kind(item)}, not only {kind.__name__}")
            wrong = check(item)
            if wrong:
                raise PluginFault(f"its {kind.__name__} {wrong}")
        return items

    return contract


def one_of(kind: type[T], check: Callable[[T], str | None] = lambda answer: None) -> Contract:
    """One ``kind`` passing ``check`` (or None)."""

    def contract(answer: Any) -> T:
        if not isinstance(answer, kind):
            raise PluginFault(f"it returned {_kind(answer)}, not {kind.__name__} or None")
        wrong = check(answer)
        if wrong:
            raise PluginFault(f"its {kind.__name__} {wrong}")
        return answer

    return contract


def _named(item: Any) -> str | None:
    if not isinstance(item.name, str) or not item.name.strip():
        return f"has no name (a name should be text, like {'my-' + type(item).__name__.lower()!r})"
    return None


def _feedback(feedback: Feedback) -> str | None:
    if isinstance(feedback.items, (str, bytes, Mapping)) or not isinstance(
        feedback.items, Iterable
    ) or not all(
        isinstance(item, FeedbackItem) and isinstance(item.theme, str)
        and isinstance(item.signal, str)
        for item in feedback.items
    ):
        return "should hold a tuple of FeedbackItem, each with a text theme and signal"
    if not isinstance(feedback.invited, bool):
        return "should say invited=True or False"
    total = feedback.srs_total
    if total is not None and (isinstance(total, bool) or not isinstance(total, (int, float))):
        return "should give srs_total as a number or None"
    return None


def _rule(rule: Rule) -> str | None:
    if not callable(rule.check):
        return f"{rule.name!r} has a check that cannot be called"
    if not isinstance(rule.settings, Mapping):
        return f"{rule.name!r} has settings that are not a mapping"
    return _named(rule)


def _reporter(reporter: Reporter) -> str | None:
    if not isinstance(reporter.formats, Mapping) or not reporter.formats or not all(
        isinstance(name, str) and callable(render) for name, render in reporter.formats.items()
    ):
        return f"{reporter.name!r} should map each format's name to a function"
    if not callable(reporter.default_period):
        return f"{reporter.name!r} has a default_period that cannot be called"
    return _named(reporter)


def _sink(sink: AlertSink) -> str | None:
    if not callable(sink.send):
        return f"{sink.name!r} has a send that cannot be called"
    return _named(sink)


def _settings_sections(answer: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(answer, Mapping) or not all(
        isinstance(section, str) and isinstance(defaults, Mapping)
        and all(isinstance(key, str) for key in defaults)
        for section, defaults in answer.items()
    ):
        raise PluginFault(f"it returned {_kind(answer)}, not a mapping from section "
                             "names to mappings of settings")
    return {section: dict(defaults) for section, defaults in answer.items()}


CONTRACTS: dict[str, Contract] = {
    "mutuality_extract_feedback": one_of(Feedback, _feedback),
    "mutuality_rules": list_of(Rule, _rule),
    "mutuality_reporters": list_of(Reporter, _reporter),
    "mutuality_alert_sinks": list_of(AlertSink, _sink),
    "mutuality_commands": list_of(click.Command, _named),
    "mutuality_plugin_settings": _settings_sections,
}
"""Every hook's contract, by hook name."""
