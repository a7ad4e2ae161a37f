"""Memory when many notes are near the size cap: the peak memory of a whole `mutuality
scan` and `mutuality alerts --all` of a vault of long notes, next to the same commands
on a vault of as many ordinary notes, measured in the same run.

Usage::

    python benchmarks/big_notes.py [--notes 60] [--megabytes 3.9]

A note near the cap is mostly prose; each also objects to a word that later notes use,
so the word-reuse rule has to read every long note's prose.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

PROSE_LINE = "We talked about the week and how the plan went, slowly and with care.\n"


def write_vault(root: Path, notes: int, size: int) -> None:
    lines = max(1, size // len(PROSE_LINE))
    for number in range(notes):
        day = f"2026-{1 + number // 28:02}-{1 + number % 28:02}"
        head = (f"---\nclient: C{number % 6}\ndate: {day}\n"
                f"feedback: ['words/plan-{number}: not that word']\n---\n")
        body = PROSE_LINE * lines + f"The plan-{max(0, number - 6)} again.\n"
        (root / f"{day} C{number % 6}.md").write_text(head + body)


def peak_of(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(peak resident memory in MiB, seconds) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, env=env, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(done.stderr.decode())
    seconds = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return after.ru_maxrss / 1024, seconds  # ru_maxrss: the largest child so far, in KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=60)
    parser.add_argument("--megabytes", type=float, default=3.9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        small, big = Path(folder) / "small", Path(folder) / "big"
        small.mkdir()
        big.mkdir()
        write_vault(small, args.notes, 2048)
        write_vault(big, args.notes, int(args.megabytes * 1024 * 1024))
        env = {**os.environ, "MUTUALITY_STATE_DIR": str(Path(folder) / "state"),
               "MUTUALITY_PLUGINS": ""}
        mutuality = [sys.executable, "-m", "mutuality_plugins", "--no-cache"]
        print(f"{args.notes} notes of 2 KiB, then of {args.megabytes} MiB "
              "(peak memory is the largest process so far: run the small vault first)")
        for vault in (small, big):
            for command in (["scan", str(vault)], ["alerts", str(vault), "--all"]):
                peak, seconds = peak_of([*mutuality, *command], env)
                print(f"  {command[0]:<7} {vault.name:<6} peak {peak:7.1f} MiB  "
                      f"cpu {seconds:6.2f} s")


if __name__ == "__main__":
    main()
