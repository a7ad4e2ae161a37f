"""The watcher on a large vault: from a saved note to its alert, a re-scan with
nothing changed, and the CPU an idle watcher uses. Baselines measured in the same run.

Usage::

    python benchmarks/watch_speed.py [VAULT] [--saves 15] [--idle 10]

Without VAULT, a 10,000-note vault is generated into a temporary folder first (the
benchmark adds notes to the vault it is given: use a copy). Targets: save
to new alert on stdout <= 1 s median; a save to its client's page in Mutuality/Clients
<= 0.5 s median, no other client's page touched; a save that closes a gap to Alerts.md
without it <= 0.5 s median; a re-scan with nothing changed <= 0.1 x the
cold scan; an idle watcher uses no measurable CPU with inotify.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from mutuality_plugins.config import Settings
from mutuality_plugins.index import NoteIndex, fingerprint
from mutuality_plugins.plugins import get_plugin_manager
from mutuality_plugins.vault import VaultState, scan_vault

sys.path.insert(0, str(Path(__file__).parent))
import make_vault  # noqa: E402


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def rescans(root: Path, rounds: int) -> None:
    manager, settings = get_plugin_manager(), Settings()
    cold = [timed(lambda: scan_vault(root, manager, settings)) for _ in range(rounds)]
    state = VaultState(root, manager, settings)
    state.rescan()
    in_memory = [timed(state.rescan) for _ in range(rounds)]
    index = NoteIndex.open(root, fingerprint(manager, settings), settings)
    scan_vault(root, manager, settings, index=index)
    index.close()

    def from_index():
        opened = NoteIndex.open(root, fingerprint(manager, settings), settings)
        scan_vault(root, manager, settings, index=opened)
        opened.close()

    from_disk = [timed(from_index) for _ in range(rounds)]
    base = statistics.median(cold)
    print(f"re-scan with nothing changed (medians of {rounds}):")
    print(f"  cold scan                         {base:.3f} s")
    for label, times in (("watcher's re-scan (in memory)", in_memory),
                         ("a command's re-scan (index)", from_disk)):
        print(f"  {label:<33} {statistics.median(times):.3f} s  "
              f"{statistics.median(times) / base:.3f} x cold  (target <= 0.1)")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def watching(root: Path, saves: int, idle: float) -> None:
    state = Path(tempfile.mkdtemp())
    process = subprocess.Popen(
        [sys.executable, "-m", "mutuality_plugins", "watch", str(root), "--format", "jsonl"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "MUTUALITY_STATE_DIR": str(state)},
    )
    try:
        # The first scan fills the index, then the alerts from before are handed on:
        # drain them until a marker note's alert arrives.
        first = time.perf_counter()
        latencies = [_save_and_wait(root, process, "warm-up")]
        print(f"watcher started and caught up in {time.perf_counter() - first:.1f} s")
        latencies = [_save_and_wait(root, process, f"save-{n}") for n in range(saves)]
        print(f"save to new alert on stdout ({saves} saves): median "
              f"{statistics.median(latencies):.3f} s, max {max(latencies):.3f} s  (target <= 1 s)")
        pages = root / "Mutuality" / "Clients"
        others = {page: page.stat().st_mtime_ns for page in pages.glob("*.md")}
        paged = [_save_to_page(root, n) for n in range(saves)]
        touched = [page.name for page, stamp in others.items()
                   if page.stat().st_mtime_ns != stamp]
        print(f"save to the client's page brought up to date ({saves} saves): median "
              f"{statistics.median(paged):.3f} s, max {max(paged):.3f} s  (target <= 0.5 s); "
              f"other clients' pages touched: {len(touched)} of {len(others)}")
        closing = [_close_a_gap(root, process, f"gap-{n}") for n in range(saves)]
        print(f"save that closes a gap to Alerts.md without it ({saves} saves): median "
              f"{statistics.median(closing):.3f} s, max {max(closing):.3f} s  (target <= 0.5 s)")
        time.sleep(3)  # let it finish keeping Alerts.md up to date after the last save
        # Baseline: a Python process that only sleeps, measured alongside.
        sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        time.sleep(1)
        before = cpu_seconds(process.pid), cpu_seconds(sleeper.pid)
        time.sleep(idle)
        used = cpu_seconds(process.pid) - before[0]
        baseline = cpu_seconds(sleeper.pid) - before[1]
        sleeper.kill()
        print(f"idle for {idle:g} s: watcher {used:.2f} s of CPU, a sleeping Python "
              f"{baseline:.2f} s (the clock ticks every {1 / os.sysconf('SC_CLK_TCK'):.2f} s)")
    finally:
        process.terminate()
        process.wait(timeout=5)


def _save_and_wait(root: Path, process, name: str) -> float:
    """Save a note with a low rating, then wait for its alert; return the seconds."""
    client = f"BENCH-{name}"
    saved = time.perf_counter()
    # Dated today: on its first start the watcher hands on only recent alerts.
    (root / f"{date.today()} {name}.md").write_text(f"---\nclient: {client}\nsrs_total: 10\n---\n")
    for line in process.stdout:
        if client in line:
            return time.perf_counter() - saved
    raise RuntimeError("the watcher stopped")


def _save_to_page(root: Path, number: int) -> float:
    """Save one more session of one client; return the seconds until its page in
    Mutuality/Clients counts it."""
    client = "BENCH-page"
    page = root / "Mutuality" / "Clients" / f"{client}.md"
    saved = time.perf_counter()
    (root / f"{date.today()} {client} {number}.md").write_text(
        f"---\nclient: {client}\nsrs_total: 30\nors_total: {20 + number % 10}\n---\n")
    _wait_for(lambda: page.exists() and f"\nsessions: {number + 1}\n" in page.read_text())
    return time.perf_counter() - saved


def _close_a_gap(root: Path, process, name: str) -> float:
    """Open a gap (three uninvited sessions), wait until Alerts.md lists it, then save a
    session that invites feedback; return the seconds until Alerts.md no longer does."""
    client = f"BENCH-{name}"
    alerts_md = root / "Mutuality" / "Alerts.md"
    today = date.today()
    notes = [root / f"{today.replace(day=day)} {name}.md" for day in (1, 2, 3)] \
        if today.day > 3 else [root / f"{today} {name} {n}.md" for n in range(3)]
    for note in notes:
        note.write_text(f"---\nclient: {client}\ndate: {today}\n---\n")
    for line in process.stdout:
        if client in line:
            break
    _wait_for(lambda: f"**{client}**" in alerts_md.read_text())
    saved = time.perf_counter()
    notes[-1].write_text(f"---\nclient: {client}\ndate: {today}\nfeedback_invited: yes\n---\n")
    _wait_for(lambda: f"**{client}**" not in alerts_md.read_text())
    return time.perf_counter() - saved


def _wait_for(condition, timeout: float = 30) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise RuntimeError("the watcher did not keep Alerts.md up to date")
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vault", nargs="?", type=Path)
    parser.add_argument("--saves", type=int, default=15)
    parser.add_argument("--idle", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with make_vault.given_or_generated(args.vault) as root:
        os.environ.setdefault("MUTUALITY_STATE_DIR", tempfile.mkdtemp())
        rescans(root, args.rounds)
        watching(root, args.saves, args.idle)


if __name__ == "__main__":
    main()
