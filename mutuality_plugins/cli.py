"""The ``mutuality`` command. Errors become one line here, and only here."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import scan_summary
from .errors import MutualityError
from .plugins import get_plugin_manager
from .progress import ProgressBar
from .vault import scan_vault

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


vault_argument = click.argument(
    "vault", type=click.Path(file_okay=True, dir_okay=True, path_type=Path)
)


@cli.command()
@vault_argument
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text",
    show_default=True, help="text for reading, json for other programs.",
)
@click.pass_context
def scan(context: click.Context, vault: Path, output_format: str) -> None:
    """Read VAULT and report its session notes, clients and problem notes."""
    debug = context.obj["debug"]
    with ProgressBar("Reading notes") as progress:
        result = scan_vault(vault, get_plugin_manager(), progress=progress, debug=debug)
    if output_format == "json":
        click.echo(json.dumps(scan_summary.as_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(scan_summary.as_text(result, str(vault)))
