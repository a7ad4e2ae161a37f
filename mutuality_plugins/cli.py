"""The ``mutuality`` command. Errors become one line here, and only here."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from . import scan_summary
from .config import Settings, load_settings
from .errors import MutualityError, VaultError
from .model import Period
from .plugins import collect_rules, find_reporter, get_plugin_manager
from .practice import read_practice
from .progress import ProgressBar
from .vault import scan_vault
from .vault_setup import set_up_vault
from .writer import NotWritten, write_generated

USAGE_ERROR = 2


class _OneLineError(click.ClickException):
    """An error shown as ``mutuality: <message>`` on one line."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"mutuality: {self.format_message()}", err=True)


class _Commands(click.Group):
    """Turns errors into one line each; ``--debug`` lets the traceback through."""

    def invoke(self, context: click.Context):
        try:
            return super().invoke(context)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            if context.params.get("debug"):
                raise
            if isinstance(error, MutualityError):
                raise _OneLineError(str(error), USAGE_ERROR) from None
            raise _OneLineError(
                f"unexpected error: {type(error).__name__}: {error} "
                "(run `mutuality --debug ...` to see the traceback)",
                1,
            ) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.version_option(package_name="mutuality", message="mutuality %(version)s")
@click.pass_context
def cli(context: click.Context, debug: bool) -> None:
    """mutuality: is the client steering the help they get?

    Reads the session notes in an Obsidian vault and shows where feedback
    was invited, given and answered. It only reads your notes; it never
    changes them and never sends anything anywhere.
    """
    context.obj = {"debug": debug}


vault_argument = click.argument("vault", type=click.Path(path_type=Path))
config_option = click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file to use instead of mutuality.toml in the vault.",
)
write_option = click.option(
    "--write", is_flag=True,
    help="Also keep the result as a note in the vault's output folder (Mutuality/).",
)


def _format_option(*formats: str):
    return click.option(
        "--format", "output_format", type=click.Choice(formats), default=formats[0],
        show_default=True, help=f"{formats[0]} for reading, json for other programs.",
    )


class _IsoWeek(click.ParamType):
    name = "YYYY-Www"

    def convert(self, value, param, context):
        try:
            year, week = value.upper().split("-W")
            return Period.iso_week(date.fromisocalendar(int(year), int(week), 1))
        except ValueError:
            self.fail(f"{value!r} is not an ISO week like 2026-W47", param, context)


def _today() -> date:
    return date.today()


def _settings(vault: Path, config_file: Path | None) -> Settings:
    if not vault.is_dir():
        raise VaultError(vault, "not a folder" if vault.exists() else "no such folder")
    return load_settings(vault, config_file)


@cli.command()
@vault_argument
@_format_option("text", "json")
@config_option
@click.pass_context
def scan(context: click.Context, vault: Path, output_format: str, config_file) -> None:
    """Read VAULT and report its session notes, clients and problem notes."""
    settings = _settings(vault, config_file)
    with ProgressBar("Reading notes") as progress:
        result = scan_vault(vault, get_plugin_manager(), settings, progress=progress,
                            debug=context.obj["debug"])
    if output_format == "json":
        click.echo(json.dumps(scan_summary.as_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(scan_summary.as_text(result, str(vault)))


@cli.command()
@vault_argument
@click.option("--all", "every_date", is_flag=True, help="Alerts at every session, of any date.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Alerts at sessions on or after this day (default: the last 28 days).")
@_format_option("text", "json")
@write_option
@config_option
@click.pass_context
def alerts(context, vault, every_date, since, output_format, write, config_file) -> None:
    """Show where feedback is missing: alerts for each client of VAULT.

    With --write, Alerts.md in the output folder is kept up to date too.
    """
    if every_date and since:
        raise click.UsageError("use either --all or --since, not both")
    period = Period() if every_date else Period(since.date(), None) if since else None
    _report(context, "alerts", vault, config_file, period, output_format, write)


@cli.command()
@vault_argument
@click.option("--week", type=_IsoWeek(), help="The ISO week, like 2026-W47 (default: last week).")
@_format_option("markdown", "json")
@write_option
@config_option
@click.pass_context
def digest(context, vault, week, output_format, write, config_file) -> None:
    """The weekly digest of VAULT: numbers, alerts, each client's feedback, trends.

    With --write, it is kept as a note named for its week (2026-W47.md) in the
    output folder.
    """
    _report(context, "digest", vault, config_file, week, output_format, write)


def _report(context, name, vault, config_file, period, output_format, write) -> None:
    settings = _settings(vault, config_file)
    manager = get_plugin_manager()
    reporter = find_reporter(manager, name)
    today = _today()
    period = period or reporter.default_period(today)
    with ProgressBar("Reading notes") as progress:
        practice = read_practice(vault, manager, settings, today, alerts_since=period.start,
                                 progress=progress, debug=context.obj["debug"])
    output = reporter.formats[output_format](practice, period)
    click.echo(output, nl=not output.endswith("\n"))
    if practice.scan.problems:
        count = len(practice.scan.problems)
        click.echo(
            f"mutuality: {count} note{'s' if count > 1 else ''} could not be read and "
            f"{'were' if count > 1 else 'was'} left out; `mutuality scan {vault}` lists them",
            err=True,
        )
    if write and reporter.note_name is not None:
        note = reporter.formats["markdown"](practice, period)
        try:
            path = write_generated(vault, settings.output_folder, reporter.note_name(period), note)
        except NotWritten as refusal:
            click.echo(f"mutuality: warning: {refusal}", err=True)
        else:
            click.echo(f"mutuality: wrote {path.relative_to(vault)}", err=True)


@cli.command()
@vault_argument
def init(vault: Path) -> None:
    """Write a commented settings file and a session template into VAULT.

    Files that already exist are kept as they are.
    """
    _settings(vault, None)
    for relative, written in set_up_vault(vault, collect_rules(get_plugin_manager())):
        click.echo(f"wrote {relative}" if written else f"kept {relative} (it exists already)")
