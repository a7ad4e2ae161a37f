"""``python -m mutuality_plugins``: the same as the ``mutuality`` command."""

from .cli import cli

cli(prog_name="mutuality")
