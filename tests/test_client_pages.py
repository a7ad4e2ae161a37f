"""Client pages and the caseload table (SPEC section 10): ``prepare --write``."""

from __future__ import annotations

import os
import re
import shutil

import pytest
import yaml
from hypothesis import example as also
from hypothesis import given
from hypothesis import strategies as st

from mutuality_plugins.client_pages import PageThere, caseload_base, page_names
from mutuality_plugins.platforms import safe_name

from support import EXAMPLE, Watching, ok, run, until

PAGES = "Mutuality/Clients"


@pytest.fixture
def example(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "vault")
    return tmp_path / "vault"


def properties_of(path):
    return yaml.safe_load(path.read_text().split("---\n")[1])


def test_a_page_carries_the_figures_as_properties_and_links_the_client_note(example):
    ok(run("prepare", example, "AB-04", "--write"))
    page = example / PAGES / "AB-04.md"
    assert properties_of(page) == {
        "generated_by": "mutuality", "client": "AB-04", "status": "active",
        "last_session": "2026-11-20", "sessions": 9, "open_gaps": 5, "risk": False,
        "not_on_track": True, "ors_latest": 18.8, "ors_class": "reliably-deteriorated",
        "phq9_latest": 15.0, "phq9_class": "reliably-deteriorated", "srs_latest": 37.0,
        "srs_class": None}
    text = page.read_text()
    assert "Client note: [[Clients/AB-04/AB-04|AB-04]]" in text  # not the page itself
    assert "## The client's corrections, newest first" in text
    assert ('- [[Clients/AB-04/2026-11-20 AB-04|2026-11-20]]: topic: not now "Not the '
            'siblings today"; response: explored') in text
    assert "```mermaid\nxychart-beta" in text
    assert "\n## Measures\n" not in text  # charted, not said twice
    ok(run("prepare", example, "RM-07", "--write"))
    assert properties_of(example / PAGES / "RM-07.md")["risk"] is True


def test_a_page_is_written_again_only_when_it_changes(example):
    ok(run("prepare", example, "JK-03", "--write"))
    page = example / PAGES / "JK-03.md"
    os.utime(page, (1_000_000, 1_000_000))
    ok(run("prepare", example, "JK-03", "--write"))
    assert page.stat().st_mtime == 1_000_000  # the same text: not touched
    (example / "Clients/JK-03/2026-11-23 JK-03.md").write_text(
        "---\nclient: JK-03\nfeedback_invited: yes\nors_total: 30\n---\nNotes.\n")
    ok(run("prepare", example, "JK-03", "--write"))
    assert page.stat().st_mtime != 1_000_000
    assert properties_of(page)["last_session"] == "2026-11-23"


def test_a_closed_clients_page_says_so(example):
    ok(run("prepare", example, "JK-03", "--write"))
    (example / "Clients/JK-03/JK-03.md").write_text("---\nstatus: closed\n---\n")
    ok(run("prepare", example, "JK-03", "--write"))
    page = (example / PAGES / "JK-03.md").read_text()
    assert "> [!note] JK-03 is closed: this page is no longer updated." in page
    assert properties_of(example / PAGES / "JK-03.md")["status"] == "closed"


def test_page_names_hold_nothing_a_file_system_refuses_and_never_meet():
    assert page_names(["a:b", "a/b", "A-B", ".hidden", 'x"y*z?', "[[C]]", "RM-07"]) == {
        ".hidden": "-hidden", "A-B": "A-B", "RM-07": "RM-07", "[[C]]": "--C--",
        "a/b": "a-b-2", "a:b": "a-b-3", 'x"y*z?': "x-y-z-"}


def test_the_caseload_base_is_valid_and_names_only_what_the_pages_hold(example):
    """Checked against Obsidian's Bases syntax (its help vault, en/Bases/Bases syntax.md):
    YAML with filters (and/or/not of statements), properties with displayName, views of
    a type and a name; every note property it names is written on the pages."""
    for client in ("AB-04", "RM-07", "LP-12"):
        ok(run("prepare", example, client, "--write"))
    text = (example / "Mutuality/Caseload.base").read_text()
    assert text.startswith("# generated_by: mutuality\n")
    base = yaml.safe_load(text)
    assert set(base) == {"filters", "formulas", "properties", "views"}
    assert [view["name"] for view in base["views"]] == ["Caseload", "Risk item or not on track"]
    assert all(view["type"] == "table" for view in base["views"])
    written = set().union(*(properties_of(page) for page in (example / PAGES).glob("*.md")))
    named = {column for view in base["views"] for column in view["order"]}
    named |= {sort["property"] for view in base["views"] for sort in view["sort"]}
    named |= set(base["properties"])
    statements = [base["filters"]["and"], base["views"][1]["filters"]["or"]]
    named |= {re.match(r"[\w.]+", s).group() for group in statements for s in group}
    named |= {re.search(r"\((\w+)\)", formula).group(1) for formula in base["formulas"].values()}
    assert {f"formula.{name}" for name in base["formulas"]} <= named
    # A column for each measure, and the example vault records no GAD-7 or CORE-10.
    assert {name for name in named if not name.startswith(("file.", "formula."))} - written == {
        "gad7_latest", "gad7_class", "core10_latest", "core10_class"}
    # The id as the client column, linking to the page.
    assert base["formulas"]["client"] == "file.asLink(client)"
    assert base["views"][0]["order"][0] == "formula.client"
    assert 'file.inFolder("Mutuality/Clients")' in base["filters"]["and"]
    assert "&id" not in text  # no YAML aliases: a person edits it in Obsidian


def test_a_note_of_the_therapists_where_a_page_goes_is_never_written_over(example):
    (example / PAGES).mkdir(parents=True)
    (example / PAGES / "AB-04.md").write_text("# mine\n")
    result = run("prepare", example, "AB-04", "--write")
    assert result.exit_code == 2 and "holds notes mutuality did not write" in result.stderr
    assert (example / PAGES / "AB-04.md").read_text() == "# mine\n"


def test_watch_keeps_the_pages_of_the_clients_whose_sessions_change_and_no_others(
        vault, monkeypatch):
    from mutuality_plugins import client_pages

    from support import Watching, until

    made: list[str] = []  # the pages rendered, whether their text changed or not
    render = client_pages.page_text
    monkeypatch.setattr(client_pages, "page_text",
                        lambda practice, client, *rest: made.append(client) or render(
                            practice, client, *rest))

    for client in ("A", "B"):
        vault.streak(client, folder=f"Clients/{client}/")
    page_a, page_b = (vault / PAGES / f"{client}.md" for client in ("A", "B"))
    with Watching(vault):
        until(lambda: page_a.exists() and page_b.exists(), "both pages written")
        assert sorted(made) == ["A", "B"]
        assert (vault / "Mutuality/Caseload.base").exists()
        assert properties_of(page_a)["open_gaps"] == 1
        os.utime(page_b, (1_000_000, 1_000_000))
        vault.session("Clients/A/2026-11-19 A.md", client="A", feedback_invited="yes")
        until(lambda: properties_of(page_a)["last_session"] == "2026-11-19",
              "A's page brought up to date")
        assert properties_of(page_a)["open_gaps"] == 0
        assert page_b.stat().st_mtime == 1_000_000  # B's page not touched
        assert made[2:] == ["A"]  # nor even made again


@given(st.text(max_size=120))
@also("CON")
@also("con.txt")
@also("Lpt1")
@also("x. .")
@also("NUL .txt")
@also("CONIN$")
def test_any_id_makes_a_page_name_every_system_holds(client):
    name = safe_name(client)
    assert name and len(name.encode("utf-8")) <= 200
    assert not re.search(r'[\\/:*?"<>|#^\[\]\x00-\x1f\x7f\u202e]', name)
    assert not name.startswith(".") and not name.endswith((".", " "))
    assert name.split(".")[0].rstrip(" ").upper() not in {
        "CON", "PRN", "AUX", "NUL", "COM1", "LPT1", "CONIN$"}
    assert safe_name(name) == name  # a page's name, read back, is kept as it is


def test_ids_no_disk_holds_as_they_are_get_a_page_and_watch_hands_on_every_alert(vault):
    """A NUL, a newline, a Windows device name, an id of 270 bytes: each a page."""
    ids = ["nul\\0id", "new\\nline", "CON", "患" * 90]
    for number, client in enumerate(ids):
        vault.session(f"S/{number}.md", f'client: "{client}"', date="2026-11-20")
    vault.session("S/risk.md", client="B", date="2026-11-20", phq9_item9=2)
    with Watching(vault) as watching:
        assert watching.next_alert().rule == "risk-item"
        until(lambda: len(list((vault / PAGES).glob("*.md"))) == 5, "a page for each")
    names = sorted(path.name for path in (vault / PAGES).glob("*.md"))
    assert names == sorted(["nul-id.md", "new-line.md", "CON-.md", "患" * 66 + ".md", "B.md"])
    ok(run("prepare", vault, "患" * 90, "--write"))


def test_a_page_keeps_its_name_when_a_new_id_would_take_it(vault):
    vault.session("S/a.md", 'client: "x/y"', date="2026-11-18", phq9_item9=2)
    ok(run("prepare", vault, "x/y", "--write"))
    assert properties_of(vault / PAGES / "x-y.md")["client"] == "x/y"
    vault.session("S/b.md", client="x-y", date="2026-11-19")
    ok(run("prepare", vault, "x-y", "--write"))
    # x/y's page (and its risk item) stays where it was; the newcomer gets another name.
    assert properties_of(vault / PAGES / "x-y.md")["client"] == "x/y"
    assert properties_of(vault / PAGES / "x-y.md")["risk"] is True
    assert properties_of(vault / PAGES / "x-y-2.md")["client"] == "x-y"
    # The same on a case-insensitive disk: a name taken in other capitals is taken.
    there = {"e5.md": PageThere("e5", "active")}
    assert page_names(["e5", "E5"], there) == {"e5": "e5", "E5": "E5-2"}


def test_the_page_of_a_client_no_note_names_any_more_is_removed(vault):
    note = vault.session("Clients/D4/2026-11-19 D44.md", client="D44", phq9_item9=2)
    vault.session("Clients/D4/2026-11-12 D4.md", client="D4")
    ok(run("prepare", vault, "D44", "--write"))
    assert (vault / PAGES / "D44.md").exists()
    note.write_text(note.read_text().replace("client: D44", "client: D4"))
    result = run("prepare", vault, "D4", "--write")
    assert result.exit_code == 0
    assert not (vault / PAGES / "D44.md").exists()
    assert ("removed Mutuality/Clients/D44.md: no session note that can be read names the "
            "client 'D44' any more") in result.stderr
    assert properties_of(vault / PAGES / "D4.md")["risk"] is True


def test_watch_gives_a_client_closed_while_it_was_stopped_the_last_update(vault):
    vault.streak("A", folder="Clients/A/")
    ok(run("prepare", vault, "A", "--write"))
    assert properties_of(vault / PAGES / "A.md")["status"] == "active"
    vault.write("Clients/A/A.md", "---\nstatus: closed\n---\n")
    with Watching(vault):
        until(lambda: properties_of(vault / PAGES / "A.md")["status"] == "closed",
              "the page brought to its last update")
        assert "this page is no longer updated" in (vault / PAGES / "A.md").read_text()


def test_watch_makes_a_deleted_page_again_and_follows_a_renamed_client_note(vault):
    vault.streak("A", folder="Clients/A/")
    vault.streak("B", folder="Clients/B/")
    vault.write("Clients/A/A.md", "# About A\n")
    page = vault / PAGES / "A.md"
    with Watching(vault):
        until(lambda: page.exists() and "[[Clients/A/A|A]]" in page.read_text(), "A's page")
        page.unlink()
        vault.session("Clients/B/2026-11-20 B.md", client="B")  # any change to the vault
        until(page.exists, "A's page made again")
        (vault / "Clients/A/A.md").rename(vault / "A.md")
        until(lambda: "Client note: [[A|A]]" in page.read_text(),
              "the link to A's note where it is now")


def test_an_id_naming_a_path_never_leads_outside_the_vault(vault, tmp_path):
    (tmp_path / "outside.md").write_text("# not the vault's\n")
    vault.session("S/s.md", 'client: "../../outside"', date="2026-11-20")
    ok(run("prepare", vault, "../../outside", "--write"))
    [page] = (vault / PAGES).glob("*.md")
    assert "Client note" not in page.read_text()


def test_a_caseload_changed_in_obsidian_is_left_as_it_is_and_said_once(example):
    ok(run("prepare", example, "AB-04", "--write"))
    base = example / "Mutuality/Caseload.base"
    ours = base.read_text()
    # Obsidian drops the comment when a column is moved: the file is the therapist's now.
    theirs = ours.split("\n", 1)[1].replace("Last session", "Seen")
    base.write_text(theirs)
    result = run("prepare", example, "AB-04", "--write")
    assert result.exit_code == 0
    assert base.read_text() == theirs
    assert "Caseload.base was changed outside mutuality, so it is left as it is" in result.stderr
    # A BOM and Windows line endings (a sync tool) do not make it someone else's.
    base.write_bytes(b"\xef\xbb\xbf" + ours.replace("\n", "\r\n").encode())
    (example / "Clients/AB-04/2026-11-23 AB-04.md").write_text(
        "---\nclient: AB-04\nfeedback_invited: yes\nors_total: 30\n---\nNotes.\n")
    result = run("prepare", example, "AB-04", "--write")
    assert result.exit_code == 0 and "changed outside" not in result.stderr


def test_the_caseload_finds_the_pages_whatever_the_output_folder_is_called(vault):
    for folder in ('Notes "mutuality" out', "it's \"both\""):
        base = yaml.safe_load(caseload_base(folder))
        [pages, *_] = base["filters"]["and"]
        assert pages in (f"file.inFolder('{folder}/Clients')", 'file.hasProperty("open_gaps")')
    assert yaml.safe_load(caseload_base("it's \"both\""))["filters"]["and"][0] == (
        'file.hasProperty("open_gaps")')


def test_the_page_lists_the_things_to_do_without_boxes_that_would_not_dismiss(example):
    ok(run("prepare", example, "AB-04", "--write"))
    page = (example / PAGES / "AB-04.md").read_text()
    to_do = page.split("## To do today\n")[1].split("\n\n")[0].splitlines()
    assert to_do and all(line.startswith("- **") for line in to_do)
    assert "- [ ]" not in page
    assert "- [ ] **" in ok(run("prepare", example, "AB-04"))  # a checklist on the terminal


def test_watch_keeps_the_page_of_a_closed_client_while_a_risk_item_is_open(vault):
    vault.write("Clients/A/A.md", "---\nstatus: closed\n---\n")
    vault.session("Clients/A/2026-11-16 A.md", client="A", phq9_item9=2)
    vault.streak("B", folder="Clients/B/")
    page = vault / PAGES / "A.md"
    with Watching(vault):
        until(page.exists, "the closed client's page, for its risk item")
        assert properties_of(page)["risk"] is True
        assert "A is closed: it is kept while a risk item is open." in page.read_text()
        vault.session("Clients/A/2026-11-23 A.md", client="A", phq9_item9=0)
        until(lambda: properties_of(page)["risk"] is False, "the risk item closed on the page")
        assert "A is closed: this page is no longer updated." in page.read_text()


def test_a_typo_in_a_clients_only_note_leaves_their_page_where_it_is(vault):
    note = vault.session("Clients/ZZ-01/2026-11-10 ZZ-01.md", client="ZZ-01", phq9_item9=2,
                         srs_total=30)
    vault.session("Clients/B/2026-11-10 B.md", client="B")
    ok(run("prepare", vault, "ZZ-01", "--write"))
    note.write_text(note.read_text().replace("srs_total: 30", "srs_total: 3O"))
    result = run("prepare", vault, "B", "--write")
    assert result.exit_code == 0 and "removed" not in result.stderr
    assert properties_of(vault / PAGES / "ZZ-01.md")["risk"] is True


def test_a_copy_of_a_page_made_in_obsidian_is_left_alone(vault):
    vault.session("S/a.md", client="C002", date="2026-11-20")
    ok(run("prepare", vault, "C002", "--write"))
    copy = vault / PAGES / "C002 1.md"
    copy.write_text((vault / PAGES / "C002.md").read_text() + "My own line.\n")
    vault.session("S/b.md", client="C002", date="2026-11-23")
    result = run("prepare", vault, "C002", "--write")
    assert result.exit_code == 0 and "removed" not in result.stderr
    assert copy.read_text().endswith("My own line.\n")
    assert properties_of(vault / PAGES / "C002.md")["last_session"] == "2026-11-23"


def test_an_id_put_right_in_its_capitals_gets_the_page_of_that_name(vault):
    note = vault.session("S/a.md", client="rm-07", date="2026-11-20")
    ok(run("prepare", vault, "rm-07", "--write"))
    note.write_text(note.read_text().replace("rm-07", "RM-07"))
    ok(run("prepare", vault, "RM-07", "--write"))
    assert sorted(path.name for path in (vault / PAGES).glob("*.md")) == ["RM-07.md"]


def test_names_that_meet_on_a_case_insensitive_disk_never_share_a_page():
    assert page_names(["ΚΩΣΤΑΣ", "Κωστας"]) == {"ΚΩΣΤΑΣ": "ΚΩΣΤΑΣ", "Κωστας": "Κωστας-2"}


def test_a_page_longer_than_the_head_read_keeps_its_name(example):
    """Years of corrections make a page long: a character across the end of what is
    read of it never makes it someone else's note (and the client a second page)."""
    ok(run("prepare", example, "AB-04", "--write"))
    page = example / PAGES / "AB-04.md"
    text = page.read_text()
    for before in (1, 0):  # an "é" across the 64 KiB read, or across the byte after it
        page.write_text(text + "x" * (64 * 1024 - len(text.encode()) - before) + "ééé\n")
        ok(run("prepare", example, "AB-04", "--write"))
        assert sorted(path.name for path in (example / PAGES).glob("*.md")) == ["AB-04.md"]
