"""One run of ``mutuality``: what its commands share.

The group makes it from the options given before the command and keeps it as
click's ``ctx.obj``; a plugin's command receives it with ``@click.pass_obj`` and
so reads the vault with the very plugins (``--hooks-dir`` included), settings and
index the built-in commands use.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from .errors import MutualityError, OutputUnwritten
from .plugin_calls import PluginGuard
from .reporters.plain import printable, printable_lines

if TYPE_CHECKING:
    from .config import Settings
    from .index import NoteIndex
    from .model import ScanResult
    from .plugins import PluginManager
    from .practice import Practice

# What only commands that read a vault use is imported when one does (`--help` does not).


class Invocation:
    """The options before the command, the plugins, and the guard that calls them.

    From the moment it is made, stdout is kept for the command's own output (plugins
    load as click looks up the command, and may print as they load); :meth:`finish`
    flushes it, :meth:`close` closes the index.
    """

    def __init__(self, *, debug: bool = False, no_cache: bool = False,
                 hooks_dirs: Iterable[Path] = ()):
        self.debug = debug
        self.no_cache = no_cache
        self.hooks_dirs = tuple(hooks_dirs)
        self.guard = PluginGuard(debug)
        self.guard.output.reserve()
        self._plugins: PluginManager | None = None
        # name -> (plugin, command), once looked up (the command line's business)
        self.plugin_commands: dict[str, tuple[str, click.Command]] | None = None
        self._indexes: dict[Path, NoteIndex] = {}
        self.failed_at_the_end: list[str] = []  # told, with exit status 1, once done
        self._resources = ExitStack()

    def finish(self) -> None:
        """The command is done: its output is flushed, and from now on only stderr is
        written.

        :raises OutputUnwritten: when the output could not be written.
        """
        error = self.guard.output.finish()
        if error is not None:
            raise OutputUnwritten(error)

    def close(self) -> None:
        self._resources.close()

    @property
    def plugins(self) -> PluginManager:
        """The built-in plugins, the installed ones and those of ``--hooks-dir``; a
        vault's settings may add folders (:meth:`settings`)."""
        if self._plugins is None:
            from .plugins import get_plugin_manager  # with pluggy: not for --help

            self._plugins = get_plugin_manager(hooks_dirs=self.hooks_dirs, guard=self.guard)
        return self._plugins

    @property
    def outside_plugins(self) -> bool:
        """Whether plugins other than the built-ins are to load (the built-ins add no
        command: `mutuality --help` of an installation without others loads none)."""
        from . import installed

        return bool(self.hooks_dirs or installed.plugin_entry_points())

    @property
    def stdout(self) -> IO[str]:
        """The command's own output (plugin code cannot print there)."""
        return self.guard.output.own

    def echo(self, text: str, nl: bool = True) -> None:
        """Write the command's own output; on a terminal, with control characters
        escaped (what a note holds must not steer the terminal).

        :raises OutputUnwritten: when it cannot be written.
        """
        try:
            if _is_terminal(self.stdout):
                text = printable_lines(text)
            click.echo(text, nl=nl, file=self.stdout)
        except OSError as error:
            raise OutputUnwritten(error) from None

    def fail_at_the_end(self, line: str) -> None:
        """Something the command could not do, told when the rest is done (exit 1)."""
        self.failed_at_the_end.append(line)

    def say(self, line: str) -> None:
        """Tell the user one line on stderr (the real one, whatever a plugin did to
        ``sys.stderr``)."""
        click.echo(printable(f"mutuality: {line}"), file=self.guard.output.messages)

    def settings(self, vault: Path, config_file: Path | None = None) -> Settings:
        """The settings for a vault (``config_file``, else the vault's own
        ``mutuality.toml``), with the plugins of its ``hooks_dirs`` loaded and the
        plugins' own settings checked."""
        from .config import ConfigError, load_settings, with_measures, with_plugin_settings
        from .vault import require_vault
        from .writer import require_own_output_folder
        require_vault(vault)
        settings = load_settings(vault, config_file)
        require_own_output_folder(vault, settings.output_folder)
        if config_file is None:
            # The vault's own settings may be written by whoever shares or syncs the
            # vault: they never name code to run, nor where clinical text is kept.
            if settings.hooks_dirs:
                self.say("warning: `hooks_dirs` in the vault's own mutuality.toml is "
                         "ignored: a shared vault must not run code on your machine; name "
                         "the folder with `mutuality --hooks-dir`, or in a settings file "
                         "given with --config")
            if settings.state_folder is not None:
                self.say("warning: `state_folder` is only taken from settings given with "
                         "--config, not from the vault's own; the index stays in your "
                         "state folder")
            settings = replace(settings, hooks_dirs=(), state_folder=None)
        plugins = self.plugins
        plugins.load_hooks_dirs(settings.hooks_dirs)
        declared = plugins.declared_settings()
        try:
            return with_measures(with_plugin_settings(settings, declared), plugins.measures())
        except ConfigError as error:
            failed = [*self.guard.failed("mutuality_plugin_settings"),
                      *self.guard.failed("mutuality_measures")]
            if not failed:
                raise
            # The settings may be right and the plugin that declares them broken.
            raise ConfigError(f"{error}, or plugin {' and '.join(sorted(set(failed)))} failed "
                              "to declare its settings or measures") from None

    def index(self, vault: Path, settings: Settings) -> NoteIndex:
        """The vault's index (what was read before, what each sink received), closed
        when the command ends; in memory with ``--no-cache`` (the state folder is not
        touched), or when the state folder cannot be used now (with a warning).

        :raises StateError: when the state folder is not safe to keep clinical text in.
        """
        from .index import NoteIndex, StateUnusable, fingerprint
        key = Path(vault).resolve()
        if key not in self._indexes:
            made = fingerprint(self.plugins, settings)
            if self.no_cache:
                index = NoteIndex.in_memory(made)
            else:
                try:
                    index = NoteIndex.open(vault, made, settings)
                except StateUnusable as trouble:
                    self.say(f"warning: {trouble}; working from memory: every note is read "
                             "again, and what alert sinks receive is not remembered")
                    index = NoteIndex.in_memory(made)
            self._indexes[key] = self._resources.enter_context(index)
        return self._indexes[key]

    def scan(self, vault: Path, settings: Settings) -> ScanResult:
        """Read the vault (only the notes changed since the last run, unless
        ``--no-cache``), with a progress bar on a terminal."""
        from .progress import ProgressBar
        from .vault import scan_vault
        index = self.index(vault, settings)
        with ProgressBar("Reading notes", sys.stderr) as progress:
            return scan_vault(vault, self.plugins, settings, progress=progress,
                              index=None if index.path is None else index)

    def practice(self, vault: Path, settings: Settings, today: date,
                 since: date | None = None, client: str | None = None,
                 unlimited: bool = False, keep_alerts: bool = True,
                 real_today: date | None = None) -> Practice:
        """The vault read, with the alerts raised on or after ``since`` (of ``client``
        only, when given), the gaps open as of ``today`` and the therapist's
        dismissals (the gaps ticked in ``Alerts.md`` recorded first).

        :param unlimited: every open gap, beyond the 100 of a rule a client may show.
        :param keep_alerts: bring Alerts.md, where there is one, up to date as of
            ``real_today`` when ticks in it were recorded (not when the command writes
            it itself).
        :param real_today: the day it is, whatever ``today`` the command acts on
            (``--as-of``): the day of the dismissals recorded (default: ``today``).
        :raises MutualityError: for a client none of the session notes names.
        """
        from .dismissals import dismissals_for, practice_with_dismissals
        from .practice import PracticeBuilder
        # Made first: a mistake in the rules' settings stops before any note is read.
        builder = PracticeBuilder(vault, self.plugins, settings)
        if unlimited:
            builder.most_open = None
        scan = self.scan(vault, settings)
        if client is not None and client not in scan.clients:
            import difflib  # only for this message

            # The same id in other capitals first: most likely the one meant.
            nearest = [known for known in scan.clients if known.casefold() == client.casefold()]
            nearest += [known for known in difflib.get_close_matches(
                client, scan.clients, n=3, cutoff=0.4) if known not in nearest]
            nearest = nearest[:3]
            raise MutualityError(
                f"no session note of {vault} names the client {client}"
                + (f"; the nearest: {', '.join(nearest)}" if nearest else
                   f"; `mutuality scan {vault}` lists the clients"))
        recorded = dismissals_for(vault, settings.output_folder)
        real_today = real_today or today
        practice, ticks_recorded = practice_with_dismissals(
            builder, scan, today, since, client, recorded,
            self.index(vault, settings).leftovers, self.say, real_today)
        if ticks_recorded and keep_alerts:
            self.keep_alerts_note(vault, settings, real_today)  # it shows them no more
        return practice

    def keep_alerts_note(self, vault: Path, settings: Settings, today: date) -> None:
        """Bring Alerts.md, where there is one, up to date (after gaps were dismissed);
        what cannot be written is said."""
        from .dismissals import ALERTS_NOTE
        from .report import ALERTS_REPORT, Report, period_of
        from .writer import NotWritten
        plugin, reporter = self.plugins.reporter(ALERTS_REPORT)
        period = period_of(plugin, reporter, today, self.guard)
        if period is None or reporter.note_name is None or not (
                vault / settings.output_folder / ALERTS_NOTE).is_file():
            return
        practice = self.practice(vault, settings, today, period.start, keep_alerts=False)
        try:
            Report(plugin, reporter, practice, period, self.guard).keep(
                self.index(vault, settings).leftovers)
        except NotWritten as refusal:
            self.say(f"warning: {refusal}")


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):  # closed
        return False
