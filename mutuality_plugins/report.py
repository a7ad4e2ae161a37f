"""One report: a reporter's output for a practice and a period, and keeping it as a
note in the vault's output folder. The command line and the watcher both go
through here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from . import contracts
from .errors import MutualityError, PluginFault
from .model import Period, Reporter
from .plugin_calls import FAILED, PluginGuard
from .practice import Practice
from .writer import MARKER_KEY, MARKER_VALUE, Leftovers, NotWritten, is_generated, write_generated

# The built-in reports the watcher keeps: Alerts.md, and each week's digest.
ALERTS_REPORT = "alerts"
DIGEST_REPORT = "digest"

Say = Callable[[str], None]
"""Tells the user one line (on stderr, or the watcher's log)."""

# A reporter may raise a MutualityError as a message for the user ("a digest covers
# one ISO week"): that is not its failure.
_MESSAGES = (MutualityError,)


def period_of(plugin: str, reporter: Reporter, today: date, guard: PluginGuard) -> Period | None:
    """The reporter's default period from ``today``; None when its plugin failed."""
    period: Period | None = _answer(guard.call(
        plugin, f"report {reporter.name} (default period)", reporter.default_period, today,
        contract=contracts.period, passes=_MESSAGES))
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

    @property
    def keeps_a_note(self) -> bool:
        return self.reporter.note_name is not None and "markdown" in self.reporter.formats

    def text(self, output_format: str) -> str | None:
        """The report in that format; None when the reporter failed (named by the guard)."""
        if output_format not in self._rendered:
            self._rendered[output_format] = _answer(self.guard.call(
                self.plugin, f"report {self.reporter.name} ({output_format})",
                self.reporter.formats[output_format], self.practice, self.period,
                contract=contracts.text, passes=_MESSAGES))
        return self._rendered[output_format]

    def keep(self, leftovers: Leftovers | None = None) -> Path | None:
        """Keep the ``markdown`` format as the reporter's note in the output folder.

        :param leftovers: the record of this vault's writes (see ``write_generated``).
        :return: the note's path; None when the reporter keeps no note or failed
            (named by the guard), or when the note changed since the practice read it.
        :raises NotWritten: when the note could not be written.
        """
        if self.reporter.note_name is None or not self.keeps_a_note:
            return None
        hook = f"report {self.reporter.name}"
        name = _answer(self.guard.call(self.plugin, f"{hook} (note name)",
                                       self.reporter.note_name, self.period,
                                       contract=contracts.note_name, passes=_MESSAGES))
        text = self.text("markdown")
        if name is None or text is None:
            return None
        trouble = self.practice.dismissals_trouble
        if trouble is not None:  # it would show the gaps the therapist dismissed
            raise NotWritten(f"{self.practice.settings.output_folder}/{name} was not written: "
                             f"{trouble}")
        if not is_generated(text):
            self.guard.record(self.plugin, f"{hook} (markdown)", PluginFault(
                f"its note should open with properties holding `{MARKER_KEY}: {MARKER_VALUE}`"))
            return None
        return write_generated(self.practice.vault, self.practice.settings.output_folder,
                               name, text, leftovers,
                               unless_changed_from=self.practice.seen.get(name))


def _answer(answer: Any) -> Any:
    return None if answer is FAILED else answer
