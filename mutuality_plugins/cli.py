"""The ``mutuality`` command. Errors become one line here, and only here."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from . import scan_summary
from .config import Settings, load_settings, with_plugin_settings
from .errors import MutualityError, describe
from .model import Period
from .plugin_calls import (
    Failures,
    call_each,
    collect_rules,
    contributions,
    find_reporter,
    send_to_sinks,
)
from .plugins import get_plugin_manager, outside_vault
from .practice import read_practice
from .progress import ProgressBar
from .index import NoteIndex, fingerprint
from .service import install_service, this_system, user_service
from .vault import require_vault, scan_vault
from .vault_setup import set_up_vault
from .watch import Watcher, alerts_note_sink, jsonl_sink, text_sink, watch_until_stopped
from .writer import NotWritten, write_generated

USAGE_ERROR = 2
PLUGIN_FAILED = 1


class _OneLineError(click.ClickException):
    """An error shown as ``mutuality: <message>`` on one line."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        message = self.format_message()
        click.echo(message if message.startswith("mutuality") else f"mutuality: {message}",
                   err=True)


class _Commands(click.Group):
    """The built-in commands and the plugins' ones; errors become one line each,
    unless ``--debug`` lets the traceback through."""

    def list_commands(self, context):
        return sorted({*super().list_commands(context), *_plugin_commands(context)})

    def get_command(self, context, name):
        plugin_commands = _plugin_commands(context)  # also refuses a clash with a built-in
        return super().get_command(context, name) or plugin_commands.get(name)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise _usage_error(error) from None

    def invoke(self, context: click.Context):
        try:
            result = super().invoke(context)
        except click.UsageError as error:
            raise _usage_error(error) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            if context.params.get("debug"):
                raise
            if isinstance(error, MutualityError):
                raise _OneLineError(str(error), USAGE_ERROR) from None
            raise _OneLineError(
                f"unexpected error: {describe(error)} "
                "(run `mutuality --debug ...` to see the traceback)",
                1,
            ) from None
        failures = _failures(context)
        if failures:
            for line in failures.summary():
                click.echo(f"mutuality: {line}", err=True)
            click.echo("mutuality: run the same command as `mutuality --debug ...` to see "
                       "the full error", err=True)
            context.exit(PLUGIN_FAILED)
        return result


def _usage_error(error: click.UsageError) -> _OneLineError:
    """A mistake on the command line, as one line: the command and what is wrong."""
    command = error.ctx.command_path if error.ctx else "mutuality"
    return _OneLineError(f"{command}: {error.format_message()} (see {command} --help)",
                         USAGE_ERROR)


def _failures(context: click.Context) -> Failures:
    meta = context.find_root().meta
    if "mutuality.failures" not in meta:
        meta["mutuality.failures"] = Failures(debug=bool(context.find_root().params.get("debug")))
    return meta["mutuality.failures"]


def _manager(context: click.Context):
    """The plugins named on the command line (built-ins, installed, ``--hooks-dir``)."""
    meta = context.find_root().meta
    if "mutuality.plugins" not in meta:
        try:
            meta["mutuality.plugins"] = get_plugin_manager(
                hooks_dirs=context.find_root().params.get("hooks_dirs") or ()
            )
        except MutualityError as error:
            raise _OneLineError(str(error), USAGE_ERROR) from None
    return meta["mutuality.plugins"]


def _plugin_commands(context: click.Context) -> dict[str, click.Command]:
    found = {}
    for plugin, command in contributions(_manager(context).hook.mutuality_commands,
                                         _failures(context)):
        if command.name in BUILT_IN_COMMANDS or command.name in found:
            raise _OneLineError(
                f"plugin {plugin} adds a command named {command.name!r}, which exists already",
                USAGE_ERROR,
            )
        found[command.name] = command
    return found


@click.group(name="mutuality", cls=_Commands,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.option("--no-cache", is_flag=True,
              help="Read every note again, without the index of notes read before.")
@click.option(
    "--hooks-dir", "hooks_dirs", multiple=True, type=click.Path(path_type=Path),
    help="A folder of drop-in plugins (.py files); may be given more than once.",
)
@click.version_option(package_name="mutuality", message="mutuality %(version)s")
def cli(debug: bool, no_cache: bool, hooks_dirs) -> None:
    """mutuality: is the client steering the help they get?

    Reads the session notes in an Obsidian vault and shows where feedback
    was invited, given and answered. It only reads your notes; it never
    changes them and never sends anything anywhere.
    """


vault_argument = click.argument("vault", type=click.Path(path_type=Path))
config_option = click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file to use instead of mutuality.toml in the vault.",
)
write_option = click.option(
    "--write", is_flag=True,
    help="Also keep the result as a note in the vault's output folder (Mutuality/).",
)
class _IsoWeek(click.ParamType):
    name = "YYYY-Www"

    def convert(self, value, param, context) -> Period:
        try:
            year, week = value.upper().split("-W")
            return Period.iso_week(date.fromisocalendar(int(year), int(week), 1))
        except ValueError:
            self.fail(f"{value!r} is not an ISO week like 2026-W47", param, context)


week_option = click.option("--week", type=_IsoWeek(), help="The ISO week, like 2026-W47.")


def _format_option(*formats: str):
    return click.option(
        "--format", "output_format", type=click.Choice(formats), default=formats[0],
        show_default=True, help=f"{formats[0]} for reading, json for other programs.",
    )


def _today() -> date:
    return date.today()


def _prepare(context: click.Context, vault: Path, config_file: Path | None):
    """The settings and plugins for a vault: ``hooks_dirs`` of its settings loaded,
    and the plugins' own settings checked."""
    require_vault(vault)
    settings = load_settings(vault, config_file)
    manager = _manager(context)
    folders = list(settings.hooks_dirs)
    if config_file is None:  # the vault's own settings: no code from inside the vault
        folders, refused = outside_vault(folders, vault)
        for folder in refused:
            click.echo(
                f"mutuality: warning: {folder} is inside the vault, so its plugins were not "
                "loaded; name it with `mutuality --hooks-dir` to run them", err=True,
            )
        if settings.state_folder is not None:  # nor where clinical text is kept
            click.echo(
                "mutuality: warning: `state_folder` is only taken from settings given with "
                "--config, not from the vault's own; the index stays in your state folder",
                err=True,
            )
            settings = replace(settings, state_folder=None)
    manager.load_hooks_dirs(folder for folder in folders if not _loaded(manager, folder))
    declared = {}
    for _, sections in call_each(manager.hook.mutuality_plugin_settings,
                                      _failures(context)):
        declared.update(sections)
    return with_plugin_settings(settings, declared), manager


def _index(context: click.Context, vault: Path, settings: Settings, manager) -> NoteIndex:
    """The vault's index, closed when the command ends."""
    index = NoteIndex.open(vault, fingerprint(manager, settings), settings)
    context.call_on_close(index.close)
    return index


def _cached(context: click.Context, index: NoteIndex) -> NoteIndex | None:
    return None if context.find_root().params.get("no_cache") else index


def _loaded(manager, folder: Path) -> bool:
    return any(Path(origin).parent == folder.resolve() for origin in manager.origins.values()
               if origin.endswith(".py"))


@cli.command()
@vault_argument
@_format_option("text", "json")
@config_option
@click.pass_context
def scan(context: click.Context, vault: Path, output_format: str, config_file) -> None:
    """Read VAULT and report its session notes, clients and problem notes."""
    settings, manager = _prepare(context, vault, config_file)
    index = _cached(context, _index(context, vault, settings, manager))
    with ProgressBar("Reading notes") as progress:
        result = scan_vault(vault, manager, settings, progress=progress,
                            failures=_failures(context), index=index)
    if output_format == "json":
        click.echo(json.dumps(scan_summary.as_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(scan_summary.as_text(result, str(vault)))


class _Day(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, context):
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-11-20", param, context)


def _period_options(command):
    for option in (
        click.option("--all", "every_date", is_flag=True, help="Every session, of any date."),
        click.option("--since", type=_Day(), help="Sessions on or after this day."),
    ):
        command = option(command)
    return command


def _period(every_date: bool, since: date | None, week: Period | None = None) -> Period | None:
    if sum(bool(choice) for choice in (every_date, since, week)) > 1:
        raise click.UsageError("choose one of --all, --since and --week")
    if every_date:
        return Period()
    return Period(since, None) if since else week


@cli.command()
@vault_argument
@_period_options
@_format_option("text", "json")
@write_option
@click.option("--notify", is_flag=True,
              help="Hand the alerts not handed on before to the alert sinks of the plugins.")
@config_option
@click.pass_context
def alerts(context, vault, every_date, since, output_format, write, notify, config_file):
    """Show where feedback is missing: alerts for each client of VAULT.

    Alerts raised at sessions in the last 28 days, unless --since or --all say
    otherwise. With --write, Alerts.md in the output folder is kept up to date too.
    """
    practice, period, index = _report(context, "alerts", vault, config_file,
                                      _period(every_date, since), output_format, write)
    if notify:
        _notify(context, practice, period, index)


@cli.command()
@vault_argument
@week_option
@_format_option("markdown", "json")
@write_option
@config_option
@click.pass_context
def digest(context, vault, week, output_format, write, config_file) -> None:
    """The weekly digest of VAULT: numbers, alerts, each client's feedback, trends.

    Last week's unless --week names another. With --write, it is kept as a note
    named for its week (2026-W47.md) in the output folder.
    """
    _report(context, "digest", vault, config_file, _period(False, None, week), output_format,
            write)


@cli.command()
@click.argument("name")
@vault_argument
@_period_options
@week_option
@click.option("--format", "output_format", help="One of the report's formats (default: its first).")
@write_option
@config_option
@click.pass_context
def report(context, name, vault, every_date, since, week, output_format, write, config_file):
    """Make the report NAME of VAULT, built in or from a plugin (`mutuality plugins`)."""
    _report(context, name, vault, config_file, _period(every_date, since, week), output_format,
            write)


def _report(context, name, vault, config_file, period, output_format, write):
    settings, manager = _prepare(context, vault, config_file)
    failures = _failures(context)
    reporter = find_reporter(manager, name, failures)
    output_format = output_format or next(iter(reporter.formats))
    if output_format not in reporter.formats:
        raise click.UsageError(f"the {name} report comes as {', '.join(reporter.formats)}, "
                               f"not {output_format!r}")
    today = _today()
    period = period or reporter.default_period(today)
    index = _index(context, vault, settings, manager)
    with ProgressBar("Reading notes") as progress:
        practice = read_practice(vault, manager, settings, today, alerts_since=period.start,
                                 progress=progress, failures=failures,
                                 index=_cached(context, index))
    output = _render(reporter, output_format, practice, period, failures)
    if output is not None:
        click.echo(output, nl=not output.endswith("\n"))
    if practice.scan.problems:
        count = len(practice.scan.problems)
        click.echo(
            f"mutuality: {count} note{'s' if count > 1 else ''} could not be read and "
            f"{'were' if count > 1 else 'was'} left out; `mutuality scan {vault}` lists them",
            err=True,
        )
    if write and reporter.note_name is not None:
        note = _render(reporter, "markdown", practice, period, failures)
        if note is not None:
            try:
                path = write_generated(vault, settings.output_folder,
                                       reporter.note_name(period), note)
            except NotWritten as refusal:
                click.echo(f"mutuality: warning: {refusal}", err=True)
            else:
                click.echo(f"mutuality: wrote {path.relative_to(vault)}", err=True)
    return practice, period, index


def _render(reporter, output_format, practice, period, failures: Failures) -> str | None:
    try:
        return reporter.formats[output_format](practice, period)
    except MutualityError:
        raise
    except Exception as error:
        failures.record(f"report {reporter.name}", output_format, error)
        return None


def _notify(context, practice, period, index: NoteIndex) -> None:
    failures = _failures(context)
    sinks = contributions(_manager(context).hook.mutuality_alert_sinks, failures)
    if not sinks:  # nothing would get them: they stay new for a sink added later
        click.echo("mutuality: no plugin has an alert sink, so no alert was handed on",
                   err=True)
        return
    new = index.unsent(alert for alert in practice.alerts if alert.date in period)
    if not new:
        return
    index.remember_sent(new)  # before: like watch, never hand an alert on twice
    send_to_sinks(sinks, new, practice.settings, failures)
    click.echo(f"mutuality: {len(new)} new alert{'s' if len(new) > 1 else ''} handed to "
               f"{len(sinks)} alert sink{'s' if len(sinks) != 1 else ''}", err=True)


@cli.command()
@vault_argument
@_format_option("text", "jsonl")
@click.option("--poll", is_flag=True,
              help="Check the vault every few seconds instead of being told of changes: for "
                   "network and sync folders (SMB, NFS, WSL /mnt/c, some Dropbox or iCloud).")
@config_option
@click.pass_context
def watch(context, vault, output_format, poll, config_file) -> None:
    """Keep watching VAULT: print each new alert a moment after a note is saved.

    Alerts.md in the output folder is kept up to date, plugin alert sinks get
    the new alerts too, and when a week ends its digest is written. Each alert
    is handed on once, across restarts. Stop with Ctrl-C.
    """
    settings, manager = _prepare(context, vault, config_file)
    failures = _failures(context)
    index = _index(context, vault, settings, manager)

    def say(line: str) -> None:
        click.echo(f"mutuality: {line}", err=True)

    def echo(line: str) -> None:
        click.echo(line)  # click flushes: a reader of a pipe sees each alert at once

    watcher = Watcher(vault, manager, settings, index, failures=failures, say=say, poll=poll,
                      cache=_cached(context, index) is not None, today=_today)
    stdout = jsonl_sink(echo) if output_format == "jsonl" else text_sink(echo)
    watcher.sinks = [("built-in", stdout), ("built-in", alerts_note_sink(watcher)),
                     *contributions(manager.hook.mutuality_alert_sinks, failures)]
    watch_until_stopped(watcher, on_start=lambda: say(f"watching {vault} (stop with Ctrl-C)"))
    failures.failures.clear()  # reported as they happened; stopping is a clean exit


@cli.command()
@vault_argument
@click.option("--install", is_flag=True, help="Install and start the service, not only print it.")
@click.option("--platform", "system", type=click.Choice(["linux", "macos"]), default=None,
              help="The kind of service (default: this machine's).")
@click.pass_context
def service(context, vault, install, system) -> None:
    """Print (or with --install, install) a user service that runs `mutuality watch
    VAULT` in the background: a systemd user unit on Linux, a launchd agent on macOS."""
    require_vault(vault)
    hooks_dirs = context.find_root().params.get("hooks_dirs") or ()
    made = user_service(vault.resolve(), system or this_system(), [Path(h) for h in hooks_dirs])
    if not install:
        click.echo(f"# {made.path}\n{made.text}", nl=False)
        click.echo(f"# to install it: mutuality service {vault} --install")
        return
    for line in install_service(made):
        click.echo(line)


@cli.command()
@click.argument("vault", type=click.Path(path_type=Path), required=False)
@_format_option("text", "json")
@config_option
@click.pass_context
def plugins(context, vault, output_format, config_file) -> None:
    """List every plugin, where it comes from and the hooks it implements.

    With VAULT, also the plugins its settings name in `hooks_dirs`.
    """
    manager = _prepare(context, vault, config_file)[1] if vault else _manager(context)
    listed = [
        {
            "name": name,
            "source": manager.origins.get(name, "registered"),
            "hooks": sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()),
        }
        for name, plugin in sorted(manager.list_name_plugin())
    ]
    if output_format == "json":
        click.echo(json.dumps(listed, indent=2, ensure_ascii=False))
        return
    for entry in listed:
        click.echo(f"{entry['name']}  ({entry['source']})\n    {', '.join(entry['hooks'])}")


@cli.command()
@vault_argument
@click.pass_context
def init(context, vault: Path) -> None:
    """Write a commented settings file and a session template into VAULT.

    Files that already exist are kept as they are.
    """
    require_vault(vault)
    rules = [rule for _, rule in collect_rules(_manager(context), _failures(context))]
    for relative, written in set_up_vault(vault, rules):
        click.echo(f"wrote {relative}" if written else f"kept {relative} (it exists already)")


BUILT_IN_COMMANDS = frozenset(cli.commands)
