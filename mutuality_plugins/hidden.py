"""``pythonw -m mutuality_plugins.hidden LOG ARGS...``: ``mutuality ARGS`` with no console
window, its output and messages appended to the file LOG. What a Windows task started at
log-on runs (pythonw gives a program no console, and so nowhere to write to).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .platforms import BINARY


def run(log: Path, args: list[str]) -> None:
    """Send descriptors 1 and 2 (and Python's stdout and stderr) to the end of ``log``,
    made (and its folder) if need be, then run the command."""
    log.parent.mkdir(parents=True, exist_ok=True)
    # Binary: Python's own line ends are kept (Windows would add a second CR).
    descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT | BINARY, 0o600)
    for standard in (1, 2):
        os.dup2(descriptor, standard)
    os.close(descriptor)
    sys.stdout = open(1, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
    from .cli import cli

    cli(args=args, prog_name="mutuality")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit("usage: python -m mutuality_plugins.hidden LOG ARGS...")
    run(Path(sys.argv[1]), sys.argv[2:])
