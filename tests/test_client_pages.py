"""Client pages and the caseload table (SPEC section 10): ``prepare --write``."""

from __future__ import annotations

import os
import re
import shutil

import pytest
import yaml

from mutuality_plugins.client_pages import page_names

from support import EXAMPLE, ok, run

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
    assert {name for name in named if not name.startswith(("file.", "formula."))} <= written
    # The id as the client column, linking to the page; a column for each measure.
    assert base["formulas"]["client"] == "file.asLink(client)"
    assert base["views"][0]["order"][0] == "formula.client"
    assert {"gad7_latest", "gad7_class", "core10_latest", "srs_latest"} <= named
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
