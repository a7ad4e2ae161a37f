"""The command's output and mutuality's messages: stdout is the command's alone, and
mutuality's one-line messages reach the person, whatever plugins or the shell do."""

import json
import subprocess
import sys
import threading

import pytest

from mutuality_plugins.model import AlertSink

from support import (
    EXAMPLE,
    EXAMPLE_ALERTS,
    PLUGINS,
    TIMEOUT,
    Watching,
    WatchProcess,
    run,
    run_child,
    until,
)


def hooks(tmp_path, name, code):
    """A folder holding one plugin file; its path."""
    folder = tmp_path / f"hooks-{name}"
    folder.mkdir()
    (folder / f"{name}.py").write_text("from mutuality_plugins import hookimpl\n" + code)
    return folder


def test_what_a_plugin_writes_to_descriptor_1_as_it_loads_never_reaches_the_json(tmp_path):
    folder = hooks(tmp_path, "loud", "import os\nos.write(1, b'loud at import\\n')\n")
    done = run_child("--hooks-dir", folder, "alerts", EXAMPLE, "--all", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) >= EXAMPLE_ALERTS
    assert "loud at import" in done.stderr


def test_what_a_plugin_prints_at_exit_comes_after_the_output_on_stderr(tmp_path):
    folder = hooks(tmp_path, "late", "import atexit\natexit.register(print, 'goodbye')\n")
    done = run_child("--hooks-dir", folder, "scan", EXAMPLE, "--format", "json")
    assert json.loads(done.stdout)["notes"] == 77
    assert "goodbye" in done.stderr


def test_a_plugin_commands_own_output_and_its_childrens_are_on_stdout(tmp_path):
    folder = hooks(tmp_path, "speaks", (
        "import subprocess, sys, click\n\n"
        "@click.command()\ndef speak():\n"
        "    click.echo('from click')\n"
        "    subprocess.run([sys.executable, '-c', 'print(\"from a child\")'])\n\n"
        "@hookimpl\ndef mutuality_commands():\n    return [speak]\n"))
    done = run_child("--hooks-dir", folder, "speak")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "from click\nfrom a child\n"


def test_help_lists_the_commands_of_hooks_dir_given_before_it(tmp_path):
    assert "hello" in run("--hooks-dir", PLUGINS / "good", "--help").stdout


def test_with_stdout_closed_commands_still_run_and_write_their_notes(vault):
    vault.streak()
    done = run_child("alerts", vault, "--write", closed=[1])
    assert done.returncode == 0, done.stderr
    assert "## A" in (vault / "Mutuality" / "Alerts.md").read_text()
    assert done.stderr == "mutuality: wrote Mutuality/Alerts.md\n"


def test_with_stderr_closed_the_json_stays_clean(tmp_path):
    folder = hooks(tmp_path, "loud", "import contextlib, os\nos.write(1, b'one\\n')\n"
                                     "with contextlib.suppress(OSError):\n"
                                     "    os.write(2, b'two\\n')\n")
    done = run_child("--hooks-dir", folder, "alerts", EXAMPLE, "--all", "--format", "json",
                     closed=[2])
    assert len(json.loads(done.stdout)) >= EXAMPLE_ALERTS  # no message, no plugin output inside it


@pytest.mark.parametrize("where", ["at import", "in a rule"])
def test_a_plugin_replacing_or_closing_stderr_cannot_silence_mutuality(tmp_path, where):
    silencing = ("import io, sys\nsys.stderr = io.StringIO()\n" if where == "at import" else
                 "import sys\nfrom mutuality_plugins import Rule\n\n"
                 "def check(*args):\n    sys.stderr.close()\n    raise KeyError('x')\n\n"
                 "@hookimpl\ndef mutuality_rules():\n    return [Rule('silencer', check)]\n")
    folder = hooks(tmp_path, "silencer", silencing)
    missing = run_child("--hooks-dir", folder, "alerts", tmp_path / "nowhere")
    assert missing.returncode == 2
    assert missing.stderr == f"mutuality: {tmp_path / 'nowhere'}: no such folder\n"
    if where == "in a rule":
        failed = run_child("--hooks-dir", folder, "alerts", EXAMPLE)
        assert "mutuality: plugin silencer failed in rule silencer: KeyError" in failed.stderr


def test_output_to_a_full_disk_is_one_line():
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "mutuality_plugins", "alerts", EXAMPLE,
                               "--all", "--format", "json"], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "mutuality: the output could not be written (no space left on device)")


def test_output_cut_short_by_its_reader_is_one_line(tmp_path):
    folder = hooks(tmp_path, "long", (
        "from mutuality_plugins import Period, Reporter\n\n"
        "@hookimpl\ndef mutuality_reporters():\n"
        "    return [Reporter('long', {'text': lambda p, period: 'x' * 4_000_000},\n"
        "                     lambda today: Period())]\n"))
    child = subprocess.Popen([sys.executable, "-m", "mutuality_plugins", "--hooks-dir",
                              str(folder), "report", "long", str(EXAMPLE)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.read(10)  # `| head -c 10`
    child.stdout.close()
    assert child.wait(timeout=TIMEOUT) == 1
    assert child.stderr.read().decode().splitlines()[-1] == (
        "mutuality: the output was closed before all of it was written")


def test_a_plugin_exit_under_debug_shows_a_traceback_naming_the_plugin(tmp_path):
    folder = hooks(tmp_path, "quitter", (
        "import sys\nfrom mutuality_plugins import Rule\n\n"
        "@hookimpl\ndef mutuality_rules():\n"
        "    return [Rule('quits', lambda *args: sys.exit(0))]\n"))
    done = run_child("--debug", "--hooks-dir", folder, "alerts", EXAMPLE)
    assert done.returncode == 1
    assert "RuntimeError: plugin quitter called sys.exit(0) in rule quits" in done.stderr


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01"])
def test_a_week_beyond_what_a_digest_can_show_is_a_usage_error(week):
    result = run("digest", EXAMPLE, "--week", week)
    assert result.exit_code == 2
    assert result.output == (f"mutuality digest: Invalid value for '--week': '{week}' is a "
                             "week of a year mutuality does not show: from 1900 to 9998 (see "
                             "mutuality digest --help)\n")


def test_a_plugins_note_problem_that_is_not_utf8_is_the_notes_problem(tmp_path):
    folder = hooks(tmp_path, "odd_reason", (
        "from mutuality_plugins import NoteProblem\n\n"
        "@hookimpl\ndef mutuality_extract_feedback(note):\n"
        "    raise NoteProblem('bad \\udcff name')\n"))
    for _ in range(2):  # the index keeps it, and reads it back
        result = run("--hooks-dir", folder, "scan", EXAMPLE, "--format", "json")
        assert result.exit_code == 0, result.output
        problems = json.loads(result.stdout)["problems"]
        assert "bad \ufffd name" in {problem["message"] for problem in problems}


# The watcher's output


def test_a_watcher_whose_output_is_not_read_still_stops_at_once(vault):
    for client in range(300):  # ~70 KB of alerts: more than a pipe holds
        vault.streak(f"C{client:03}", folder=f"C{client:03}/")
    watching = WatchProcess(vault, "--format", "jsonl")
    with watching:
        threading.Event().wait(3)  # its first alerts fill the pipe, and it waits there
        assert watching.stop() == 0  # not a line of its output was read


def test_a_watcher_whose_reader_has_gone_stops_and_says_why(vault):
    with WatchProcess(vault, "--format", "jsonl") as watching:
        vault.streak("A")
        assert json.loads(watching.line())["client"] == "A"
        watching.process.stdout.close()  # `watch ... | head -1`
        for client in ("B", "C", "D"):
            vault.streak(client)
        assert watching.process.wait(timeout=TIMEOUT) == 0
        assert "mutuality: stopped watching: nothing reads its output any more" in \
            watching.process.stderr.read()


def test_a_sink_still_at_work_gets_what_it_missed_once_it_is_done(vault):
    got = []
    first = threading.Event()

    def slow(alerts, settings):
        if not first.is_set():
            first.set()
            threading.Event().wait(1.5)  # busy while the next saves come
        got.extend(alert.client for alert in alerts)

    sinks = [("slow-plugin", AlertSink("slow", slow))]
    with Watching(vault, sinks=sinks, sink_seconds=60) as watching:  # never named slow
        vault.streak("A")
        assert watching.next_alert().client == "A"
        vault.streak("B")
        assert watching.next_alert().client == "B"
        # nothing changes any more: the sink still gets B when it is done with A
        until(lambda: sorted(got) == ["A", "B"], "the slow sink getting A, then B")


def test_a_plugin_that_keeps_failing_is_tried_less_and_less_and_told_once(vault, plugins):
    from mutuality_plugins import Rule, hookimpl

    calls = []

    class Broken:
        @hookimpl
        def mutuality_rules(self):
            return [Rule("broken", lambda client, *rest: calls.append(client) or 1 / 0)]

    plugins.add(Broken(), name="broken", origin="test")
    vault.streak("A")
    with Watching(vault, plugins=plugins, idle_check_seconds=0.02,
                  retry_seconds=0.02) as watching:
        until(lambda: len(calls) >= 3, "the failing rule tried a few times")
        threading.Event().wait(1.0)  # ~50 wakes: each retry waits twice as long
        assert len(calls) <= 8, calls
        told = [line for line in watching.said if "failed in rule broken" in line]
        assert told == ["plugin broken failed in rule broken: ZeroDivisionError"]
