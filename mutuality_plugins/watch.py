"""``mutuality watch``: keep reading the vault as notes are saved, and hand on each
new alert once.

The watchdog callback only records which paths changed and wakes the worker; the
worker waits for a short quiet spell (never longer than a maximum, so a busy vault
cannot starve it), looks again at those paths, re-runs the rules for the clients
they concern, and hands the alerts not handed on before (across restarts: they are
kept in the index) to every sink. An error in a sink or a plugin is reported and
watching goes on.
"""

from __future__ import annotations

import errno
import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .alerts import raise_alerts
from .config import Settings, rule_settings
from .errors import VaultError, describe
from .index import NoteIndex
from .model import Alert, AlertSink, Session
from .plugin_calls import Failures, collect_reporters, collect_rules, send_to_sinks
from .practice import Practice
from .reporters.alerts import alert_line
from .reporters.alerts import default_period as alerts_period
from .reporters.digest import default_period as digest_period
from .vault import VaultState
from .writer import NotWritten, write_generated

QUIET_SECONDS = 0.1  # editors write a note in several steps: wait for them to finish
LONGEST_WAIT_SECONDS = 0.8  # ... but a vault that keeps changing is still looked at
SAFETY_RESCAN_SECONDS = 600  # events can be lost (network folders, sleep): look anyway
# How often an idle worker wakes to check its observer and whether a week ended:
# rarely, so that an idle watcher costs no measurable CPU.
IDLE_CHECK_SECONDS = 30.0
POLL_SECONDS = 2.0
WATCH_LIMIT_ERRORS = (errno.ENOSPC, errno.EMFILE)
LAST_DIGEST = "last digest written"

Say = Callable[[str], None]


class _Recorder(FileSystemEventHandler):
    """Runs in watchdog's thread: records the paths an event names, nothing more."""

    def __init__(self, changed: Callable[[Sequence[str]], None]):
        self._changed = changed

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reading a note changes nothing
        paths = [event.src_path, getattr(event, "dest_path", "")]
        self._changed([p.decode() if isinstance(p, bytes) else p for p in paths if p])


class _Overflow(logging.Handler):
    """watchdog only logs that the kernel dropped events: that calls for a re-scan."""

    def __init__(self, lost: Callable[[], None]):
        super().__init__(logging.WARNING)
        self._lost = lost

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self._lost()


class Watcher:
    """Watches one vault until ``stop`` is set. See the module's docstring."""

    def __init__(self, vault: Path, plugin_manager, settings: Settings, index: NoteIndex,
                 *, failures: Failures, say: Say, poll: bool = False, cache: bool = True,
                 today: Callable[[], date] = date.today,
                 safety_rescan_seconds: float = SAFETY_RESCAN_SECONDS,
                 idle_check_seconds: float = IDLE_CHECK_SECONDS):
        """:param index: keeps the alerts handed on, and (with ``cache``) the notes read.
        :param say: tells the user something, one line (errors, the digest written).
        Add sinks to :attr:`sinks` before running."""
        self.vault = Path(vault).resolve()
        self.settings = settings
        self.index = index
        self.sinks: list[tuple[str, AlertSink]] = []
        self.failures = failures
        self.say = say
        self.poll = poll
        self.today = today
        self.safety_rescan_seconds = safety_rescan_seconds
        self.idle_check_seconds = idle_check_seconds
        self.state = VaultState(self.vault, plugin_manager, settings, failures=failures,
                                index=index if cache else None)
        self._identity = _identity(self.vault)  # to tell if the vault is moved away
        self._rules = collect_rules(plugin_manager, failures)
        self._enabled = rule_settings(settings, [rule for _, rule in self._rules])
        self.reporters = collect_reporters(plugin_manager, failures)
        self._pending: set[str] = set()
        self._everything = False  # events were lost: re-scan the whole vault
        self._wake = threading.Condition()
        self._observer = None
        self.ready = threading.Event()  # set once the first scan is done and watching

    # Called from watchdog's thread and the log handler: record and wake, no more.

    def _changed(self, paths: Sequence[str]) -> None:
        with self._wake:
            self._pending.update(paths)
            self._wake.notify()

    def _lost_events(self) -> None:
        with self._wake:
            self._everything = True
            self._wake.notify()

    # The worker

    def run(self, stop: threading.Event) -> None:
        # stop.set() must wake the worker at once, not at its next idle check.
        stop_notifies = threading.Thread(target=self._wake_when_set, args=(stop,), daemon=True)
        stop_notifies.start()
        overflow = _Overflow(self._lost_events)
        watchdog_log = logging.getLogger("watchdog")
        watchdog_log.addHandler(overflow)
        identity = self._identity
        try:
            self._start_observer()
            self.state.rescan()
            self._hand_on(self._alerts_of(None))
            self._write_digest_when_a_week_ended()
            self._report_failures()
            self.ready.set()
            last_rescan = time.monotonic()
            while not stop.is_set():
                paths, everything = self._next_batch(stop)
                if _identity(self.vault) != identity:
                    # Moved or deleted: the events now concern another folder, or none.
                    raise _vault_gone(self.vault)
                if time.monotonic() - last_rescan > self.safety_rescan_seconds:
                    everything, last_rescan = True, time.monotonic()
                if not self._observer.is_alive():
                    self.say("the file watcher stopped; starting it again")
                    self._start_observer()
                    everything = True
                if paths or everything:
                    self._look_again(paths, everything)
                self._write_digest_when_a_week_ended()
                self._report_failures()
        except OSError:
            if _identity(self.vault) != identity:
                raise _vault_gone(self.vault) from None
            raise
        finally:
            self._stop_observer()  # before its log handler goes: it may still say things
            watchdog_log.removeHandler(overflow)

    def _report_failures(self) -> None:
        """Plugin failures as they happen, by name (then forgotten: the watching goes
        on for days)."""
        for line in self.failures.summary():
            self.say(line)
        self.failures.failures.clear()

    def _wake_when_set(self, stop: threading.Event) -> None:
        stop.wait()
        with self._wake:
            self._wake.notify()

    def _start_observer(self) -> None:
        self._stop_observer()
        handler = _Recorder(self._changed)
        try:
            # watchdog makes its inotify instance when the observer is made, and the
            # watches when it starts: either can meet the system's limits.
            observer = PollingObserver(timeout=POLL_SECONDS) if self.poll else Observer()
            observer.schedule(handler, str(self.vault), recursive=True)
            observer.start()
        except OSError as error:
            if self.poll or error.errno not in WATCH_LIMIT_ERRORS:
                raise
            self.say(
                "the system's limit on watched folders was reached, so the vault is "
                f"checked every {POLL_SECONDS:g} seconds instead; raise the limit with "
                "`sudo sysctl fs.inotify.max_user_watches=524288` (and "
                "fs.inotify.max_user_instances) to be told of changes at once"
            )
            observer = PollingObserver(timeout=POLL_SECONDS)
            observer.schedule(handler, str(self.vault), recursive=True)
            observer.start()
        self._observer = observer

    def _stop_observer(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=1)
            self._observer = None

    def _next_batch(self, stop: threading.Event) -> tuple[set[str], bool]:
        """The paths changed, once they stay quiet a moment (or waited long enough)."""
        with self._wake:
            self._wake.wait_for(lambda: self._pending or self._everything or stop.is_set(),
                                timeout=min(self.idle_check_seconds,
                                            self.safety_rescan_seconds))
            if not (self._pending or self._everything):
                return set(), False
            first = time.monotonic()
            while time.monotonic() - first < LONGEST_WAIT_SECONDS and not stop.is_set():
                seen = len(self._pending)
                self._wake.wait(QUIET_SECONDS)
                if len(self._pending) == seen:
                    break
            paths, everything = self._pending, self._everything
            self._pending, self._everything = set(), False
        return paths, everything

    def _look_again(self, paths: set[str], everything: bool) -> None:
        try:
            if everything:
                changed = self.state.rescan()
            else:
                changed = self.state.refresh(self._relative(paths))
            # The clients of a note before and after: a note can change its client.
            readings = [*changed.values(), *self.state.readings(changed)]
            clients = {client for reading in readings if isinstance(reading, Session)
                       for client in reading.clients}
            if clients:
                self._hand_on(self._alerts_of(clients))
        except Exception as error:  # one bad batch must not end the watching
            if self.failures.debug:
                raise
            self.say(f"could not look at the changes: {describe(error)}")

    def _relative(self, paths: set[str]) -> list[str]:
        relative = []
        for path in paths:
            try:
                relative.append(Path(path).relative_to(self.vault).as_posix())
            except ValueError:
                continue  # outside the vault (the vault itself moved, say)
        return relative

    def _alerts_of(self, clients: set[str] | None) -> list[Alert]:
        by_client = self.state.result().sessions_by_client()
        if clients is not None:
            by_client = {c: s for c, s in by_client.items() if c in clients}
        return raise_alerts(by_client, self._rules, self._enabled, failures=self.failures)

    def _hand_on(self, alerts: list[Alert]) -> None:
        """Give the alerts not handed on before to every sink.

        Only recent alerts are announced (the window of ``mutuality alerts``); older
        ones, found on a first start over years of notes or under a renamed folder,
        are remembered without a word. Alerts are remembered before the sinks get
        them: stopped halfway, the watcher may miss a notification, but never
        repeats one.
        """
        new = self.index.unsent(alerts)
        window = alerts_period(self.today())
        self.index.remember_sent(new)
        new = [alert for alert in new if alert.date in window]
        if new:
            send_to_sinks(self.sinks, new, self.settings, self.failures)

    def practice(self, since: date | None) -> Practice:
        scan = self.state.result()
        alerts = raise_alerts(scan.sessions_by_client(), self._rules, self._enabled, since,
                              self.failures)
        return Practice(self.vault, scan, tuple(alerts), self.settings, self.today(), since)

    def _write_digest_when_a_week_ended(self) -> None:
        reporter = self.reporters.get("digest")
        week = digest_period(self.today())
        if reporter is None or self.index.mark(LAST_DIGEST) == week.week:
            return
        try:
            text = reporter.formats["markdown"](self.practice(week.start), week)
            path = write_generated(self.vault, self.settings.output_folder,
                                   reporter.note_name(week), text)
        except NotWritten as refusal:
            self.say(f"warning: {refusal}")
        except Exception as error:  # told with the other failures
            self.failures.record("report digest", "markdown", error)
            return
        else:
            self.say(f"wrote {path.relative_to(self.vault)}")
        self.index.mark(LAST_DIGEST, week.week)


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def watch_until_stopped(watcher: Watcher, on_start: Callable[[], None]) -> None:
    """Run the watcher in a worker thread until SIGINT or SIGTERM (then within 2 s).

    The stop signals are blocked in every thread and taken by the main thread with
    sigwait: a signal handler setting the stop event could deadlock when two signals
    come at once (Ctrl-C twice, or `timeout`), and the main thread sleeps meanwhile.
    An error that ends the worker is raised here.
    """
    stop = threading.Event()
    crashed: list[BaseException] = []
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)

    def work() -> None:
        try:
            watcher.run(stop)
        except BaseException as error:  # raised again by the main thread
            crashed.append(error)
        finally:
            if not stop.is_set():  # ended by itself: wake the main thread
                signal.pthread_kill(threading.main_thread().ident, signal.SIGTERM)

    worker = threading.Thread(target=work, name="mutuality-watch", daemon=True)
    worker.start()
    on_start()
    signal.sigwait(STOP_SIGNALS)
    stop.set()
    worker.join(timeout=1.5)
    if crashed:
        raise crashed[0]


def _vault_gone(vault: Path) -> VaultError:
    return VaultError(vault, "the vault folder was moved or deleted; start `mutuality watch` "
                             "again where it is now")


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        status = folder.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def text_sink(echo: Callable[[str], None]) -> AlertSink:
    """New alerts as lines of text, as ``mutuality alerts`` prints them."""

    def send(alerts: Sequence[Alert], settings) -> None:
        for alert in alerts:
            echo(alert_line(alert))

    return AlertSink("stdout", send, "new alerts printed as lines of text")


def jsonl_sink(echo: Callable[[str], None]) -> AlertSink:
    """New alerts as JSON objects, one per line."""

    def send(alerts: Sequence[Alert], settings) -> None:
        for alert in alerts:
            echo(json.dumps(alert.as_json(), ensure_ascii=False))

    return AlertSink("stdout", send, "new alerts printed as JSON lines")


def alerts_note_sink(watcher: Watcher) -> AlertSink:
    """Keeps ``Alerts.md`` in the output folder up to date when alerts are new."""

    def send(alerts: Sequence[Alert], settings) -> None:
        reporter = watcher.reporters["alerts"]
        period = alerts_period(watcher.today())
        text = reporter.formats["markdown"](watcher.practice(period.start), period)
        try:
            write_generated(watcher.vault, settings.output_folder, "Alerts.md", text)
        except NotWritten as refusal:
            watcher.say(f"warning: {refusal}")

    return AlertSink("Alerts.md", send, "Alerts.md in the output folder")

