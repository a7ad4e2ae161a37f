"""Linear growth: every command's time and peak memory at 1,000, 10,000 and 100,000
notes, each next to a floor measured at the same size in the same run.

The floor is the least any reader must do, as a process of its own: start Python, walk
the vault, read every Markdown file (dot-folders skipped) and load its front-matter with
PyYAML's C loader, nothing else (``floor()`` of scan_speed.py). Against it, each a whole
process, timed from launch to exit, its peak RSS taken from the kernel when it ends:

* ``mutuality scan VAULT --as-of DATE`` cold: a fresh, empty state folder each run
  (``MUTUALITY_STATE_DIR``, mode 0700), so the index is built;
* ``scan`` warm, ``alerts``, ``gaps`` and ``digest``: the state folder already built
  (by one untimed scan);
* ``mutuality watch VAULT --as-of DATE`` start, cold (fresh state folder) and warm (a
  copy of the built one): from launch until it has caught up, that is until the alert of
  a note saved just before the launch is on its stdout (as watch_speed.py tells it), with
  its RSS once it has gone idle (VmRSS) and its peak (VmHWM) from /proc/PID/status;
* at the largest size only, save to new alert under the watcher: a note with a low
  rating saved, the seconds until its alert is on stdout (median of --saves).

The floor and the command alternate run by run (this machine is noisy) and each row
shows medians: its time and peak RSS, the floor's measured alongside it and the ratio
(the warm ones as a ratio of the cold scan too), so that growth can be read across the
sizes. Once: ``mutuality --help`` and ``mutuality scan EMPTY_VAULT`` against
``python -c "import yaml"``. The watcher adds notes to the vault: they are removed
afterwards, and so is the output folder (Mutuality/), so the vault stays as generated.

Usage::

    python benchmarks/scale.py [--sizes 1000,10000,100000] [--runs 5] [--large-runs 3]
        [--note-kb 2] [--clients C] [--vaults DIR] [--mutuality PATH] [--saves 15]
        [--as-of 2026-06-30] [--timeout 900]

Vaults are generated with make_vault.py into DIR/notes-N-kb-K when missing (with
max(50, N / 100) clients; given --clients C, into DIR/notes-N-kb-K-clients-C) and kept
for the next run (DIR defaults to mutuality-scale-vaults in the temporary folder); an
existing one is never generated again. Sizes of 100,000 notes and more get --large-runs
runs instead of --runs; the saves are timed in the last warm start. --mutuality names
the command timed (default: the ``mutuality`` beside this Python). Every process runs
with its compiled modules cached (PYTHONPYCACHEPREFIX in a scratch folder), as an
installed package has them. Linux only (/proc, os.wait4). Targets: cold scan <= 1.0 x the floor;
warm scan, alerts and gaps <= 0.1 x the cold scan; peak RSS <= 150 MB for every command
at 100,000 notes; the watcher <= 250 MB once caught up; save to alert <= 0.3 s median
at 100,000 notes; ``mutuality --help`` and a scan of an empty vault <= 2 x
``python -c "import yaml"``.
"""

from __future__ import annotations

import argparse
import ast
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent

LARGE = 100_000  # the size the memory targets and the save-to-alert target are for
TARGET_COLD = 1.0  # x the floor
TARGET_WARM = 0.1  # x the cold scan
TARGET_RSS_MB = 150
TARGET_WATCH_MB = 250
TARGET_SAVE_S = 0.3
TARGET_START = 2.0  # x `python -c "import yaml"`




def _floor_source() -> str:
    """scan_speed.py's floor(), read rather than imported: importing it imports
    mutuality, and every process started from this one would begin that big (a
    child's peak RSS counts what it was before it became the command)."""
    source = (HERE / "scan_speed.py").read_text(encoding="utf-8")
    [found] = [node for node in ast.parse(source).body
               if isinstance(node, ast.FunctionDef) and node.name == "floor"]
    return str(ast.get_source_segment(source, found))


# The floor's whole process: that function alone (this file's imports would cost it
# ~12 ms of start-up).
FLOOR = ("import os, sys\nfrom pathlib import Path\nimport yaml\n\n"
         + _floor_source() + "\nprint(floor(Path(sys.argv[1])))\n")


class Failed(Exception):
    """A measured process failed, timed out, or the watcher never caught up."""


@dataclass
class Row:
    """One line of a size's table: a command's runs and the floor's beside them."""

    label: str
    times: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)  # MB
    floor_times: list[float] = field(default_factory=list)
    floor_peaks: list[float] = field(default_factory=list)
    extra: str = ""  # what else is worth a word (the watcher's peak, say)
    failed: str = ""


@dataclass
class Bench:
    """What every measurement needs: the command, the day, where to keep scratch files."""

    mutuality: str
    as_of: str
    scratch: Path
    timeout: float
    base_env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        # Compiled modules kept, as an installed package has them, though not beside the
        # sources (the environment here may say PYTHONDONTWRITEBYTECODE).
        self.base_env = {key: value for key, value in os.environ.items()
                         if key != "PYTHONDONTWRITEBYTECODE"}
        self.base_env["PYTHONPYCACHEPREFIX"] = str(self.scratch / "pycache")

    def errors(self) -> Path:
        return self.scratch / "stderr.txt"

    def env(self, state: Path) -> dict[str, str]:
        return {**self.base_env, "MUTUALITY_STATE_DIR": str(state)}

    def fresh_state(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="state-", dir=self.scratch))  # mode 0700

    def run(self, argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
        """Run one whole process: (seconds from launch to exit, peak RSS in MB)."""
        with open(self.errors(), "wb") as errors:
            started = time.perf_counter()
            process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errors,
                                       env=env or self.base_env)
            status, peak, timed_out = reap(process, self.timeout)
            seconds = time.perf_counter() - started
        if timed_out:
            raise Failed(f"killed after {self.timeout:g} s")
        if status != 0:
            raise Failed(f"exit {status}: {last_line(self.errors())}")
        return seconds, peak


def reap(process: subprocess.Popen, timeout: float) -> tuple[int, float, bool]:
    """Wait for `process` (killed after `timeout` s): (exit status, peak RSS in MB,
    whether it was killed for time)."""
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        process.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return process.returncode, usage.ru_maxrss / 1024, killed.is_set()  # KiB on Linux


def last_line(path: Path) -> str:
    lines = path.read_text(errors="replace").strip().splitlines()
    return lines[-1][:200] if lines else "(nothing on stderr)"


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# The watcher.
# --------------------------------------------------------------------------------------

class Watch:
    """A running ``mutuality watch --format jsonl``, its stdout read by a thread."""

    def __init__(self, bench: Bench, vault: Path, state: Path):
        self.bench = bench
        self.vault = vault
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._errors = open(bench.errors(), "wb")  # noqa: SIM115 (closed in stop)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [bench.mutuality, "watch", str(vault), "--format", "jsonl",
             "--as-of", bench.as_of],
            stdout=subprocess.PIPE, stderr=self._errors, text=True, env=bench.env(state))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def save(self, name: str) -> str:
        """Save a note that raises a new alert (a low rating, dated the day the watcher
        takes as today); returns its client, which the alert names."""
        client = f"BENCH-scale-{name}"
        (self.vault / f"{self.bench.as_of} scale-{name}.md").write_text(
            f"---\nclient: {client}\nsrs_total: 10\n---\n")
        return client

    def wait_for(self, text: str) -> float:
        """The perf_counter when a line of stdout holding `text` arrived."""
        deadline = time.perf_counter() + self.bench.timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                raise Failed(f"no alert for {text} within {self.bench.timeout:g} s") from None
            if line is None:
                self.process.wait(timeout=5)
                raise Failed(f"the watcher stopped: {last_line(self.bench.errors())}")
            if text in line:
                return time.perf_counter()

    def memory(self) -> tuple[float, float]:
        """(VmRSS, VmHWM) in MB."""
        fields = dict(line.split(":", 1) for line in
                      Path(f"/proc/{self.process.pid}/status").read_text().splitlines())
        return tuple(int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))

    def settle(self, quiet: float = 0.5) -> float:
        """Wait until it has used no CPU for `quiet` s (the client pages and the week's
        digest are written after the alerts); the perf_counter it was last busy."""
        tick = 0.05
        busy_at, used = time.perf_counter(), self._cpu()
        deadline = busy_at + self.bench.timeout
        while time.perf_counter() - busy_at < quiet:
            if time.perf_counter() > deadline:
                raise Failed(f"the watcher was still busy after {self.bench.timeout:g} s")
            time.sleep(tick)
            now = self._cpu()
            if now != used:
                busy_at, used = time.perf_counter(), now
        return busy_at

    def _cpu(self) -> int:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # clock ticks

    def stop(self) -> float:
        """Stop it (SIGTERM, as a service manager would); its peak RSS in MB."""
        try:
            if self.process.returncode is None:
                self.process.send_signal(signal.SIGTERM)
                return reap(self.process, 15)[1]
            return 0.0
        finally:
            self._errors.close()


def clean_vault(vault: Path, as_of: str) -> None:
    """Remove what the watcher's measurement added: its notes at the vault's top (the
    generated vault has none there) and the output folder the commands write."""
    for note in vault.glob(f"{as_of} scale-*.md"):
        note.unlink()
    shutil.rmtree(vault / "Mutuality", ignore_errors=True)


def watch_once(bench: Bench, vault: Path, state: Path,
               saves: int = 0) -> tuple[float, float, str, list[float]]:
    """One start of the watcher: (seconds to catch up, VmRSS in MB once idle, a note,
    the seconds from each of `saves` saves to its alert)."""
    watch = None
    try:
        # Saved before the launch: the first scan finds it, and its alert comes once
        # the alerts from before have been handed on.
        (vault / f"{bench.as_of} scale-start.md").write_text(
            "---\nclient: BENCH-scale-start\nsrs_total: 10\n---\n")
        watch = Watch(bench, vault, state)
        seconds = watch.wait_for("BENCH-scale-start") - watch.started
        idle = watch.settle() - watch.started
        rss, hwm = watch.memory()
        note = f"idle at {idle:.2f} s, VmHWM {hwm:.0f} MB"
        latencies = []
        for number in range(saves):
            saved = time.perf_counter()
            latencies.append(watch.wait_for(watch.save(f"save-{number}")) - saved)
        if saves:
            after, hwm_after = watch.memory()
            note += f"; after {saves} saves VmRSS {after:.0f} MB, VmHWM {hwm_after:.0f} MB"
        return seconds, rss, note, latencies
    finally:
        if watch is not None:
            watch.stop()
        clean_vault(vault, bench.as_of)


# --------------------------------------------------------------------------------------
# One size.
# --------------------------------------------------------------------------------------

def alternate(bench: Bench, row: Row, floor_argv: list[str], measure, runs: int) -> Row:
    """`runs` rounds of the floor, then `measure()` -> (seconds, MB), into `row`."""
    for number in range(runs):
        try:
            seconds, peak = bench.run(floor_argv)
        except Failed as failure:
            row.failed = f"the floor: {failure}"
            break
        row.floor_times.append(seconds)
        row.floor_peaks.append(peak)
        try:
            seconds, peak = measure()
        except Failed as failure:
            row.failed = str(failure)
            progress(f"    {row.label}: run {number + 1} of {runs} failed: {failure}")
            break
        row.times.append(seconds)
        row.peaks.append(peak)
        progress(f"    {row.label}: run {number + 1} of {runs}: {seconds:.3f} s, {peak:.0f} MB "
                 f"(floor {row.floor_times[-1]:.3f} s)")
    return row


def measure_size(bench: Bench, vault: Path, notes: int, runs: int,
                 saves: int) -> tuple[list[Row], list[float]]:
    """The rows of one size, and the save-to-alert latencies (when `saves`)."""
    floor_argv = [sys.executable, "-c", FLOOR, str(vault)]
    clean_vault(vault, bench.as_of)  # what an interrupted run may have left
    # One untimed pass: every run then finds the files in the page cache.
    read = subprocess.run(floor_argv, capture_output=True, text=True, check=True,
                          env=bench.base_env).stdout
    if int(read) != notes:
        progress(f"  warning: the floor read {read.strip()} notes, not {notes}")

    def command(name: str) -> list[str]:
        return [bench.mutuality, name, str(vault), "--as-of", bench.as_of]

    def cold_scan() -> tuple[float, float]:
        state = bench.fresh_state()
        try:
            return bench.run(command("scan"), bench.env(state))
        finally:
            shutil.rmtree(state)

    rows = [alternate(bench, Row("scan, cold"), floor_argv, cold_scan, runs)]
    built = bench.fresh_state()
    try:
        progress("    building the state folder (one untimed scan)")
        bench.run(command("scan"), bench.env(built))
        broken = ""
    except Failed as failure:
        broken = f"the untimed scan that builds the state folder: {failure}"
    for name in ("scan", "alerts", "gaps", "digest"):
        row = Row("scan, warm" if name == "scan" else name, failed=broken)
        if not broken:
            alternate(bench, row, floor_argv,
                      lambda name=name: bench.run(command(name), bench.env(built)), runs)
        rows.append(row)

    latencies: list[float] = []

    def watcher(row: Row, warm: bool):
        def start() -> tuple[float, float]:
            state = bench.fresh_state()
            if warm:
                shutil.rmtree(state)
                shutil.copytree(built, state)  # keeps its mode, 0700
            last = len(row.times) == runs - 1
            try:
                seconds, rss, row.extra, saved = watch_once(
                    bench, vault, state, saves if warm and last else 0)
            finally:
                shutil.rmtree(state)
            latencies.extend(saved)
            return seconds, rss
        return start

    for warm in (False, True):
        row = Row(f"watch start, {'warm' if warm else 'cold'}", failed=broken if warm else "")
        if not row.failed:
            alternate(bench, row, floor_argv, watcher(row, warm), runs)
        rows.append(row)
    shutil.rmtree(built)
    clean_vault(vault, bench.as_of)
    return rows, latencies


# --------------------------------------------------------------------------------------
# Printing.
# --------------------------------------------------------------------------------------

def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def ratio(top: float | None, bottom: float | None) -> float | None:
    return top / bottom if top is not None and bottom else None


def cell(value: float | None, spec: str, width: int) -> str:
    return f"{value:{width}{spec}}" if value is not None else f"{'-':>{width}}"


def target(text: str, value: float | None, limit: float, judged: bool = True) -> str:
    """`text`, then "ok" or "MISS" when `value` is judged against `limit`."""
    if value is None or not judged:
        return text
    return f"{text} {'ok' if value <= limit else 'MISS'}"


HEADER = (f"  {'':<22} {'time s':>7} {'floor s':>7} {'x floor':>7} {'x cold':>7}  "
          f"{'target':<21} {'RSS MB':>6} {'floor':>6} {'x floor':>7}  target")


def print_size(notes: int, rows: list[Row], latencies: list[float], saves: int) -> None:
    large = notes >= LARGE
    pooled = Row("floor (read + C YAML)")
    for row in rows:
        pooled.times += row.floor_times
        pooled.peaks += row.floor_peaks
    cold = median(rows[0].times)
    print(HEADER)
    print(f"  {pooled.label:<22} {cell(median(pooled.times), '.3f', 7)} {'':>7} "
          f"{'':>7} {'':>7}  {'':<21} {cell(median(pooled.peaks), '.0f', 6)}")
    for row in rows:
        seconds, floor_s = median(row.times), median(row.floor_times)
        peak, floor_mb = median(row.peaks), median(row.floor_peaks)
        by_floor, by_cold = ratio(seconds, floor_s), ratio(seconds, cold)
        if row.label in ("scan, cold", "watch start, cold"):
            by_cold = None
        if row.label == "scan, cold":
            speed = target(f"<= {TARGET_COLD} x floor", by_floor, TARGET_COLD)
        elif row.label in ("scan, warm", "alerts", "gaps"):
            speed = target(f"<= {TARGET_WARM} x cold", by_cold, TARGET_WARM)
        else:
            speed = ""
        limit = TARGET_WATCH_MB if row.label.startswith("watch") else TARGET_RSS_MB
        memory = target(f"<= {limit} at 100k", peak, limit, large)
        print(f"  {row.label:<22} {cell(seconds, '.3f', 7)} {cell(floor_s, '.3f', 7)} "
              f"{cell(by_floor, '.2f', 7)} {cell(by_cold, '.2f', 7)}  {speed:<21} "
              f"{cell(peak, '.0f', 6)} {cell(floor_mb, '.0f', 6)} "
              f"{cell(ratio(peak, floor_mb), '.1f', 7)}  {memory}".rstrip())
        if row.label.startswith("watch") and row.times:
            print(f"  {'':<22} (RSS: VmRSS once idle; last run: {row.extra})")
        if row.failed:
            print(f"  {'':<22} FAILED after {len(row.times)} run(s): {row.failed}")
    if saves:
        middle = median(latencies)
        if latencies:
            goal = target(f"<= {TARGET_SAVE_S} s at 100k", middle, TARGET_SAVE_S, large)
            print(f"  save to new alert under the watcher ({len(latencies)} saves, warm "
                  f"start): median {middle:.3f} s, max {max(latencies):.3f} s  (target {goal})")
        else:
            print("  save to new alert under the watcher: not measured (the watcher failed)")


def print_growth(sizes: list[int], results: dict[int, list[Row]]) -> None:
    """Seconds per 1,000 notes at each size, and x the floor: flat when linear."""
    print("\ngrowth: seconds per 1,000 notes, median (x floor); flat across sizes when linear")
    print(f"  {'':<22}" + "".join(f"{size:>18,}" for size in sizes))
    labels = [row.label for row in results[sizes[0]]]
    floors = {size: median([t for row in results[size] for t in row.floor_times])
              for size in sizes}
    line = "".join(f"{cell(ratio(floors[s], s / 1000), '.4f', 18)}" for s in sizes)
    print(f"  {'floor':<22}{line}")
    for number, label in enumerate(labels):
        parts = []
        for size in sizes:
            row = results[size][number]
            seconds = median(row.times)
            by_floor = ratio(seconds, median(row.floor_times))
            parts.append(f"{cell(ratio(seconds, size / 1000), '.4f', 10)} "
                         f"({cell(by_floor, '.2f', 5)})")
        print(f"  {label:<22}" + "".join(f"{part:>18}" for part in parts))


def start_up(bench: Bench, runs: int, empty: Path) -> None:
    """`mutuality --help` and a scan of an empty vault against importing yaml."""
    base_argv = [sys.executable, "-c", "import yaml"]
    state = bench.fresh_state()
    # Untimed: every command once, so that their modules are compiled (and cached).
    progress("  compiling: each command once on an empty vault")
    try:
        bench.run(base_argv)
        for name in ("scan", "alerts", "gaps", "digest"):
            bench.run([bench.mutuality, name, str(empty), "--as-of", bench.as_of],
                      bench.env(state))
        watch_once(bench, empty, state)
    except Failed as failure:
        progress(f"  warning: a command failed on an empty vault: {failure}")
    measured = [("mutuality --help", [bench.mutuality, "--help"]),
                ("mutuality scan EMPTY", [bench.mutuality, "scan", str(empty),
                                          "--as-of", bench.as_of])]
    print(f"start-up: medians of {runs} runs, each alternating with "
          f"`python -c \"import yaml\"`")
    print(f"  {'':<22} {'time s':>7} {'yaml s':>7} {'x yaml':>7}  {'target':<16} "
          f"{'RSS MB':>6} {'yaml':>6}")
    for label, argv in measured:
        row = alternate(bench, Row(label), base_argv,
                        lambda argv=argv: bench.run(argv, bench.env(state)), runs)
        seconds, base = median(row.times), median(row.floor_times)
        by_base = ratio(seconds, base)
        goal = target(f"<= {TARGET_START} x", by_base, TARGET_START)
        print(f"  {label:<22} {cell(seconds, '.3f', 7)} {cell(base, '.3f', 7)} "
              f"{cell(by_base, '.2f', 7)}  {goal:<16} {cell(median(row.peaks), '.0f', 6)} "
              f"{cell(median(row.floor_peaks), '.0f', 6)}")
        if row.failed:
            print(f"  {'':<22} FAILED: {row.failed}")
    shutil.rmtree(state)


# --------------------------------------------------------------------------------------
# The vaults, and the whole run.
# --------------------------------------------------------------------------------------

def ensure_vault(folder: Path, notes: int, clients: int, note_kb: int) -> None:
    """Generate the vault into `folder` unless it is there (never again if it is)."""
    if folder.is_dir():
        return
    partial = folder.with_name(folder.name + ".partial")  # renamed once complete
    shutil.rmtree(partial, ignore_errors=True)
    progress(f"  generating {folder}")
    subprocess.run([sys.executable, str(HERE / "make_vault.py"), str(partial),
                    "--notes", str(notes), "--clients", str(clients),
                    "--note-kb", str(note_kb)], check=True, stdout=sys.stderr)
    partial.rename(folder)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="numbers of notes, comma separated (default %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command")
    parser.add_argument("--large-runs", type=int, default=3,
                        help=f"runs of each command at {LARGE:,} notes and more")
    parser.add_argument("--note-kb", type=int, default=2, help="about how many KB a note has")
    parser.add_argument("--clients", type=int,
                        help="clients in each vault (default max(50, notes / 100))")
    parser.add_argument("--vaults", type=Path,
                        default=Path(tempfile.gettempdir()) / "mutuality-scale-vaults",
                        help="where generated vaults are kept (default %(default)s)")
    parser.add_argument("--mutuality", default=str(Path(sys.executable).parent / "mutuality"),
                        help="the command to time (default %(default)s)")
    parser.add_argument("--saves", type=int, default=15,
                        help="saves timed to their alert, at the largest size")
    parser.add_argument("--as-of", default="2026-06-30",
                        help="the day the commands take as today (default %(default)s, "
                             "just after the generated vault's last week)")
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds before a process is killed (default %(default)s)")
    args = parser.parse_args()
    try:
        args.sizes = sorted({int(size) for size in args.sizes.split(",")})
    except ValueError:
        parser.error("--sizes: numbers separated by commas, like 1000,10000")
    if min(args.sizes) < 1 or args.runs < 1 or args.large_runs < 1 or args.note_kb < 1:
        parser.error("--sizes, --runs, --large-runs and --note-kb must be at least 1")
    if shutil.which(args.mutuality) is None:
        parser.error(f"--mutuality: {args.mutuality} is not a command")
    return args


def main() -> None:
    args = parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="mutuality-scale-"))
    bench = Bench(args.mutuality, args.as_of, scratch, args.timeout)
    version = subprocess.run([args.mutuality, "--version"], capture_output=True,
                             text=True).stdout.strip()
    print(f"{version}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; "
          f"--as-of {args.as_of}; whole processes, wall-clock time and peak RSS")
    try:
        empty = scratch / "empty-vault"
        empty.mkdir()
        start_up(bench, args.runs, empty)
        results: dict[int, list[Row]] = {}
        for notes in args.sizes:
            clients = args.clients or max(50, notes // 100)
            name = f"notes-{notes}-kb-{args.note_kb}"
            vault = args.vaults / (name + (f"-clients-{clients}" if args.clients else ""))
            runs = args.large_runs if notes >= LARGE else args.runs
            saves = args.saves if notes == args.sizes[-1] else 0
            progress(f"{notes:,} notes")
            ensure_vault(vault, notes, clients, args.note_kb)
            started = time.perf_counter()
            rows, latencies = measure_size(bench, vault, notes, runs, saves)
            results[notes] = rows
            fewer = " (--large-runs)" if notes >= LARGE and runs != args.runs else ""
            print(f"\n{notes:,} notes of about {args.note_kb} KB, {clients} clients ({vault}); "
                  f"{runs} run{'s' if runs > 1 else ''} each{fewer}, medians")
            print_size(notes, rows, latencies, saves)
            print(f"  (this size took {time.perf_counter() - started:.0f} s)", flush=True)
        print_growth(args.sizes, results)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
