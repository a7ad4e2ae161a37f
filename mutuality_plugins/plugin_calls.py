"""Calling plugin hooks one plugin at a time, so that one plugin's error does not
stop the others: the failure is recorded by the plugin's name, the rest goes on,
and the command ends with a non-zero status. With ``--debug`` it is raised instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .errors import MutualityError, NoteProblem, describe
from .model import Alert, AlertSink, Reporter, Rule


@dataclass(frozen=True)
class PluginFailure:
    plugin: str
    hook: str
    error: BaseException
    note: str | None = None

    def __str__(self) -> str:
        where = f" on {self.note}" if self.note else ""
        return f"plugin {self.plugin} failed in {self.hook}{where}: {describe(self.error)}"


@dataclass
class Failures:
    """The plugin failures of one command; ``debug`` raises the first instead."""

    debug: bool = False
    failures: list[PluginFailure] = field(default_factory=list)

    def record(self, plugin: str, hook: str, error: BaseException, note: str | None = None):
        if self.debug:
            raise error
        self.failures.append(PluginFailure(plugin, hook, error, note))

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

    def __bool__(self) -> bool:
        return bool(self.failures)


def implementations(caller, **bound: Any) -> list[tuple[str, Callable]]:
    """(plugin name, function) of each implementation, in pluggy's calling order,
    with the arguments in ``bound`` already given; call each with the rest."""
    calls = []
    for impl in reversed(caller.get_hookimpls()):
        given = {name: value for name, value in bound.items() if name in impl.argnames}
        calls.append((impl.plugin_name, partial(impl.function, **given)))
    return calls


def answers_of(calls: list[tuple[str, Callable]], failures: Failures, hook: str,
               where: str | None = None, **arguments: Any) -> list[tuple[str, Any]]:
    """(plugin name, answer) of every call that answered (not None); one that raises
    is recorded as the plugin's failure and the others go on.

    :param calls: from :func:`implementations`, called here with ``arguments``.
    :param where: the note being read, for the failure's message.
    """
    answers = []
    for plugin, call in calls:
        try:
            answer = call(**arguments)
        except (NoteProblem, MutualityError):
            raise
        except Exception as error:
            failures.record(plugin, hook, error, where)
            continue
        if answer is not None:
            answers.append((plugin, answer))
    return answers


def call_each(caller, failures: Failures, **arguments: Any) -> list[tuple[str, Any]]:
    """(plugin name, answer) of every implementation that answered (not None)."""
    return answers_of(implementations(caller, **arguments), failures, caller.name)


def send_to_sinks(sinks: list[tuple[str, AlertSink]], alerts: Sequence[Alert], settings,
                  failures: Failures) -> None:
    """Hand the alerts to every sink; a sink that raises is recorded, the others go on."""
    for plugin, sink in sinks:
        try:
            sink.send(alerts, settings)
        except Exception as error:
            failures.record(plugin, f"alert sink {sink.name}", error)


def contributions(caller, failures: Failures, **arguments: Any) -> list[tuple[str, Any]]:
    """(plugin name, item) of every item of every list a hook's implementations return."""
    return [(plugin, item) for plugin, answer in call_each(caller, failures, **arguments)
            for item in answer]


def collect_rules(manager, failures: Failures | None = None) -> list[tuple[str, Rule]]:
    """(plugin name, rule) for every rule the plugins contribute, by rule name."""
    found = contributions(manager.hook.mutuality_rules, failures or Failures())
    _no_two_named_alike("rule", found)
    return sorted(found, key=lambda pair: pair[1].name)


def collect_reporters(manager, failures: Failures | None = None) -> dict[str, Reporter]:
    found = contributions(manager.hook.mutuality_reporters, failures or Failures())
    _no_two_named_alike("reporter", found)
    return {reporter.name: reporter for _, reporter in sorted(found, key=lambda p: p[1].name)}


def find_reporter(manager, name: str, failures: Failures | None = None) -> Reporter:
    reporters = collect_reporters(manager, failures)
    if name not in reporters:
        known = ", ".join(reporters) or "none"
        raise MutualityError(f"there is no report named {name!r} (there are: {known})")
    return reporters[name]


def _no_two_named_alike(kind: str, found: list[tuple[str, Any]]) -> None:
    seen: dict[str, str] = {}
    for plugin, item in found:
        if item.name in seen:
            raise MutualityError(
                f"two plugins contribute a {kind} named {item.name!r}: "
                f"{seen[item.name]} and {plugin}"
            )
        seen[item.name] = plugin
