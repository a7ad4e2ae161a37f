"""Calling plugins: one guard decides, for every hook and every plugin, what a failure
is, how it is named, and what still comes out."""

import json

import pytest

from support import EXAMPLE, PLUGINS, WatchProcess, ok, run

MISBEHAVING = PLUGINS / "misbehaving"


def stderr_lines(result):
    return result.stderr.splitlines()


# Wrappers


@pytest.mark.parametrize("folder, plugin, hook", [
    ("wrapper", "wrapping", "mutuality_rules"),
    ("old_wrapper", "old_wrapping", "mutuality_extract_feedback"),
])
def test_a_hook_wrapper_is_refused_when_the_plugin_is_added(folder, plugin, hook):
    result = run("--hooks-dir", PLUGINS / folder, "scan", EXAMPLE)
    assert result.exit_code == 2
    assert stderr_lines(result) == [
        f"mutuality: plugin {plugin} ({PLUGINS / folder / plugin}.py): {hook} is marked as a "
        "hook wrapper, which mutuality does not support (each plugin is called on its own): "
        "remove wrapper=True or hookwrapper=True"
    ]
    assert result.stdout == ""


# Answers checked against each hook's contract


def test_wrong_answers_are_each_the_plugins_named_failure_and_the_rest_comes_out():
    result = run("--hooks-dir", MISBEHAVING, "alerts", EXAMPLE, "--all", "--format", "json")
    assert result.exit_code == 1
    built_in = json.loads(ok(run("alerts", EXAMPLE, "--all", "--format", "json")))
    assert json.loads(result.stdout) == built_in  # every built-in alert is still there
    lines = stderr_lines(result)
    assert ("mutuality: plugin wrong_answers failed in mutuality_rules: it returned an int, "
            "not a list of Rule") in lines
    assert ("mutuality: plugin wrong_answers failed in mutuality_plugin_settings: it returned "
            "a list, not a mapping from section names to mappings of settings (names of letters, "
            "digits, - and _)") in lines
    extractor = [line for line in lines if "mutuality_extract_feedback" in line]
    assert extractor == [
        "mutuality: plugin wrong_answers failed in mutuality_extract_feedback on "
        "Broken notes (on purpose)/Invitation maybe.md: it returned a str, not Feedback or "
        "None (and 52 more times)"  # every session note, and two that are problems after
    ]


def test_a_sink_list_holding_none_is_named_and_the_other_sinks_still_get_the_alerts(
        vault, tmp_path, monkeypatch):
    vault.streak()
    log = tmp_path / "log.jsonl"
    vault.write("mutuality.toml", f'[plugins.recording_sink]\npath = "{log}"\n')
    result = run("--hooks-dir", MISBEHAVING, "--hooks-dir", PLUGINS / "good",
                 "alerts", vault, "--notify")
    assert result.exit_code == 1
    assert [json.loads(line)["rule"] for line in log.read_text().splitlines()] == [
        "uninvited-streak"]
    assert ("mutuality: plugin wrong_answers failed in mutuality_alert_sinks: it returned a "
            "list holding None, not only AlertSink") in stderr_lines(result)


@pytest.mark.parametrize("answer, reason", [
    ("[Rule('', lambda *a: [])]", "its Rule has the name '': a name should be letters, digits, "
                                  "- and _, like 'my-rule'"),
    ("[Rule('two words', lambda *a: [])]", "its Rule has the name 'two words': a name should "
                                           "be letters, digits, - and _, like 'my-rule'"),
    ("[Rule('r', 'not a function')]", "its Rule 'r' has a check that cannot be called"),
    ("(rule for rule in [7])", "it returned a list holding an int, not only Rule"),
    ("'uninvited-streak'", "it returned a str, not a list of Rule"),
])
def test_what_a_rule_hook_returns_is_checked(tmp_path, answer, reason):
    (tmp_path / "odd.py").write_text(
        "from mutuality_plugins import Rule, hookimpl\n\n"
        f"@hookimpl\ndef mutuality_rules():\n    return {answer}\n")
    result = run("--hooks-dir", tmp_path, "alerts", EXAMPLE, "--all")
    assert result.exit_code == 1
    assert f"mutuality: plugin odd failed in mutuality_rules: {reason}" in stderr_lines(result)
    assert "[warning] 1042, 2026-10-10" in result.stdout  # the built-in rules still ran


def test_a_rule_that_yields_something_else_than_alerts_is_named(tmp_path):
    (tmp_path / "odd_rule.py").write_text(
        "from mutuality_plugins import Rule, hookimpl\n\n"
        "def check(client, sessions, settings, since):\n    yield 'an alert, honestly'\n\n"
        "@hookimpl\ndef mutuality_rules():\n    return [Rule('odd', check)]\n")
    result = run("--hooks-dir", tmp_path, "alerts", EXAMPLE, "--all")
    assert result.exit_code == 1
    assert ("mutuality: plugin odd_rule failed in rule odd: it returned a list holding a str, "
            "not only Alert (and 6 more times)") in stderr_lines(result)


def test_a_report_that_returns_no_text_is_named(tmp_path):
    (tmp_path / "odd_report.py").write_text(
        "from mutuality_plugins import Period, Reporter, hookimpl\n\n"
        "@hookimpl\ndef mutuality_reporters():\n"
        "    return [Reporter('odd', {'text': lambda p, period: 42}, lambda today: Period())]\n")
    result = run("--hooks-dir", tmp_path, "report", "odd", EXAMPLE)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert ("mutuality: plugin odd_report failed in report odd (text): it should return text"
            in stderr_lines(result))


# Failures named, never by their text; --debug lets them through


def test_a_failing_plugin_command_is_named_with_exit_1(tmp_path):
    (tmp_path / "broken_command.py").write_text(
        "import click\nfrom mutuality_plugins import hookimpl\n\n"
        "@click.command()\ndef boom():\n    raise KeyError('a client said something private')\n\n"
        "@hookimpl\ndef mutuality_commands():\n    return [boom]\n")
    result = run("--hooks-dir", tmp_path, "boom")
    assert result.exit_code == 1
    assert stderr_lines(result)[0] == (
        "mutuality: plugin broken_command failed in command boom: KeyError")
    assert "private" not in result.output
    with pytest.raises(KeyError):
        run("--debug", "--hooks-dir", tmp_path, "boom", catch=False)


@pytest.mark.parametrize("args", [
    ("alerts", EXAMPLE, "--all"),  # the rule hook's answer
    ("scan", EXAMPLE),  # the extractor's answer
])
def test_debug_raises_a_broken_contract_instead_of_naming_it(args):
    result = run("--debug", "--hooks-dir", MISBEHAVING, *args)
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "PluginFault"


# Stdout belongs to the command


@pytest.mark.parametrize("args", [
    ("scan", EXAMPLE, "--format", "json"),
    ("alerts", EXAMPLE, "--all", "--format", "json"),
    ("digest", EXAMPLE, "--format", "json"),
])
def test_a_plugin_that_prints_cannot_corrupt_json_output(args):
    result = run("--hooks-dir", PLUGINS / "printing", *args)
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # nothing but the command's own output
    assert "reading Clients/" in result.stderr  # what the plugin said is not lost


def test_a_plugin_report_prints_its_text_and_its_chatter_goes_to_stderr():
    result = run("--hooks-dir", PLUGINS / "printing", "report", "chatty", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert result.stdout == "the chatty report\n"
    assert "rendering, said with click.echo" in result.stderr


def test_a_sink_that_prints_does_not_reach_the_output(vault):
    vault.streak()
    result = run("--hooks-dir", PLUGINS / "printing", "alerts", vault, "--notify",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert [alert["rule"] for alert in json.loads(result.stdout)] == ["uninvited-streak"]
    assert "sending 1 alerts\nwritten straight to sys.stdout\n" in result.stderr


def test_a_plugin_that_prints_cannot_corrupt_watchs_json_lines(vault):
    options = ("--hooks-dir", str(PLUGINS / "printing"))
    with WatchProcess(vault, "--format", "jsonl", options=options) as watching:
        for client in ("A", "B"):
            vault.streak(client)
            assert json.loads(watching.line())["client"] == client  # no chatter between
        assert watching.stop() == 0
