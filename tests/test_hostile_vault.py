"""A vault written by someone else (synced, shared): it cannot hang the tool, make it
read or write outside the vault, or make it delete what it did not make."""

import os
import subprocess
import sys
import time

import pytest

from mutuality_plugins import vault as vault_module
from mutuality_plugins.writer import TEMPORARY_PREFIX

from support import TIMEOUT, note, ok, run, run_child


def test_a_pipe_where_alerts_md_goes_is_refused_at_once_and_the_rest_runs(vault):
    vault.streak("A")
    (vault / "Mutuality").mkdir()
    os.mkfifo(vault / "Mutuality" / "Alerts.md")  # a plain open would wait for ever
    done = run_child("alerts", vault, "--write", timeout=TIMEOUT)
    assert done.returncode == 1
    assert "[warning] A, 2026-11-18" in done.stdout or "No alerts" in done.stdout
    assert done.stderr.splitlines()[-1] == (
        "mutuality: Mutuality/Alerts.md was not written: what is there is not a note (it is a "
        "pipe, not a file); move it away to let mutuality write")


@pytest.mark.parametrize("what", ["a pipe", "a link out of the vault"])
def test_a_note_that_is_not_a_regular_file_is_a_problem_not_a_hang(vault, tmp_path, what):
    vault.streak("A")
    if what == "a pipe":
        os.mkfifo(vault / "2026-11-19 A.md")
    else:
        (tmp_path / "outside.md").write_text(note("client: OUTSIDE\ndate: 2026-11-19"))
        (vault / "2026-11-19 A.md").symlink_to(tmp_path / "outside.md")
    done = run_child("scan", vault, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert "OUTSIDE" not in done.stdout


@pytest.mark.parametrize("what, reason", [
    ("pipe", "could not be opened: it is a pipe, not a file"),
    ("link", "could not be opened: it is a link, which mutuality does not follow"),
])
def test_a_note_replaced_between_listing_and_reading_is_never_followed(vault, tmp_path,
                                                                       monkeypatch, what,
                                                                       reason):
    vault.streak("A")
    (tmp_path / "outside.md").write_text(note("client: OUTSIDE\ndate: 2026-11-19"))
    read = vault_module.read_regular

    def swapped(path, cap):
        if path.endswith("2026-11-17 A.md"):  # listed as a note, now something else
            os.unlink(path)
            if what == "pipe":
                os.mkfifo(path)
            else:
                os.symlink(tmp_path / "outside.md", path)
        return read(path, cap)

    monkeypatch.setattr(vault_module, "read_regular", swapped)
    result = vault.scan()
    assert [problem.message for problem in result.problems] == [reason]
    assert "OUTSIDE" not in result.clients


def test_nothing_in_the_output_folder_is_deleted_that_mutuality_did_not_make(vault):
    vault.streak("A")
    theirs = vault.write(f"Mutuality/{TEMPORARY_PREFIX}not-ours.tmp", "someone's file\n")
    old = time.time() - 3600
    os.utime(theirs, (old, old))
    ok(run("alerts", vault, "--write"))
    assert theirs.read_text() == "someone's file\n"


def test_init_never_writes_through_a_linked_folder(vault, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (vault / "Templates").symlink_to(elsewhere)
    result = run("init", vault)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"mutuality: {vault / 'Templates'}: is a link; mutuality writes only into real folders "
        "of the vault")
    assert list(elsewhere.iterdir()) == []


def test_the_service_cut_short_by_its_reader_is_one_line(vault):
    child = subprocess.Popen([sys.executable, "-m", "mutuality_plugins", "service", str(vault),
                              "--platform", "linux"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # `| head -0`: nothing is read
    assert child.wait(timeout=TIMEOUT) == 1
    assert child.stderr.read().decode() == (
        "mutuality: the output was closed before all of it was written\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_an_output_folder_that_cannot_be_written_is_named(vault):
    vault.streak("A")
    (vault / "Mutuality").mkdir(mode=0o500)
    result = run("alerts", vault, "--write")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "mutuality: the output folder Mutuality cannot be written (permission denied)")
