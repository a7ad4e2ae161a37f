"""`mutuality gaps` against `mutuality alerts` on the same scan, in the same run.

Both read the vault once (the scan is shared, measured apart as the baseline), then
build the practice as each command does: the alerts of the last 28 days (the rules'
holdings asked for from the window on) against every open gap (asked for from the
latest session, further back while a run reaches it), each rendered as its text.
Rounds alternate between the two, medians of several rounds, because this machine
is noisy.

Usage::

    python benchmarks/gaps_speed.py [VAULT] [--rounds 9]

Without VAULT, a 10,000-note vault is generated into a temporary folder first.
Target: gaps within 10% of alerts.
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
from mutuality_plugins.reporters import gaps as gap_reports
from mutuality_plugins.vault import scan_vault

sys.path.insert(0, str(Path(__file__).parent))
import make_vault  # noqa: E402

TODAY = date(2026, 6, 30)  # just after the generated vault's last week


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vault", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    manager = get_plugin_manager()
    settings = Settings()
    plugin, reporter = manager.reporters()["alerts"]
    with make_vault.given_or_generated(args.vault) as root:
        scan_vault(root, manager, settings)  # warm the page cache
        scans, alerts, gaps = [], [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            scan = scan_vault(root, manager, settings)
            scans.append(time.perf_counter() - started)

            started = time.perf_counter()
            period = reporter.default_period(TODAY)
            practice = PracticeBuilder(root, manager, settings).build(scan, TODAY, period.start)
            Report(plugin, reporter, practice, period, manager.guard).text("text")
            alerts.append(time.perf_counter() - started)

            started = time.perf_counter()
            practice = PracticeBuilder(root, manager, settings).build(scan, TODAY, date.max)
            gap_reports.render_text(practice, practice.listed_gaps(), all_clients=False,
                                    include_dismissed=False)
            gaps.append(time.perf_counter() - started)
    scan_s, alerts_s, gaps_s = (statistics.median(times) for times in (scans, alerts, gaps))
    print(f"notes: {scan.notes}, sessions: {len(scan.sessions)}, open gaps: "
          f"{len(practice.gaps)}, rounds: {args.rounds} (medians)")
    print(f"  scan (baseline)             {scan_s:.3f} s")
    print(f"  alerts, after the scan      {alerts_s:.3f} s")
    print(f"  gaps, after the scan        {gaps_s:.3f} s")
    print(f"  gaps / alerts, whole command {((scan_s + gaps_s) / (scan_s + alerts_s)):.3f}"
          "  (target <= 1.10)")


if __name__ == "__main__":
    main()
