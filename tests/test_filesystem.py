"""The file system as it is: links, unreadable and vanishing files, odd names, depth."""

import json
import os
import unicodedata

import pytest

from mutuality_plugins import files, walk
from mutuality_plugins.config import Settings
from mutuality_plugins.index import NoteIndex, fingerprint

from support import note, run

SESSION = note("client: A\ndate: 2026-11-20")


def test_a_link_out_of_the_vault_and_a_link_loop_are_not_followed(vault, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.md").write_text(SESSION)
    vault.write("Clients/a.md", SESSION)
    os.symlink(outside, vault.root / "Clients" / "out")
    os.symlink(vault.root / "Clients", vault.root / "Clients" / "loop")
    os.symlink(vault.root / "missing", vault.root / "dangling.md")
    result = vault.scan()
    assert (result.notes, result.problems) == (1, ())


def test_an_unreadable_folder_is_a_problem_and_the_rest_goes_on(vault, monkeypatch):
    vault.write("Open/a.md", SESSION)
    vault.write("Locked/b.md", SESSION)

    class Refusing(files.Folder):  # tests may run as root, who can read anything
        def entries(self):
            if self.path.name == "Locked":
                raise PermissionError(13, "Permission denied", str(self.path))
            return super().entries()

    monkeypatch.setattr(walk, "Folder", Refusing)
    result = vault.scan()
    assert [s.path for s in result.sessions] == ["Open/a.md"]
    assert [(p.path, p.message) for p in result.problems] == [
        ("Locked", "folder could not be read: permission denied")]


def test_a_note_that_vanishes_during_the_scan_is_simply_gone(vault, monkeypatch):
    vault.write("a.md", SESSION)
    vault.write("b.md", SESSION)
    read_bytes = files.OpenFolders.read

    def vanish(folders, path, cap):
        if path.endswith("b.md"):
            os.unlink(folders.root / path)
        return read_bytes(folders, path, cap)

    monkeypatch.setattr(files.OpenFolders, "read", vanish)
    result = vault.scan()
    assert (result.notes, [s.path for s in result.sessions], result.problems) == (1, ["a.md"], ())


def test_a_note_changed_again_within_a_clock_tick_of_being_read_is_read_again(vault, plugins):
    settings = Settings()

    def scan():
        with NoteIndex.open(vault.root, fingerprint(plugins, settings), settings) as index:
            return vault.scan(settings, plugins=plugins, index=index)

    path = vault.write("a.md", SESSION)  # saved just now, then read at once
    assert [s.clients for s in scan().sessions] == [("A",)]
    # Saved again within the same tick of a coarse clock (FAT keeps 2 s), at the same
    # size: the note's stamp (modification time, size) is the one the scan saw.
    before = path.stat()
    path.write_text(SESSION.replace("client: A", "client: B"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_mtime_ns, path.stat().st_size) == (before.st_mtime_ns, before.st_size)
    assert [s.clients for s in scan().sessions] == [("B",)]


@pytest.mark.parametrize("name", [
    "Käthe 2026-11-20.md", unicodedata.normalize("NFD", "Käthe 2026-11-21.md"),
    "🌱 séance 2026-11-22.md", "שלום 2026-11-23.md", "  spaced  2026-11-24 .md",
    "2026-11-25 x.MD",
])
def test_odd_unicode_names_are_read(vault, name):
    vault.write(f"Ünïcode/{name}", note("client: A", ""))
    result = vault.scan()
    assert [s.path for s in result.sessions] == [f"Ünïcode/{name}"]
    assert result.problems == ()


def test_a_name_that_is_not_utf8_is_a_problem_with_valid_json_output(vault):
    vault.write("good.md", SESSION)
    with open(os.path.join(os.fsencode(vault.root), b"bad \xff name.md"), "wb") as file:
        file.write(SESSION.encode())
    result = run("scan", vault, "--format", "json")
    data = json.loads(result.stdout_bytes.decode("utf-8"))  # valid UTF-8 and JSON
    assert data["sessions"] == 1
    assert data["problems"] == [{"path": "bad \ufffd name.md", "message":
                                 "the name is not UTF-8 text (it was saved by an old program): rename it"}]


def test_very_deep_folders(vault):
    deep = "/".join(f"d{level}" for level in range(120))
    vault.write(f"{deep}/2026-11-20 A.md", note("client: A"))
    assert [s.path for s in vault.scan().sessions] == [f"{deep}/2026-11-20 A.md"]


def test_empty_files_are_notes_but_not_sessions(vault):
    vault.write("empty.md", "")
    vault.write("only-fence.md", "---\n---\n")
    result = vault.scan()
    assert (result.notes, result.sessions, result.problems) == (2, (), ())
