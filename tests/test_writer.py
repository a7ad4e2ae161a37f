"""Generated notes go only into the output folder, atomically, and
never over a file of the user's."""

import os

import pytest

from mutuality_plugins import writer
from mutuality_plugins.writer import NotWritten, is_generated, write_generated

NOTE = "---\ngenerated_by: mutuality\nweek: 2026-W47\n---\n# Digest\n"


def test_a_new_note_is_written_into_the_output_folder(tmp_path):
    path = write_generated(tmp_path, "Mutuality", "2026-W47.md", NOTE)
    assert path == tmp_path / "Mutuality" / "2026-W47.md"
    assert path.read_text() == NOTE
    assert sorted(os.listdir(tmp_path / "Mutuality")) == ["2026-W47.md"]


def test_a_nested_output_folder_is_created(tmp_path):
    assert write_generated(tmp_path, "Reports/Mutuality", "A.md", NOTE).exists()


def test_a_generated_note_is_replaced(tmp_path):
    write_generated(tmp_path, "Mutuality", "Alerts.md", NOTE)
    write_generated(tmp_path, "Mutuality", "Alerts.md", NOTE + "more\n")
    assert (tmp_path / "Mutuality" / "Alerts.md").read_text().endswith("more\n")


@pytest.mark.parametrize("users_text", ["# My own alerts list\n", "---\ngenerated_by: me\n---\n",
                                        "---\nbroken: [\n---\n", ""])
def test_a_users_file_without_the_marker_is_kept(tmp_path, users_text):
    (tmp_path / "Mutuality").mkdir()
    mine = tmp_path / "Mutuality" / "Alerts.md"
    mine.write_text(users_text)
    with pytest.raises(NotWritten, match="Mutuality/Alerts.md was not written"):
        write_generated(tmp_path, "Mutuality", "Alerts.md", NOTE)
    assert mine.read_text() == users_text


def test_a_link_in_place_of_the_output_folder_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "vault").mkdir()
    os.symlink(elsewhere, tmp_path / "vault" / "Mutuality")
    with pytest.raises(NotWritten, match="is a link"):
        write_generated(tmp_path / "vault", "Mutuality", "A.md", NOTE)
    assert os.listdir(elsewhere) == []


def test_a_link_in_place_of_the_note_is_refused(tmp_path):
    target = tmp_path / "target.md"
    target.write_text(NOTE)
    (tmp_path / "vault" / "Mutuality").mkdir(parents=True)
    os.symlink(target, tmp_path / "vault" / "Mutuality" / "A.md")
    with pytest.raises(NotWritten):
        write_generated(tmp_path / "vault", "Mutuality", "A.md", NOTE + "x")
    assert target.read_text() == NOTE


def test_an_interrupted_write_leaves_the_old_note_whole(tmp_path, monkeypatch):
    write_generated(tmp_path, "Mutuality", "Alerts.md", NOTE)

    def power_cut(source, destination):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(writer.os, "replace", power_cut)
    with pytest.raises(OSError):
        write_generated(tmp_path, "Mutuality", "Alerts.md", NOTE + "new\n")
    assert (tmp_path / "Mutuality" / "Alerts.md").read_text() == NOTE
    assert os.listdir(tmp_path / "Mutuality") == ["Alerts.md"]


def test_text_without_the_marker_is_never_written(tmp_path):
    with pytest.raises(ValueError):
        write_generated(tmp_path, "Mutuality", "A.md", "# no marker\n")


def test_the_marker_is_read_from_the_properties():
    assert is_generated(NOTE)
    assert not is_generated("# generated_by: mutuality\n")
