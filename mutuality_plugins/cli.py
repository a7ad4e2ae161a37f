"""The ``mutuality`` command. Errors become one line here, and only here."""

from __future__ import annotations

import contextlib
import shlex
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from .errors import MutualityError, OutputUnwritten, describe
from .invocation import Invocation
from .reporters.plain import as_json, count, printable

if TYPE_CHECKING:
    from .model import Period
    from .practice import Practice

# What only some commands use is imported by those commands: `mutuality --help`, and a
# command on a small vault, would spend most of their time importing it.

USAGE_ERROR = 2
FAILED = 1  # a plugin failed, or an unexpected error

F = TypeVar("F", bound=Callable[..., Any])


class _OneLineError(click.ClickException):
    """An error shown as ``mutuality: <message>`` on one line, on the real stderr
    (``stream``, once plugins may have replaced ``sys.stderr``)."""

    def __init__(self, message: str, exit_code: int, stream: IO[str] | None = None):
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click's default is per class
        self.stream = stream

    def show(self, file: Any = None) -> None:
        # The message may name a setting of the vault's own file or a note's path:
        # whoever wrote them must not steer the terminal.
        message = printable(self.format_message())
        click.echo(message if message.startswith("mutuality") else f"mutuality: {message}",
                   file=self.stream, err=self.stream is None)


def _invocation(context: click.Context) -> Invocation:
    """The run's :class:`Invocation`, made from the options given before the command
    (click looks up the command, and lists them for --help, before the group's
    callback runs: whichever comes first makes it)."""
    root = context.find_root()
    if not isinstance(root.obj, Invocation):
        params = root.params
        root.obj = Invocation(debug=bool(params.get("debug")),
                              no_cache=bool(params.get("no_cache")),
                              hooks_dirs=params.get("hooks_dirs") or ())
        root.call_on_close(root.obj.close)
    return root.obj


class _Commands(click.Group):
    """The built-in commands and the plugins' ones; errors become one line each,
    unless ``--debug`` lets the traceback through."""

    def list_commands(self, context: click.Context) -> list[str]:
        return sorted({*super().list_commands(context), *_plugin_commands(context)})

    def get_command(self, context: click.Context, name: str) -> click.Command | None:
        plugin_commands = _plugin_commands(context)  # also refuses a clash with a built-in
        found = super().get_command(context, name)
        return found if found is not None else plugin_commands.get(name, (None, None))[1]

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise _usage_error(error) from None

    def invoke(self, context: click.Context) -> Any:
        invocation = _invocation(context)
        messages = invocation.guard.output.messages
        try:
            result = super().invoke(context)
        except click.UsageError as error:
            raise _usage_error(error) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except MutualityError as error:
            if invocation.debug:
                raise
            _quietly(invocation.finish)
            raise _OneLineError(str(error), error.exit_status, messages) from None
        except BrokenPipeError as error:  # whoever read a plugin command's output stopped
            _quietly(invocation.finish)
            raise _OneLineError(str(OutputUnwritten(error)), FAILED, messages) from None
        except Exception as error:
            name = context.invoked_subcommand or ""
            plugin = _plugin_commands(context).get(name, (None, None))[0]
            if plugin is None:
                if invocation.debug:
                    raise
                raise _OneLineError(
                    f"unexpected error: {describe(error)} "
                    "(run `mutuality --debug ...` to see the traceback)",
                    FAILED, messages,
                ) from None
            invocation.guard.record(plugin, f"command {name}", error)  # --debug raises
            result = None
        try:
            invocation.finish()
        except OutputUnwritten as error:
            raise _OneLineError(str(error), error.exit_status, messages) from None
        if invocation.failed_at_the_end:
            for line in invocation.failed_at_the_end:
                invocation.say(line)
            context.exit(FAILED)
        if invocation.guard:
            for line in invocation.guard.summary():
                invocation.say(line)
            invocation.say("run the same command as `mutuality --debug ...` to see the full "
                           "error")
            context.exit(FAILED)
        return result


def _quietly(finish: Callable[[], None]) -> None:
    """Finish the output of a command that failed: its own error is what to tell."""
    with contextlib.suppress(OutputUnwritten):
        finish()


def _usage_error(error: click.UsageError) -> _OneLineError:
    """A mistake on the command line, as one line: the command and what is wrong."""
    command = error.ctx.command_path if error.ctx else "mutuality"
    return _OneLineError(f"{command}: {error.format_message()} (see {command} --help)",
                         USAGE_ERROR)


def _plugin_commands(context: click.Context) -> dict[str, tuple[str, click.Command]]:
    """Command name -> (plugin, command) of the plugins' commands."""
    invocation = _invocation(context)
    if invocation.plugin_commands is None and not invocation.outside_plugins:
        invocation.plugin_commands = {}
    if invocation.plugin_commands is None:
        try:
            found = invocation.plugins.commands(built_in=BUILT_IN_COMMANDS)
        except MutualityError as error:  # a plugin that cannot be loaded
            raise _OneLineError(str(error), USAGE_ERROR) from None
        invocation.plugin_commands = {str(command.name): (plugin, command)
                                      for plugin, command in found}
    return invocation.plugin_commands


@click.group(name="mutuality", cls=_Commands,
             context_settings={"help_option_names": ["-h", "--help"]})
# Eager, like --help, so that `mutuality --hooks-dir X --help` lists X's commands.
@click.option("--debug", is_flag=True, is_eager=True,
              help="Show the full traceback of an error.")
@click.option("--no-cache", is_flag=True,
              help="Read every note again, without the index of notes read before.")
@click.option(
    "--hooks-dir", "hooks_dirs", multiple=True, type=click.Path(path_type=Path),
    is_eager=True,
    help="A folder of drop-in plugins (.py files); may be given more than once.",
)
@click.version_option(package_name="mutuality", message="mutuality %(version)s")
@click.pass_context
def cli(context: click.Context, debug: bool, no_cache: bool, hooks_dirs: tuple[Path, ...]) -> None:
    """mutuality: is the client steering the help they get?

    Reads the session notes in an Obsidian vault and shows where feedback
    was invited, given and answered. It only reads your notes; it never
    changes them and never sends anything anywhere.
    """
    if context.invoked_subcommand in _plugin_commands(context):
        _invocation(context).guard.output.give_to_command()


vault_argument = click.argument("vault", type=click.Path(path_type=Path))
config_option = click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file to use instead of mutuality.toml in the vault.",
)
write_option = click.option(
    "--write", is_flag=True,
    help="Also keep the result as a note in the vault's output folder (Mutuality/).",
)


class _Parsed(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2 on
    """An option value parsed by ``parse``; a ValueError says what it should look like."""

    def __init__(self, name: str, parse: Callable[[str], Any], example: str):
        self.name = name
        self._parse = parse
        self._example = example

    def convert(self, value: Any, param: click.Parameter | None,
                context: click.Context | None) -> Any:
        if not isinstance(value, str):  # a default, already parsed
            return value
        try:
            return self._parse(value)
        except _OutOfRange as error:
            self.fail(f"{value!r} is {error}", param, context)
        except ValueError:
            self.fail(f"{value!r} is not {self._example}", param, context)


class _OutOfRange(ValueError):
    """A value of the right form that mutuality cannot use: says why."""


def _iso_week(text: str) -> Period:
    from .model import Period

    year, week = text.upper().split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)  # a ValueError if no such week
    if not 1900 <= int(year) <= 9998:  # a digest looks back weeks before it
        raise _OutOfRange("a week of a year mutuality does not show: from 1900 to 9998")
    return Period.iso_week(monday)


_WEEK = _Parsed("YYYY-Www", _iso_week, "an ISO week like 2026-W47")
_DAY = _Parsed("YYYY-MM-DD", date.fromisoformat, "a date like 2026-11-20")
week_option = click.option("--week", type=_WEEK, help="The ISO week, like 2026-W47.")
as_of_option = click.option(
    "--as-of", "as_of", type=_DAY,
    help="Act as if today were this day (default: today): sessions after it have not "
         "happened yet.")
client_option = click.option("--client", callback=lambda context, option, value: (
    client_id(value) if value is not None else None),
    help="Only this client (its id, like RM-07).")


def client_id(typed: str) -> str:
    """A client id as typed, as ids are read from notes: trimmed, and NFC (a Mac may
    hand a pasted ``Zoë`` decomposed)."""
    return unicodedata.normalize("NFC", typed.strip())


def _format_option(*formats: str) -> Callable[[F], F]:
    return click.option(
        "--format", "output_format", type=click.Choice(formats), default=formats[0],
        show_default=True, help=f"{formats[0]} for reading, json for other programs.",
    )


def _period_options(command: F) -> F:
    for option in (
        click.option("--all", "every_date", is_flag=True, help="Every session, of any date."),
        click.option("--since", type=_DAY, help="Sessions on or after this day."),
    ):
        command = option(command)
    return command


def _period(every_date: bool, since: date | None, week: Period | None = None) -> Period | None:
    from .model import Period

    if sum(bool(choice) for choice in (every_date, since, week)) > 1:
        raise click.UsageError("choose one of --all, --since and --week")
    if every_date:
        return Period()
    return Period(since, None) if since else week


def _today() -> date:
    return date.today()


def _clock(as_of: date | None) -> Callable[[], date]:
    """Today, for a command that keeps running: from ``as_of`` on, a day a day."""
    if as_of is None:
        return _today
    started = _today()
    return lambda: as_of + (_today() - started)


@cli.command()
@vault_argument
@as_of_option
@_format_option("text", "json")
@config_option
@click.pass_obj
def scan(invocation: Invocation, vault: Path, as_of: date | None, output_format: str,
         config_file: Path | None) -> None:
    """Read VAULT and report its session notes, clients, problem notes and notes that
    look wrong."""
    from . import scan_summary
    result = invocation.scan(vault, invocation.settings(vault, config_file))
    today = as_of or _today()
    if output_format == "json":
        output = as_json(scan_summary.as_json(result, today))
    else:
        output = scan_summary.as_text(result, str(vault), today)
    invocation.echo(output)


@cli.command()
@vault_argument
@_period_options
@as_of_option
@client_option
@_format_option("text", "json")
@write_option
@click.option("--notify", is_flag=True,
              help="Hand the alerts not handed on before to the alert sinks of the plugins.")
@config_option
@click.pass_obj
def alerts(invocation: Invocation, vault: Path, every_date: bool, since: date | None,
           as_of: date | None, client: str | None, output_format: str, write: bool,
           notify: bool, config_file: Path | None) -> None:
    """Show where feedback is missing: alerts for each client of VAULT.

    Alerts raised at sessions in the last 28 days, unless --since or --all say
    otherwise. With --write, Alerts.md in the output folder is kept up to date too.
    """
    made = _report(invocation, "alerts", vault, config_file, _period(every_date, since),
                   output_format, write, as_of, client)
    if notify and made is not None:
        _notify(invocation, vault, *made)


@cli.command()
@vault_argument
@week_option
@as_of_option
@client_option
@_format_option("markdown", "json")
@write_option
@config_option
@click.pass_obj
def digest(invocation: Invocation, vault: Path, week: Period | None, as_of: date | None,
           client: str | None, output_format: str, write: bool,
           config_file: Path | None) -> None:
    """The weekly digest of VAULT: numbers, alerts, each client's feedback, trends.

    Last week's unless --week names another. With --write, it is kept as a note
    named for its week (2026-W47.md) in the output folder.
    """
    _report(invocation, "digest", vault, config_file, _period(False, None, week),
            output_format, write, as_of, client)


@cli.command()
@click.argument("name")
@vault_argument
@_period_options
@week_option
@as_of_option
@click.option("--format", "output_format", help="One of the report's formats (default: its first).")
@write_option
@config_option
@click.pass_obj
def report(invocation: Invocation, name: str, vault: Path, every_date: bool,
           since: date | None, week: Period | None, as_of: date | None,
           output_format: str | None, write: bool, config_file: Path | None) -> None:
    """Make the report NAME of VAULT, built in or from a plugin (`mutuality plugins`)."""
    _report(invocation, name, vault, config_file, _period(every_date, since, week),
            output_format, write, as_of)


def _report(invocation: Invocation, name: str, vault: Path, config_file: Path | None,
            period: Period | None, output_format: str | None, write: bool,
            as_of: date | None = None,
            client: str | None = None) -> tuple[Practice, Period] | None:
    """Print the report (and with ``write`` keep it as its note); return the practice
    and period it covered, or None when its plugin failed before it could be made.

    :param as_of: the day to act on (default: today).
    :param client: only this client's sessions and alerts.
    """
    from .report import ALERTS_REPORT, Report, period_of
    from .writer import NotWritten
    if client is not None and write:
        raise click.UsageError("--write keeps the note of the whole practice: leave out "
                               "--client to write it")
    settings = invocation.settings(vault, config_file)
    plugin, reporter = invocation.plugins.reporter(name)
    output_format = output_format or next(iter(reporter.formats))
    if output_format not in reporter.formats:
        raise click.UsageError(f"the {name} report comes as {', '.join(reporter.formats)}, "
                               f"not {output_format!r}")
    today = as_of or _today()
    period = period or period_of(plugin, reporter, today, invocation.guard)
    if period is None:
        return None
    practice = invocation.practice(vault, settings, today, period.start, client,
                                   keep_alerts=not (write and name == ALERTS_REPORT),
                                   real_today=_today())
    made = Report(plugin, reporter, practice, period, invocation.guard)
    output = made.text(output_format)
    if output is not None:
        _echo_results(invocation, vault, practice, output, output_format, config_file)
    if write and not made.keeps_a_note:
        invocation.say(f"warning: the {name} report is not kept as a note, so --write "
                       "wrote nothing")
    elif write:
        try:
            path = made.keep(invocation.index(vault, settings).leftovers)
        except NotWritten as refusal:  # the rest of the command still runs
            invocation.fail_at_the_end(str(refusal))
        else:
            if path is not None:
                invocation.say(f"wrote {path.relative_to(vault).as_posix()}")
    return practice, period


def _notify(invocation: Invocation, vault: Path, practice: Practice, period: Period) -> None:
    from .sinks import SinkDelivery
    sinks = invocation.plugins.sinks()
    if not sinks:  # nothing would get them: they stay new for a sink added later
        invocation.say("no plugin has an alert sink, so no alert was handed on")
        return
    delivery = SinkDelivery(sinks, invocation.index(vault, practice.settings),
                            invocation.guard, practice.settings)
    shown = [alert for alert in practice.alerts if alert.date in period]
    for sink, handed in delivery.deliver(shown, wait=delivery.seconds):
        invocation.say(f"{count(handed, 'new alert')} handed to {sink.name}")
    delivery.settle(last=True)  # a sink still at work gets these again next time


@cli.command()
@vault_argument
@as_of_option
@client_option
@click.option("--all-clients", is_flag=True,
              help="Also the clients not seen any more (inactive, or closed in their note).")
@click.option("--include-dismissed", is_flag=True, help="Also the gaps you dismissed.")
@_format_option("text", "json")
@config_option
@click.pass_obj
def gaps(invocation: Invocation, vault: Path, as_of: date | None, client: str | None,
         all_clients: bool, include_dismissed: bool, output_format: str,
         config_file: Path | None) -> None:
    """What is wrong for each client of VAULT now: the open gaps, most serious first.

    A gap stays open until it is put right (a session that invites feedback ends
    "not invited for 4 sessions"), or until you dismiss it (`mutuality dismiss`,
    or tick it in Alerts.md). Only active clients, unless --all-clients.
    """
    from .practice import NO_ALERTS
    from .reporters import gaps as gap_reports
    settings = invocation.settings(vault, config_file)
    practice = invocation.practice(vault, settings, as_of or _today(), NO_ALERTS, client,
                                   real_today=_today())
    shown = practice.listed_gaps(all_clients=all_clients, include_dismissed=include_dismissed)
    if output_format == "json":
        output = gap_reports.render_json(practice, shown)
    else:
        output = gap_reports.render_text(practice, shown, all_clients=all_clients,
                                         include_dismissed=include_dismissed)
    _echo_results(invocation, vault, practice, output, output_format, config_file)


@cli.command()
@vault_argument
@click.argument("client", callback=lambda context, argument, value: client_id(value))
@as_of_option
@_format_option("markdown", "json")
@click.option("--write", is_flag=True,
              help="Also keep the client's page (Mutuality/Clients/CLIENT.md) and the "
                   "caseload table (Mutuality/Caseload.base) in the vault.")
@config_option
@click.pass_obj
def prepare(invocation: Invocation, vault: Path, client: str, as_of: date | None,
            output_format: str, write: bool, config_file: Path | None) -> None:
    """Before the next session with CLIENT: what they asked of you, in a minute.

    The open gaps as things to do today, the words they objected to, the requests
    they asked you to hold, the pace they asked for, their measures, and their
    feedback in the last three sessions, in their own words.
    """
    from .brief import brief_data, brief_markdown
    from .client_pages import ClientPages
    from .writer import NotWritten
    settings = invocation.settings(vault, config_file)
    today = as_of or _today()
    practice = invocation.practice(vault, settings, today, None, client, real_today=_today())
    data = brief_data(practice, client)
    if not data["sessions"]:
        first = practice.vault_as_read.sessions_by_client()[client][0].date
        raise MutualityError(f"no session with {client} on or before {today}: the first is "
                             f"on {first}")
    output = as_json(data) if output_format == "json" else brief_markdown(data, practice)
    _echo_results(invocation, vault, practice, output, output_format, config_file)
    if write:
        try:
            written = ClientPages(invocation.say).write(
                practice, [client], invocation.index(vault, settings).leftovers)
        except NotWritten as refusal:
            raise MutualityError(str(refusal)) from None
        for path in written:
            invocation.say(f"kept {path.relative_to(vault).as_posix()}")


@cli.command()
@vault_argument
@click.option("--since", type=_DAY, help="Only the sessions on or after this day (numbered "
              "and weeks counted from each client's first session all the same).")
@as_of_option
@click.option("--format", "output_format", type=click.Choice(["csv", "json", "markdown"]),
              default="csv", show_default=True,
              help="csv or json: a row per session and client; markdown: a summary of the "
                   "practice with no row per client.")
@click.option("--key-file", type=click.Path(path_type=Path, dir_okay=False),
              help="The key of the pseudonyms, a file of your own (its bytes as they are): "
                   "the same file gives the same pseudonyms every time. Default: a key "
                   "made at this vault's first export, kept in the state folder.")
@config_option
@click.pass_obj
def export(invocation: Invocation, vault: Path, since: date | None, as_of: date | None,
           output_format: str, key_file: Path | None, config_file: Path | None) -> None:
    """De-identified feedback patterns of VAULT, for a supervisor or a peer group.

    A row per session and client: a pseudonym, the session's number, the week of
    treatment, whether it was invited, its feedback as themes and signals of a fixed
    list, the responses, the measures' totals and the rules raised; never a name, a
    date, a quote, a phrase or a file name. Pseudonymous is still confidential: share
    it as carefully as the notes.
    """
    from . import supervision
    from .index import state_folder, vault_id
    settings = invocation.settings(vault, config_file)
    if key_file is not None:
        key = supervision.key_from_file(key_file, invocation.say)
    else:
        key = supervision.vault_key(state_folder(settings) / f"export-key-{vault_id(vault)}",
                                    invocation.say)
    practice = invocation.practice(vault, settings, as_of or _today(), real_today=_today())
    vocabulary = invocation.plugins.shareable_feedback()
    rows = supervision.export_rows(practice, key, since, vocabulary)
    if output_format == "csv":
        output = supervision.render_csv(rows, settings.measures)
    elif output_format == "json":
        output = supervision.render_json(rows)
    else:
        output = supervision.render_summary(practice, rows, since, vocabulary)
    # Never the line that names the vault's folder for an empty one: it would be shared.
    _echo_results(invocation, vault, practice, output, "to share", config_file)


@cli.command()
@vault_argument
@click.argument("ids", nargs=-1, required=True)
@as_of_option
@config_option
@click.pass_obj
def dismiss(invocation: Invocation, vault: Path, ids: tuple[str, ...], as_of: date | None,
            config_file: Path | None) -> None:
    """Dismiss open gaps of VAULT by their ids (as `mutuality gaps` shows them).

    A dismissed gap is not shown again; if it closes and opens again later, it is
    a new gap and is shown. The dismissals are kept in the output folder
    (Mutuality/Dismissed gaps.md), where deleting its row undoes it.
    """
    from .dismissals import gap_summary, read_dismissals, write_dismissals
    from .model import RISK_ITEM
    from .practice import NO_ALERTS
    settings = invocation.settings(vault, config_file)
    read_dismissals(vault, settings.output_folder)  # a broken note stops it first
    today = as_of or _today()
    practice = invocation.practice(vault, settings, today, NO_ALERTS, unlimited=True,
                                   real_today=_today())
    open_gaps = {gap.id: gap for gap in practice.gaps}
    wanted = list(dict.fromkeys(typed.strip().lower() for typed in ids))
    unknown = [gap_id for gap_id in wanted if gap_id not in open_gaps]
    risks = [gap_id for gap_id in wanted if gap_id in open_gaps
             and open_gaps[gap_id].rule == RISK_ITEM]
    if risks:
        raise click.UsageError(f"{risks[0]!r} is a risk item, which is never dismissed: it "
                               "closes when a later session records that item at 0")
    if unknown:
        raise click.UsageError(f"{unknown[0]!r} is not the id of a gap open as of {today}; "
                               f"`mutuality gaps {_quoted(vault)}"
                               f"{f' --as-of {as_of}' if as_of else ''} --all-clients "
                               "--include-dismissed` lists them")
    dismissals = read_dismissals(vault, settings.output_folder)  # with the ticks recorded
    added = [gap_id for gap_id in wanted if dismissals.add(
        gap_id, _today(), open_gaps[gap_id].client, gap_summary(open_gaps[gap_id]))]
    if added:
        write_dismissals(vault, settings.output_folder, dismissals,
                         invocation.index(vault, settings).leftovers)
    for gap_id in wanted:
        gap = open_gaps[gap_id]
        done = "dismissed" if gap_id in added else "was dismissed already"
        invocation.echo(printable(f"{gap_id} {done}: {gap.client}, {gap.message}"))
    if added:
        invocation.keep_alerts_note(vault, settings, _today())  # it shows them no more


def _quoted(path: Path) -> str:
    """A path as a shell takes it, for a command to copy."""
    return shlex.quote(str(path))


# The formats a person reads (a program reads the others).
_FOR_A_PERSON = ("text", "markdown")


def _echo_results(invocation: Invocation, vault: Path, practice: Practice, output: str,
                  output_format: str, config_file: Path | None) -> None:
    """Print a command's results, then what they do not show (:func:`_say_left_out`).

    Results of a vault without session notes would read as all clear ("No alerts"): a
    person is told that instead, a program (any other format) gets the results (empty)
    as usual."""
    from . import scan_summary
    read = practice.vault_as_read
    if not read.sessions:
        told = scan_summary.no_sessions(str(vault), len(read.problems))
        if output_format in _FOR_A_PERSON:
            output = told
        else:
            invocation.say(told)
    invocation.echo(output, nl=not output.endswith("\n"))
    _say_left_out(invocation, vault, practice, config_file)


def _say_left_out(invocation: Invocation, vault: Path, practice: Practice,
                  config_file: Path | None) -> None:
    """Say what a command's results do not show: how many problem notes were left out,
    how many notes look wrong, and the command that lists them."""
    from .reading.warnings import vault_warnings
    read = practice.vault_as_read
    # The same plugins and settings read the same notes the same way.
    before = "".join(f" --hooks-dir {_quoted(folder)}" for folder in invocation.hooks_dirs)
    options = "" if config_file is None else f" --config {_quoted(config_file)}"
    if practice.today != _today():
        options += f" --as-of {practice.today}"
    listing = f"`mutuality{before} scan {_quoted(vault)}{options}`"
    if read.problems:
        problems = len(read.problems)
        invocation.say(f"{count(problems, 'note')} could not be read and "
                       f"{'were' if problems > 1 else 'was'} left out; {listing} lists them")
    warnings = vault_warnings(read, practice.today)
    warned = len({warning.path for warning in warnings})
    if warned:
        invocation.say(f"{count(warned, 'note')} {'look' if warned > 1 else 'looks'} wrong; "
                       f"{listing} lists why")


@cli.command()
@vault_argument
@_format_option("text", "jsonl")
@click.option("--poll", is_flag=True,
              help="Check the vault every few seconds instead of being told of changes: for "
                   "network and sync folders (SMB, NFS, WSL /mnt/c, some Dropbox or iCloud).")
@as_of_option
@config_option
@click.pass_obj
def watch(invocation: Invocation, vault: Path, output_format: str, poll: bool,
          as_of: date | None, config_file: Path | None) -> None:
    """Keep watching VAULT: print each new alert a moment after a note is saved.

    Alerts.md in the output folder is kept up to date, plugin alert sinks get
    the new alerts too, and when a week ends its digest is written. Each alert
    reaches each sink, across restarts. One watcher a vault. Stop with Ctrl-C.
    """
    from .sinks import stdout_sink
    from .watch import Watcher, watch_until_stopped
    from .watch_lock import only_watcher
    settings = invocation.settings(vault, config_file)
    stopped_reading: list[bool] = []

    def output_closed() -> None:  # `watch ... | head`: nobody reads any more
        stopped_reading.append(True)
        watcher.stop()

    stdout = stdout_sink(output_format, invocation.stdout, output_closed)
    index = invocation.index(vault, settings)
    with only_watcher(vault, index.watch_lock, invocation.say):
        watcher = Watcher(vault, invocation.plugins, settings, index, say=invocation.say,
                          sinks=[("mutuality", stdout)], poll=poll,
                          cache=not invocation.no_cache, today=_clock(as_of))
        watch_until_stopped(
            watcher, on_start=lambda: invocation.say(f"watching {vault} (stop with Ctrl-C)"))
    if stopped_reading:
        invocation.say("stopped watching: nothing reads its output any more")
    invocation.guard.failures.clear()  # told as they happened; stopping is a clean exit


@cli.command()
@vault_argument
@click.option("--install", is_flag=True, help="Install and start the service, not only print it.")
@click.option("--platform", "system", type=click.Choice(["linux", "macos", "windows"]),
              default=None,
              help="The kind of service (default: this machine's).")
@click.option("--poll", is_flag=True,
              help="The service checks the vault every few seconds (`watch --poll`): for "
                   "network and sync folders.")
@config_option
@click.pass_obj
def service(invocation: Invocation, vault: Path, install: bool, system: str | None,
            poll: bool, config_file: Path | None) -> None:
    """Print (or with --install, install) a user service that runs `mutuality watch
    VAULT` in the background: a systemd user unit on Linux, a launchd agent on macOS,
    a Task Scheduler task started at log-on on Windows."""
    from .platforms import this_system
    from .service import install_command, install_service, user_service
    from .vault import require_vault
    require_vault(vault)
    made = user_service(vault.resolve(), system or this_system(), invocation.hooks_dirs,
                        config=config_file, poll=poll)
    if not install:
        invocation.echo(f"# {made.path}\n{made.text}", nl=False)
        hint = install_command(vault, system, invocation.hooks_dirs, config_file, poll)
        invocation.echo(f"# to install it: {hint}")
        return
    for line in install_service(made):
        invocation.echo(line)


@cli.command()
@click.argument("vault", type=click.Path(path_type=Path), required=False)
@_format_option("text", "json")
@config_option
@click.pass_obj
def plugins(invocation: Invocation, vault: Path | None, output_format: str,
            config_file: Path | None) -> None:
    """List every plugin, where it comes from and the hooks it implements.

    With VAULT, also the plugins its settings name in `hooks_dirs`.
    """
    if vault is not None:
        invocation.settings(vault, config_file)
    manager = invocation.plugins
    listed = [
        {
            "name": name,
            "source": manager.origins.get(name, "registered"),
            "hooks": sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()),
        }
        for name, plugin in sorted(manager.list_name_plugin())
    ]
    if output_format == "json":
        invocation.echo(as_json(listed))
        return
    for entry in listed:
        invocation.echo(f"{entry['name']}  ({entry['source']})\n    {', '.join(entry['hooks'])}")


@cli.command()
@vault_argument
@click.pass_obj
def init(invocation: Invocation, vault: Path) -> None:
    """Write a commented settings file and a session template into VAULT.

    Files that already exist are kept as they are.
    """
    from .vault import require_vault
    from .vault_setup import set_up_vault
    require_vault(vault)
    rules = [rule for _, rule in invocation.plugins.rules()]
    for relative, written in set_up_vault(vault, rules, invocation.plugins.measures()):
        invocation.echo(f"wrote {relative}" if written else f"kept {relative} (it exists already)")


BUILT_IN_COMMANDS = frozenset(cli.commands)
