"""Generated notes go only into the output folder, atomically, and
never over a file of the user's."""

import datetime as dt
import os

import frontmatter
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mutuality_plugins import writer
from mutuality_plugins.reporters.markdown import generated_note
from mutuality_plugins.writer import NotWritten, is_generated, write_generated

NOTE = "---\ngenerated_by: mutuality\nweek: 2026-W47\n---\n# Digest\n"


def test_a_new_note_is_written_into_the_output_folder(vault):
    path = write_generated(vault.root, "Mutuality", "2026-W47.md", NOTE)
    assert path == vault / "Mutuality/2026-W47.md"
    assert path.read_text() == NOTE
    assert sorted(os.listdir(vault / "Mutuality")) == ["2026-W47.md"]


def test_a_nested_output_folder_is_created(vault):
    assert write_generated(vault.root, "Reports/Mutuality", "A.md", NOTE).exists()


def test_a_generated_note_is_replaced(vault):
    write_generated(vault.root, "Mutuality", "Alerts.md", NOTE)
    write_generated(vault.root, "Mutuality", "Alerts.md", NOTE + "more\n")
    assert (vault / "Mutuality/Alerts.md").read_text().endswith("more\n")


@pytest.mark.parametrize("users_text", ["# My own alerts list\n", "---\ngenerated_by: me\n---\n",
                                        "---\nbroken: [\n---\n", ""])
def test_a_users_file_without_the_marker_is_kept(vault, users_text):
    mine = vault.write("Mutuality/Alerts.md", users_text)
    with pytest.raises(NotWritten, match="Mutuality/Alerts.md was not written"):
        write_generated(vault.root, "Mutuality", "Alerts.md", NOTE)
    assert mine.read_text() == users_text


def test_a_link_in_place_of_the_output_folder_is_refused(vault, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, vault / "Mutuality")
    with pytest.raises(NotWritten, match="is a link"):
        write_generated(vault.root, "Mutuality", "A.md", NOTE)
    assert os.listdir(elsewhere) == []


def test_a_link_in_place_of_the_note_is_refused(vault, tmp_path):
    target = tmp_path / "target.md"
    target.write_text(NOTE)
    (vault / "Mutuality").mkdir()
    os.symlink(target, vault / "Mutuality/A.md")
    with pytest.raises(NotWritten):
        write_generated(vault.root, "Mutuality", "A.md", NOTE + "x")
    assert target.read_text() == NOTE


def test_an_interrupted_write_leaves_the_old_note_whole(vault, monkeypatch):
    write_generated(vault.root, "Mutuality", "Alerts.md", NOTE)

    def power_cut(source, destination, **folders):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(writer.os, "replace", power_cut)
    with pytest.raises(NotWritten, match="input/output error"):
        write_generated(vault.root, "Mutuality", "Alerts.md", NOTE + "new\n")
    assert (vault / "Mutuality/Alerts.md").read_text() == NOTE
    assert os.listdir(vault / "Mutuality") == ["Alerts.md"]


@pytest.mark.parametrize("when", ["before", "while it is written"])
def test_a_note_edited_meanwhile_is_not_written_over(vault, monkeypatch, when):
    """A gap ticked in Alerts.md after the watcher read it, even while its new text was
    being made to last on disk, stays ticked."""
    write_generated(vault.root, "Mutuality", "Alerts.md", NOTE + "- [ ] gap\n")
    ticked = NOTE + "- [x] gap\n"
    if when == "before":
        vault.write("Mutuality/Alerts.md", ticked)
    else:
        fsync = writer.os.fsync

        def tick_meanwhile(descriptor):
            fsync(descriptor)
            if (vault / "Mutuality/Alerts.md").read_text() != ticked:
                vault.write("Mutuality/Alerts.md", ticked)

        monkeypatch.setattr(writer.os, "fsync", tick_meanwhile)
    assert write_generated(vault.root, "Mutuality", "Alerts.md", NOTE + "new\n",
                           unless_changed_from=NOTE + "- [ ] gap\n") is None
    assert (vault / "Mutuality/Alerts.md").read_text() == ticked
    assert os.listdir(vault / "Mutuality") == ["Alerts.md"]


def test_text_without_the_marker_is_never_written(vault):
    with pytest.raises(ValueError):
        write_generated(vault.root, "Mutuality", "A.md", "# no marker\n")
    assert not (vault / "Mutuality/A.md").exists()


def test_the_marker_is_read_from_the_properties():
    assert is_generated(NOTE)
    assert not is_generated("# generated_by: mutuality\n")


@given(st.text(), st.dictionaries(st.sampled_from(["week", "start", "client", "sessions"]),
                                  st.one_of(st.text(), st.integers(), st.dates())))
@example("# Digest \t\n \u2003", {})  # blanks of every kind end nothing
@example(" \n\t", {"week": "2026-W47"})
def test_a_generated_note_is_written_as_python_frontmatter_writes_it(body, properties):
    # Its front-matter is the marker, then the properties in order; a body that is
    # only blank leaves the closing --- as the last line.
    post = frontmatter.Post(body)
    post.metadata.update({writer.MARKER_KEY: writer.MARKER_VALUE, **properties})
    assert generated_note(properties, body) == frontmatter.dumps(post, sort_keys=False) + "\n"


def test_a_generated_note_ends_with_one_newline():
    assert generated_note({"start": dt.date(2026, 11, 16)}, "# Digest\n\n\n") == (
        f"---\n{writer.MARKER_KEY}: {writer.MARKER_VALUE}\nstart: 2026-11-16\n---\n\n# Digest\n")


@pytest.mark.parametrize("properties", [
    "generated_by: 'mutuality '",  # quoted: the space is part of it
    "generated_by: mutuality\nx: 0b_",  # YAML cannot make a number of it
    "generated_by: mutuality\nx: " + "1" * 4301,  # nor of this
    "x: '<%'\ngenerated_by: mutuality\ny: '%>'",  # a template command, lines and all
    "generated_by: mutuality\x1cnote: b",  # a character YAML refuses
    "a" * 1100 + ": x\ngenerated_by: mutuality",  # too long a name for YAML
])
def test_a_note_yaml_cannot_read_as_made_by_mutuality_is_not_taken_for_one(properties):
    # Only a note mutuality made is ever written over: the marker is read as YAML reads
    # the properties, or not at all (each of these once fooled a quicker reading).
    assert not is_generated(f"---\n{properties}\n---\nThe therapist's own words.\n")
