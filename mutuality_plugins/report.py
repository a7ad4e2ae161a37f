"""One report: a reporter's output for a practice and a period, and keeping it as a
note in the vault's output folder. The command line and the watcher both go
through here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from .model import Period, Reporter
from .plugin_calls import FAILED, PluginFault, PluginGuard
from .practice import Practice
from .writer import MARKER_KEY, MARKER_VALUE, NotWritten, is_generated, write_generated

Say = Callable[[str], None]
"""Tells the user one line (on stderr, or the watcher's log)."""


def period_of(plugin: str, reporter: Reporter, today: date, guard: PluginGuard) -> Period | None:
    """The reporter's default period from ``today``; None when its plugin failed."""
    hook = f"report {reporter.name} (default period)"
    period = guard.call(plugin, hook, reporter.default_period, today)
    if period is FAILED or period is None:
        return None
    if not isinstance(period, Period):
        guard.record(plugin, hook, PluginFault("it should give a Period"))
        return None
    return period


class Report:
    """A reporter's output for one practice and period; each format is rendered once.

    :param plugin: the plugin that contributed the reporter, to name it if it fails.
    """

    def __init__(self, plugin: str, reporter: Reporter, practice: Practice, period: Period,
                 guard: PluginGuard):
        self.plugin = plugin
        self.reporter = reporter
        self.practice = practice
        self.period = period
        self.guard = guard
        self._rendered: dict[str, str | None] = {}

    def text(self, output_format: str) -> str | None:
        """The report in that format; None when the reporter failed (named by the guard)."""
        if output_format not in self._rendered:
            self._rendered[output_format] = self._render(output_format)
        return self._rendered[output_format]

    def _render(self, output_format: str) -> str | None:
        hook = f"report {self.reporter.name} ({output_format})"
        text = self.guard.call(self.plugin, hook, self.reporter.formats[output_format],
                               self.practice, self.period)
        if text is FAILED or text is None:
            return None
        if not isinstance(text, str):
            self.guard.record(self.plugin, hook, PluginFault("it should return text"))
            return None
        return text

    def keep(self, say: Say) -> Path | None:
        """Keep the ``markdown`` format as the reporter's note in the output folder.

        :return: the note's path; None when the reporter keeps no note, failed (named
            by the guard), or the note was not written (``say`` tells why).
        """
        name_of = self.reporter.note_name
        if name_of is None or "markdown" not in self.reporter.formats:
            return None
        hook = f"report {self.reporter.name}"
        name = self.guard.call(self.plugin, f"{hook} (note name)", name_of, self.period)
        text = self.text("markdown")
        if name is FAILED or text is None:
            return None
        if not isinstance(name, str) or Path(name).name != name or not name.endswith(".md"):
            self.guard.record(self.plugin, f"{hook} (note name)",
                              PluginFault("its note name should be a file name ending in .md"))
            return None
        if not is_generated(text):
            self.guard.record(self.plugin, f"{hook} (markdown)", PluginFault(
                f"its note should open with properties holding `{MARKER_KEY}: {MARKER_VALUE}`"))
            return None
        try:
            return write_generated(self.practice.vault, self.practice.settings.output_folder,
                                   name, text)
        except NotWritten as refusal:
            say(f"warning: {refusal}")
            return None
