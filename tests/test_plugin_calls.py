"""Calling plugins: one guard decides, for every hook and every plugin, what a failure
is, how it is named, and what still comes out."""

import json

import pytest

from support import EXAMPLE, EXAMPLE_ALERTS, PLUGINS, WatchProcess, ok, run, run_child

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
        "None (and 55 more times)"  # every session note, and two that are problems after
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
    ("[Rule('r', 'not a function')]", "its Rule 'r' has a check, condition or counted that cannot be called"),
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
            "not only Alert (and 7 more times)") in stderr_lines(result)


CONDITION_OF = ("from dataclasses import replace\n"
                "from itertools import count\n"
                "from mutuality_plugins import Holding, Rule, hookimpl\n\n"
                "def condition(client, sessions, settings, first):\n{body}\n\n"
                "@hookimpl\ndef mutuality_rules():\n"
                "    return [Rule('holds', condition=condition)]\n")


@pytest.mark.parametrize("body, reason", [
    ("    yield Holding(replace(sessions[0], path='elsewhere.md'), None, 'info', 'm')",
     "its Holding should be at one of the sessions it was given"),
    ("    if len(sessions) > 1:\n"
     "        yield Holding(sessions[1], None, 'info', 'm', through=sessions[0])",
     "its Holding should be at one of the sessions it was given"),
    ("    yield Holding(sessions[0], None, 'urgent', 'm')",
     "its Holding should have a severity among alert, warning, info"),
    ("    yield Holding(sessions[0].path, None, 'info', 'm')",
     "its Holding should be at one of the sessions it was given"),
    ("    for n in count():\n        yield Holding(sessions[-1], str(n), 'info', 'm')",
     "it gave more than 200 holdings a session"),
])
def test_a_rules_condition_is_checked_as_it_comes(tmp_path, body, reason):
    (tmp_path / "holds.py").write_text(CONDITION_OF.format(body=body))
    result = run("--hooks-dir", tmp_path, "gaps", EXAMPLE, "--format", "json")
    assert result.exit_code == 1
    assert any(line.startswith(f"mutuality: plugin holds failed in rule holds: {reason}")
               for line in stderr_lines(result)), stderr_lines(result)
    assert not [gap for gap in json.loads(result.stdout) if gap["rule"] == "holds"]
    assert json.loads(result.stdout)  # the built-in rules' gaps still came


RULE_OF = ("from itertools import count\n"
           "from mutuality_plugins import Alert, Rule, hookimpl\n\n"
           "def check(client, sessions, settings, since):\n{body}\n\n"
           "@hookimpl\ndef mutuality_rules():\n    return [Rule('many', check)]\n")


@pytest.mark.parametrize("body, reason", [
    # Each alert at a note of its own, to get round the 20 a session.
    ("    for s in sessions:\n        for n in range(500):\n"
     "            yield Alert('many', client, s.date, f'{s.path}#{n}', 'info', str(n), 'm')",
     "its Alert should be at one of the sessions it was given, for the client it was given"),
    ("    for s in sessions:\n"
     "        yield Alert('many', 'someone else', s.date, s.path, 'info', None, 'm')",
     "its Alert should be at one of the sessions it was given, for the client it was given"),
    ("    s = sessions[-1]\n    for n in count():\n"  # never stops
     "        yield Alert('many', client, s.date, s.path, 'info', str(n), 'm')",
     "it gave more than 200 alerts a session"),
])
def test_a_rule_cannot_raise_alerts_without_bound_nor_elsewhere(tmp_path, body, reason):
    (tmp_path / "many.py").write_text(RULE_OF.format(body=body))
    result = run("--hooks-dir", tmp_path, "alerts", EXAMPLE, "--all", "--format", "json")
    assert result.exit_code == 1
    assert any(line.startswith(f"mutuality: plugin many failed in rule many: {reason}")
               for line in stderr_lines(result))
    assert not [alert for alert in json.loads(result.stdout) if alert["rule"] == "many"]


def test_a_rule_keeps_twenty_alerts_a_session_the_last_counting_the_rest(tmp_path):
    (tmp_path / "many.py").write_text(RULE_OF.format(body=(
        "    s = sessions[-1]\n    for n in range(150):\n"
        "        yield Alert('many', client, s.date, s.path, 'info', f'{n:03}', 'm')")))
    alerts = json.loads(ok(run("--hooks-dir", tmp_path, "alerts", EXAMPLE, "--all",
                               "--format", "json")))
    of_a_client = [a for a in alerts if a["rule"] == "many" and a["client"] == "RM-07"]
    assert [a["detail"] for a in of_a_client] == [f"{n:03}" for n in range(20)]
    assert of_a_client[-1]["message"] == ("m (and 130 more like it at this session, not "
                                          "listed one by one)")


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


# A plugin never ends mutuality, never reaches its output, never silences it


def test_a_plugin_that_exits_or_raises_a_base_exception_is_named_and_the_rest_comes_out(vault):
    vault.streak()
    result = run("--hooks-dir", PLUGINS / "hostile", "--hooks-dir", PLUGINS / "printing",
                 "alerts", vault, "--notify", "--format", "json")
    assert result.exit_code == 1
    assert [alert["rule"] for alert in json.loads(result.stdout)] == ["uninvited-streak"]
    lines = stderr_lines(result)
    assert ("mutuality: plugin exits failed in rule exits: SystemExit (a plugin must not end "
            "mutuality)") in lines
    assert "mutuality: plugin exits failed in alert sink exits: Boom" in lines
    assert "mutuality: 1 new alert handed to chatty" in lines  # the other sink got it
    assert "a client's words" not in result.output
    assert "Traceback" not in result.output


def test_a_plugin_file_that_exits_as_it_loads_is_one_line(tmp_path):
    (tmp_path / "script.py").write_text("import sys\nif __name__ != 'x':\n    sys.exit(0)\n")
    result = run("--hooks-dir", tmp_path, "plugins")
    assert result.exit_code == 2
    assert result.output == (f"mutuality: plugin script ({tmp_path / 'script.py'}) cannot be "
                             "loaded: SystemExit: 0\n")


def test_a_note_problem_from_a_rule_is_the_rules_failure_not_the_commands_end(tmp_path):
    (tmp_path / "confused.py").write_text(
        "from mutuality_plugins import NoteProblem, Rule, hookimpl\n\n"
        "def check(client, sessions, settings, since):\n"
        "    raise NoteProblem('the note says: private words')\n\n"
        "@hookimpl\ndef mutuality_rules():\n    return [Rule('confused', check)]\n")
    result = run("--hooks-dir", tmp_path, "alerts", EXAMPLE, "--all")
    assert result.exit_code == 1
    assert "[warning] 1042, 2026-10-10" in result.stdout
    assert ("mutuality: plugin confused failed in rule confused: NoteProblem (and 7 more times)"
            in stderr_lines(result))
    assert "private words" not in result.output


def test_plugin_chatter_at_load_from_its_threads_or_closing_stdout_leaves_json_clean():
    result = run("--hooks-dir", PLUGINS / "hostile", "scan", EXAMPLE, "--format", "json")
    assert json.loads(result.stdout)["sessions"] == 54
    for said in ("loading chatter", "here are my commands",
                 "a thread of the plugin says something"):
        assert said in result.stderr
    assert "mutuality: 9 notes" not in result.stderr  # (scan lists them on stdout instead)


def test_a_plugin_that_replaces_stderr_cannot_hide_mutualitys_messages():
    result = run("--hooks-dir", PLUGINS / "hostile", "alerts", EXAMPLE)
    assert ("mutuality: 10 notes could not be read and were left out; `mutuality --hooks-dir "
            f"{PLUGINS / 'hostile'} scan {EXAMPLE}` lists them") in stderr_lines(result)
    assert "mutuality: plugin exits failed in rule exits" in result.stderr


def test_what_a_child_process_of_a_plugin_prints_never_reaches_the_output(tmp_path):
    (tmp_path / "shell.py").write_text(
        "import os, subprocess, sys\nfrom mutuality_plugins import hookimpl\n\n"
        "@hookimpl\ndef mutuality_extract_feedback(note):\n"
        "    os.write(1, b'written to descriptor 1\\n')\n"
        "    subprocess.run([sys.executable, '-c', 'print(\"a child speaks\")'])\n")
    done = run_child("--hooks-dir", tmp_path, "alerts", EXAMPLE, "--all", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) >= EXAMPLE_ALERTS
    # once for each note the extractor read: the 54 session notes and two problems
    assert done.stderr.count("a child speaks") == 56 and "written to descriptor 1" in done.stderr


@pytest.mark.parametrize("item, reason", [
    ("FeedbackItem('pacing', 'too-fast', response=5)",
     "has an item whose quote, phrase, response or by is not text (or None)"),
    ("FeedbackItem('pacing', 'too-fast', quote='\\ud800')",
     "has an item whose quote, phrase, response or by is not text (or None)"),
])
def test_an_extractors_item_that_is_not_text_is_its_failure_not_the_notes(tmp_path, item, reason):
    (tmp_path / "odd_items.py").write_text(
        "from mutuality_plugins import Feedback, FeedbackItem, hookimpl\n\n"
        f"@hookimpl\ndef mutuality_extract_feedback(note):\n"
        f"    return Feedback(items=({item},))\n")
    result = run("--hooks-dir", tmp_path, "scan", EXAMPLE)
    assert result.exit_code == 1
    assert "Read 77 notes in" in result.stdout and "54 session notes" in result.stdout
    assert "could not read this note" not in result.stdout
    assert (f"mutuality: plugin odd_items failed in mutuality_extract_feedback on "
            f"Broken notes (on purpose)/Invitation maybe.md: its Feedback {reason} "
            "(and 55 more times)") in stderr_lines(result)


def test_a_reporter_whose_period_is_not_of_dates_is_named(tmp_path):
    (tmp_path / "odd_period.py").write_text(
        "from mutuality_plugins import Period, Reporter, hookimpl\n\n"
        "@hookimpl\ndef mutuality_reporters():\n"
        "    return [Reporter('odd', {'text': lambda p, period: 'x'},\n"
        "                     lambda today: Period('2026-01-01'))]\n")
    result = run("--hooks-dir", tmp_path, "report", "odd", EXAMPLE)
    assert result.exit_code == 1
    assert stderr_lines(result)[0] == (
        "mutuality: plugin odd_period failed in report odd (default period): it should give a "
        "Period of two dates (or None for an open end)")


@pytest.mark.parametrize("name", ["../Escape.md", "Alerts.md/..", "bad\0name.md", ".hidden.md",
                                  "no-ending", "x" * 300 + ".md", "CON.md", "a:b.md",
                                  "week?.md", "NUL .md"])
def test_a_note_name_that_is_not_a_plain_file_name_is_the_reporters_failure(vault, tmp_path,
                                                                           name):
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "odd_name.py").write_text(
        "from mutuality_plugins import Period, Reporter, hookimpl\n\n"
        "NOTE = '---\\ngenerated_by: mutuality\\n---\\nx\\n'\n\n"
        "@hookimpl\ndef mutuality_reporters():\n"
        "    return [Reporter('odd', {'markdown': lambda p, period: NOTE},\n"
        f"                     lambda today: Period(), note_name=lambda period: {name!r})]\n")
    result = run("--hooks-dir", tmp_path / "hooks", "report", "odd", vault, "--write")
    assert result.exit_code == 1
    assert stderr_lines(result)[0].startswith(
        "mutuality: plugin odd_name failed in report odd (note name): its note name should "
        "be a plain file name ending in .md, one every system holds")
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["odd_name.py"]


def test_a_plugin_error_about_a_file_never_shows_the_files_name(tmp_path):
    (tmp_path / "leaky.py").write_text(
        "from mutuality_plugins import Rule, hookimpl\n\n"
        "def check(client, sessions, settings, since):\n"
        "    open('/nonexistent/' + sessions[-1].prose[:40])\n\n"
        "@hookimpl\ndef mutuality_rules():\n    return [Rule('leaky', check)]\n")
    result = run("--hooks-dir", tmp_path, "alerts", EXAMPLE, "--all")
    assert ("mutuality: plugin leaky failed in rule leaky: FileNotFoundError: no such file or "
            "directory (and 7 more times)") in stderr_lines(result)
    assert "/nonexistent" not in result.output


def test_a_report_without_a_note_says_write_wrote_nothing():
    result = run("--hooks-dir", PLUGINS / "printing", "report", "chatty", EXAMPLE, "--write")
    assert result.exit_code == 0
    assert ("mutuality: warning: the chatty report is not kept as a note, so --write wrote "
            "nothing") in stderr_lines(result)


def test_two_plugins_with_one_name_are_the_seconds_failure_and_the_rest_runs(tmp_path):
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"sink_{folder}.py").write_text(
            "import click\nfrom mutuality_plugins import AlertSink, Rule, hookimpl\n\n"
            "@hookimpl\ndef mutuality_rules():\n    return [Rule('same', lambda *a: [])]\n\n"
            "@hookimpl\ndef mutuality_commands():\n    return [click.Command('same')]\n")
    result = run("--hooks-dir", tmp_path / "one", "--hooks-dir", tmp_path / "two", "plugins")
    assert result.exit_code == 1
    assert "sink_one  (" in result.stdout and "sink_two  (" in result.stdout
    lines = stderr_lines(result)
    assert ("mutuality: plugin sink_two failed in mutuality_commands: plugin sink_one "
            "contributes a command named 'same' already, so this one is left out; rename it"
            in lines)


def test_a_plugin_cannot_take_the_name_of_a_built_in_report(tmp_path):
    (tmp_path / "usurper.py").write_text(
        "from mutuality_plugins import Period, Reporter, hookimpl\n\n"
        "@hookimpl\ndef mutuality_reporters():\n"
        "    return [Reporter('alerts', {'text': lambda p, period: 'mine'}, lambda t: Period())]\n")
    result = run("--hooks-dir", tmp_path, "alerts", EXAMPLE, "--all")
    assert result.exit_code == 1
    assert result.stdout.startswith("Alerts for all sessions")  # the built-in report
    assert stderr_lines(result)[-2] == (
        "mutuality: plugin usurper failed in mutuality_reporters: mutuality has a report "
        "named 'alerts' already, so this one is left out; rename it")
