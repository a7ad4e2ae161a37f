"""The persistent index: a re-scan re-reads only changed notes, and a doubtful
index is rebuilt, never trusted."""

import os
import sqlite3
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mutuality_plugins import hookimpl
from mutuality_plugins.cli import cli
from mutuality_plugins.config import Settings
from mutuality_plugins.index import NoteIndex, fingerprint
from mutuality_plugins.plugins import get_plugin_manager
from mutuality_plugins.vault import scan_vault

from support import note


class CountingExtractor:
    """Counts the session notes read (an extractor is called once per session note)."""

    def __init__(self):
        self.read = []

    @hookimpl
    def mutuality_extract_feedback(self, note):
        self.read.append(note.path)


@pytest.fixture
def counted(vault):
    counter = CountingExtractor()
    manager = get_plugin_manager(load_entry_points=False)
    manager.add(counter, name="counter", origin="test")

    def scan(settings=Settings()):
        counter.read.clear()
        index = NoteIndex.open(vault.root, fingerprint(manager, settings), settings)
        try:
            return scan_vault(vault.root, manager, settings, index=index), sorted(counter.read)
        finally:
            index.close()

    for day in (16, 17, 18):
        vault.session(f"2026-11-{day} A.md", client="A", feedback="[pacing]")
    vault.write("Broken.md", "---\nclient: [\n---\n")
    age(vault.root)
    return scan


def age(root):
    """Notes saved a minute ago: a note changed within the last seconds is read again
    on every scan (its stamp cannot be trusted yet)."""
    past = time.time() - 60
    for path in root.rglob("*.md"):
        os.utime(path, (past, past))


def test_a_second_scan_reads_nothing_and_gives_the_same_result(counted):
    first, read = counted()
    assert len(read) == 3
    second, read = counted()
    assert read == []
    assert second == first


def test_only_changed_new_and_renamed_notes_are_read_again(vault, counted):
    counted()
    path = vault.root / "2026-11-16 A.md"
    path.write_text(path.read_text().replace("[pacing]", "[pacing, topic]"))
    vault.session("2026-11-19 A.md", client="A")
    os.rename(vault.root / "2026-11-17 A.md", vault.root / "2026-11-17 renamed.md")
    (vault.root / "2026-11-18 A.md").unlink()
    age(vault.root)
    result, read = counted()
    assert read == ["2026-11-16 A.md", "2026-11-17 renamed.md", "2026-11-19 A.md"]
    assert sorted(s.path for s in result.sessions) == [
        "2026-11-16 A.md", "2026-11-17 renamed.md", "2026-11-19 A.md"]
    assert [len(s.items) for s in result.sessions if s.path == "2026-11-16 A.md"] == [2]
    assert [p.path for p in result.problems] == ["Broken.md"]  # problems are kept too


def test_other_settings_read_every_note_again(counted):
    counted()
    assert len(counted(Settings(feedback_tag="fb"))[1]) == 3
    assert len(counted()[1]) == 3  # and back: the other readings were not kept


def test_alerts_handed_on_survive_a_change_of_plugins(vault):
    import datetime as dt

    from mutuality_plugins.model import Alert

    alert = Alert("uninvited-streak", "A", dt.date(2026, 11, 18), "a.md", "warning", None, "m")
    first = NoteIndex.open(vault.root, "plugins-one")
    first.remember_sent("stdout", [alert])
    first.close()
    second = NoteIndex.open(vault.root, "plugins-two")
    assert second.unsent("stdout", [alert]) == []
    second.close()


@pytest.mark.parametrize("damage", [
    lambda path: path.write_bytes(b"this is not a database" * 100),
    lambda path: path.write_bytes(path.read_bytes()[:200]),
    lambda path: _sql(path, "UPDATE meta SET value = '0' WHERE key = 'schema'"),
    lambda path: _sql(path, "UPDATE meta SET value = '/elsewhere' WHERE key = 'vault'"),
    lambda path: _sql(path, "DROP TABLE meta"),
    lambda path: (path.unlink(), _sql(path, "CREATE TABLE songs (title TEXT)")),
    lambda path: _sql(path, "UPDATE notes SET data = 'garbage'"),
])
def test_a_damaged_foreign_or_old_index_is_rebuilt(counted, damage):
    first, _ = counted()
    index_file = next(Path(os.environ["MUTUALITY_STATE_DIR"]).glob("index-*.sqlite3"))
    damage(index_file)
    try:
        result, read = counted()
    except Exception as error:  # pragma: no cover - the failure this test is for
        pytest.fail(f"a damaged index was trusted: {error!r}")
    assert result == first


def _sql(path, statement):
    connection = sqlite3.connect(path)
    connection.execute(statement)
    connection.commit()
    connection.close()


def test_the_index_is_private_to_its_owner(counted):
    counted()
    folder = Path(os.environ["MUTUALITY_STATE_DIR"])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_the_index_lives_outside_the_vault_unless_configured(vault, tmp_path, monkeypatch):
    monkeypatch.delenv("MUTUALITY_STATE_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    vault.session("2026-11-16 A.md", client="A")
    assert CliRunner().invoke(cli, ["scan", str(vault.root)]).exit_code == 0
    assert list((tmp_path / "xdg").rglob("index-*.sqlite3"))
    assert not [p for p in vault.root.rglob("*") if "index" in p.name]
    # A synced vault's own settings do not choose where clinical text is kept ...
    (vault.root / "mutuality.toml").write_text('state_folder = "."\n')
    result = CliRunner().invoke(cli, ["scan", str(vault.root)])
    assert "`state_folder` is only taken from settings given with --config" in result.stderr
    assert not list(vault.root.glob("index-*"))
    # ... settings the therapist names do.
    settings_file = tmp_path / "mine.toml"
    settings_file.write_text('state_folder = "state-here"\n')
    assert CliRunner().invoke(cli, ["scan", str(vault.root), "--config", str(settings_file)]).exit_code == 0
    assert list((tmp_path / "state-here").glob("index-*.sqlite3"))


def test_no_cache_reads_every_note(vault, monkeypatch):
    vault.session("2026-11-16 A.md", client="A", feedback="[pacing]")
    age(vault.root)
    run = CliRunner().invoke
    assert run(cli, ["scan", str(vault.root)]).exit_code == 0
    from mutuality_plugins import vault as vault_module

    reads = []
    original = vault_module.NoteReader.read
    monkeypatch.setattr(vault_module.NoteReader, "read",
                        lambda self, relative: reads.append(relative) or original(self, relative))
    assert run(cli, ["scan", str(vault.root)]).exit_code == 0
    assert reads == []
    assert run(cli, ["--no-cache", "scan", str(vault.root)]).exit_code == 0
    assert reads == ["2026-11-16 A.md"]


def test_a_note_read_while_a_plugin_failed_is_read_again_next_time(vault):
    class FailsOnce:
        failed = False

        @hookimpl
        def mutuality_extract_feedback(self, note):
            if not FailsOnce.failed:
                FailsOnce.failed = True
                raise RuntimeError("flaky")

    from mutuality_plugins.plugin_calls import PluginGuard

    manager = get_plugin_manager(load_entry_points=False)
    manager.add(FailsOnce(), name="flaky", origin="test")
    vault.write("2026-11-16 A.md", note("client: A"))
    settings = Settings()
    for expected_failures in (1, 0):
        index = NoteIndex.open(vault.root, fingerprint(manager, settings), settings)
        guard = PluginGuard()
        scan_vault(vault.root, manager, settings, index=index, guard=guard)
        index.close()
        assert len(guard.failures) == expected_failures
    assert FailsOnce.failed


def test_several_commands_starting_at_once_share_one_new_index(vault, tmp_path):
    import subprocess
    import sys

    vault.session("2026-11-16 A.md", client="A")
    commands = [subprocess.Popen([sys.executable, "-m", "mutuality_plugins", "scan", str(vault.root)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                 env=os.environ.copy()) for _ in range(6)]
    for command in commands:
        assert command.wait(timeout=60) == 0, command.stderr.read()


def test_an_older_index_file_is_made_private(counted):
    counted()
    (index_file,) = Path(os.environ["MUTUALITY_STATE_DIR"]).glob("index-*.sqlite3")
    index_file.chmod(0o644)
    counted()
    assert stat.S_IMODE(index_file.stat().st_mode) == 0o600


def test_a_state_folder_given_is_left_as_it_is(vault, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    monkeypatch.setenv("MUTUALITY_STATE_DIR", str(shared))
    vault.session("2026-11-16 A.md", client="A")
    assert CliRunner().invoke(cli, ["scan", str(vault.root)]).exit_code == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in shared.iterdir())


def test_plugin_settings_are_part_of_what_readings_depend_on(vault):
    manager = get_plugin_manager(load_entry_points=False)
    one = fingerprint(manager, Settings(plugins={"x": {"word": "a"}}))
    other = fingerprint(manager, Settings(plugins={"x": {"word": "b"}}))
    assert one != other


def test_the_index_closes_at_the_end_of_a_with_block(vault):
    settings = Settings()
    with NoteIndex.open(vault.root, "fingerprint", settings) as index:
        assert index.mark("a mark", "kept") == "kept"
    with pytest.raises(sqlite3.ProgrammingError):
        index.mark("a mark")
