"""The persistent index: a re-scan re-reads only changed notes, and a doubtful
index is rebuilt, never trusted."""

import datetime as dt
import os
import sqlite3
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from mutuality_plugins import hookimpl
from mutuality_plugins.config import Settings
from mutuality_plugins.index import NoteIndex, StateUnusable, fingerprint, state_folder
from mutuality_plugins.model import Alert
from mutuality_plugins.plugin_calls import PluginGuard
from mutuality_plugins.vault import VaultState

from support import ok, run, run_child


class CountingExtractor:
    """Counts the session notes read (an extractor is called once per session note)."""

    def __init__(self):
        self.read = []

    @hookimpl
    def mutuality_extract_feedback(self, note):
        self.read.append(note.path)


@pytest.fixture
def counted(vault, plugins):
    """scan(settings) -> (result, session notes read rather than taken from the index),
    each scan with the index on disk, as a command opens it; on three aged session
    notes and a note that is a problem."""
    counter = CountingExtractor()
    plugins.add(counter, name="counter", origin="test")

    def scan(settings=Settings()):
        counter.read.clear()
        with NoteIndex.open(vault.root, fingerprint(plugins, settings), settings) as index:
            return vault.scan(settings, plugins=plugins, index=index), sorted(counter.read)

    for day in (16, 17, 18):
        vault.session(f"2026-11-{day} A.md", client="A", feedback="[pacing]")
    vault.write("Broken.md", "---\nclient: [\n---\n")
    vault.age()
    return scan


def index_files():
    return sorted(state_folder().glob("index-*.sqlite3"))


def test_a_second_scan_reads_nothing_and_gives_the_same_result(counted):
    first, read = counted()
    assert len(read) == 3
    second, read = counted()
    assert read == []
    assert second == first


def test_only_changed_new_and_renamed_notes_are_read_again(vault, counted):
    counted()
    path = vault / "2026-11-16 A.md"
    path.write_text(path.read_text().replace("[pacing]", "[pacing, topic]"))
    vault.session("2026-11-19 A.md", client="A")
    os.rename(vault / "2026-11-17 A.md", vault / "2026-11-17 renamed.md")
    (vault / "2026-11-18 A.md").unlink()
    vault.age()
    result, read = counted()
    assert read == ["2026-11-16 A.md", "2026-11-17 renamed.md", "2026-11-19 A.md"]
    assert sorted(s.path for s in result.sessions) == [
        "2026-11-16 A.md", "2026-11-17 renamed.md", "2026-11-19 A.md"]
    assert [len(s.items) for s in result.sessions if s.path == "2026-11-16 A.md"] == [2]
    assert [p.path for p in result.problems] == ["Broken.md"]  # problems are kept too


def test_the_readings_and_prose_of_notes_gone_leave_the_index(vault, counted):
    counted()
    os.rename(vault / "2026-11-17 A.md", vault / "2026-11-17 renamed.md")
    (vault / "2026-11-18 A.md").unlink()
    counted()
    (path,) = index_files()
    with sqlite3.connect(path) as db:
        stored = {table: sorted(p for (p,) in db.execute(f"SELECT path FROM {table}"))
                  for table in ("notes", "prose")}
    assert stored == {"notes": ["2026-11-16 A.md", "2026-11-17 renamed.md", "Broken.md"],
                      "prose": ["2026-11-16 A.md", "2026-11-17 renamed.md"]}


def test_other_settings_read_every_note_again(counted):
    counted()
    assert len(counted(Settings(feedback_tag="fb"))[1]) == 3
    assert len(counted()[1]) == 3  # and back: the other readings were not kept


def test_alerts_handed_on_survive_a_change_of_plugins(vault):
    alert = Alert("uninvited-streak", "A", dt.date(2026, 11, 18), "a.md", "warning", None, "m")
    with NoteIndex.open(vault.root, "plugins-one") as first:
        first.remember_sent("stdout", [alert])
    with NoteIndex.open(vault.root, "plugins-two") as second:
        assert second.unsent("stdout", [alert]) == []


def _sql(path, statement):
    connection = sqlite3.connect(path)
    connection.execute(statement)
    connection.commit()
    connection.close()


@pytest.mark.parametrize("damage", [
    lambda path: path.write_bytes(b"this is not a database" * 100),
    lambda path: path.write_bytes(path.read_bytes()[:200]),
    lambda path: _sql(path, "UPDATE meta SET value = '0' WHERE key = 'schema'"),
    lambda path: _sql(path, "UPDATE meta SET value = '/elsewhere' WHERE key = 'vault'"),
    lambda path: _sql(path, "DROP TABLE meta"),
    lambda path: (path.unlink(), _sql(path, "CREATE TABLE songs (title TEXT)")),
    lambda path: _sql(path, "UPDATE notes SET data = 'garbage'"),
], ids=["not-a-database", "torn", "older-layout", "another-vault", "no-meta",
        "another-program", "damaged-readings"])
def test_a_damaged_foreign_or_old_index_is_rebuilt(counted, damage):
    first, _ = counted()
    (index_file,) = index_files()
    damage(index_file)
    try:
        result, read = counted()
    except Exception as error:  # pragma: no cover - the failure this test is for
        pytest.fail(f"a damaged index was trusted: {error!r}")
    assert read == ["2026-11-16 A.md", "2026-11-17 A.md", "2026-11-18 A.md"]  # none trusted
    assert result == first
    # Rebuilt where it was, and in use: the next scan takes every note from it.
    assert index_files() == [index_file]
    again, read = counted()
    assert read == []
    assert again == first


def test_the_index_is_private_to_its_owner(counted):
    counted()
    folder = state_folder()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_the_index_lives_outside_the_vault_unless_configured(vault, tmp_path, monkeypatch):
    monkeypatch.delenv("MUTUALITY_STATE_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    vault.session("2026-11-16 A.md", client="A")
    ok(run("scan", vault))
    assert list((tmp_path / "xdg").rglob("index-*.sqlite3"))
    assert not [p for p in vault.root.rglob("*") if "index" in p.name]
    # A synced vault's own settings do not choose where clinical text is kept ...
    vault.write("mutuality.toml", 'state_folder = "."\n')
    result = run("scan", vault)
    assert "`state_folder` is only taken from settings given with --config" in result.stderr
    assert not list(vault.root.glob("index-*"))
    # ... settings the therapist names do.
    settings_file = tmp_path / "mine.toml"
    settings_file.write_text('state_folder = "state-here"\n')
    ok(run("scan", vault, "--config", settings_file))
    assert list((tmp_path / "state-here").glob("index-*.sqlite3"))


def test_no_cache_reads_every_note(vault, reads):
    vault.session("2026-11-16 A.md", client="A", feedback="[pacing]")
    vault.age()
    ok(run("scan", vault))
    assert reads == ["2026-11-16 A.md"]
    reads.clear()
    ok(run("scan", vault))
    assert reads == []
    ok(run("--no-cache", "scan", vault))
    assert reads == ["2026-11-16 A.md"]


def test_a_note_read_while_a_plugin_failed_is_read_again_next_time(vault, plugins):
    calls = []  # for each scan, the notes the extractor was called on

    class FailsInTheFirstScan:
        @hookimpl
        def mutuality_extract_feedback(self, note):
            calls[-1].append(note.path)
            if len(calls) == 1:
                raise RuntimeError("flaky")

    plugins.add(FailsInTheFirstScan(), name="flaky", origin="test")
    vault.session("2026-11-16 A.md", client="A")
    vault.age()  # old enough to be stored: only the failure can keep it out
    settings = Settings()
    failures = []
    for _ in range(3):
        calls.append([])
        plugins.guard = PluginGuard()
        with NoteIndex.open(vault.root, fingerprint(plugins, settings), settings) as index:
            vault.scan(settings, plugins=plugins, index=index)
        failures.append(len(plugins.guard.failures))
    assert failures == [1, 0, 0]
    # Read again by scan 2 (scan 1's reading was spoilt, so not kept), not by scan 3.
    assert calls == [["2026-11-16 A.md"], ["2026-11-16 A.md"], []]


def test_several_commands_starting_at_once_share_one_new_index(vault, reads):
    vault.session("2026-11-16 A.md", client="A")
    vault.age()
    with ThreadPoolExecutor(6) as pool:
        done = list(pool.map(lambda _: run_child("scan", vault, "--format", "json"), range(6)))
    for command in done:
        assert command.returncode == 0, command.stderr
    assert len({command.stdout for command in done}) == 1
    assert len(index_files()) == 1
    # One index, on disk, that every command could use: the next scan reads nothing.
    assert ok(run("scan", vault, "--format", "json")) == done[0].stdout
    assert reads == []


def test_an_older_index_file_is_made_private(counted):
    counted()
    (index_file,) = index_files()
    index_file.chmod(0o644)
    counted()
    assert stat.S_IMODE(index_file.stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o1777, 0o770, 0o702])
def test_a_state_folder_others_can_write_in_is_refused_and_left_as_it_is(vault, tmp_path,
                                                                        monkeypatch, mode):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    monkeypatch.setenv("MUTUALITY_STATE_DIR", str(shared))
    vault.session("2026-11-16 A.md", client="A")
    result = run("scan", vault)
    assert result.exit_code == 2
    assert result.output == (
        f"mutuality: {shared}: the state folder belongs to someone else, or others can write "
        "in it; mutuality keeps clinical text there, so it is not used: choose a folder of "
        "your own (MUTUALITY_STATE_DIR, or state_folder in a --config file), or `chmod go-w` "
        "it\n")
    assert stat.S_IMODE(shared.stat().st_mode) == mode and not list(shared.iterdir())


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a folder to someone else")
def test_a_state_folder_of_someone_elses_is_refused(vault, tmp_path, monkeypatch):
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, 4242, 4242)
    monkeypatch.setenv("MUTUALITY_STATE_DIR", str(theirs))
    result = run("scan", vault)
    assert result.exit_code == 2 and "belongs to someone else" in result.output


def test_a_new_state_folder_is_private_whatever_the_umask(vault, tmp_path, monkeypatch):
    existing = tmp_path / "existing"
    existing.mkdir()
    existing.chmod(0o755)
    folder = existing / "new" / "state"
    monkeypatch.setenv("MUTUALITY_STATE_DIR", str(folder))
    vault.session("2026-11-16 A.md", client="A")
    previous = os.umask(0)
    try:
        ok(run("scan", vault))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700  # made on the way: too
    assert stat.S_IMODE(existing.stat().st_mode) == 0o755  # what was there: as it was
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())


@pytest.mark.parametrize("trouble", ["a file where the folder goes", "the index is a link",
                                     "the index is a pipe"])
def test_a_state_folder_that_cannot_be_used_stops_nothing(vault, tmp_path, monkeypatch,
                                                           trouble):
    folder = tmp_path / "state"
    monkeypatch.setenv("MUTUALITY_STATE_DIR", str(folder))
    if trouble == "a file where the folder goes":
        folder.write_text("not a folder")
    else:
        ok(run("scan", vault))  # makes the index: then put something else there
        (index,) = folder.glob("index-*.sqlite3")
        index.unlink()
        if trouble == "the index is a link":
            index.symlink_to(tmp_path / "elsewhere.sqlite3")
        else:
            os.mkfifo(index)
    vault.streak("A")
    result = run("alerts", vault)
    assert result.exit_code == 0, result.output
    assert "[warning] A, 2026-11-18" in result.stdout
    (warning,) = [line for line in result.stderr.splitlines() if "working from memory" in line]
    assert str(folder) in warning
    assert not (tmp_path / "elsewhere.sqlite3").exists()


def test_no_cache_never_touches_the_state_folder(vault, tmp_path, monkeypatch):
    folder = tmp_path / "never made"
    monkeypatch.setenv("MUTUALITY_STATE_DIR", str(folder))
    vault.streak("A")
    assert "[warning] A, 2026-11-18" in ok(run("--no-cache", "alerts", vault))
    assert not folder.exists()


def test_a_watcher_whose_index_cannot_be_written_loses_no_change(vault, monkeypatch):
    from support import Watching, until

    real_update = NoteIndex.update
    full = [True]

    def disk_full(self, changed, removed=()):
        if full[0]:
            raise sqlite3.OperationalError("database or disk is full")
        return real_update(self, changed, removed)

    monkeypatch.setattr(NoteIndex, "update", disk_full)
    vault.streak("A")
    vault.age()  # old enough to be stored: only the full disk keeps them out
    with Watching(vault) as watching:
        assert watching.next_alert().client == "A"  # read, and handed on, all the same
        watching.until_said("warning: the index could not be written (database or disk is "
                            "full); what changed is kept in memory")
        assert watching.index.stamps() == {}
        full[0] = False  # room again: the next change writes what was kept
        vault.streak("B")
        assert watching.next_alert().client == "B"
        until(lambda: {"2026-11-16 A.md", "2026-11-17 A.md", "2026-11-18 A.md"}
              <= watching.index.stamps().keys(), "A's notes stored")


def test_plugin_settings_are_part_of_what_readings_depend_on(plugins):
    one = fingerprint(plugins, Settings(plugins={"x": {"word": "a"}}))
    other = fingerprint(plugins, Settings(plugins={"x": {"word": "b"}}))
    assert one != other


def test_the_index_closes_at_the_end_of_a_with_block(vault):
    settings = Settings()
    with NoteIndex.open(vault.root, "fingerprint", settings) as index:
        assert index.mark("a mark", "kept") == "kept"
    with pytest.raises(sqlite3.ProgrammingError):
        index.mark("a mark")


def test_an_index_that_cannot_be_opened_now_is_kept_with_its_record_of_alerts(
        vault, monkeypatch):
    """Locked for long by another command, or a full disk: the command works from
    memory, and the index, with what sinks received, is there for the next one."""
    alert = Alert("uninvited-streak", "A", dt.date(2026, 11, 18), "a.md", "warning", None, "m")
    with NoteIndex.open(vault.root, "plugins") as index:
        index.remember_sent("stdout", [alert])
    original = NoteIndex._migrate

    def locked(self, expected):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(NoteIndex, "_migrate", locked)
    with pytest.raises(StateUnusable):
        NoteIndex.open(vault.root, "plugins")
    monkeypatch.setattr(NoteIndex, "_migrate", original)
    with NoteIndex.open(vault.root, "plugins") as index:
        assert index.unsent("stdout", [alert]) == []  # not handed on again


def test_a_note_whose_prose_alone_changed_is_looked_at_again(vault, plugins):
    """A word the client objected to, written into a later note's text only: the
    practice of a watcher (its rules' findings kept for unchanged sessions) sees it."""
    from mutuality_plugins.practice import PracticeBuilder

    vault.session("2026-11-16 A.md", client="A",
                  feedback='[{theme: words, phrase: "resistant"}]')
    later = vault.session("2026-11-17 A.md", client="A", body="Calm session.\n")
    vault.age()
    settings = Settings()
    builder = PracticeBuilder(vault.root, plugins, settings)
    with NoteIndex.open(vault.root, fingerprint(plugins, settings), settings) as index:
        state = VaultState(vault.root, plugins, settings, index=index)
        state.rescan()
        day = dt.date(2026, 11, 26)
        assert not [a for a in builder.build(state.result(), day).alerts
                    if a.rule == "flagged-word-reused"]
        later.write_text(later.read_text().replace("Calm session.", "Still so resistant."))
        state.refresh([later.name])
        assert [a.note for a in builder.build(state.result(), day).alerts
                if a.rule == "flagged-word-reused"] == [later.name]
