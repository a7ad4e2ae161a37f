"""Handing alerts to alert sinks: each sink on its own, within a time budget, and
each alert at least once to each sink.

An alert is remembered as handed to a sink (in the index, so across restarts) only
once that sink returned: a sink that fails, or takes too long, gets it again next
time. A sink that hangs is left to finish in the background and skipped while it
is busy, so it can never freeze ``mutuality watch``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from typing import IO, Any

from .index import NoteIndex
from .model import Alert, AlertSink
from .plugin_calls import FAILED, PluginFault, PluginGuard
from .reporters.alerts import alert_line

SINK_SECONDS = 10.0
"""How long a sink may take over one delivery."""


class SinkDelivery:
    """The alert sinks of one command or watcher, and what each has received."""

    def __init__(self, sinks: Sequence[tuple[str, AlertSink]], index: NoteIndex,
                 guard: PluginGuard, settings: Any, seconds: float = SINK_SECONDS):
        """:param sinks: (plugin, sink) pairs; sink names are the keys of what each
        received, so two sinks must not share one."""
        self.sinks = list(sinks)
        self.index = index
        self.guard = guard
        self.settings = settings
        self.seconds = seconds
        self._busy: dict[str, threading.Thread] = {}
        self._late: list[tuple[str, list[Alert]]] = []  # taken after the time was up
        self.owing = False  # some sink failed: it has alerts to get

    def deliver(self, alerts: Sequence[Alert]) -> list[tuple[AlertSink, int]]:
        """Hand each sink the alerts it has not received; return (sink, how many it
        took) for each sink that took some."""
        self._remember_late()
        taken = []
        self.owing = False
        for plugin, sink in self.sinks:
            new = self.index.unsent(sink.name, alerts)
            if not new:
                continue
            if self._send(plugin, sink, new):
                self.index.remember_sent(sink.name, new)
                taken.append((sink, len(new)))
            else:
                self.owing = True
        return taken

    def remember_quietly(self, alerts: Sequence[Alert]) -> None:
        """Count the alerts as received by every sink without handing them on (old
        alerts a first start finds, say)."""
        for _, sink in self.sinks:
            self.index.remember_sent(sink.name, self.index.unsent(sink.name, alerts))

    def _remember_late(self) -> None:
        """What slow sinks took after their time was up (the index is written from
        this thread only)."""
        while self._late:
            name, alerts = self._late.pop()
            self.index.remember_sent(name, alerts)

    def _send(self, plugin: str, sink: AlertSink, alerts: list[Alert]) -> bool:
        hook = f"alert sink {sink.name}"
        earlier = self._busy.get(sink.name)
        if earlier is not None and earlier.is_alive():
            self.guard.record(plugin, hook, PluginFault(
                "it is still busy with earlier alerts; it gets these once it is done"))
            return False
        outcome: list[Any] = []
        gave_up = threading.Event()

        def send() -> None:
            try:
                answer = self.guard.call(plugin, hook, sink.send, alerts, self.settings)
            except BaseException as error:  # --debug, or a message for the user
                outcome.append(error)
                return
            outcome.append(answer)
            if gave_up.is_set() and answer is not FAILED:
                self._late.append((sink.name, alerts))

        worker = threading.Thread(target=send, name=f"mutuality-{hook}", daemon=True)
        worker.start()
        worker.join(self.seconds)
        gave_up.set()
        if worker.is_alive():  # it goes on; what it finishes is remembered then
            self._busy[sink.name] = worker
            self.guard.record(plugin, hook, PluginFault(
                f"it took longer than {self.seconds:g} seconds and is left to finish in the "
                "background; what it does not finish it gets again later"))
            return False
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0] is not FAILED


def stdout_sink(output_format: str, stream: IO[str]) -> AlertSink:
    """New alerts on the command's own output: lines of text as ``mutuality alerts``
    prints them, or (``jsonl``) one JSON object a line; flushed at once, so a program
    reading a pipe sees each alert as it comes."""
    line: Callable[[Alert], str] = (
        (lambda alert: json.dumps(alert.as_json(), ensure_ascii=False))
        if output_format == "jsonl" else alert_line
    )

    def send(alerts: Sequence[Alert], settings: Any) -> None:
        for alert in alerts:
            stream.write(line(alert) + "\n")
        stream.flush()

    return AlertSink("stdout", send, f"new alerts on the output ({output_format})")
