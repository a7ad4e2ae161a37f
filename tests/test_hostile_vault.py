"""A vault written by someone else (synced, shared): it cannot hang the tool, make it
read or write outside the vault, or make it delete what it did not make."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mutuality_plugins import files
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
    ("folder", "could not be opened: Sessions, a folder on its way, is a link, which "
               "mutuality does not follow"),
    # Swapped once its first note was read: the rest are read from the folder opened.
    ("folder after its first note", None),
])
@pytest.mark.parametrize("by_folder", [True, False], ids=["posix", "paths-checked"])
def test_a_note_replaced_between_listing_and_reading_is_never_followed(vault, tmp_path,
                                                                       monkeypatch, what,
                                                                       reason, by_folder):
    monkeypatch.setattr(files, "_BY_FOLDER", files._BY_FOLDER and by_folder)
    vault.streak("A", folder="Sessions/")
    outside = tmp_path / "outside"
    outside.mkdir()
    for day in (16, 17, 18):  # the same names, another client's
        (outside / f"2026-11-{day} A.md").write_text(note(f"client: OUTSIDE\ndate: 2026-11-{day}"))
    read = files.OpenFolders.read

    def swapped(folders, path, cap):
        file = folders.root / path
        swap_at = "2026-11-17 A.md" if what.endswith("first note") else "2026-11-16 A.md"
        if path.endswith(swap_at):  # listed as a note, now something else
            if what.startswith("folder"):  # as a sync program may replace a folder
                (folders.root / "Sessions").rename(folders.root / "Sessions.old")
                (folders.root / "Sessions").symlink_to(outside, target_is_directory=True)
            else:
                os.unlink(file)
                if what == "pipe":
                    os.mkfifo(file)
                else:
                    os.symlink(outside / file.name, file)
        return read(folders, path, cap)

    monkeypatch.setattr(files.OpenFolders, "read", swapped)
    result = vault.scan()
    if reason is None and by_folder:  # the folder that was opened is read
        assert (result.clients, result.problems) == (["A"], ())
    elif reason is None:  # checked again for each note: the link is seen
        assert "Sessions, a folder on its way, is a link" in result.problems[0].message
    else:
        assert reason in [problem.message for problem in result.problems]
    assert "OUTSIDE" not in result.clients


def test_nothing_in_the_output_folder_is_deleted_that_mutuality_did_not_make(vault):
    vault.streak("A")
    theirs = vault.write(f"Mutuality/{TEMPORARY_PREFIX}not-ours.tmp", "someone's file\n")
    old = time.time() - 3600
    os.utime(theirs, (old, old))
    ok(run("alerts", vault, "--write"))
    assert theirs.read_text() == "someone's file\n"


@pytest.mark.parametrize("output_folder", ["Mutuality", "Out/Put"])
def test_a_link_on_the_way_to_the_output_folder_is_never_followed(vault, tmp_path,
                                                                 output_folder):
    vault.write("mutuality.toml", f'output_folder = "{output_folder}"\n')
    vault.streak("A")
    outside = tmp_path / "outside"
    (outside / "Put" / "Deeper").mkdir(parents=True)
    for folder in (outside, outside / "Put", outside / "Put" / "Deeper"):
        (folder / "someone else's.md").write_text("# not a generated note\n")
    before = sorted(path for path in outside.rglob("*"))
    (vault / output_folder.split("/")[0]).symlink_to(outside / output_folder.split("/")[1]
                                                     if "/" in output_folder else outside)
    for command in ("scan", "alerts"):  # nothing there is read, so nothing is hidden
        result = run(command, vault)
        ok(result)
        assert "someone else" not in result.output
    written = run("alerts", vault, "--write")
    assert written.exit_code == 1
    assert written.stderr.splitlines()[-1].endswith(
        ": is a link or a file; mutuality writes only into a real folder in the vault")
    assert sorted(path for path in outside.rglob("*")) == before


def test_a_folder_swapped_for_a_link_just_before_a_write_is_not_written_through(
        vault, tmp_path, monkeypatch):
    from mutuality_plugins import writer

    vault.streak("A")
    (vault / "Mutuality").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    create = writer._create_temporary

    def swap_then_create(folder, output_folder):
        (vault / "Mutuality").rename(vault / "Mutuality.old")
        (vault / "Mutuality").symlink_to(outside, target_is_directory=True)
        return create(folder, output_folder)

    monkeypatch.setattr(writer, "_create_temporary", swap_then_create)
    ok(run("alerts", vault, "--write"))
    assert list(outside.iterdir()) == []  # written into the folder it had opened
    assert (vault / "Mutuality.old" / "Alerts.md").exists()


@pytest.mark.parametrize("what", ["folder", "link", "pipe"])
def test_the_record_of_temporaries_can_neither_stop_a_write_nor_be_followed(vault, tmp_path,
                                                                           what):
    vault.streak("A")
    ok(run("alerts", vault, "--write"))
    [record] = Path(os.environ["MUTUALITY_STATE_DIR"]).glob("*-writes.jsonl")
    record.unlink()
    victim = tmp_path / "victim.txt"
    victim.write_text("someone's file\n")
    if what == "folder":
        record.mkdir()
    elif what == "link":
        record.symlink_to(victim)
    else:
        os.mkfifo(record)
    vault.streak("B")
    ok(run("alerts", vault, "--write"))
    assert "## B" in (vault / "Mutuality" / "Alerts.md").read_text()
    assert sorted(os.listdir(vault / "Mutuality")) == ["Alerts.md"]  # no temporary left
    assert victim.read_text() == "someone's file\n"


def test_the_record_of_temporaries_is_private_whatever_the_umask(vault):
    vault.streak("A")
    was = os.umask(0)
    try:
        assert run_child("alerts", vault, "--write").returncode == 0
    finally:
        os.umask(was)
    [record] = Path(os.environ["MUTUALITY_STATE_DIR"]).glob("*-writes.jsonl")
    assert record.stat().st_mode & 0o077 == 0


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


def test_init_never_writes_through_a_folder_swapped_for_a_link_meanwhile(vault, tmp_path,
                                                                         monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    create = files.Folder.create

    def swap_then_create(folder, name, mode=0o600):
        if name.startswith("Session"):  # the template, once its folder is open
            (vault / "Templates").rename(vault / "Templates.old")
            (vault / "Templates").symlink_to(elsewhere, target_is_directory=True)
        return create(folder, name, mode)

    monkeypatch.setattr(files.Folder, "create", swap_then_create)
    ok(run("init", vault))
    assert list(elsewhere.iterdir()) == []
    assert (vault / "Templates.old" / "Session (mutuality).md").is_file()


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
