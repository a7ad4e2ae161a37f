"""``mutuality scan`` through the command line, as a therapist or a program calls it."""

import json

import pytest

from mutuality_plugins import progress

from support import note, ok, run


@pytest.fixture
def practice(vault):
    vault.session("Clients/RM-07/2026-11-16 RM-07.md", client='"[[RM-07]]"')
    vault.session("Clients/RM-07/2026-11-20 RM-07.md", client='"[[RM-07]]"')
    vault.session("Couples/2026-11-18 DS EO.md", client="[DS-21, EO-22]")
    vault.write("Home.md", "# Home\n")
    vault.write("Broken/unclosed.md", "---\nclient: X\n")
    vault.write("Broken/latin1.md", note("client: Y\ndate: 2026-11-20", "K\u00e4the").encode("latin-1"))
    return vault


def test_scan_json_is_the_stable_shape(practice):
    assert json.loads(ok(run("scan", practice, "--format", "json"))) == {
        "notes": 6,
        "sessions": 3,
        "clients": 3,
        "problems": [
            {"path": "Broken/latin1.md", "message": "the note is not UTF-8 text: open it in "
             "Obsidian and save it again, or re-save it as UTF-8"},
            {"path": "Broken/unclosed.md", "message": "the properties block at the top is never "
             "closed: add a line with only --- after the last property"},
        ],
        "warnings": [],
    }


def test_scan_text_counts_sessions_per_client_and_lists_problems(practice):
    lines = ok(run("scan", practice)).splitlines()
    assert lines[0] == f"Read 6 notes in {practice.root}: 3 session notes, 3 clients."
    assert "  DS-21  1" in lines and "  RM-07  2" in lines and "  EO-22  1" in lines
    assert "2 notes could not be read and were left out:" in lines
    assert any(line.startswith("  Broken/unclosed.md: the properties block") for line in lines)


def test_scan_of_an_empty_vault(vault):
    result = run("scan", vault)
    assert result.exit_code == 0
    assert result.output == (f"Read 0 notes in {vault}: 0 session notes, 0 clients.\n\n"
                             f"no session notes found in {vault}: a session note names a "
                             "`client` in its properties\n")


@pytest.mark.parametrize("make, reason", [(lambda p: p.write_text("x"), "not a folder"),
                                          (lambda p: None, "no such folder")])
def test_a_path_that_is_not_a_folder_exits_2_with_one_line(tmp_path, make, reason):
    path = tmp_path / "notes.md"
    make(path)
    result = run("scan", path)
    assert result.exit_code == 2
    assert result.output == f"mutuality: {path}: {reason}\n"


def test_an_unknown_format_is_a_usage_error(vault):
    result = run("scan", vault, "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of 'text', 'json'" in result.output


def test_debug_shows_the_traceback_instead_of_one_line(tmp_path):
    result = run("--debug", "scan", tmp_path / "missing")
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "VaultError"


def test_no_progress_bar_when_stderr_is_not_a_terminal(practice, monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER_SECONDS", 0)  # a bar would show at once
    result = run("scan", practice)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "Reading notes" not in result.output


def test_control_characters_in_ids_and_names_are_shown_as_escapes(vault):
    vault.write("2026-11-20 \x1b]0;owned\x07.md", note('client: "\\e[31mRED"\ndate: 2026-11-20'))
    vault.write("2026-11-21 B.md", note("client: B\ndate: 2026-11-21\nfeedback_invited: maybe"))
    output = ok(run("scan", vault))
    assert "\x1b" not in output and "\x07" not in output
    assert "\\x1b[31mRED" in output
    text = ok(run("alerts", vault, "--all"))
    assert "\x1b" not in text


def test_a_long_client_id_does_not_pad_every_other_line(vault):
    vault.session("2026-11-20 a.md", client="R" * 100)
    vault.session("2026-11-20 b.md", client="B")
    lines = ok(run("scan", vault)).splitlines()
    assert f"  {'B':<24}  1" in lines and f"  {'R' * 100}  1" in lines
