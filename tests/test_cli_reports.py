"""``mutuality alerts``, ``digest`` and ``init`` through the command line."""

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mutuality_plugins import cli as cli_module
from mutuality_plugins.cli import cli

EXAMPLE = Path(__file__).parent.parent / "examples" / "vault"
TODAY = dt.date(2026, 11, 26)  # a Thursday: the last complete week is 2026-W47


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(cli_module, "_today", lambda: TODAY)


def run(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def stdout(result):
    assert result.exit_code == 0, result.output
    return result.stdout


# The example vault's stories raise the alerts they tell.


def test_the_example_stories_raise_their_alerts():
    alerts = json.loads(stdout(run("alerts", EXAMPLE, "--all", "--format", "json")))
    raised = {(a["client"], a["rule"]) for a in alerts}
    assert {("JK-03", "silent-client"), ("RM-07", "recurring-signal"),
            ("LP-12", "flagged-word-reused"), ("1042", "uninvited-streak"),
            ("AB-04", "pending-feedback"), ("AB-04", "alliance-low"),
            ("EO-22", "flagged-word-reused")} <= raised
    assert alerts == sorted(alerts, key=lambda a: (a["date"], a["client"], a["rule"],
                                                   a["detail"] or "", a["note"]))
    for alert in alerts:
        assert set(alert) >= {"rule", "client", "date", "note", "severity", "detail", "message"}
        assert alert["severity"] in ("info", "warning", "alert")
        assert (EXAMPLE / alert["note"]).is_file()


def test_alerts_default_to_sessions_in_the_last_28_days():
    alerts = json.loads(stdout(run("alerts", EXAMPLE, "--format", "json")))
    assert alerts and min(a["date"] for a in alerts) >= "2026-10-30"
    everything = json.loads(stdout(run("alerts", EXAMPLE, "--all", "--format", "json")))
    assert len(everything) > len(alerts)


def test_alerts_since_a_date():
    alerts = json.loads(stdout(run("alerts", EXAMPLE, "--since", "2026-11-10", "--format", "json")))
    assert {a["date"] for a in alerts} == {"2026-11-13", "2026-11-18"}


def test_alerts_text_is_grouped_by_client_most_severe_first():
    lines = stdout(run("alerts", EXAMPLE, "--all")).splitlines()
    assert lines[0].startswith("Alerts for all sessions (")
    ab04 = [line for line in lines if " AB-04, " in line]
    assert ab04[0].startswith("[alert] AB-04, 2026-11-06: session rating 33 of 40 is below 36")
    assert ab04[-1].startswith("[info] AB-04")
    first = lines.index(ab04[0])
    assert lines[first:first + len(ab04)] == ab04  # together
    assert "1042, 2026-10-10: 3 sessions in a row without inviting feedback, since 2026-09-26 " \
           "(notes: 2026-09-26 1042, 2026-10-03 1042, 2026-10-10 1042)" in stdout(run("alerts", EXAMPLE, "--all"))


def test_no_alerts_says_so(tmp_path):
    assert stdout(run("alerts", tmp_path)) == "No alerts for sessions since 2026-10-30.\n"  # 28 days, today included


def test_all_and_since_together_is_a_usage_error_on_one_line(tmp_path):
    result = run("alerts", tmp_path, "--all", "--since", "2026-11-01")
    assert result.exit_code == 2
    assert result.output == ("mutuality alerts: choose one of --all, --since and "
                             "--week (see mutuality alerts --help)\n")


def test_a_since_that_is_not_a_date_is_one_line(tmp_path):
    result = run("alerts", tmp_path, "--since", "2026-13-01")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "'2026-13-01' is not a date like 2026-11-20" in result.output


def test_alerts_mention_the_notes_left_out_on_stderr():
    result = run("alerts", EXAMPLE)
    assert "9 notes could not be read and were left out" in result.stderr


def test_alerts_write_keeps_alerts_md_in_the_output_folder(tmp_path):
    vault = tmp_path / "vault"
    for n in range(3):
        write_session(vault, f"Clients/A/2026-11-{16 + n} A.md", "client: A")
    result = run("alerts", vault, "--write")
    assert "wrote Mutuality/Alerts.md" in result.stderr
    text = (vault / "Mutuality" / "Alerts.md").read_text()
    properties = yaml.safe_load(text.split("---")[1])
    assert properties["generated_by"] == "mutuality"
    assert "## A" in text
    assert "> [!warning] 2026-11-18: 3 sessions in a row without inviting feedback" in text
    assert "[[Clients/A/2026-11-16 A|2026-11-16 A]]" in text
    # The output folder is never read back as notes.
    assert json.loads(stdout(run("scan", vault, "--format", "json")))["notes"] == 3


def test_a_users_alerts_md_is_kept_with_a_warning(tmp_path):
    (tmp_path / "Mutuality").mkdir()
    (tmp_path / "Mutuality" / "Alerts.md").write_text("my list\n")
    result = run("alerts", tmp_path, "--write")
    assert result.exit_code == 0
    assert "warning: Mutuality/Alerts.md was not written" in result.stderr
    assert (tmp_path / "Mutuality" / "Alerts.md").read_text() == "my list\n"


# The digest


def write_session(vault, relative, properties, body="Notes.\n"):
    path = vault / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{properties}\n---\n{body}")


@pytest.fixture
def week_vault(tmp_path):
    vault = tmp_path / "vault"
    write_session(vault, "2026-11-16 A.md", "client: A\nfeedback_invited: yes\n"
                  "feedback: ['pacing/too-fast: slow down', {theme: words, phrase: broken, by: client}]")
    write_session(vault, "2026-11-18 couple.md", "client: [B, C]\nfeedback: [topic/not-now]\nsrs_total: 30")
    write_session(vault, "2026-11-22 A.md", "client: A\nfeedback_invited: no")
    write_session(vault, "2026-11-23 A.md", "client: A\nfeedback: [pacing]")  # next week
    write_session(vault, "2026-11-09 A.md", "client: A\nfeedback: [pacing/enough]")  # week before
    return vault


def test_digest_json_totals_for_the_last_complete_week(week_vault):
    data = json.loads(stdout(run("digest", week_vault, "--format", "json")))
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
    data = json.loads(stdout(run("digest", week_vault, "--week", "2026-W48", "--format", "json")))
    assert (data["start"], data["sessions"], data["themes"]) == ("2026-11-23", 1, {"pacing": 1})


@pytest.mark.parametrize("week", ["2026-48", "2026-W54", "last"])
def test_a_week_that_is_not_an_iso_week_is_a_usage_error(tmp_path, week):
    result = run("digest", tmp_path, "--week", week)
    assert result.exit_code == 2
    assert "is not an ISO week like 2026-W47" in result.output


def test_the_markdown_digest_is_an_obsidian_note(week_vault):
    text = stdout(run("digest", week_vault))
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
    assert "## Mutuality trend" in text and "| A | – | – | – | – | – | – | 1 of 1 | 1 of 2 |" in text


def test_digest_write_names_the_note_for_its_week(week_vault):
    result = run("digest", week_vault, "--write")
    assert "wrote Mutuality/2026-W47.md" in result.stderr
    assert (week_vault / "Mutuality" / "2026-W47.md").read_text() == result.stdout


# init


def test_init_writes_a_config_and_a_template_and_never_overwrites(tmp_path):
    assert stdout(run("init", tmp_path)).splitlines() == [
        "wrote mutuality.toml", "wrote Templates/Session (mutuality).md"]
    (tmp_path / "mutuality.toml").write_text("# mine\n")
    assert stdout(run("init", tmp_path)).splitlines() == [
        "kept mutuality.toml (it exists already)",
        "kept Templates/Session (mutuality).md (it exists already)"]
    assert (tmp_path / "mutuality.toml").read_text() == "# mine\n"


def test_the_template_from_init_is_not_a_session_and_the_config_works(tmp_path):
    stdout(run("init", tmp_path))
    assert json.loads(stdout(run("scan", tmp_path, "--format", "json"))) == {
        "notes": 1, "sessions": 0, "clients": 0, "problems": []}


def test_a_note_made_from_the_template_holds_no_feedback_until_some_is_written(tmp_path):
    stdout(run("init", tmp_path))
    template = (tmp_path / "Templates" / "Session (mutuality).md").read_text()
    note = template.replace("client: ", "client: RM-07", 1).replace("{{date}}", "2026-11-20")
    (tmp_path / "2026-11-20 RM-07.md").write_text(note)
    data = json.loads(stdout(run("digest", tmp_path, "--week", "2026-W47", "--format", "json")))
    assert (data["sessions"], data["items"]) == (1, 0)


def test_init_in_a_vault_where_a_file_blocks_a_folder_is_one_line(tmp_path):
    (tmp_path / "Templates").write_text("not a folder")
    result = run("init", tmp_path)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"mutuality: {tmp_path / 'Templates'}: is a file, not a folder"


def test_a_config_error_is_one_line_with_exit_2(tmp_path):
    (tmp_path / "mutuality.toml").write_text("[rules.silent-client]\nsesions = 4\n")
    result = run("alerts", tmp_path)
    assert result.exit_code == 2
    assert result.output == (f"mutuality: {tmp_path / 'mutuality.toml'}: "
                             "`rules.silent-client.sesions` is not a setting of this rule\n")


def test_the_config_changes_the_output_folder(tmp_path):
    (tmp_path / "mutuality.toml").write_text('output_folder = "Reports"\n')
    write_session(tmp_path, "Mutuality/2026-11-16 A.md", "client: A")
    result = run("digest", tmp_path, "--write", "--format", "json")
    assert json.loads(result.stdout)["sessions"] == 1
    assert (tmp_path / "Reports" / "2026-W47.md").exists()


def test_a_report_written_and_printed_is_made_once(tmp_path):
    from support import Vault
    from support import run as run_at

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
    vault = Vault(tmp_path / "vault")
    result = run_at("--hooks-dir", tmp_path / "hooks", "report", "counted", vault, "--write")
    assert result.exit_code == 0, result.output
    assert result.stdout == "---\ngenerated_by: mutuality\n---\nCounted.\n"
    assert (vault / "Mutuality" / "Counted.md").read_text() == result.stdout
    assert (tmp_path / "made").read_text() == "once\n"
