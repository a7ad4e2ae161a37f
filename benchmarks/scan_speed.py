"""Cold scan time per note, next to a floor measured in the same run.

The floor is the least any reader must do: walk the vault, read every Markdown file,
and load its front-matter with PyYAML's C loader; nothing else. The scan is
``mutuality scan`` without its printing: reading, checking and extracting feedback
with every built-in plugin. Both run in alternation, several rounds, and the medians
are compared, because this machine is noisy.

Usage::

    python benchmarks/scan_speed.py [VAULT] [--rounds 7]

Without VAULT, a 10,000-note vault is generated into a temporary folder first.
Target: cold scan <= 1.3 x the floor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import yaml

from mutuality_plugins.plugins import get_plugin_manager
from mutuality_plugins.vault import scan_vault

sys.path.insert(0, str(Path(__file__).parent))
import make_vault  # noqa: E402


def floor(root: Path) -> int:
    """Walk, read, load front-matter with the C loader. Returns the notes read."""
    count = 0
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in files:
            if not name.lower().endswith(".md"):
                continue
            count += 1
            text = (Path(folder) / name).read_bytes().decode("utf-8", "replace")
            if text.startswith("---"):
                end = text.find("\n---", 3)
                if end > 0:
                    try:  # noqa: SIM105 (the floor: no context manager per note)
                        yaml.load(text[3:end], Loader=yaml.CSafeLoader)
                    except (yaml.YAMLError, ValueError):
                        pass
    return count


def scan(root: Path) -> int:
    return scan_vault(root, get_plugin_manager()).notes


def timed(work, root: Path) -> tuple[float, int]:
    started = time.perf_counter()
    notes = work(root)
    return time.perf_counter() - started, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vault", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with make_vault.given_or_generated(args.vault) as root:
        floor(root)  # one untimed pass each, so both start with the files in the page cache
        scan(root)
        floor_times, scan_times = [], []
        for _ in range(args.rounds):
            seconds, notes = timed(floor, root)
            floor_times.append(seconds)
            seconds, scanned = timed(scan, root)
            scan_times.append(seconds)
        assert notes == scanned, (notes, scanned)
    floor_median = statistics.median(floor_times)
    scan_median = statistics.median(scan_times)
    print(f"notes: {notes}, rounds: {args.rounds} (medians; min and max in brackets)")
    measured = (("floor (read + C YAML)", floor_times), ("mutuality cold scan", scan_times))
    for label, times in measured:
        per_note = [seconds / notes * 1e6 for seconds in times]
        print(f"  {label:<22} {statistics.median(per_note):7.1f} us/note "
              f"[{min(per_note):.1f} .. {max(per_note):.1f}]  "
              f"total {statistics.median(times):.3f} s")
    print(f"  ratio scan / floor      {scan_median / floor_median:.2f}  (target <= 1.30)")


if __name__ == "__main__":
    main()
