"""What a command imports: `mutuality --help`, and a command whose notes are all in the
index, spend most of their time importing (see benchmarks/scale.py for the times)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from support import run_child

# Imported by the commands that need them, when they do.
HEAVY = ("yaml", "sqlite3", "frontmatter", "json", "difflib", "secrets", "csv", "pluggy",
         "mutuality_plugins.model", "mutuality_plugins.practice", "mutuality_plugins.supervision",
         "mutuality_plugins.config", "mutuality_plugins.reading.yaml_loading")


def imported(*args: object) -> set[str]:
    """Which of HEAVY a command run in a child process imported."""
    code = ("import json, sys\n"
            "from mutuality_plugins.cli import cli\n"
            f"sys.argv = ['mutuality', *{[str(arg) for arg in args]!r}]\n"
            "try:\n    cli()\nexcept SystemExit:\n    pass\n"
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)), "
            "file=sys.stderr)\n")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=60, env=dict(os.environ))
    return set(json.loads(child.stderr.strip().splitlines()[-1]))


def test_help_imports_no_reading_of_notes_nor_any_report_nor_plugin():
    # json is imported by the child's own last line, not by mutuality.
    assert imported("--help") == {"json"}


def test_a_scan_whose_notes_are_all_in_the_index_reads_no_yaml(vault):
    note = vault.session("A/2026-11-20 A.md", client="A", feedback_invited="yes")
    os.utime(note, (note.stat().st_atime, note.stat().st_mtime - 60))  # saved a while ago
    assert run_child("scan", vault.root).returncode == 0  # the index is made
    found = imported("scan", vault.root)
    assert "yaml" not in found and "mutuality_plugins.reading.yaml_loading" not in found
    vault.session("A/2026-11-21 A.md", client="A")  # a new note is read
    assert "yaml" in imported("scan", vault.root)


def test_a_yaml_that_cannot_be_imported_stops_the_command_and_no_note_is_kept_unread(
        vault, tmp_path):
    # YAML is imported when the first note is read: a broken install is the command's
    # error (as it was when it was imported at the start), never every note's reading.
    broken = tmp_path / "broken" / "yaml"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('a broken install')\n")
    note = vault.session("A/2026-11-20 A.md", client="A", feedback_invited="yes")
    os.utime(note, (note.stat().st_atime, note.stat().st_mtime - 60))
    failed = run_child("scan", vault.root, env={"PYTHONPATH": str(broken.parent)})
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines()[-1].startswith("mutuality: unexpected error: "
                                                             "ImportError")
    scanned = json.loads(run_child("scan", vault.root, "--format", "json").stdout)
    assert (scanned["sessions"], scanned["problems"]) == (1, [])
