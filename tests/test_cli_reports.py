"""``mutuality alerts``, ``digest`` and ``init`` through the command line."""

import json

import pytest
import yaml

from mutuality_plugins.vault_setup import SESSION_TEMPLATE, TEMPLATE_PATH

from support import EXAMPLE, ok, run

# support.run runs the commands on 2026-11-26, a Thursday: the last complete week is
# 2026-W47 and the last 28 days start on 2026-10-30.

# The example vault's stories raise the alerts they tell.


def test_the_example_stories_raise_their_alerts():
    alerts = json.loads(ok(run("alerts", EXAMPLE, "--all", "--format", "json")))
    raised = {(a["client"], a["rule"]) for a in alerts}
    assert {("JK-03", "silent-client"), ("RM-07", "recurring-signal"),
            ("LP-12", "flagged-word-reused"), ("1042", "uninvited-streak"),
            ("AB-04", "pending-feedback"), ("AB-04", "alliance-low"),
            ("EO-22", "flagged-word-reused"),
            # The outcome stories: not on track, deteriorating, a risk item answered once.
            ("JK-03", "not-on-track"), ("AB-04", "outcome-deteriorated"),
            ("RM-07", "risk-item")} <= raised
    assert [(a["client"], a["date"]) for a in alerts if a["rule"] == "risk-item"] == [
        ("RM-07", "2026-11-17")]
    # LP-12 is recovering: no outcome alert.
    assert not [a for a in alerts if a["client"] == "LP-12" and a["rule"] in (
        "not-on-track", "outcome-deteriorated", "risk-item")]
    assert alerts == sorted(alerts, key=lambda a: (a["date"], a["client"], a["rule"],
                                                   a["detail"] or "", a["note"]))
    for alert in alerts:
        assert set(alert) >= {"rule", "client", "date", "note", "severity", "detail", "message"}
        assert alert["severity"] in ("info", "warning", "alert")
        assert (EXAMPLE / alert["note"]).is_file()


def test_alerts_default_to_sessions_in_the_last_28_days():
    alerts = json.loads(ok(run("alerts", EXAMPLE, "--format", "json")))
    assert alerts and min(a["date"] for a in alerts) >= "2026-10-30"
    everything = json.loads(ok(run("alerts", EXAMPLE, "--all", "--format", "json")))
    assert len(everything) > len(alerts)


def test_alerts_since_a_date():
    alerts = json.loads(ok(run("alerts", EXAMPLE, "--since", "2026-11-10", "--format", "json")))
    assert {a["date"] for a in alerts} == {"2026-11-11", "2026-11-13", "2026-11-17", "2026-11-18"}


def test_alerts_text_is_grouped_by_client_most_severe_first():
    lines = ok(run("alerts", EXAMPLE, "--all")).splitlines()
    assert lines[0].startswith("Alerts for all sessions (")
    ab04 = [line for line in lines if " AB-04, " in line]
    assert ab04[0].startswith("[alert] AB-04, 2026-10-30: ORS 21.6 at its 6th score, down 5.6 "
                              "from 27.2 at intake (2026-09-25): reliably worse")
    assert lines[2].startswith("[alert] RM-07, 2026-11-17: PHQ-9 item 9 answered 1 of 3")
    assert ab04[-1].startswith("[info] AB-04")
    first = lines.index(ab04[0])
    assert lines[first:first + len(ab04)] == ab04  # together
    assert "1042, 2026-10-10: not invited to give feedback for 3 sessions in a row, since 2026-09-26 " \
           "(notes: 2026-09-26 1042, 2026-10-03 1042, 2026-10-10 1042)" in ok(run("alerts", EXAMPLE, "--all"))


def test_no_alerts_says_so(vault):
    vault.session("2026-11-20 A.md", client="A", feedback_invited="yes")
    assert ok(run("alerts", vault)) == "No alerts for sessions since 2026-10-30.\n"  # 28 days, today included


@pytest.mark.parametrize("command", [("alerts",), ("digest",), ("gaps",), ("alerts", "--all")])
def test_a_vault_without_session_notes_says_so_rather_than_all_clear(vault, command):
    vault.write("Ideas.md", "---\ntags: [reading]\n---\nNo client here.\n")
    result = run(*command, vault)
    assert result.exit_code == 0
    assert result.output == (f"no session notes found in {vault}: a session note names a "
                             "`client` in its properties\n")
    assert "No alerts" not in result.output


def test_a_vault_without_session_notes_gives_programs_empty_results_and_says_why(vault):
    result = run("alerts", vault, "--format", "json")
    assert result.stdout == "[]\n"
    assert result.stderr.startswith("mutuality: no session notes found in ")


def test_all_and_since_together_is_a_usage_error_on_one_line(vault):
    result = run("alerts", vault, "--all", "--since", "2026-11-01")
    assert result.exit_code == 2
    assert result.output == ("mutuality alerts: choose one of --all, --since and "
                             "--week (see mutuality alerts --help)\n")


def test_a_since_that_is_not_a_date_is_one_line(vault):
    result = run("alerts", vault, "--since", "2026-13-01")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "'2026-13-01' is not a date like 2026-11-20" in result.output


def test_alerts_mention_the_notes_left_out_on_stderr():
    result = run("alerts", EXAMPLE)
    assert "10 notes could not be read and were left out" in result.stderr


def test_alerts_write_keeps_alerts_md_in_the_output_folder(vault):
    vault.streak(folder="Clients/A/")
    result = run("alerts", vault, "--write")
    assert "wrote Mutuality/Alerts.md" in result.stderr
    text = (vault / "Mutuality" / "Alerts.md").read_text()
    properties = yaml.safe_load(text.split("---")[1])
    assert properties["generated_by"] == "mutuality"
    assert "## A" in text
    assert "> [!warning] 2026-11-18: not invited to give feedback for 3 sessions in a row" in text
    assert "[[Clients/A/2026-11-16 A|2026-11-16 A]]" in text
    # The output folder is never read back as notes.
    assert json.loads(ok(run("scan", vault, "--format", "json")))["notes"] == 3


@pytest.mark.parametrize("command", [("alerts",), ("scan",), ("digest", "--write")])
def test_a_note_of_the_users_in_the_output_folder_stops_every_command_and_is_kept(vault,
                                                                                command):
    vault.write("Mutuality/Alerts.md", "my list\n")
    result = run(command[0], vault, *command[1:])
    assert result.exit_code == 2
    assert result.output == (
        "mutuality: Mutuality/Alerts.md: the output folder Mutuality holds notes mutuality did "
        "not write, and it never reads that folder, so they would be left out of everything: "
        "choose another output_folder in the settings, or move them\n")
    assert (vault / "Mutuality/Alerts.md").read_text() == "my list\n"


def test_an_output_folder_naming_the_clients_folder_is_refused(vault):
    vault.streak("A", folder="Clients/A/")
    vault.write("mutuality.toml", 'output_folder = "Clients"\n')
    result = run("alerts", vault, "--all")
    assert result.exit_code == 2
    assert result.output.startswith("mutuality: Clients/A/2026-11-16 A.md: the output folder "
                                    "Clients holds notes mutuality did not write")


def test_a_note_that_cannot_be_written_ends_the_command_with_status_1(vault):
    vault.streak("A")
    (vault / "Mutuality" / "Alerts.md").mkdir(parents=True)  # a folder where the note goes
    result = run("alerts", vault, "--write")
    assert result.exit_code == 1
    assert "[warning] A, 2026-11-18" in result.stdout  # the rest of the command ran
    assert result.stderr.splitlines()[-1] == (
        "mutuality: Mutuality/Alerts.md was not written: what is there is not a note (it is a "
        "folder, not a file); move it away to let mutuality write")


# The digest


@pytest.fixture
def week_vault(vault):
    """Three sessions in 2026-W47, one the week before and one the week after."""
    vault.session("2026-11-16 A.md", client="A", feedback_invited="yes", feedback=(
        "['pacing/too-fast: slow down', {theme: words, phrase: broken, by: client}]"))
    vault.session("2026-11-18 couple.md", client="[B, C]", feedback="[topic/not-now]", srs_total=30)
    vault.session("2026-11-22 A.md", client="A", feedback_invited="no")
    vault.session("2026-11-23 A.md", client="A", feedback="[pacing]")  # next week
    vault.session("2026-11-09 A.md", client="A", feedback="[pacing/enough]")  # week before
    return vault


def test_digest_json_totals_for_the_last_complete_week(week_vault):
    data = json.loads(ok(run("digest", week_vault, "--format", "json")))
    assert {k: data[k] for k in ("week", "start", "end", "sessions", "clients", "invited",
                                 "items", "themes")} == {
        "week": "2026-W47", "start": "2026-11-16", "end": "2026-11-22", "sessions": 3,
        "clients": 3, "invited": 1, "items": 3, "themes": {"pacing": 1, "topic": 1, "words": 1},
    }
    assert [(a["client"], a["rule"]) for a in data["alerts"]] == [
        ("B", "alliance-low"), ("C", "alliance-low")]
    assert data["by_client"]["A"]["sessions"] == 2
    assert "clients" not in data["by_client"]["B"]  # a client is one client
    assert data["by_client"]["A"]["unprompted"] == 1
    assert data["by_client"]["B"]["notes"] == ["2026-11-18 couple.md"]
    assert [w["week"] for w in data["weeks"]][-2:] == ["2026-W46", "2026-W47"]
    assert data["weeks"][-2]["themes"] == {"pacing": 1}


def test_digest_for_a_named_week(week_vault):
    data = json.loads(ok(run("digest", week_vault, "--week", "2026-W48", "--format", "json")))
    assert (data["start"], data["sessions"], data["themes"]) == ("2026-11-23", 1, {"pacing": 1})


@pytest.mark.parametrize("week", ["2026-48", "2026-W54", "last"])
def test_a_week_that_is_not_an_iso_week_is_a_usage_error(vault, week):
    result = run("digest", vault, "--week", week)
    assert result.exit_code == 2
    assert "is not an ISO week like 2026-W47" in result.output


def test_the_markdown_digest_is_an_obsidian_note(week_vault):
    text = ok(run("digest", week_vault))
    properties = yaml.safe_load(text.split("---")[1])
    assert properties["generated_by"] == "mutuality"
    assert (properties["week"], str(properties["start"]), str(properties["end"])) == (
        "2026-W47", "2026-11-16", "2026-11-22")
    assert "| 3 | 3 | 1 of 3 (33%) | 3 |" in text
    assert "> [!danger] B, 2026-11-18: session rating 30 of 40 is below 36" in text
    assert "### A\nSessions: [[2026-11-16 A|2026-11-16]] (feedback invited), [[2026-11-22 A|2026-11-22]]." in text
    assert '- **pacing/too-fast** "slow down" (when invited)' in text
    assert "- **words/broken** (raised by the client)" in text
    assert "```mermaid\nxychart-beta" in text
    assert "| 2026-W47 | 3 | 1 of 3 (33%) | 3 | 1 | 1 | 1 |" in text
    assert "## Mutuality trend" in text and "| A |  |  |  |  |  |  | 1 of 1 | 1 of 2 |" in text


def test_digest_write_names_the_note_for_its_week(week_vault):
    result = run("digest", week_vault, "--write")
    assert "wrote Mutuality/2026-W47.md" in result.stderr
    assert (week_vault / "Mutuality" / "2026-W47.md").read_text() == result.stdout


# init


def test_init_writes_a_config_and_a_template_and_never_overwrites(vault):
    assert ok(run("init", vault)).splitlines() == [
        "wrote mutuality.toml", "wrote Templates/Session (mutuality).md"]
    assert (vault / TEMPLATE_PATH).read_bytes() == SESSION_TEMPLATE.encode()
    vault.write("mutuality.toml", "# mine\n")
    vault.write(TEMPLATE_PATH, "# my template\n")
    assert ok(run("init", vault)).splitlines() == [
        "kept mutuality.toml (it exists already)",
        "kept Templates/Session (mutuality).md (it exists already)"]
    assert (vault / "mutuality.toml").read_bytes() == b"# mine\n"
    assert (vault / TEMPLATE_PATH).read_bytes() == b"# my template\n"


def test_the_template_from_init_is_not_a_session_and_the_config_works(vault):
    ok(run("init", vault))
    assert json.loads(ok(run("scan", vault, "--format", "json"))) == {
        "notes": 1, "sessions": 0, "clients": 0, "problems": [], "warnings": []}


def test_a_note_made_from_the_template_holds_no_feedback_until_some_is_written(vault):
    ok(run("init", vault))
    template = (vault / TEMPLATE_PATH).read_text()
    note = template.replace("client: ", "client: RM-07", 1).replace("{{date}}", "2026-11-20")
    vault.write("2026-11-20 RM-07.md", note)
    data = json.loads(ok(run("digest", vault, "--week", "2026-W47", "--format", "json")))
    assert (data["sessions"], data["items"]) == (1, 0)


def test_init_in_a_vault_where_a_file_blocks_a_folder_is_one_line(vault):
    vault.write("Templates", "not a folder")
    result = run("init", vault)
    assert result.exit_code == 2
    assert result.output == f"mutuality: {vault / 'Templates'}: is a file, not a folder\n"


def test_a_config_error_is_one_line_with_exit_2(vault):
    vault.write("mutuality.toml", "[rules.silent-client]\nsesions = 4\n")
    result = run("alerts", vault)
    assert result.exit_code == 2
    assert result.output == (f"mutuality: {vault / 'mutuality.toml'}: "
                             "`rules.silent-client.sesions` is not a setting of this rule\n")


def test_the_config_changes_the_output_folder(vault):
    vault.write("mutuality.toml", 'output_folder = "Reports"\n')
    vault.session("Mutuality/2026-11-16 A.md", client="A")
    result = run("digest", vault, "--write", "--format", "json")
    assert json.loads(ok(result))["sessions"] == 1
    assert (vault / "Reports/2026-W47.md").exists()


def test_a_report_written_and_printed_is_made_once(vault, tmp_path):
    vault.session("2026-11-20 A.md", client="A")
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "counted.py").write_text(
        "from pathlib import Path\n"
        "from mutuality_plugins import Period, Reporter, hookimpl\n\n"
        f"MADE = Path({str(tmp_path / 'made')!r})\n\n"
        "def render(practice, period):\n"
        "    with open(MADE, 'a') as made:\n        made.write('once\\n')\n"
        "    return '---\\ngenerated_by: mutuality\\n---\\nCounted.\\n'\n\n"
        "@hookimpl\ndef mutuality_reporters():\n"
        "    return [Reporter('counted', {'markdown': render}, lambda today: Period(),\n"
        "                     note_name=lambda period: 'Counted.md')]\n")
    result = run("--hooks-dir", tmp_path / "hooks", "report", "counted", vault, "--write")
    assert ok(result) == "---\ngenerated_by: mutuality\n---\nCounted.\n"
    assert (vault / "Mutuality" / "Counted.md").read_text() == result.stdout
    assert (tmp_path / "made").read_text() == "once\n"


# --as-of and --client


def alerts_json(*args):
    return json.loads(ok(run("alerts", *args, "--format", "json")))


@pytest.mark.parametrize("as_of, raised", [("2026-11-17", []), ("2026-11-18", ["2026-11-18"])])
def test_as_of_the_middle_of_a_run_later_sessions_have_not_happened(vault, as_of, raised):
    vault.streak("A")  # uninvited on 16, 17, 18 November: raised at the third
    found = alerts_json(vault, "--all", "--as-of", as_of)
    assert [alert["date"] for alert in found] == raised


def test_as_of_sets_the_window_of_28_days_before_it(vault):
    for day in (1, 2, 3):  # uninvited: raised on 3 October
        vault.session(f"2026-10-0{day} A.md", client="A")
    assert alerts_json(vault) == []  # today, 26 November: the window opens on 30 October
    assert [a["date"] for a in alerts_json(vault, "--as-of", "2026-10-03")] == ["2026-10-03"]
    assert [a["date"] for a in alerts_json(vault, "--as-of", "2026-10-30")] == ["2026-10-03"]
    assert alerts_json(vault, "--as-of", "2026-10-31") == []  # 28 days from 4 October


def test_a_session_dated_after_today_raises_nothing_yet(vault):
    vault.streak("A", first_day=26)  # 26, 27, 28 November; today is the 26th
    assert alerts_json(vault, "--all") == []
    assert [a["date"] for a in alerts_json(vault, "--all", "--as-of", "2026-11-28")] == [
        "2026-11-28"]
    assert "3 session notes" in ok(run("scan", vault))  # still counted by scan


def test_client_shows_one_clients_alerts_and_digest(vault):
    vault.streak("A")
    vault.streak("B")
    vault.session("2026-11-19 A + B.md", client="[A, B]", srs_total=20)
    assert {a["client"] for a in alerts_json(vault, "--all", "--client", "A")} == {"A"}
    assert ok(run("alerts", vault, "--client", "A")).startswith(
        "Alerts for A, sessions since 2026-10-30 (")
    digest = json.loads(ok(run("digest", vault, "--client", "B", "--format", "json")))
    assert list(digest["by_client"]) == ["B"]
    assert {a["client"] for a in digest["alerts"]} == {"B"}
    assert digest["sessions"] == 4  # B's three, and the joint one


def test_an_unknown_client_or_client_with_write_is_one_line(vault):
    vault.streak("A")
    unknown = run("alerts", vault, "--client", "Z")
    assert unknown.exit_code == 2
    assert unknown.stderr == (f"mutuality: no session note of {vault} names the client Z; "
                              f"`mutuality scan {vault}` lists the clients\n")
    written = run("alerts", vault, "--client", "A", "--write")
    assert written.exit_code == 2 and "leave out --client to write it" in written.stderr
    assert not (vault / "Mutuality").exists()
