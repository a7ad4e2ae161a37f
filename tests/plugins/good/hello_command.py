"""A command added to mutuality by a plugin."""

import click

from mutuality_plugins import hookimpl


@click.command()
@click.argument("name")
def hello(name):
    """Say hello."""
    click.echo(f"hello, {name}")


@hookimpl
def mutuality_commands():
    return [hello]
