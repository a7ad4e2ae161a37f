"""What alerts and the weekly digest add to a scan, measured in the same run.

The scan reads the vault (as ``mutuality scan``); on top of it the alert rules run
over every client, and the alerts (as ``mutuality alerts``) and the weekly digest (as
``mutuality digest``) are rendered in their default formats. Medians of several rounds,
because this machine is noisy.

Usage::

    python benchmarks/report_speed.py [VAULT] [--rounds 7]

Without VAULT, a 10,000-note vault is generated into a temporary folder first.
Target: alerts plus digest add at most 10% to the scan time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from mutuality_plugins.config import Settings
from mutuality_plugins.plugins import get_plugin_manager
from mutuality_plugins.practice import PracticeBuilder
from mutuality_plugins.report import Report
from mutuality_plugins.vault import scan_vault

sys.path.insert(0, str(Path(__file__).parent))
import make_vault  # noqa: E402

TODAY = date(2026, 6, 30)  # just after the generated vault's last week


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vault", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    manager = get_plugin_manager()
    settings = Settings()
    reporters = manager.reporters()
    with make_vault.given_or_generated(args.vault) as root:
        scan_vault(root, manager, settings)  # warm the page cache
        scans, reports = [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            scan = scan_vault(root, manager, settings)
            scanned = time.perf_counter()
            # As `mutuality alerts` and `mutuality digest` would, each for its own period.
            for plugin, reporter in (reporters["alerts"], reporters["digest"]):
                period = reporter.default_period(TODAY)
                builder = PracticeBuilder(root, manager, settings)
                practice = builder.build(scan, TODAY, period.start)
                Report(plugin, reporter, practice, period, manager.guard).text(
                    next(iter(reporter.formats)))
            reports.append(time.perf_counter() - scanned)
            scans.append(scanned - started)
    scan_median, report_median = statistics.median(scans), statistics.median(reports)
    print(f"notes: {scan.notes}, sessions: {len(scan.sessions)}, rounds: {args.rounds} (medians)")
    print(f"  scan                    {scan_median:.3f} s")
    print(f"  alerts + digest         {report_median:.3f} s")
    print(f"  added to the scan       {100 * report_median / scan_median:.1f}%  (target <= 10%)")


if __name__ == "__main__":
    main()
