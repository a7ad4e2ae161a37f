"""Handing alerts to alert sinks: each sink in a thread of its own, never holding up
the others or the watcher, and each alert at least once to each sink.

An alert is remembered as handed to a sink (in the index, so across restarts) only
once that sink returned: a sink that fails gets it again next time. A sink still at
work when alerts are handed on again is left to finish; it gets the new alerts after.
One that takes longer than its time budget is named, and goes on in the background.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from .errors import PluginFault
from .index import NoteIndex
from .model import Alert, AlertSink
from .plugin_calls import FAILED, OWN_THREAD_PREFIX, PluginGuard
from .reporters.plain import as_json, most_urgent_first, quiet_line

SINK_SECONDS = 10.0
"""How long a sink may take over one delivery before it is named as too slow."""


@dataclass
class _Sending:
    """One sink at work on some alerts, in its own thread."""

    plugin: str
    sink: AlertSink
    alerts: tuple[Alert, ...]
    started: float = field(default_factory=time.monotonic)
    outcome: list[Any] = field(default_factory=list)  # its answer, FAILED, or an error
    told_slow: bool = False
    thread: threading.Thread | None = None

    @property
    def hook(self) -> str:
        return f"alert sink {self.sink.name}"


class SinkDelivery:
    """The alert sinks of one command or watcher, and what each has received.

    :param sinks: (plugin, sink) pairs, their names unique (a sink's name keys what it
        received).
    """

    def __init__(self, sinks: Sequence[tuple[str, AlertSink]], index: NoteIndex,
                 guard: PluginGuard, settings: Any, seconds: float = SINK_SECONDS,
                 done: Callable[[], None] = lambda: None):
        """:param done: called (from the sink's thread) when a sink finishes: what it
        took is then remembered, and what it missed meanwhile given, at the next
        :meth:`deliver`."""
        self.sinks = list(sinks)
        self._done = done
        self.index = index
        self.guard = guard
        self.settings = settings
        self.seconds = seconds
        self._sending: dict[str, _Sending] = {}
        self._failed: set[str] = set()  # sinks whose last delivery failed

    @property
    def owing(self) -> bool:
        """Some sink failed: it has alerts to get again."""
        return bool(self._failed)

    @property
    def busy(self) -> bool:
        """Some sink is still at work (what it took is remembered at a later call)."""
        return bool(self._sending)

    @property
    def finished(self) -> bool:
        """Some sink finished since the last call: it may have missed alerts."""
        return any(sending.thread is not None and not sending.thread.is_alive()
                   for sending in self._sending.values())

    def next_deadline(self) -> float | None:
        """Seconds until a sink still at work takes longer than its time (then
        :meth:`settle` names it), or None."""
        waits = [sending.started + self.seconds - time.monotonic()
                 for sending in self._sending.values() if not sending.told_slow]
        return max(0.0, min(waits)) if waits else None

    def deliver(self, alerts: Sequence[Alert], wait: float) -> list[tuple[AlertSink, int]]:
        """Start handing each sink that is not at work the alerts it has not received,
        and wait up to ``wait`` seconds for all of them.

        Risk items are handed on before any other alert (SPEC section 9).

        :return: (sink, how many it took) for each sink that finished taking alerts
            since the last call.
        """
        alerts = sorted(alerts, key=most_urgent_first)  # stable: otherwise in order
        taken = self.settle()
        self._start_idle(alerts, {sink.name for _, sink in self.sinks})
        deadline = time.monotonic() + wait
        for sending in list(self._sending.values()):
            assert sending.thread is not None
            sending.thread.join(max(0.0, deadline - time.monotonic()))
        done_meanwhile = self.settle()
        # Those busy with earlier alerts when these came get them now.
        self._start_idle(alerts, {sink.name for sink, _ in done_meanwhile})
        return taken + done_meanwhile

    def _start_idle(self, alerts: Sequence[Alert], names: set[str]) -> None:
        """Start handing each sink of these ``names`` not at work the alerts it has not
        received."""
        for plugin, sink in self.sinks:
            if sink.name not in names or sink.name in self._sending:
                continue  # it gets these once it is done with the earlier ones
            new = self.index.unsent(sink.name, alerts)
            if new:
                self._start(_Sending(plugin, sink, tuple(new)))

    def remember_quietly(self, alerts: Sequence[Alert]) -> bool:
        """Count the alerts as received by every sink without handing them on (old
        alerts a first start finds, say); False when the index cannot take them now."""
        remembered = True
        for _, sink in self.sinks:
            remembered &= self._remember(sink.name, self.index.unsent(sink.name, alerts))
        return remembered

    def _remember(self, sink: str, alerts: Sequence[Alert]) -> bool:
        """Write down what a sink received; False when the index cannot take it now (a
        full disk): the alerts are then given again later, never lost."""
        try:
            self.index.remember_sent(sink, alerts)
        except sqlite3.Error:
            return False
        return True

    def settle(self, last: bool = False) -> list[tuple[AlertSink, int]]:
        """Remember what the sinks that finished took (the index is written from the
        caller's thread only); name the ones at work for longer than their time, or
        (``last``: the command ends) still at work."""
        taken = []
        for name, sending in list(self._sending.items()):
            assert sending.thread is not None
            if sending.thread.is_alive():
                too_long = last or time.monotonic() - sending.started > self.seconds
                if too_long and not sending.told_slow:
                    sending.told_slow = True
                    self.guard.record(sending.plugin, sending.hook, PluginFault(
                        f"it took longer than {self.seconds:g} seconds and is left to finish "
                        "in the background; what it does not finish it gets again later"))
                continue
            del self._sending[name]
            outcome = sending.outcome[0] if sending.outcome else FAILED
            if isinstance(outcome, BaseException):
                raise outcome  # --debug: the plugin's own error
            if outcome is FAILED or not self._remember(name, sending.alerts):
                self._failed.add(name)  # given again: at least once
            else:
                self._failed.discard(name)
                taken.append((sending.sink, len(sending.alerts)))
        return taken

    def _start(self, sending: _Sending) -> None:
        def send() -> None:
            try:  # a tuple: a sink that empties what it is given cannot empty our record
                sending.outcome.append(self.guard.call(sending.plugin, sending.hook,
                                                       sending.sink.send, sending.alerts,
                                                       self.settings))
            except BaseException as error:  # --debug: raised again by settle()
                sending.outcome.append(error)
            self._done()

        sending.thread = threading.Thread(target=send, daemon=True,
                                          name=f"{OWN_THREAD_PREFIX}{sending.hook}")
        self._sending[sending.sink.name] = sending
        sending.thread.start()


def stdout_sink(output_format: str, stream: IO[str],
                closed: Callable[[], None] = lambda: None) -> AlertSink:
    """New alerts on the command's own output: lines of text as ``mutuality alerts``
    prints them, or (``jsonl``) one JSON object a line, written at once, so a program
    reading a pipe sees each alert as it comes.

    :param closed: called when whoever read the output has gone (a broken pipe).
    """
    # Text lines go to a terminal or, from a service, the system's journal: they name
    # the rule, the client, the date and the note, never the client's words.
    line: Callable[[Alert], str] = (
        (lambda alert: as_json(alert.as_json(), indent=None))
        if output_format == "jsonl" else quiet_line
    )

    def send(alerts: Sequence[Alert], settings: Any) -> None:
        text = "".join(line(alert) + "\n" for alert in alerts)
        try:
            _write_through(stream, text)
        except BrokenPipeError:
            closed()

    return AlertSink("stdout", send, f"new alerts on the output ({output_format})")


def _write_through(stream: IO[str], text: str) -> None:
    """Write straight to the file descriptor where there is one: a reader that stops
    reading blocks this thread only, never a lock the command needs to finish."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):  # a test runner's stream
        stream.write(text)
        stream.flush()
        return
    data = text.encode(getattr(stream, "encoding", None) or "utf-8", "replace")
    while data:
        data = data[os.write(descriptor, data):]
