"""Killed at the worst moment (SIGKILL, no clean-up), mutuality leaves no partial
file behind, and the next run is correct."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mutuality_plugins.plugins import get_plugin_manager
from mutuality_plugins.vault import scan_vault
from mutuality_plugins.writer import is_generated

from support import note

# Runs the command line with one function replaced by a SIGKILL of the process.
KILLER = textwrap.dedent("""
    import os, signal, sys
    import {module} as target
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    {replace}
    from mutuality_plugins.cli import cli
    cli(sys.argv[1:], prog_name="mutuality")
""")


def killed_during(replace, module, *arguments):
    script = KILLER.format(module=module, replace=replace)
    done = subprocess.run([sys.executable, "-c", script, *map(str, arguments)],
                          capture_output=True, text=True, env=os.environ.copy())
    assert done.returncode == -9, done.stderr  # it really was killed


def run(*arguments):
    done = subprocess.run([sys.executable, "-m", "mutuality_plugins", *map(str, arguments)],
                          capture_output=True, text=True, env=os.environ.copy())
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def vault(tmp_path):
    root = tmp_path / "vault"
    root.mkdir()
    for day in (16, 17, 18):
        (root / f"2026-11-{day} A.md").write_text(note("client: A"))
    return root


def age(folder: Path) -> None:
    """Make what a killed write left look old (they are cleared after a minute)."""
    for leftover in folder.glob(".mutuality-*"):
        os.utime(leftover, (0, 0))


@pytest.mark.parametrize("moment", [
    "target.os.replace = die",  # the new note fully written, not yet in place
    "target.os.fsync = die",  # the new note half written
])
@pytest.mark.parametrize("command", [
    ("digest", "{vault}", "--week", "2026-W47", "--write"),
    ("alerts", "{vault}", "--all", "--write"),
])
def test_a_killed_write_leaves_the_old_note_whole(vault, moment, command):
    arguments = [part.format(vault=vault) for part in command]
    run(*arguments)
    written = sorted((vault / "Mutuality").glob("*.md"))
    before = {path: path.read_text() for path in written}
    (vault / "2026-11-19 A.md").write_text(note("client: A\nsrs_total: 10"))  # changes the note
    killed_during(moment, "mutuality_plugins.writer", *arguments)
    for path, text in before.items():
        assert path.read_text() == text  # whole: the old note, not a part of the new
        assert is_generated(text)
    age(vault / "Mutuality")
    run(*arguments)
    assert [p.name for p in (vault / "Mutuality").iterdir()] == [p.name for p in written]
    assert all(path.read_text() != before[path] for path in written if "Alerts" in path.name)


def test_a_killed_index_update_is_rolled_back_and_the_next_run_is_right(vault):
    run("scan", vault)
    for day in (19, 20):
        (vault / f"2026-11-{day} A.md").write_text(note("client: B"))
    # Killed just before the transaction that stores the new readings commits.
    killed_during("target._Transaction.__exit__ = die", "mutuality_plugins.index", "scan", vault)
    result = run("scan", vault, "--format", "json").stdout
    cold = scan_vault(vault, get_plugin_manager())
    assert f'"sessions": {len(cold.sessions)}' in result
    assert '"clients": 2' in result


def test_a_killed_scan_with_a_damaged_index_is_rebuilt(vault):
    run("scan", vault)
    state = Path(os.environ["MUTUALITY_STATE_DIR"])
    for index in state.glob("index-*.sqlite3"):
        index.write_bytes(index.read_bytes()[:1000])  # torn, as a crash of the disk might
    assert '"sessions": 3' in run("scan", vault, "--format", "json").stdout
