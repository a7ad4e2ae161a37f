"""``mutuality watch``: notes saved the way editors really save them raise their alerts
a moment later, once each, and nothing stops the watching. Every wait here waits on
an event with a timeout, never on a bare sleep."""

import datetime as dt
import errno
import json
import logging
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from mutuality_plugins import hookimpl
from mutuality_plugins import watch as watch_module
from mutuality_plugins.config import Settings
from mutuality_plugins.index import NoteIndex, fingerprint
from mutuality_plugins.model import AlertSink
from mutuality_plugins.plugin_calls import PluginGuard
from mutuality_plugins.plugins import get_plugin_manager
from mutuality_plugins.vault import scan_vault
from mutuality_plugins.watch import Watcher

TODAY = dt.date(2026, 11, 26)
TIMEOUT = 10


def streak(folder, client="A", first_day=16):
    """Three uninvited sessions: the third raises uninvited-streak."""
    folder.mkdir(parents=True, exist_ok=True)
    for day in range(first_day, first_day + 3):
        (folder / f"2026-11-{day:02} {client}.md").write_text(f"---\nclient: {client}\n---\nNotes.\n")


class Running:
    """A watcher in a thread, its new alerts in a queue."""

    def __init__(self, vault, sinks=(), **options):
        self.vault = vault
        self.alerts = queue.Queue()
        self.said = []
        self.manager = get_plugin_manager(load_entry_points=False)
        self.settings = Settings()
        self.index = NoteIndex.open(vault, fingerprint(self.manager, self.settings), self.settings)
        queue_sink = AlertSink("queue", lambda alerts, s: [self.alerts.put(a) for a in alerts])
        self.watcher = Watcher(vault, self.manager, self.settings, self.index,
                               guard=PluginGuard(), say=self.said.append,
                               today=lambda: TODAY, sinks=[*sinks, ("test", queue_sink)],
                               **options)
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        assert self.watcher.ready.wait(TIMEOUT), "the watcher did not start"
        return self

    def __exit__(self, *exc):
        self.watcher.stop()
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive()
        self.index.close()

    def next_alert(self):
        return self.alerts.get(timeout=TIMEOUT)

    def no_more_alerts(self):
        assert self.alerts.empty(), [a.identity for a in list(self.alerts.queue)]


@pytest.fixture
def vault(tmp_path):
    root = tmp_path / "vault"
    root.mkdir()
    return root


def test_a_plain_write_raises_its_alert(vault):
    with Running(vault) as running:
        streak(vault)
        alert = running.next_alert()
        assert (alert.rule, alert.note) == ("uninvited-streak", "2026-11-18 A.md")
        running.no_more_alerts()


def test_a_temp_file_renamed_over_the_note(vault):
    (vault / "2026-11-16 A.md").write_text("---\nclient: A\n---\n")
    (vault / "2026-11-17 A.md").write_text("---\nclient: A\n---\n")
    with Running(vault) as running:
        for temp in (vault / ".2026-11-18 A.md.tmp", vault / "2026-11-18 A.md.tmp123"):
            temp.write_text("---\nclient: A\n---\nsaved atomically\n")
            os.replace(temp, vault / "2026-11-18 A.md")
        assert running.next_alert().note == "2026-11-18 A.md"
        running.no_more_alerts()


def test_vim_backup_and_swap_files_are_ignored(vault):
    (vault / "2026-11-16 A.md").write_text("---\nclient: A\n---\n")
    (vault / "2026-11-17 A.md").write_text("---\nclient: A\n---\n")
    with Running(vault) as running:
        note = vault / "2026-11-18 A.md"
        (vault / ".2026-11-18 A.md.swp").write_bytes(b"\x00binary swap")
        (vault / "2026-11-18 A.md~").write_text("---\nclient: [\n---\n")  # backup
        (vault / "4913").write_text("")  # vim's test file
        (vault / "4913").unlink()
        note.write_text("---\nclient: A\n---\n")
        (vault / ".2026-11-18 A.md.swp").unlink()
        assert running.next_alert().note == "2026-11-18 A.md"
        assert running.watcher.state.result().problems == ()


def test_delete_then_recreate(vault):
    streak(vault)
    with Running(vault) as running:
        assert running.next_alert().note == "2026-11-18 A.md"  # from the first scan
        (vault / "2026-11-18 A.md").unlink()
        (vault / "2026-11-18 A.md").write_text("---\nclient: A\nsrs_total: 20\n---\n")
        alert = running.next_alert()
        assert (alert.rule, alert.detail) == ("alliance-low", "below-cutoff")


def test_renaming_notes_and_folders(vault):
    streak(vault / "Clients" / "A")
    with Running(vault) as running:
        assert running.next_alert().note == "Clients/A/2026-11-18 A.md"
        os.rename(vault / "Clients" / "A", vault / "Clients" / "Ann")
        assert running.next_alert().note == "Clients/Ann/2026-11-18 A.md"
        os.rename(vault / "Clients/Ann/2026-11-18 A.md", vault / "Clients/Ann/2026-11-18 Ann.md")
        assert running.next_alert().note == "Clients/Ann/2026-11-18 Ann.md"
        cold = scan_vault(vault, running.manager)
        assert running.watcher.state.result() == cold


def test_a_client_folder_moved_in_from_elsewhere(vault, tmp_path):
    streak(tmp_path / "outside" / "B", client="B")
    with Running(vault) as running:
        shutil.move(str(tmp_path / "outside" / "B"), str(vault / "B"))
        alert = running.next_alert()
        assert (alert.client, alert.note) == ("B", "B/2026-11-18 B.md")


def test_dot_folders_and_the_output_folder_are_ignored(vault):
    with Running(vault) as running:
        streak(vault / ".trash")
        streak(vault / "Mutuality", client="M")
        streak(vault, client="Z")  # a real change, to know the others were looked at
        assert running.next_alert().client == "Z"
        assert running.watcher.state.result().clients == ["Z"]
        running.no_more_alerts()


def test_writing_alerts_md_does_not_loop(vault):
    with Running(vault) as running:
        streak(vault)
        running.next_alert()
        assert (vault / "Mutuality" / "Alerts.md").exists()
        streak(vault, client="Y")
        assert running.next_alert().client == "Y"
        running.no_more_alerts()


def test_a_restart_does_not_repeat_an_alert(vault):
    with Running(vault) as running:
        streak(vault)
        running.next_alert()
    with Running(vault) as running:
        streak(vault, client="C")
        assert running.next_alert().client == "C"
        running.no_more_alerts()


def test_on_the_very_first_start_only_recent_alerts_are_new(vault):
    streak(vault, first_day=1)  # 2026-11-03: 23 days before TODAY
    (vault / "old").mkdir()
    for day in (1, 8, 15):
        (vault / "old" / f"2026-06-{day:02} O.md").write_text("---\nclient: O\n---\n")
    with Running(vault) as running:
        assert running.next_alert().client == "A"
        running.no_more_alerts()


def test_a_failing_sink_does_not_stop_the_watching(vault):
    def broken(alerts, settings):
        raise RuntimeError("sink down")

    with Running(vault, sinks=[("broken-plugin", AlertSink("broken", broken))]) as running:
        streak(vault)
        assert running.next_alert().client == "A"
        streak(vault, client="B")
        assert running.next_alert().client == "B"
        assert "plugin broken-plugin failed in alert sink broken: RuntimeError" in running.said


def test_a_dead_observer_is_started_again(vault):
    with Running(vault, idle_check_seconds=0.2) as running:
        dead = running.watcher._observer
        dead.stop()
        dead.join(TIMEOUT)
        streak(vault)
        assert running.next_alert().client == "A"
        assert running.watcher._observer is not dead
        assert "the file watcher stopped; starting it again" in running.said


def drop_events(running):
    running.watcher._changed = lambda paths: None  # as if the kernel lost them


def test_a_lost_events_warning_makes_a_whole_rescan(vault):
    with Running(vault) as running:
        drop_events(running)
        streak(vault)
        logging.getLogger("watchdog.observers.inotify_buffer").warning(
            "Inotify queue overflowed; filesystem events were lost")
        assert running.next_alert().client == "A"


def test_a_periodic_rescan_finds_what_no_event_told(vault):
    with Running(vault, safety_rescan_seconds=0.5) as running:
        drop_events(running)
        streak(vault)
        assert running.next_alert().client == "A"


def test_polling_for_network_folders(vault, monkeypatch):
    monkeypatch.setattr(watch_module, "POLL_SECONDS", 0.2)
    with Running(vault, poll=True) as running:
        streak(vault)
        assert running.next_alert().client == "A"


def test_a_watch_limit_falls_back_to_polling_and_says_how_to_raise_it(vault, monkeypatch):
    monkeypatch.setattr(watch_module, "POLL_SECONDS", 0.2)

    class LimitedObserver(watch_module.Observer):
        def start(self):
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(watch_module, "Observer", LimitedObserver)
    with Running(vault) as running:
        assert any("fs.inotify.max_user_watches" in line for line in running.said)
        streak(vault)
        assert running.next_alert().client == "A"


def test_when_a_week_ends_its_digest_is_written(vault):
    streak(vault)
    with Running(vault):
        digest = vault / "Mutuality" / "2026-W47.md"
        assert digest.exists()
        assert "week: 2026-W47" in digest.read_text()


def test_a_bounded_soak_leaves_the_index_equal_to_a_cold_scan(vault):
    """About 2,000 random creates, edits, renames and deletes; then the watcher's
    vault equals a cold scan, and no alert was handed on twice."""
    chance = random.Random(2026)
    folders = [vault / name for name in ("A", "B", "C/D")]
    for folder in folders:
        folder.mkdir(parents=True)
    seen = []
    with Running(vault) as running:
        started = time.monotonic()
        for step in range(2000):
            existing = [p for f in folders for p in f.glob("*.md")]
            action = chance.random()
            if action < 0.4 or not existing:
                folder = chance.choice(folders)
                day = chance.randint(1, 25)
                path = folder / f"2026-11-{day:02} {step}.md"
                path.write_text(_random_note(chance, folder.name))
            elif action < 0.7:
                chance.choice(existing).write_text(_random_note(chance, "E"))
            elif action < 0.85:
                source = chance.choice(existing)
                source.rename(chance.choice(folders) / f"{source.stem}-m{step}.md")
            else:
                chance.choice(existing).unlink()
        assert time.monotonic() - started < 60
        # Wait until the watcher has caught up: a last note, and its alert.
        streak(vault / "last", client="LAST")
        while True:
            alert = running.next_alert()
            seen.append(alert.identity)
            if alert.client == "LAST":
                break
        while not running.alerts.empty():
            seen.append(running.alerts.get_nowait().identity)
        cold = scan_vault(vault, running.manager)
        assert running.watcher.state.result() == cold
    assert len(seen) == len(set(seen))
    # The index holds no note that is gone, and no stale stamp (notes changed in the
    # last seconds are not stored yet: they are read again next time).
    index = NoteIndex.open(vault, fingerprint(running.manager, Settings()), Settings())
    notes = running.watcher.state.notes
    for path, stored in index.readings().items():
        assert path in notes and tuple(stored[:2]) == notes[path][0]
    index.close()


def line_of(stream, timeout=TIMEOUT):
    """The next line of a child's output, or a failure after ``timeout`` seconds
    (a bare readline would wait for ever on a watcher that printed nothing)."""
    lines = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        pytest.fail(f"no line within {timeout} s")


def _random_note(chance, client):
    invited = chance.choice(["yes", "no"])
    srs = chance.choice(["", "\nsrs_total: 30", "\nsrs_total: 40"])
    return f"---\nclient: {client}\nfeedback_invited: {invited}{srs}\n---\nNotes.\n"


# The command


def test_watch_prints_jsonl_and_stops_cleanly_on_sigterm_and_sigint(vault, tmp_path):
    environment = {**os.environ, "MUTUALITY_STATE_DIR": str(tmp_path / "state")}
    for stop_with in (signal.SIGTERM, signal.SIGINT):
        process = subprocess.Popen(
            [sys.executable, "-m", "mutuality_plugins", "watch", str(vault), "--format", "jsonl"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
        try:
            assert "watching" in line_of(process.stderr)
            client = f"S{stop_with}"
            streak(vault, client=client)
            line = line_of(process.stdout)  # flushed as soon as it is known
            assert json.loads(line)["client"] == client
            stopped = time.monotonic()
            process.send_signal(stop_with)
            assert process.wait(timeout=5) == 0
            assert time.monotonic() - stopped < 2
        finally:
            process.kill()
            process.communicate()


def test_many_stop_signals_at_once_still_stop_it_cleanly(vault, tmp_path):
    environment = {**os.environ, "MUTUALITY_STATE_DIR": str(tmp_path / "state")}
    for _ in range(5):
        process = subprocess.Popen([sys.executable, "-m", "mutuality_plugins", "watch", str(vault)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   env=environment)
        try:
            assert "watching" in line_of(process.stderr)
            for signal_number in [signal.SIGINT, signal.SIGTERM] * 3:
                process.send_signal(signal_number)
            assert process.wait(timeout=5) == 0
        finally:
            process.kill()
            process.communicate()


def test_a_vault_moved_away_ends_the_watching_with_a_message(vault, tmp_path):
    environment = {**os.environ, "MUTUALITY_STATE_DIR": str(tmp_path / "state")}
    process = subprocess.Popen([sys.executable, "-m", "mutuality_plugins", "watch", str(vault)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=environment)
    try:
        assert "watching" in line_of(process.stderr)
        vault.rename(tmp_path / "moved")
        (tmp_path / "moved" / "touch.md").write_text("x")  # an event for the worker
        code = process.wait(timeout=10)
        said = process.stderr.read()
        assert code == 2, said
        assert "the vault folder was moved or deleted" in said
        assert not vault.exists()  # not made again by a late write
    finally:
        process.kill()
        process.communicate()


def test_an_inotify_instance_limit_falls_back_to_polling(vault, monkeypatch):
    monkeypatch.setattr(watch_module, "POLL_SECONDS", 0.2)

    def no_more_instances(*args, **kwargs):
        raise OSError(errno.EMFILE, "inotify instance limit reached")

    monkeypatch.setattr(watch_module, "Observer", no_more_instances)
    with Running(vault) as running:
        streak(vault)
        assert running.next_alert().client == "A"
        assert any("fs.inotify.max_user_watches" in line for line in running.said)


def test_a_same_size_edit_that_keeps_the_modification_time_is_seen(vault):
    streak(vault)
    note = vault / "2026-11-19 A.md"
    before = "---\nclient: A\nfeedback_invited: yes\n---\n" + "x" * 30 + "\n"
    after = "---\nclient: A\nsrs_total: 10\n---\n" + "x" * 38 + "\n"
    assert len(before) == len(after)
    note.write_text(before)
    stamp = note.stat()
    with Running(vault) as running:
        assert running.next_alert().rule == "uninvited-streak"
        note.write_text(after)  # same size ...
        os.utime(note, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # ... and the old time
        alert = running.next_alert()
        assert (alert.rule, alert.note) == ("alliance-low", "2026-11-19 A.md")


def test_plugin_failures_are_told_while_watching(vault):
    def broken(alerts, settings):
        raise KeyError("private words")

    with Running(vault, sinks=[("leaky-plugin", AlertSink("leaky", broken))]) as running:
        streak(vault)
        running.next_alert()
        running.watcher.stop()
        running.thread.join(TIMEOUT)
        assert "plugin leaky-plugin failed in alert sink leaky: KeyError" in running.said
        assert not any("private words" in line for line in running.said)


# One path: what the watcher keeps is what the commands make


def test_alerts_md_kept_by_the_watcher_is_what_alerts_write_makes(tmp_path):
    from support import Vault, Watching, run

    vault = Vault(tmp_path / "vault")
    vault.streak("A")
    with Watching(vault) as watching:
        assert watching.next_alert().client == "A"
        vault.streak("B")
        assert watching.next_alert().client == "B"
        kept = (vault / "Mutuality" / "Alerts.md").read_text()
    (vault / "Mutuality" / "Alerts.md").unlink()
    assert run("alerts", vault, "--write").exit_code == 0
    assert (vault / "Mutuality" / "Alerts.md").read_text() == kept
    assert "## B" in kept


def test_a_corrected_note_leaves_alerts_md_without_waiting_for_a_new_alert(tmp_path):
    from support import Vault, Watching

    vault = Vault(tmp_path / "vault")
    first, *_ = vault.streak("A")
    alerts_md = vault / "Mutuality" / "Alerts.md"
    with Watching(vault) as watching:
        assert watching.next_alert().client == "A"
        assert "## A" in alerts_md.read_text()
        vault.session(first.name, client="A", feedback_invited="yes")  # it was invited
        for _ in range(100):
            if "## A" not in alerts_md.read_text():
                break
            time.sleep(0.05)
        assert "No alerts." in alerts_md.read_text()
        watching.no_alert_for(0.5)


def test_the_watcher_keeps_the_alerts_report_under_the_name_its_reporter_gives(tmp_path):
    from mutuality_plugins import Period, Reporter

    from support import Vault, Watching

    class Renamed:
        @hookimpl
        def mutuality_reporters(self):
            return [Reporter("alerts", {"markdown": lambda practice, period:
                                        "---\ngenerated_by: mutuality\n---\nrenamed\n"},
                             lambda today: Period(), note_name=lambda period: "Gaps.md")]

    plugins = get_plugin_manager(load_entry_points=False)
    plugins.unregister(name="mutuality_plugins.reporters.alerts")
    plugins.add(Renamed(), name="renamed", origin="test")
    vault = Vault(tmp_path / "vault")
    vault.streak("A")
    with Watching(vault, plugins=plugins) as watching:
        assert watching.next_alert().client == "A"
    assert (vault / "Mutuality" / "Gaps.md").read_text().endswith("renamed\n")
    assert not (vault / "Mutuality" / "Alerts.md").exists()


def test_a_save_re_runs_the_rules_for_that_client_only(tmp_path):
    from mutuality_plugins import Rule

    from support import Vault, Watching

    checked = []

    class Counting:
        @hookimpl
        def mutuality_rules(self):
            return [Rule("counting", lambda client, sessions, settings, since:
                         checked.append(client) or [])]

    plugins = get_plugin_manager(load_entry_points=False)
    plugins.add(Counting(), name="counting", origin="test")
    vault = Vault(tmp_path / "vault")
    for client in ("A", "B", "C"):
        vault.streak(client, first_day=1)
    with Watching(vault, plugins=plugins) as watching:
        assert sorted(watching.next_alert().client for _ in "ABC") == ["A", "B", "C"]
        assert sorted(checked) == ["A", "B", "C"]  # the first scan
        checked.clear()
        vault.session("2026-11-20 B.md", client="B", srs_total=20)
        assert (watching.next_alert().client, checked) == ("B", ["B"])
