"""``mutuality watch``: notes saved the way editors really save them raise their alerts
a moment later, once each, and nothing stops the watching. Every wait here waits on
an event with a timeout, never on a bare sleep."""

import datetime as dt
import errno
import json
import logging
import os
import random
import shutil
import signal
import stat
import time
from pathlib import Path

import pytest

from mutuality_plugins import Period, Reporter, Rule, hookimpl, watch_lock
from mutuality_plugins import report as report_module
from mutuality_plugins import watch as watch_module
from mutuality_plugins.config import Settings
from mutuality_plugins.index import NoteIndex, fingerprint
from mutuality_plugins.model import AlertSink
from mutuality_plugins.plugins import get_plugin_manager

from support import TIMEOUT, TODAY, Vault, Watching, WatchProcess, note, run, run_child, until


def drop_events(monkeypatch):
    """From now on the file watcher's events never reach the watcher (as if the kernel
    lost them): only a whole re-scan can find a change."""
    monkeypatch.setattr(watch_module._Recorder, "on_any_event", lambda self, event: None)


def count_wakes(watching):
    """A list that grows each time the watcher's worker has woken and caught up."""
    wakes = []
    catch_up = watching.watcher._catch_up

    def counted(*args, **kwargs):
        catch_up(*args, **kwargs)
        wakes.append(time.monotonic())

    watching.watcher._catch_up = counted
    return wakes


def test_a_plain_write_raises_its_alert_once(vault):
    with Watching(vault) as watching:
        vault.streak()
        alert = watching.next_alert()
        assert (alert.rule, alert.note) == ("uninvited-streak", "2026-11-18 A.md")
        watching.no_alert_for()


def test_a_temp_file_renamed_over_the_note_raises_its_alert_once(vault):
    vault.session("2026-11-16 A.md", client="A")
    vault.session("2026-11-17 A.md", client="A")
    with Watching(vault) as watching:
        for temp in (".2026-11-18 A.md.tmp", "2026-11-18 A.md.tmp123"):
            saved = vault.write(temp, note("client: A", "saved atomically\n"))
            os.replace(saved, vault / "2026-11-18 A.md")
        assert watching.next_alert().note == "2026-11-18 A.md"
        watching.no_alert_for()


def test_vim_backup_and_swap_files_are_ignored(vault):
    vault.session("2026-11-16 A.md", client="A")
    vault.session("2026-11-17 A.md", client="A")
    with Watching(vault) as watching:
        vault.write(".2026-11-18 A.md.swp", b"\x00binary swap")
        vault.write("2026-11-18 A.md~", "---\nclient: [\n---\n")  # backup
        vault.write("4913", "")  # vim's test file
        (vault / "4913").unlink()
        vault.session("2026-11-18 A.md", client="A")
        (vault / ".2026-11-18 A.md.swp").unlink()
        assert watching.next_alert().note == "2026-11-18 A.md"
        assert watching.watcher.state.result().problems == ()


def test_a_note_deleted_then_made_again_is_read_again(vault):
    vault.streak()
    with Watching(vault) as watching:
        assert watching.next_alert().note == "2026-11-18 A.md"  # from the first scan
        (vault / "2026-11-18 A.md").unlink()
        vault.session("2026-11-18 A.md", client="A", srs_total=20)
        alert = watching.next_alert()
        assert (alert.rule, alert.detail) == ("alliance-low", "below-cutoff")


def test_renamed_notes_and_folders_hand_nothing_on_again(vault):
    vault.streak(folder="Clients/A/")
    with Watching(vault) as watching:
        assert watching.next_alert().note == "Clients/A/2026-11-18 A.md"
        os.rename(vault / "Clients" / "A", vault / "Clients" / "Ann")
        os.rename(vault / "Clients/Ann/2026-11-18 A.md", vault / "Clients/Ann/2026-11-18 Ann.md")
        vault.streak("B")  # something new: the renames were looked at before it came
        assert watching.next_alert().client == "B"
        watching.no_alert_for()
        assert watching.watcher.state.result() == vault.scan(plugins=watching.plugins)
    # Alerts.md links the notes where they are now.
    assert "[[Clients/Ann/2026-11-18 Ann|" in (vault / "Mutuality" / "Alerts.md").read_text()


def test_a_client_folder_moved_in_from_elsewhere_raises_its_alert(vault, tmp_path):
    outside = Vault(tmp_path / "outside")
    outside.streak(client="B", folder="B/")
    with Watching(vault) as watching:
        shutil.move(str(outside / "B"), str(vault / "B"))
        alert = watching.next_alert()
        assert (alert.client, alert.note) == ("B", "B/2026-11-18 B.md")


def test_dot_folders_and_the_output_folder_are_ignored(vault):
    with Watching(vault) as watching:
        vault.streak(folder=".trash/")
        vault.streak(client="M", folder="Mutuality/")
        vault.streak(client="Z")  # a real change, to know the others were looked at
        assert watching.next_alert().client == "Z"
        assert watching.watcher.state.result().clients == ["Z"]
        watching.no_alert_for()


def test_writing_alerts_md_does_not_make_the_watcher_write_it_again(vault, monkeypatch):
    """The watcher's own write of Alerts.md is an event in the vault: it must not lead
    to another write, and another, for ever."""
    written = []  # each time Alerts.md is written with a text it did not hold
    write = report_module.write_generated

    def counting(root, folder, name, text, leftovers=None, **options):
        target = Path(root) / folder / name
        if name == "Alerts.md" and not (target.is_file()
                                        and target.read_text(encoding="utf-8") == text):
            written.append(text)
        return write(root, folder, name, text, leftovers, **options)

    monkeypatch.setattr(report_module, "write_generated", counting)
    with Watching(vault) as watching:
        vault.streak()
        watching.next_alert()
        assert (vault / "Mutuality" / "Alerts.md").exists()
        vault.streak(client="Y")
        assert watching.next_alert().client == "Y"
        watching.no_alert_for()
        settled = len(written)
        watching.no_alert_for()  # a quiet spell in which its own writes could loop
        assert len(written) == settled, "Alerts.md kept being written with nothing changed"
        assert settled <= 3, written  # at the start, then with A's alert, then with Y's


def test_a_restart_does_not_repeat_an_alert(vault):
    with Watching(vault) as watching:
        vault.streak()
        watching.next_alert()
    with Watching(vault) as watching:
        vault.streak(client="C")
        assert watching.next_alert().client == "C"
        watching.no_alert_for()


def test_on_the_very_first_start_only_recent_alerts_are_new(vault):
    vault.streak(first_day=1)  # 2026-11-03: 23 days before TODAY
    for day in (1, 8, 15):
        vault.session(f"old/2026-06-{day:02} O.md", client="O")
    with Watching(vault) as watching:
        assert watching.next_alert().client == "A"
        watching.no_alert_for()


def test_a_failing_sink_does_not_stop_the_watching(vault):
    def broken(alerts, settings):
        raise RuntimeError("sink down")

    told = "plugin broken-plugin failed in alert sink broken: RuntimeError"
    with Watching(vault, sinks=[("broken-plugin", AlertSink("broken", broken))]) as watching:
        vault.streak()
        assert watching.next_alert().client == "A"
        vault.streak(client="B")
        assert watching.next_alert().client == "B"
        assert watching.until_said(told) == told


def test_a_dead_observer_is_started_again(vault):
    with Watching(vault, idle_check_seconds=0.2) as watching:
        dead = watching.watcher._observer
        dead.stop()
        dead.join(TIMEOUT)
        vault.streak()
        assert watching.next_alert().client == "A"
        assert watching.watcher._observer is not dead
        assert "the file watcher stopped; starting it again" in watching.said


def test_a_lost_events_warning_makes_a_whole_rescan(vault, monkeypatch):
    drop_events(monkeypatch)
    with Watching(vault) as watching:
        vault.streak()
        logging.getLogger("watchdog.observers.inotify_buffer").warning(
            "Inotify queue overflowed; filesystem events were lost")
        assert watching.next_alert().client == "A"


def test_a_periodic_rescan_finds_what_no_event_told(vault, monkeypatch):
    drop_events(monkeypatch)
    with Watching(vault, safety_rescan_seconds=0.5) as watching:
        vault.streak()
        assert watching.next_alert().client == "A"


def test_poll_watches_by_polling_for_network_folders(vault, monkeypatch):
    monkeypatch.setattr(watch_module, "POLL_SECONDS", 0.2)
    monkeypatch.setattr(watch_module, "Observer", None)  # no inotify to fall back on
    with Watching(vault, poll=True) as watching:
        assert watching.watcher._observer is None  # it looks, nobody tells it
        vault.streak()
        assert watching.next_alert().client == "A"


def test_a_watch_limit_falls_back_to_polling_and_says_how_to_raise_it(vault, monkeypatch):
    monkeypatch.setattr(watch_module, "POLL_SECONDS", 0.2)

    class LimitedObserver(watch_module.Observer):
        def start(self):
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(watch_module, "Observer", LimitedObserver)
    with Watching(vault) as watching:
        assert any("fs.inotify.max_user_watches" in line for line in watching.said)
        vault.streak()
        assert watching.next_alert().client == "A"


def test_when_a_week_ends_its_digest_is_written_once(vault):
    vault.streak()
    today = [TODAY]
    watching = Watching(vault, today=lambda: today[0], idle_check_seconds=0.1)
    wakes = count_wakes(watching)
    with watching:
        last_week = vault / "Mutuality" / "2026-W47.md"
        assert "week: 2026-W47" in last_week.read_text()  # the week that ended before
        this_week = vault / "Mutuality" / "2026-W48.md"
        assert not this_week.exists()
        today[0] = dt.date(2026, 12, 3)  # the Thursday after: 2026-W48 has ended
        until(this_week.exists, "the digest of 2026-W48 was written")
        assert "week: 2026-W48" in this_week.read_text()
        woken = len(wakes)
        until(lambda: len(wakes) >= woken + 5, "the watcher woke five more times")
        assert watching.said.count("wrote Mutuality/2026-W48.md") == 1, watching.said
        assert watching.said.count("wrote Mutuality/2026-W47.md") == 1, watching.said


def test_a_bounded_soak_leaves_the_watcher_and_its_index_equal_to_a_cold_scan(vault):
    """About 2,000 random creates, edits, renames and deletes; then the watcher's
    vault equals a cold scan, its index holds each note there with its stamp and no
    note that is gone, and no alert was handed on twice."""
    chance = random.Random(2026)
    folders = [vault / name for name in ("A", "B", "C/D")]
    for folder in folders:
        folder.mkdir(parents=True)
    seen = []
    fences = []  # notes written to know the watcher caught up: too new to be stored

    def caught_up(watching, fence):
        """Write a streak of client ``fence``; the alerts up to its alert, and after."""
        fences.extend(vault.streak(client=fence, folder=f"{fence}/"))
        while True:
            alert = watching.next_alert()
            seen.append(alert.identity)
            if alert.client == fence:
                break
        while not watching.alerts.empty():
            seen.append(watching.alerts.get_nowait().identity)

    with Watching(vault) as watching:
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
        # Every note saved a minute ago: the index may now keep each one it reads.
        vault.age()
        caught_up(watching, "FENCE")
        assert watching.watcher.state.result() == vault.scan(plugins=watching.plugins)
        # Notes the index keeps go away, or move: it must let go of their old paths.
        kept = sorted(p for f in folders for p in f.glob("*.md"))
        assert len(kept) > 50
        for path in kept[::7]:
            path.unlink()
        for path in kept[3::7]:
            path.rename(path.with_name(f"{path.stem}-moved.md"))
        caught_up(watching, "LAST")
        assert watching.watcher.state.result() == vault.scan(plugins=watching.plugins)
        notes = dict(watching.watcher.state.notes)
    assert len(seen) == len(set(seen))
    index = NoteIndex.open(vault.root, fingerprint(watching.plugins, Settings()), Settings())
    stored = index.stamps()
    index.close()
    too_new = {path.relative_to(vault.root).as_posix() for path in fences}
    assert set(stored) == set(notes) - too_new
    assert stored == {path: notes[path][0] for path in stored}


def _random_note(chance, client):
    invited = chance.choice(["yes", "no"])
    srs = chance.choice(["", "\nsrs_total: 30", "\nsrs_total: 40"])
    return f"---\nclient: {client}\nfeedback_invited: {invited}{srs}\n---\nNotes.\n"


# The command


def test_watch_prints_jsonl_and_stops_cleanly_on_sigterm_and_sigint(vault):
    for stop_with in (signal.SIGTERM, signal.SIGINT):
        with WatchProcess(vault, "--format", "jsonl") as watch:
            client = f"S{stop_with}"
            vault.streak(client=client)
            line = watch.line()  # flushed as soon as it is known
            assert json.loads(line)["client"] == client
            stopped = time.monotonic()
            assert watch.stop(stop_with) == 0
            assert time.monotonic() - stopped < 2


def test_many_stop_signals_at_once_still_stop_it_cleanly(vault):
    for _ in range(5):
        with WatchProcess(vault) as watch:
            for signal_number in [signal.SIGINT, signal.SIGTERM] * 3:
                watch.process.send_signal(signal_number)
            assert watch.process.wait(timeout=5) == 0


def test_a_vault_moved_away_ends_the_watching_with_a_message(vault, tmp_path):
    with WatchProcess(vault) as watch:
        moved = Vault(tmp_path / "moved")
        vault.root.rename(moved.root)
        moved.write("touch.md", "x")  # an event for the worker
        code = watch.process.wait(timeout=10)
        said = watch.process.stderr.read()
        assert code == 2, said
        assert "the vault folder was moved or deleted" in said
        assert not vault.root.exists()  # not made again by a late write


def test_an_inotify_instance_limit_falls_back_to_polling(vault, monkeypatch):
    monkeypatch.setattr(watch_module, "POLL_SECONDS", 0.2)

    def no_more_instances(*args, **kwargs):
        raise OSError(errno.EMFILE, "inotify instance limit reached")

    monkeypatch.setattr(watch_module, "Observer", no_more_instances)
    with Watching(vault) as watching:
        vault.streak()
        assert watching.next_alert().client == "A"
        assert any("fs.inotify.max_user_watches" in line for line in watching.said)


def test_a_same_size_edit_that_keeps_the_modification_time_is_seen(vault):
    vault.streak()
    before = "---\nclient: A\nfeedback_invited: yes\n---\n" + "x" * 30 + "\n"
    after = "---\nclient: A\nsrs_total: 10\n---\n" + "x" * 38 + "\n"
    assert len(before) == len(after)
    edited = vault.write("2026-11-19 A.md", before)
    stamp = edited.stat()
    with Watching(vault) as watching:
        assert watching.next_alert().rule == "uninvited-streak"
        edited.write_text(after)  # same size ...
        os.utime(edited, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # ... and the old time
        alert = watching.next_alert()
        assert (alert.rule, alert.note) == ("alliance-low", "2026-11-19 A.md")


def test_plugin_failures_are_told_while_watching_without_their_words(vault):
    def broken(alerts, settings):
        raise KeyError("private words")

    told = "plugin leaky-plugin failed in alert sink leaky: KeyError"
    with Watching(vault, sinks=[("leaky-plugin", AlertSink("leaky", broken))]) as watching:
        vault.streak()
        watching.next_alert()
        assert watching.until_said(told) == told  # told while it still watches
        assert watching.thread.is_alive()
        assert not any("private words" in line for line in watching.said)
    assert not any("private words" in line for line in watching.said)


# One path: what the watcher keeps is what the commands make


def test_alerts_md_kept_by_the_watcher_is_what_alerts_write_makes(vault):
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


def test_a_corrected_note_leaves_alerts_md_without_waiting_for_a_new_alert(vault):
    first, *_ = vault.streak("A")
    alerts_md = vault / "Mutuality" / "Alerts.md"
    with Watching(vault) as watching:
        assert watching.next_alert().client == "A"
        assert "## A" in alerts_md.read_text()
        vault.session(first.name, client="A", feedback_invited="yes")  # it was invited
        until(lambda: "## A" not in alerts_md.read_text(), "A's alert left Alerts.md")
        assert "No alerts." in alerts_md.read_text()
        watching.no_alert_for(0.5)


def test_the_watcher_keeps_the_alerts_report_under_the_name_its_reporter_gives(vault):
    class Renamed:
        @hookimpl
        def mutuality_reporters(self):
            return [Reporter("alerts", {"markdown": lambda practice, period:
                                        "---\ngenerated_by: mutuality\n---\nrenamed\n"},
                             lambda today: Period(), note_name=lambda period: "Gaps.md")]

    plugins = get_plugin_manager(load_entry_points=False)
    plugins.unregister(name="mutuality_plugins.reporters.alerts")
    plugins.add(Renamed(), name="renamed", origin="test")
    vault.streak("A")
    with Watching(vault, plugins=plugins) as watching:
        assert watching.next_alert().client == "A"
    assert (vault / "Mutuality" / "Gaps.md").read_text().endswith("renamed\n")
    assert not (vault / "Mutuality" / "Alerts.md").exists()


def test_a_save_re_runs_the_rules_for_that_client_only(vault):
    checked = []

    class Counting:
        @hookimpl
        def mutuality_rules(self):
            return [Rule("counting", lambda client, sessions, settings, since:
                         checked.append(client) or [])]

    plugins = get_plugin_manager(load_entry_points=False)
    plugins.add(Counting(), name="counting", origin="test")
    for client in ("A", "B", "C"):
        vault.streak(client, first_day=1)
    with Watching(vault, plugins=plugins) as watching:
        assert sorted(watching.next_alert().client for _ in "ABC") == ["A", "B", "C"]
        assert sorted(checked) == ["A", "B", "C"]  # the first scan
        checked.clear()
        vault.session("2026-11-20 B.md", client="B", srs_total=20)
        assert (watching.next_alert().client, checked) == ("B", ["B"])


# Plugins and the world fail; the watching goes on and puts right what it can


def test_a_rule_yielding_a_broken_alert_is_named_and_the_watching_goes_on(vault, plugins):
    from mutuality_plugins import Alert

    class Broken:
        @hookimpl
        def mutuality_rules(self):
            return [Rule("broken", lambda client, sessions, settings, since: [
                Alert("broken", None, sessions[-1].date, sessions[-1].path, "info", None, "m")])]

    plugins.add(Broken(), name="broken-rule", origin="test")
    with Watching(vault, plugins=plugins) as watching:
        vault.streak("A")
        assert watching.next_alert().client == "A"
        watching.until_said("plugin broken-rule failed in rule broken: its Alert should have "
                            "its rule, client, note and message as text")
        vault.streak("B")
        assert watching.next_alert().client == "B"


def test_a_rule_that_failed_for_a_while_is_run_again_without_a_save(vault, plugins, tmp_path):
    down = tmp_path / "down"
    down.touch()

    def check(client, sessions, settings, since):
        if down.exists():
            raise ConnectionError("a service the rule asks is down")
        return [Alert("came-back", client, sessions[-1].date, sessions[-1].path, "info", None,
                      "the rule works again", (sessions[-1].path,))]

    class ComesBack:
        @hookimpl
        def mutuality_rules(self):
            return [Rule("came-back", check)]

    from mutuality_plugins import Alert

    plugins.add(ComesBack(), name="comes-back", origin="test")
    vault.streak("A")
    with Watching(vault, plugins=plugins, idle_check_seconds=0.2,
                  retry_seconds=0.2) as watching:
        assert watching.next_alert().rule == "uninvited-streak"
        watching.until_said("plugin comes-back failed in rule came-back: ConnectionError")
        down.unlink()  # no note is saved: the watcher tries again by itself
        assert watching.next_alert().rule == "came-back"
        until(lambda: "the rule works again" in (vault / "Mutuality/Alerts.md").read_text(),
              "Alerts.md showing the rule's alert")


def test_a_note_read_while_an_extractor_failed_is_read_again_without_a_save(vault, plugins,
                                                                            tmp_path):
    from mutuality_plugins import Feedback, FeedbackItem

    down = tmp_path / "down"
    down.touch()

    class Flaky:
        @hookimpl
        def mutuality_extract_feedback(self, note):
            if down.exists():
                raise TimeoutError("a form service did not answer")
            return Feedback(items=(FeedbackItem("pacing", "too-fast"),))

    def items_read():
        return [item.label for session in watching.watcher.state.result().sessions
                for item in session.items]

    plugins.add(Flaky(), name="flaky-extractor", origin="test")
    vault.session("2026-11-20 A.md", client="A", srs_total=20)
    with Watching(vault, plugins=plugins, idle_check_seconds=0.2,
                  retry_seconds=0.2) as watching:
        assert watching.next_alert().rule == "alliance-low"
        watching.until_said("plugin flaky-extractor failed in mutuality_extract_feedback on "
                            "2026-11-20 A.md: TimeoutError")
        assert items_read() == []
        down.unlink()  # no note is saved: the watcher reads it again by itself
        until(lambda: items_read() == ["pacing/too-fast"], "the note read again")


def test_an_output_folder_that_cannot_be_written_is_told_and_the_watching_goes_on(
        vault, monkeypatch):
    from mutuality_plugins import writer

    def read_only(source, destination, **folders):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(writer.os, "replace", read_only)
    with Watching(vault) as watching:
        watching.until_said("warning: Mutuality/Alerts.md was not written (read-only file "
                            "system); the note there, if any, is as it was")
        vault.streak("A")
        assert watching.next_alert().client == "A"
        assert watching.thread.is_alive()


def test_a_second_watcher_of_one_vault_says_so_and_ends_with_status_2(vault):
    vault.streak("A")
    with WatchProcess(vault, "--format", "jsonl") as first:
        assert json.loads(first.line())["client"] == "A"
        second = run_child("watch", vault)
        assert second.returncode == 2
        assert second.stderr.startswith(
            "mutuality: another `mutuality watch` is watching this vault already (the "
            "background service, perhaps); stop it first")
        vault.streak("B")
        assert json.loads(first.line())["client"] == "B"  # the first goes on, alone
    with WatchProcess(vault, "--format", "jsonl"):  # the lock goes with its holder
        pass


def make_chain(root, depth):
    """A chain of ``depth`` nested folders under ``root``, a note at its end; its
    deepest folder."""
    root.mkdir()
    folder = root
    for _ in range(depth):
        folder = folder / "d"
        folder.mkdir()
    return folder


def remove_chain(top):
    """Level by level: removing it with shutil.rmtree would recurse as deep."""
    folders = [top]
    while (folders[-1] / "d").is_dir():
        folders.append(folders[-1] / "d")
    for folder in reversed(folders):
        for child in folder.iterdir():
            if child.is_file():
                child.unlink()
        folder.rmdir()


@pytest.mark.parametrize("poll", [False, True])
def test_folders_nested_a_thousand_deep_are_watched(vault, monkeypatch, poll):
    monkeypatch.setattr(watch_module, "POLL_SECONDS", 0.2)
    deepest = make_chain(vault.root / "chain", 1000)
    try:
        with Watching(vault, poll=poll) as watching:
            assert watching.thread.is_alive()
            (deepest / "2026-11-16 D.md").write_text(note("client: D"))
            (deepest / "2026-11-17 D.md").write_text(note("client: D"))
            (deepest / "2026-11-18 D.md").write_text(note("client: D"))
            assert watching.next_alert().client == "D"
            if not poll:
                assert any("nested too deep for the file watcher" in line
                           for line in watching.said), watching.said
    finally:
        remove_chain(vault.root / "chain")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_file_watcher_thread_that_dies_makes_the_watcher_poll(vault, monkeypatch):
    from watchdog.utils import BaseThread

    monkeypatch.setattr(watch_module, "POLL_SECONDS", 0.2)
    with Watching(vault) as watching:
        class Dying(BaseThread):  # as watchdog's inotify reader dies on a deep tree
            def run(self):
                raise RecursionError("maximum recursion depth exceeded")

        Dying().start()
        watching.until_said("the file watcher failed")
        vault.streak()
        assert watching.next_alert().client == "A"


def test_a_folder_replaced_by_a_link_is_never_read_through(vault, tmp_path):
    # As a sync program may do: the folder of a note just saved becomes a link to a
    # folder outside the vault holding notes of the same names.
    notes = vault.streak("A", folder="Clients/")
    outside = tmp_path / "outside"
    outside.mkdir()
    for day in (16, 17, 18):
        (outside / f"2026-11-{day} A.md").write_text(
            note(f"client: OUTSIDE\ndate: 2026-11-{day}\nsrs_total: 10"))
    with Watching(vault) as watching:
        assert watching.next_alert().client == "A"
        notes[0].write_text(notes[0].read_text() + "\nMore.\n")
        (vault.root / "Clients").rename(vault.root / "Clients.old")
        (vault.root / "Clients").symlink_to(outside, target_is_directory=True)
        vault.streak("B")  # then something to be told of
        clients = set()
        while "B" not in clients:
            clients.add(watching.next_alert().client)
        time.sleep(0.5)  # a batch with the outside notes would have come by now
        assert "OUTSIDE" not in clients
    assert "OUTSIDE" not in (vault.root / "Mutuality" / "Alerts.md").read_text()


def test_a_note_put_in_the_output_folder_while_watching_is_said_once(vault):
    vault.streak("A")
    with Watching(vault) as watching:
        assert watching.next_alert().client == "A"
        vault.session("Mutuality/2026-11-21 B.md", client="B")
        told = watching.until_said("Mutuality/2026-11-21 B.md: the output folder Mutuality "
                                   "holds notes mutuality did not write")
        vault.streak("C")  # more changes, in the output folder too: not said again
        assert watching.next_alert().client == "C"
        vault.session("Mutuality/2026-11-21 B.md", client="B", body="Edited.\n")
        vault.streak("D", first_day=20)
        assert watching.next_alert().client == "D"
    assert told.startswith("warning: ") and watching.said.count(told) == 1


def test_watch_as_of_a_day_starts_from_that_day(vault):
    for day in (1, 2, 3):  # uninvited: raised on 3 October, and 6 to come after
        vault.session(f"2026-10-0{day} A.md", client="A")
    vault.session("2026-10-06 A.md", client="A", srs_total=20)
    with WatchProcess(vault, "--format", "jsonl", "--as-of", "2026-10-05") as watching:
        # The 28 days before 5 October are announced; the 6th has not happened yet.
        assert json.loads(watching.line())["date"] == "2026-10-03"
        vault.session("2026-10-04 B.md", client="B", srs_total=20)
        assert json.loads(watching.line())["client"] == "B"


def test_one_watcher_a_vault_without_the_index_too(vault, tmp_path):
    vault.streak("A")
    with WatchProcess(vault, "--format", "jsonl", options=["--no-cache"]) as first:
        assert json.loads(first.line())["client"] == "A"
        for options, state in ((["--no-cache"], None), ([], tmp_path / "another-state")):
            env = {"MUTUALITY_STATE_DIR": str(state)} if state else {}
            second = run_child(*options, "watch", vault, env=env)
            assert second.returncode == 2, second.stderr
            assert "another `mutuality watch` is watching this vault already" in second.stderr


def folders_cannot_be_locked(monkeypatch):
    """As on NFS: the vault's folder cannot be locked, a file can."""
    lock = watch_lock.lock_exclusively

    def refuse_folders(descriptor):
        if stat.S_ISDIR(os.fstat(descriptor).st_mode):
            raise OSError(errno.ENOLCK, "No locks available")
        return lock(descriptor)

    monkeypatch.setattr(watch_lock, "lock_exclusively", refuse_folders)


def test_where_a_folder_cannot_be_locked_a_lock_file_names_the_watcher(vault, tmp_path,
                                                                      monkeypatch):
    folders_cannot_be_locked(monkeypatch)
    said = []
    first = watch_lock.only_watcher(vault.root, tmp_path / "watch.lock", said.append)
    second = watch_lock.only_watcher(vault.root, tmp_path / "watch.lock", said.append)
    with first, pytest.raises(watch_lock.AlreadyWatched,
                              match=rf"\(process {os.getpid()}\)"), second:
        pass
    assert said == []


@pytest.mark.parametrize("lock_file", ["folder", "link", None])
def test_a_lock_that_cannot_be_had_is_a_warning_and_the_watcher_goes_on(vault, tmp_path,
                                                                       monkeypatch, lock_file):
    folders_cannot_be_locked(monkeypatch)
    place = tmp_path / "watch.lock"
    if lock_file == "folder":
        place.mkdir()
    elif lock_file == "link":
        place.symlink_to(tmp_path / "elsewhere")
    said = []
    with watch_lock.only_watcher(vault.root, place if lock_file else None, said.append):
        pass
    assert len(said) == 1
    assert said[0].startswith("warning: mutuality cannot make sure it is the only watcher "
                              "of this vault (")
    assert not (tmp_path / "elsewhere").exists()
