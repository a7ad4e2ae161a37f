"""Killed at the worst moment (SIGKILL, no clean-up), mutuality leaves no partial
file behind, and the next run is correct."""

import json
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from mutuality_plugins.index import APPLICATION, SCHEMA, state_folder
from mutuality_plugins.writer import is_generated

from support import TODAY, ok, run

# The command line in a child process, on TODAY as support.run has it, after
# ``replace`` has put ``die`` (a SIGKILL of the process) in place of some function.
KILLER = textwrap.dedent("""
    import datetime, os, signal, sys
    import {module} as target
    from mutuality_plugins import cli as cli_module
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    {replace}
    cli_module._today = lambda: datetime.date.fromisoformat({today!r})
    cli_module.cli(sys.argv[1:], prog_name="mutuality")
""")


def killed_during(replace, module, *arguments):
    """``mutuality ARGUMENTS`` in a child process with this test's environment (as
    support.run_child has it), which must die of the SIGKILL."""
    script = KILLER.format(module=module, replace=textwrap.dedent(replace).strip(),
                           today=TODAY.isoformat())
    done = subprocess.run([sys.executable, "-c", script, *map(str, arguments)],
                          capture_output=True, text=True, timeout=60, env={**os.environ})
    assert done.returncode == -9, done.stderr  # it really was killed


def make_leftover_temporaries_stale(folder):
    """Make what a killed write left behind look old (a write clears those older than
    a minute)."""
    for leftover in folder.glob(".mutuality-*"):
        os.utime(leftover, (0, 0))


def the_index():
    """What the one index file holds: (its integrity check, its meta rows, each note's
    stored row by path, with its prose)."""
    (path,) = state_folder().glob("index-*.sqlite3")
    connection = sqlite3.connect(path)
    try:
        return (connection.execute("PRAGMA integrity_check").fetchall(),
                dict(connection.execute("SELECT key, value FROM meta")),
                {row[0]: row[1:] for row in connection.execute(
                    "SELECT path, notes.fingerprint, mtime_ns, size, kind, data, text"
                    " FROM notes LEFT JOIN prose USING (path)")})
    finally:
        connection.close()


def assert_sound(index, vault, notes):
    """``index`` (from the_index) is whole, of ``vault``, and keeps the readings of
    exactly ``notes``."""
    integrity, meta, rows = index
    assert integrity == [("ok",)]
    assert meta == {"application": APPLICATION, "schema": str(SCHEMA),
                    "vault": str(vault.root.resolve())}
    assert sorted(rows) == sorted(notes)


STREAK = ["2026-11-16 A.md", "2026-11-17 A.md", "2026-11-18 A.md"]  # vault.streak("A")


@pytest.mark.parametrize("moment", [
    "target.os.replace = die",  # the new note fully written, not yet in place
    "target.os.fsync = die",  # the new note half written
])
@pytest.mark.parametrize("command", [
    ("digest", "{vault}", "--week", "2026-W47", "--write"),
    ("alerts", "{vault}", "--all", "--write"),
])
def test_a_killed_write_leaves_the_old_note_whole(vault, moment, command):
    vault.streak("A")
    arguments = [part.format(vault=vault) for part in command]
    ok(run(*arguments))
    output = vault / "Mutuality"
    written = sorted(output.glob("*.md"))
    assert written, "the command wrote no note"
    before = {path: path.read_text() for path in written}
    vault.session("2026-11-19 A.md", client="A", srs_total=10)  # changes the note
    killed_during(moment, "mutuality_plugins.writer", *arguments)
    for path, text in before.items():
        assert path.read_text() == text  # whole: the old note, not a part of the new
        assert is_generated(text)
    assert list(output.glob(".mutuality-*")), "the killed write left nothing behind"
    make_leftover_temporaries_stale(output)
    ok(run(*arguments))
    # The leftover is cleared, and the note written again, with the change.
    assert sorted(p.name for p in output.iterdir()) == [p.name for p in written]
    for path in written:
        assert path.read_text() != before[path], f"{path.name} was not written again"
        assert is_generated(path.read_text())


# Replacements of NoteIndex.update that kill the process while it stores the new
# readings, inside the transaction that is to hold them all.
ONE_WRITTEN = """
    update = target.NoteIndex.update
    def update_and_die(self, changed, removed=()):
        def first_only():
            for number, reading in enumerate(changed):
                if number:
                    die()  # the first new reading written, the next not yet
                yield reading
        return update(self, first_only(), removed)
    target.NoteIndex.update = update_and_die
"""
ALL_WRITTEN = """
    update = target.NoteIndex.update
    def update_and_die(self, changed, removed=()):
        changed = list(changed)
        if changed:  # every new reading written, then killed as they would commit
            target._Transaction.__exit__ = die
        return update(self, changed, removed)
    target.NoteIndex.update = update_and_die
"""


@pytest.mark.parametrize("moment", [ONE_WRITTEN, ALL_WRITTEN], ids=["one-written", "all-written"])
def test_a_killed_index_update_is_rolled_back_and_the_next_run_is_right(vault, reads, moment):
    vault.streak("A")
    vault.age()
    ok(run("scan", vault))
    before = the_index()
    assert_sound(before, vault, STREAK)
    new = [vault.session(f"2026-11-{day} B.md", client="B").name for day in (19, 20)]
    vault.age()  # every note old enough to be stored, with a new stamp: all are read
    killed_during(moment, "mutuality_plugins.index", "scan", vault)
    assert the_index() == before  # rolled back: not one of the killed run's readings
    reads.clear()
    result = ok(run("scan", vault, "--format", "json"))
    assert reads == STREAK + new  # so the next run reads again all it had read
    assert result == ok(run("--no-cache", "scan", vault, "--format", "json"))  # a cold scan
    assert (json.loads(result)["sessions"], json.loads(result)["clients"]) == (5, 2)
    assert_sound(the_index(), vault, STREAK + new)
    reads.clear()
    ok(run("scan", vault))
    assert reads == []


def test_an_index_torn_by_a_crash_is_rebuilt_on_the_next_run(vault, reads):
    vault.streak("A")
    vault.age()
    ok(run("scan", vault))
    (index,) = state_folder().glob("index-*.sqlite3")
    index.write_bytes(index.read_bytes()[:1000])  # torn, as a crash of the disk might
    reads.clear()
    assert json.loads(ok(run("scan", vault, "--format", "json")))["sessions"] == 3
    assert reads == STREAK  # nothing taken from the torn index
    assert_sound(the_index(), vault, STREAK)  # rebuilt where it was
    reads.clear()
    ok(run("scan", vault))
    assert reads == []
