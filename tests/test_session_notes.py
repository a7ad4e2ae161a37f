"""Which notes are read, who the client is, and when the session was."""

import datetime as dt
import json
import os

import pytest

from mutuality_plugins.config import Settings

from support import Vault, note

DATE = "date: 2026-11-20\n"


@pytest.mark.parametrize(
    "value, clients",
    [
        ("RM-07", ("RM-07",)),
        ("'  RM-07  '", ("RM-07",)),
        ('"[[RM-07]]"', ("RM-07",)),
        ('"[[Clients/RM-07|R.]]"', ("RM-07",)),
        ('"[[RM-07#Intake]]"', ("RM-07",)),
        ('"[[RM-07^block1]]"', ("RM-07",)),
        ('"[[Clients/Group A/RM-07.md]]"', ("RM-07",)),
        ('"[[RM-07.MD|Rosa]]"', ("RM-07",)),
        ("[[RM-07]]", ("RM-07",)),  # unquoted: YAML reads a list holding a list
        ("[[Clients/RM-07|R.]]", ("RM-07",)),
        ("1042", ("1042",)),
        ("[[1042]]", ("1042",)),
        ('["[[DS-21]]", "[[EO-22]]"]', ("DS-21", "EO-22")),
        ("[DS-21, DS-21, EO-22]", ("DS-21", "EO-22")),
        ("\n  - [[DS-21]]\n  - [[EO-22|E.]]", ("DS-21", "EO-22")),
        ("[[[DS-21]], [[Couples/EO-22.md]]]", ("DS-21", "EO-22")),
        ("[[DS-21], [EO-22]]", ("DS-21", "EO-22")),
    ],
)
def test_client_forms(read, value, clients):
    assert read(note(f"client: {value}\n{DATE}")).clients == clients


def test_client_ids_are_case_sensitive(read):
    assert read(note(f"client: rm-07\n{DATE}")).clients == ("rm-07",)
    assert read(note(f"client: [rm-07, RM-07]\n{DATE}")).clients == ("rm-07", "RM-07")


@pytest.mark.parametrize(
    "value", ["", "''", "[]", "null", '"{{title}}"', '["{{a}}"]', "[[<% tp.file.folder() %>]]",
              "[[{{title}}]]", "[[]]"],
)
def test_an_absent_client_means_not_a_session_note(read, value):
    assert read(note(f"client: {value}\n{DATE}")) is None


@pytest.mark.parametrize("value", ["true", "no", "{name: RM-07}", "[RM-07, {a: 1}]", "[true]"])
def test_a_boolean_or_mapping_client_is_a_problem(read, value):
    assert read(note(f"client: {value}\n{DATE}")).startswith("problem: client should be")


@pytest.mark.parametrize(
    "value",
    ["2026-11-20", "2026-11-20 10:00:00", "2026-11-20T10:00:00+09:00", "'2026-11-20'",
     "'2026-11-20T23:30'", "2026-11-20T10:00", "'2026-11-20 evening'"],
)
def test_date_property_forms_are_taken_as_written(read, value):
    assert read(note(f"client: RM-07\ndate: {value}")).date == dt.date(2026, 11, 20)


def test_without_a_date_property_the_file_name_gives_the_date(read):
    session = read(note("client: RM-07"), path="Clients/2026-10-01/2026-11-20 RM-07.md")
    assert session.date == dt.date(2026, 11, 20)


def test_the_first_date_in_the_file_name_is_used(read):
    session = read(note("client: RM-07"), path="2026-11-20 after 2026-11-13.md")
    assert session.date == dt.date(2026, 11, 20)


def test_the_date_property_wins_over_the_file_name(read):
    session = read(note("client: RM-07\ndate: 2026-11-13"), path="2026-11-20 RM-07.md")
    assert session.date == dt.date(2026, 11, 13)


def test_no_date_anywhere_is_a_problem_saying_how_to_fix_it(read):
    assert read(note("client: RM-07"), path="RM-07 intake.md") == (
        "problem: no date: add `date: 2026-11-20` or put the date in the file name"
    )


def test_a_file_name_date_that_is_not_a_real_day_is_a_problem(read):
    problem = read(note("client: RM-07"), path="2026-13-45 RM-07.md")
    assert problem.startswith("problem: the date in the file name is not a real day")


@pytest.mark.parametrize("value", ["2026-13-45", "2026-02-30"])
def test_an_unquoted_date_that_is_not_a_real_day_is_a_problem(read, value):
    assert read(note(f"client: RM-07\ndate: {value}")) == (
        "problem: the date is not a real day: check the month and the day (YYYY-MM-DD)"
    )


def test_a_date_that_is_not_a_real_day_in_another_note_is_no_problem(read):
    assert read(note("title: Reading list\ndue: 2026-13-45")) is None


def test_a_quoted_date_that_is_not_a_real_day_is_a_problem(read):
    assert "is not a real day" in read(note("client: RM-07\ndate: '2026-13-45'"))


@pytest.mark.parametrize("value", ["yesterday", "20.11.2026", "42", "true", "[2026-11-20]"])
def test_a_date_that_is_present_but_unusable_is_a_problem(read, value):
    problem = read(note(f"client: RM-07\ndate: {value}"), path="2026-11-20 RM-07.md")
    assert problem == "problem: date is not a date: write it as `date: 2026-11-20`"


def test_only_markdown_files_are_notes_in_any_letter_case(vault):
    vault.session("a.md", client="A", date="2026-11-20")
    vault.session("b.MD", client="B", date="2026-11-20")
    vault.session("c.Md", client="C", date="2026-11-20")
    vault.session("d.txt", client="D", date="2026-11-20")
    vault.session("e.md.bak", client="E", date="2026-11-20")
    result = vault.scan()
    assert result.notes == 3
    assert result.clients == ["A", "B", "C"]


@pytest.mark.parametrize(
    "hidden", [".obsidian/workspace.md", ".trash/old.md", "Clients/.draft.md", ".git/x.md"]
)
def test_dot_files_and_dot_folders_are_never_read(vault, hidden):
    vault.session("seen.md", client="A", date="2026-11-20")
    vault.write(hidden, "---\nbroken: [\n---\n")
    result = vault.scan()
    assert result.notes == 1
    assert result.problems == ()


def test_the_output_folder_is_never_read(vault):
    vault.session("seen.md", client="A", date="2026-11-20")
    vault.session("Mutuality/2026-W47.md", client="B", date="2026-11-20")
    vault.session("Other/Mutuality/kept.md", client="C", date="2026-11-20")
    assert vault.scan().clients == ["A", "C"]
    assert vault.scan(Settings(output_folder="Reports")).clients == ["A", "B", "C"]


def test_symbolic_links_are_never_followed(vault, tmp_path):
    outside = Vault(tmp_path / "outside")  # another folder, outside the vault
    outside.session("secret.md", client="X", date="2026-11-20")
    vault.session("seen.md", client="A", date="2026-11-20")
    os.symlink(outside.root, vault.root / "linked-folder")
    os.symlink(outside / "secret.md", vault.root / "linked.md")
    os.symlink(vault.root, vault.root / "loop")
    result = vault.scan()
    assert (result.notes, result.clients) == (1, ["A"])


def test_a_problem_note_is_left_out_and_the_rest_goes_on(vault):
    vault.session("2026-11-20 a.md", client="A")
    vault.write("b.md", "---\nclient: B\n")
    vault.session("2026-11-21 c.md", client="C")
    result = vault.scan()
    assert result.notes == 3
    assert result.clients == ["A", "C"]
    assert [problem.path for problem in result.problems] == ["b.md"]


def test_problems_are_sorted_by_path_with_one_per_note(vault):
    vault.write("z.md", "---\nclient: Z\n")
    vault.write("Sub/a.md", "---\n- list\n---\n")
    vault.session("m.md", client="M", date="2026-13-45", feedback_invited="maybe")
    paths = [problem.path for problem in vault.scan().problems]
    assert paths == ["Sub/a.md", "m.md", "z.md"]


def test_an_unreadable_note_is_a_problem(vault, monkeypatch):
    # Tests may run as root, who can read anything: refuse the read itself.
    from mutuality_plugins import files

    read_bytes = files.OpenFolders.read

    def refuse_locked(folders, path, cap):
        if path.endswith("locked.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(folders, path, cap)

    monkeypatch.setattr(files.OpenFolders, "read", refuse_locked)
    vault.session("2026-11-20 a.md", client="A")
    vault.session("locked.md", client="B", date="2026-11-20")
    result = vault.scan()
    assert result.clients == ["A"]
    assert result.problems[0].message == "could not be opened: permission denied"


@pytest.mark.parametrize("clients, problem", [
    (20, None),
    (21, "problem: the note names more than 20 clients; mutuality reads sessions of up to "
         "20 (for a larger group, name the group as the client)"),
])
def test_a_session_names_at_most_twenty_clients(read, clients, problem):
    names = ", ".join(f"C{n}" for n in range(clients))
    found = read(note(f"client: [{names}]\ndate: 2026-11-20"))
    assert found == problem if problem else len(found.clients) == clients


def test_a_client_id_is_short(read):
    assert read(note(f"client: {'R' * 100}\ndate: 2026-11-20")).clients == ("R" * 100,)
    assert read(note(f"client: {'R' * 101}\ndate: 2026-11-20")) == (
        "problem: a client is named with more than 100 characters; use a short id, like RM-07")


def test_a_session_holds_at_most_a_hundred_feedback_items(read):
    tags = " ".join(f"#feedback/topic/t{n}" for n in range(100))
    assert len(read(note("client: A\ndate: 2026-11-20", tags)).items) == 100
    assert read(note("client: A\ndate: 2026-11-20", tags + " #feedback/topic/t100")) == (
        "problem: the note holds more than 100 different feedback items; mutuality reads up "
        "to 100 a session")


def test_a_joint_session_counts_once_for_each_client(vault):
    vault.session("2026-11-20 couple.md", client="[DS-21, EO-22]")
    vault.session("2026-11-21 DS.md", client="DS-21")
    by_client = vault.scan().sessions_by_client()
    assert {client: len(sessions) for client, sessions in by_client.items()} == {
        "DS-21": 2, "EO-22": 1,
    }


def test_sessions_of_a_client_are_ordered_by_date_then_path(vault):
    vault.session("b/2026-11-20 x.md", client="A")
    vault.session("a/2026-11-20 y.md", client="A")
    vault.session("Z/2026-11-19 z.md", client="A")
    vault.session("B/2026-11-20 w.md", client="A")
    sessions = vault.scan().sessions_by_client()["A"]
    assert [s.path for s in sessions] == [
        "Z/2026-11-19 z.md", "B/2026-11-20 w.md", "a/2026-11-20 y.md", "b/2026-11-20 x.md",
    ]


def test_a_vault_that_is_not_a_folder_is_an_error(tmp_path, plugins):
    from mutuality_plugins.errors import VaultError
    from mutuality_plugins.vault import scan_vault

    (tmp_path / "file.md").write_text("x")
    with pytest.raises(VaultError, match="not a folder"):
        scan_vault(tmp_path / "file.md", plugins)


def test_the_prose_of_a_very_long_note_is_read_again_when_needed_not_kept(vault):
    from mutuality_plugins.reading.note import KEPT_PROSE_CHARS, ProseInFile

    from support import run

    long_prose = "We went slowly. " * (KEPT_PROSE_CHARS // 16 + 1)
    vault.session("2026-11-16 A.md", client="A", feedback="['words/acting out: no']")
    vault.session("2026-11-18 A.md", client="A", body=long_prose + "A bit of acting out.\n")
    (short, long_one) = vault.scan().sessions
    assert isinstance(short.text, str)
    assert isinstance(long_one.text, ProseInFile)  # not held in memory
    assert long_one.prose.endswith("A bit of acting out.\n")
    vault.age()
    for _ in range(2):  # the second run takes the readings from the index
        result = run("alerts", vault, "--all", "--format", "json")
        assert [alert["rule"] for alert in json.loads(result.stdout)] == ["flagged-word-reused"]
