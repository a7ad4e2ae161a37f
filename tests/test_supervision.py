"""``mutuality export``: de-identified feedback patterns for supervision (SPEC section 11),
as a supervisor receives them, and what never leaves the machine."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import os
import re
import stat
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from hypothesis import given
from hypothesis import strategies as st

from mutuality_plugins.config import Settings
from mutuality_plugins.model import FeedbackItem, Gap, Session
from mutuality_plugins.practice import PracticeBuilder
from mutuality_plugins.supervision import (
    by_code,
    item_code,
    pseudonym,
    response_code,
    rule_code,
    vault_key,
)
from mutuality_plugins.vault import scan_vault

from support import EXAMPLE, TODAY, ok, run

COLUMNS = ["client", "session", "week", "joint", "invited", "items", "responses", "by",
           "core10_total", "gad7_total", "ors_total", "phq9_total", "srs_total", "rules"]

# What names, places or dates a client, in a vault written to leak them.
SECRETS = ["Margarethe", "Okonkwo-Ritter", "Zwölfling", "Tbilisi", "Ravensbrück Street",
           "acting out", "my brother Tomasz", "stepfather", "sertraline", "1987",
           "Élodie", "O'Brien", "=HYPERLINK", "secret-theme", "hidden-signal", "Pfarrweg",
           "Clients/", "Session notes", "intake"]
HOSTILE_IDS = ["Margarethe Okonkwo-Ritter", "Élodie (Tbilisi) 1987", "O'Brien,=HYPERLINK(x)",
               "Zwölfling\u202eRavensbrück Street"]


def hostile(vault):
    """Every client named, placed and dated, in their notes' names, folders, quotes,
    phrases, themes, signals and responses."""
    for client in HOSTILE_IDS:
        folder = f"Clients/{client.split()[0]} Pfarrweg"
        for week, day in enumerate(["2026-10-05", "2026-10-14", "2026-10-19", "2026-11-02"]):
            vault.session(
                f"{folder}/{day} {client} intake Session notes.md",
                f'client: "{client}"',
                "Tomasz, my brother Tomasz, and the stepfather; sertraline since 1987.\n",
                date=day, feedback_invited="yes" if week % 2 else "no",
                feedback="\n  - theme: words\n    phrase: acting out\n    quote: "
                         "\"don't say acting out, Margarethe\"\n    response: stepfather\n"
                         "  - theme: secret-theme\n    signal: Tbilisi\n"
                         "  - theme: pacing\n    signal: hidden-signal\n"
                         "    quote: Élodie from Ravensbrück Street\n"
                         "  - pacing/too-fast: slow down, O'Brien",
                ors_total=20 + week, phq9_item9=week % 2)
    vault.session("Couples/2026-10-21 joint Tbilisi.md",
                  'client: ["Margarethe Okonkwo-Ritter", "Élodie (Tbilisi) 1987"]',
                  date="2026-10-21", feedback_invited="yes",
                  feedback="\n  - topic/wants-other: Tomasz in Tbilisi")


def test_an_export_of_a_hostile_vault_holds_no_name_place_date_quote_or_file_name(vault):
    hostile(vault)
    for output_format in ("csv", "json", "markdown"):
        output = ok(run("export", vault, "--format", output_format))
        lowered = output.lower()
        for secret in SECRETS + HOSTILE_IDS:
            assert secret.lower() not in lowered, (output_format, secret)
        assert not re.search(r"\d{4}-\d\d-\d\d|\b20\d\d\b|\b\d{1,2}\.\d{1,2}\.", output)
        assert "Tomasz".lower() not in lowered and "md" not in re.findall(r"\w+", lowered)
    rows = list(csv.DictReader(io.StringIO(ok(run("export", vault)))))
    assert {row["items"] for row in rows} >= {
        "(theme);pacing/(signal);pacing/too-fast;words/(phrase)", "topic/wants-other"}
    assert {row["responses"] for row in rows} >= {";;;(other)"}


def test_rows_have_the_columns_in_order_and_csv_and_json_say_the_same(vault):
    vault.session("Clients/A/2026-11-04 A.md", client="A", feedback_invited="yes",
                  srs_total=31, ors_total=25.5,
                  feedback="\n  - theme: topic\n    signal: unsure\n    response: explored\n"
                           "  - theme: pacing\n    signal: too-slow\n    by: client\n"
                           "  - words/grown-up")
    vault.session("Clients/A/2026-11-09 A.md", client="A")
    result = run("export", vault, "--as-of", "2026-11-26")
    text = ok(result)
    raw = result.stdout_bytes  # RFC 4180: CRLF; UTF-8 without a BOM
    assert raw.startswith(b"client,session,week,") and raw.count(b"\r\n") == 3
    header, first, second = list(csv.reader(io.StringIO(text)))
    assert header == COLUMNS
    assert first[1:] == ["1", "1", "false", "true", "pacing/too-slow;topic/unsure;words/(phrase)",
                         ";explored;", "client;invited;invited", "", "", "25.5", "", "31",
                         "alliance-low"]
    assert second[1:4] == ["2", "2", "false"]  # a Monday: the next week of treatment
    [as_json, _] = json.loads(ok(run("export", vault, "--format", "json")))
    assert list(as_json) == COLUMNS
    assert as_json["items"] == ["pacing/too-slow", "topic/unsure", "words/(phrase)"]
    assert as_json["srs_total"] == 31 and as_json["gad7_total"] is None
    assert as_json["joint"] is False and as_json["rules"] == ["alliance-low"]


def test_sessions_are_numbered_from_the_first_whatever_since_leaves_out(vault):
    for day in ("2026-10-07", "2026-10-12", "2026-11-04"):
        vault.session(f"Clients/A/{day} A.md", client="A", feedback_invited="yes")
    rows = json.loads(ok(run("export", vault, "--since", "2026-10-12", "--format", "json")))
    # The first session a Wednesday: the Monday after is week 2, four weeks on week 5.
    assert [(row["session"], row["week"]) for row in rows] == [(2, 2), (3, 5)]


def test_the_pseudonym_is_the_keyed_hash_stable_under_one_key_and_not_another(tmp_path):
    key = tmp_path / "supervision.key"
    key.write_bytes(b"our group's key, kept by me")
    digest = hmac.new(key.read_bytes(), b"RM-07", hashlib.sha256).digest()
    assert pseudonym(key.read_bytes(), "RM-07") == (
        "C-" + base64.b32encode(digest).decode().lower()[:8])
    first = ok(run("export", EXAMPLE, "--key-file", key, "--format", "json"))
    assert ok(run("export", EXAMPLE, "--key-file", key, "--format", "json")) == first
    assert pseudonym(key.read_bytes(), "RM-07") in first
    other = tmp_path / "other.key"
    other.write_bytes(b"another key")
    assert ok(run("export", EXAMPLE, "--key-file", other, "--format", "json")) != first


def test_the_vaults_own_key_is_made_once_owner_only_and_kept(monkeypatch):
    state = os.environ["MUTUALITY_STATE_DIR"]
    result = run("export", EXAMPLE)
    assert result.exit_code == 0 and "made a key for this vault's pseudonyms" in result.stderr
    [key] = [entry for entry in os.scandir(state) if entry.name.startswith("export-key-")]
    assert stat.S_IMODE(os.stat(key.path).st_mode) == 0o600
    assert os.stat(key.path).st_size == 32
    again = run("export", EXAMPLE)
    assert again.stdout == result.stdout and "made a key" not in again.stderr
    for output_format in ("json", "markdown"):  # every form byte-identical too
        assert ok(run("export", EXAMPLE, "--format", output_format)) == ok(
            run("export", EXAMPLE, "--format", output_format))


def test_a_key_that_cannot_be_used_is_one_line(tmp_path):
    empty = tmp_path / "empty.key"
    empty.write_bytes(b"")
    result = run("export", EXAMPLE, "--key-file", empty)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"mutuality: {empty}: a key file holds 1 to 65536 bytes (it "
                             "holds none)\n")
    state = os.environ["MUTUALITY_STATE_DIR"]
    ok(run("export", EXAMPLE))
    [key] = [entry.path for entry in os.scandir(state) if entry.name.startswith("export-key-")]
    with open(key, "wb") as damaged:
        damaged.write(b"short")
    result = run("export", EXAMPLE)
    assert result.exit_code == 2 and "the export key is not 32 bytes" in result.stderr


def test_the_summary_agrees_with_the_digest_over_the_same_weeks(tmp_path):
    key = tmp_path / "k"
    key.write_bytes(b"k")
    since, sunday = "2026-11-09", "2026-11-22"  # weeks 46 and 47
    rows = json.loads(ok(run("export", EXAMPLE, "--since", since, "--as-of", sunday,
                             "--key-file", key, "--format", "json")))
    summary = ok(run("export", EXAMPLE, "--since", since, "--as-of", sunday,
                     "--key-file", key, "--format", "markdown"))
    digests = [json.loads(ok(run("digest", EXAMPLE, "--week", week, "--as-of", sunday,
                                 "--format", "json"))) for week in ("2026-W46", "2026-W47")]
    sessions = sum(digest["sessions"] for digest in digests)
    invited = sum(digest["invited"] for digest in digests)
    assert f"- Sessions: {sessions} (" in summary
    assert f"- Invited to give feedback: {invited} of {sessions} (" in summary
    unprompted = sum(client["unprompted"] for digest in digests
                     for client in digest["by_client"].values())
    items = sum(digest["items"] for digest in digests)
    assert f"- Feedback items: {items}, raised unprompted: {unprompted} of {items}" in summary
    per_client: dict[str, int] = {}
    for digest in digests:
        for client, figures in digest["by_client"].items():
            name = pseudonym(b"k", client)
            per_client[name] = per_client.get(name, 0) + figures["sessions"]
    counted: dict[str, int] = {}
    for row in rows:
        counted[row["client"]] = counted.get(row["client"], 0) + 1
    assert counted == per_client


def test_the_summary_counts_gaps_opened_and_closed_by_week_of_treatment(vault):
    # Three uninvited sessions open uninvited-streak in week 3; an invited one closes it.
    for day in ("2026-11-02", "2026-11-09", "2026-11-16"):
        vault.session(f"Clients/A/{day} A.md", client="A")
    vault.session("Clients/A/2026-11-23 A.md", client="A", feedback_invited="yes")
    summary = ok(run("export", vault, "--format", "markdown"))
    assert "| 3 | 1 | 1 | 0 |" in summary and "| 4 | 1 | 0 | 1 |" in summary


def test_a_plugin_shares_the_signals_it_declares_and_nothing_else(tmp_path, vault):
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "formats.py").write_text(
        "from mutuality_plugins import hookimpl\n\n"
        "@hookimpl\ndef mutuality_shareable_feedback():\n"
        "    return {'format': ['longer-sessions', 'online']}\n")
    (tmp_path / "plugins" / "leaky.py").write_text(
        "from mutuality_plugins import hookimpl\n\n"
        "@hookimpl\ndef mutuality_shareable_feedback():\n"
        "    return {'format': ['Margarethe said so']}\n")
    vault.session("Clients/A/2026-11-04 A.md", client="A",
                  feedback="\n  - format/longer-sessions\n  - format/Tbilisi\n  - other/x")
    result = run("--hooks-dir", tmp_path / "plugins", "export", vault)
    assert result.exit_code == 1  # the leaky plugin is named and left out
    assert "leaky" in result.stderr and "Margarethe" not in result.stdout
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["items"] == "(theme);format/(signal);format/longer-sessions"


@given(st.text(max_size=30), st.text(max_size=30), st.sampled_from(
    [None, "adjusted", "explored", "declined", "pending", "Margarethe", ""]))
def test_an_item_leaves_only_as_words_of_a_fixed_list(theme, signal, response):
    item = FeedbackItem(theme, signal, response=response).normalized()
    vocabulary = {"pacing": frozenset({"too-fast"}), "format": frozenset({"online"})}
    code = item_code(item, vocabulary)
    assert code in {"words/(phrase)", "(theme)", "pacing/(signal)", "format/(signal)",
                    "pacing/too-fast", "format/online"}
    assert response_code(item.response) in {"", "adjusted", "explored", "declined",
                                            "pending", "(other)"}


def test_the_history_of_gaps_agrees_with_the_gaps_open_day_by_day(plugins):
    """Two ways to the same events: every run of every rule at once, and the gaps open
    at each day a session was held, compared from one day to the next."""
    settings = Settings()
    scan = scan_vault(EXAMPLE, plugins, settings)
    practice = PracticeBuilder(EXAMPLE, plugins, settings).build(scan, TODAY)
    opened: Counter[tuple[str, str, object]] = Counter()
    closed: Counter[tuple[str, str, object]] = Counter()
    before: dict[str, Gap] = {}
    for day in sorted({session.date for session in practice.scan.sessions}):
        now = {gap.id: gap for gap in practice.gaps_on(day)}
        opened.update((now[i].rule, now[i].client, now[i].opened) for i in now.keys() - before)
        closed.update((before[i].rule, before[i].client, day) for i in before.keys() - now)
        before = now
    history = practice.gap_history()
    assert len(history) > 20
    assert Counter((gap.rule, gap.client, gap.opened) for gap in history) == opened
    assert Counter((gap.rule, gap.client, gap.closed) for gap in history
                   if gap.closed is not None) == closed


def test_no_cell_a_plugin_fills_can_start_a_formula():
    assert rule_code("-A1") == "(rule)" and rule_code("_x") == "(rule)"
    assert rule_code("quiet-clients") == "quiet-clients"
    for by, invited, shown in [("client", True, "client"), ("=cmd()", True, "invited"),
                               (None, False, "client")]:
        session = Session("a.md", TODAY, ("A",), invited)
        assert by_code(FeedbackItem("pacing", "too-fast", by=by), session) == shown


def test_an_export_of_the_example_vault_holds_none_of_its_ids_names_words_or_dates(plugins):
    scan = scan_vault(EXAMPLE, plugins, Settings())
    found = {*scan.clients, *(item.quote for s in scan.sessions for item in s.items),
             *(item.phrase for s in scan.sessions for item in s.items),
             *(part for s in scan.sessions for part in s.path.split("/")[1:]),
             *(str(s.date) for s in scan.sessions), *(s.date.strftime("%d.%m") for s in
                                                       scan.sessions)}
    identifying = {text.lower() for text in found if text and len(text) >= 4}
    assert len(identifying) > 100
    for output_format in ("csv", "json", "markdown"):
        output = ok(run("export", EXAMPLE, "--format", output_format)).lower()
        assert [text for text in identifying if text in output] == []


def test_hidden_words_are_in_the_order_of_what_is_written_not_of_themselves(vault):
    vault.session("Clients/A/2026-11-04 A.md", client="A",
                  feedback="[aardvark-secret, pacing/zzz, pacing/too-fast, zulu-secret, "
                           "pacing/aaa]")
    [row] = json.loads(ok(run("export", vault, "--format", "json")))
    assert row["items"] == ["(theme)", "(theme)", "pacing/(signal)", "pacing/(signal)",
                            "pacing/too-fast"]


def test_exports_at_once_share_one_whole_key(tmp_path):
    path = tmp_path / "export-key-x"
    said: list[str] = []
    ready = threading.Barrier(16)

    def export_at_once() -> bytes:
        ready.wait()
        return vault_key(path, said.append)

    with ThreadPoolExecutor(16) as pool:
        keys = list(pool.map(lambda _: export_at_once(), range(16)))
    assert len(set(keys)) == 1 and len(keys[0]) == 32
    assert len(said) == 1 and path.read_bytes() == keys[0]
    assert [entry.name for entry in os.scandir(tmp_path)] == ["export-key-x"]


def test_a_key_others_could_read_is_made_the_users_alone_and_a_short_one_is_said(tmp_path):
    state = os.environ["MUTUALITY_STATE_DIR"]
    ok(run("export", EXAMPLE))
    [key] = [entry.path for entry in os.scandir(state) if entry.name.startswith("export-key-")]
    os.chmod(key, 0o644)
    ok(run("export", EXAMPLE))
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    short = tmp_path / "short.key"
    short.write_bytes(b"x")
    result = run("export", EXAMPLE, "--key-file", short)
    assert result.exit_code == 0
    assert "holds 1 bytes: a short key makes the pseudonyms easy to undo" in result.stderr


def test_an_empty_vault_exports_an_empty_summary_naming_no_folder(tmp_path):
    vault = tmp_path / "Dr Jane Smith - clinic"
    vault.mkdir()
    result = run("export", vault, "--format", "markdown")
    assert result.exit_code == 0 and "Jane" not in result.stdout
    assert "- Sessions: 0 (with 0 clients" in result.stdout
    assert "no session notes" in result.stderr
