"""Alert sinks: each gets each alert at least once, and none can hold up the rest."""

import json
import threading
import time

from mutuality_plugins import hookimpl
from mutuality_plugins.model import AlertSink

from support import PLUGINS, Vault, Watching, run, until


def rules_in(log):
    return [json.loads(line)["rule"] for line in log.read_text().splitlines()] \
        if log.exists() else []


def test_a_sink_that_failed_gets_the_alerts_again_on_the_next_run(tmp_path):
    vault = Vault(tmp_path / "vault")
    vault.streak()
    flaky, steady = tmp_path / "flaky.jsonl", tmp_path / "steady.jsonl"
    vault.write("mutuality.toml", f'[plugins.flaky_sink]\npath = "{flaky}"\n'
                                  f'[plugins.recording_sink]\npath = "{steady}"\n')
    notify = ("--hooks-dir", PLUGINS / "good", "alerts", vault, "--notify")
    (tmp_path / "down").touch()
    first = run(*notify)
    assert first.exit_code == 1
    assert "mutuality: plugin flaky_sink failed in alert sink flaky: OSError" in first.stderr
    assert (rules_in(flaky), rules_in(steady)) == ([], ["uninvited-streak"])
    (tmp_path / "down").unlink()
    second = run(*notify)
    assert second.exit_code == 0, second.output
    assert second.stderr == "mutuality: 1 new alert handed to flaky\n"
    assert (rules_in(flaky), rules_in(steady)) == (["uninvited-streak"], ["uninvited-streak"])
    assert run(*notify).stderr == ""  # received by both: never again
    assert (rules_in(flaky), rules_in(steady)) == (["uninvited-streak"], ["uninvited-streak"])


def test_a_sink_that_fails_while_watching_gets_the_alert_with_the_next_change(tmp_path):
    vault = Vault(tmp_path / "vault")
    received, calls = [], []

    def fails_once(alerts, settings):
        calls.append(len(alerts))
        if len(calls) == 1:
            raise ConnectionError("not yet")
        received.extend(alert.client for alert in alerts)

    with Watching(vault, sinks=[("flaky-plugin", AlertSink("flaky", fails_once))]) as watching:
        vault.streak("A")
        assert watching.next_alert().client == "A"
        watching.until_said("plugin flaky-plugin failed in alert sink flaky: ConnectionError")
        vault.streak("B")
        assert watching.next_alert().client == "B"
    assert received == ["A", "B"]  # A given again (with B, or with an earlier batch), once
    assert calls[0] == 1 and len(calls) >= 2


def test_a_hanging_sink_cannot_freeze_the_watching(tmp_path):
    vault = Vault(tmp_path / "vault")
    release = threading.Event()
    received = []

    def hangs(alerts, settings):
        release.wait()  # a notifier waiting for a click, a network share gone: for ever
        received.extend(alert.client for alert in alerts)

    sinks = [("slow-plugin", AlertSink("slow", hangs))]
    try:
        with Watching(vault, sinks=sinks, sink_seconds=0.3) as watching:
            vault.streak("A")
            assert watching.next_alert().client == "A"  # the sinks after it still get it
            watching.until_said("plugin slow-plugin failed in alert sink slow: it took "
                                "longer than 0.3 seconds and is left to finish in the "
                                "background")
            vault.streak("B")
            assert watching.next_alert().client == "B"  # not held up: it is still hanging
            release.set()
            vault.streak("C")
            assert watching.next_alert().client == "C"
            # B waited for it, and came with C: nothing lost, nothing twice
            until(lambda: sorted(received) == ["A", "B", "C"], "the slow sink got A, B, C")
    finally:
        release.set()
    assert sorted(received) == ["A", "B", "C"]


def test_the_watcher_stops_at_once_even_with_a_sink_hanging(tmp_path):
    vault = Vault(tmp_path / "vault")
    never = threading.Event()
    sinks = [("stuck-plugin", AlertSink("stuck", lambda alerts, settings: never.wait()))]
    watching = Watching(vault, sinks=sinks, sink_seconds=0.2)
    with watching:
        vault.streak("A")
        assert watching.next_alert().client == "A"
        stopping = time.monotonic()
        watching.stop()
        assert time.monotonic() - stopping < 2  # `mutuality watch` promises 2 s
    assert not watching.thread.is_alive()


def test_sinks_that_exit_interrupt_or_raise_a_note_problem_never_end_the_watching(vault):
    from mutuality_plugins import NoteProblem

    def exits(alerts, settings):
        raise SystemExit(0)

    def interrupts(alerts, settings):
        raise KeyboardInterrupt

    def confused(alerts, settings):
        raise NoteProblem("a note's words")

    sinks = [("exiting", AlertSink("exits", exits)),
             ("interrupting", AlertSink("interrupts", interrupts)),
             ("confused", AlertSink("confused", confused))]
    with Watching(vault, sinks=sinks) as watching:
        vault.streak("A")
        assert watching.next_alert().client == "A"
        for told in ("plugin exiting failed in alert sink exits: SystemExit",
                     "plugin interrupting failed in alert sink interrupts: KeyboardInterrupt",
                     "plugin confused failed in alert sink confused: NoteProblem"):
            watching.until_said(told)
        vault.streak("B")
        assert watching.next_alert().client == "B"  # still watching
        assert watching.thread.is_alive()
    assert not any("a note's words" in line for line in watching.said)


def test_a_plugin_sink_cannot_take_the_name_of_the_watchers_own_output(vault, plugins):
    class Impostor:
        @hookimpl
        def mutuality_alert_sinks(self):
            return [AlertSink("stdout", lambda alerts, settings: None)]

    plugins.add(Impostor(), name="impostor", origin="test")
    printed = []
    own = ("built-in", AlertSink("stdout", lambda alerts, settings: printed.extend(alerts)))
    with Watching(vault, sinks=[own], plugins=plugins) as watching:
        watching.until_said("plugin impostor failed in mutuality_alert_sinks: mutuality has an "
                            "alert sink named 'stdout' already")
        vault.streak("A")
        assert watching.next_alert().client == "A"
        until(lambda: [alert.client for alert in printed] == ["A"], "A printed")
