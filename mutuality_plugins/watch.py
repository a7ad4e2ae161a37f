"""``mutuality watch``: keep reading the vault as notes are saved, and keep what it
shows up to date.

The watchdog callback only records which paths changed and wakes the worker; the
worker waits for a short quiet spell (never longer than a maximum, so a busy vault
cannot starve it), looks again at those paths, re-runs the rules for the clients
whose sessions changed, hands each alert sink the alerts it has not received (kept
in the index, so across restarts), keeps ``Alerts.md`` true, and writes each week's
digest when the week ends. An error in a sink or a plugin is told and the watching
goes on.
"""

from __future__ import annotations

import errno
import logging
import shlex
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.utils import BaseThread

from .client_pages import ClientPages
from .config import Settings
from .dismissals import ALERTS_NOTE, dismissals_for, practice_with_dismissals
from .errors import MutualityError, VaultError, describe
from .files import stat_in_vault
from .index import NoteIndex
from .model import RISK_ITEM, Alert, AlertSink, Period, Problem, Reading
from .platforms import StopRequest, stop_request
from .plugin_calls import PluginFailure, summarize
from .plugins import PluginManager
from .practice import Practice, PracticeBuilder
from .report import ALERTS_REPORT, DIGEST_REPORT, Report, Say, period_of
from .reporters.plain import count, printable
from .sinks import SINK_SECONDS, SinkDelivery
from .vault import VaultState
from .writer import DISMISSED_NOTE, FileStamp, NotWritten, file_stamp, require_own_output_folder

QUIET_SECONDS = 0.1  # editors write a note in several steps: wait for them to finish
LONGEST_WAIT_SECONDS = 0.8  # ... but a vault that keeps changing is still looked at
SAFETY_RESCAN_SECONDS = 600  # events can be lost (network folders, sleep): look anyway
# How often an idle worker wakes to check its observer and whether a week ended:
# rarely, so that an idle watcher costs no measurable CPU.
IDLE_CHECK_SECONDS = 30.0
POLL_SECONDS = 2.0
WATCH_LIMIT_ERRORS = (errno.ENOSPC, errno.EMFILE)
LAST_DIGEST = "last digest written"
RETRY_FIRST_SECONDS = 30.0  # then twice as long each time it fails again ...
RETRY_LONGEST_SECONDS = 3600.0  # ... up to an hour
TELL_AGAIN_SECONDS = 3600.0
# How long a batch waits for the sinks: enough for a quick one to finish (and be
# remembered at once), never long enough for a slow one to hold up the watching.
SINK_WAIT_SECONDS = 0.5
ANNOUNCED = ALERTS_REPORT  # the report whose period says which alerts are announced
WEEKLY = DIGEST_REPORT  # the report written when a week ends


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
    """Watches one vault from :meth:`run` until :meth:`stop`. See the module's docstring."""

    def __init__(self, vault: Path, plugins: PluginManager, settings: Settings,
                 index: NoteIndex, *, say: Say,
                 sinks: Sequence[tuple[str, AlertSink]] = (), poll: bool = False,
                 cache: bool = True,
                 today: Callable[[], date] = date.today,
                 safety_rescan_seconds: float = SAFETY_RESCAN_SECONDS,
                 idle_check_seconds: float = IDLE_CHECK_SECONDS,
                 sink_seconds: float = SINK_SECONDS,
                 retry_seconds: float = RETRY_FIRST_SECONDS):
        """:param index: keeps what each sink received, and (with ``cache``) the notes read.
        :param say: tells the user something, one line (errors, the digest written).
        :param sinks: (plugin, sink) pairs handed alerts before the plugins' own sinks
            (the command's output).
        :param retry_seconds: how soon what a failing plugin spoilt is first tried again.
        """
        self.vault = Path(vault).resolve()
        self.settings = settings
        self.index = index
        self.guard = plugins.guard
        self.say = say
        self._polling = poll  # looking at the vault every few seconds, not told
        self._watcher_failed = False  # a thread of watchdog's died
        self._excepthook = threading.excepthook
        self.today = today
        self.safety_rescan_seconds = safety_rescan_seconds
        self.idle_check_seconds = idle_check_seconds
        self.state = VaultState(self.vault, plugins, settings, index=index if cache else None)
        self.builder = PracticeBuilder(self.vault, plugins, settings)
        self.pages = ClientPages(say)  # each active client's page in the output folder
        self.reporters = plugins.reporters()
        sinks = list(sinks)
        every_sink = [*sinks, *plugins.sinks(built_in=[sink.name for _, sink in sinks])]
        self.delivery = SinkDelivery(every_sink, index, self.guard, settings, sink_seconds,
                                     done=self._sink_done)
        self._identity = _identity(self.vault)  # to tell if the vault is moved away
        self._pending: set[str] = set()
        self._last_change = 0.0  # time.monotonic() of the last change told
        self._everything = False  # events were lost: re-scan the whole vault
        self._stopping = False
        self._sinks_done = False  # a sink finished: what it took is to be remembered
        self._wake = threading.Condition()
        self._observer: BaseObserver | None = None
        self._day: date | None = None  # the day Alerts.md was last brought up to date
        self._digest_owed = False  # the week's digest could not be written cleanly
        # What a failing plugin spoilt is tried again, less and less often; the same
        # failure is told once an hour at most (the log of a service is read by people).
        self._retry_first = self._retry_every = retry_seconds
        self._retry_at = 0.0
        self._told: dict[tuple[str, str, str], float] = {}
        self._index_trouble: str | None = None  # told once, until it changes
        self._output_trouble: str | None = None  # the same
        self._dismissals_trouble: str | None = None  # the same
        # The notes the therapist changes in the output folder (ticks in Alerts.md, rows
        # of the note of dismissals), as last seen: a change is a change of what shows.
        self._own_notes: dict[str, FileStamp | None] = {}
        # The notes of the output folder found to be mutuality's (its pages, mostly):
        # only those changed since are read again when something there changes.
        self._checked: dict[str, FileStamp] = {}
        # The alerts every sink took (see _hand_on), and their ids.
        self._handed_alerts: Sequence[Alert] = ()
        self._handed: set[int] = set()
        self.ready = threading.Event()  # set once the first scan is done and watching

    # Called from other threads (watchdog's, the log handler, the main thread): record
    # and wake, no more.

    def _changed(self, paths: Sequence[str]) -> None:
        with self._wake:
            self._pending.update(paths)
            self._last_change = time.monotonic()
            self._wake.notify()

    def _lost_events(self) -> None:
        with self._wake:
            self._everything = True
            self._last_change = time.monotonic()
            self._wake.notify()

    def _sink_done(self) -> None:
        with self._wake:
            self._sinks_done = True
            self._wake.notify()

    def stop(self) -> None:
        """Make :meth:`run` return at once (from any thread)."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()

    # The worker

    def run(self) -> None:
        overflow = _Overflow(self._lost_events)
        watchdog_log = logging.getLogger("watchdog")
        watchdog_log.addHandler(overflow)
        identity = self._identity
        self._excepthook = threading.excepthook
        threading.excepthook = self._observer_died
        try:
            self._start_observer()
            self._batch(set(), everything=True)
            self.ready.set()
            last_rescan = time.monotonic()
            while True:
                paths, everything = self._next_batch()
                if self._stopping:
                    return
                if _identity(self.vault) != identity:
                    # Moved or deleted: the events now concern another folder, or none.
                    raise _vault_gone(self.vault)
                rescan_every = POLL_SECONDS if self._polling else self.safety_rescan_seconds
                if time.monotonic() - last_rescan > rescan_every:
                    everything, last_rescan = True, time.monotonic()
                if self._watcher_failed and not self._polling:
                    self._poll_instead("the file watcher failed (a folder chain too deep for "
                                       "it, say), so the vault is checked every "
                                       f"{POLL_SECONDS:g} seconds instead")
                    everything = True
                elif not self._polling and (self._observer is None
                                            or not self._observer.is_alive()):
                    self.say("the file watcher stopped; starting it again")
                    self._start_observer()
                    everything = True
                self._batch(paths, everything)
        except OSError:
            if _identity(self.vault) != identity:
                raise _vault_gone(self.vault) from None
            raise
        finally:
            self._stop_observer()  # before its log handler goes: it may still say things
            watchdog_log.removeHandler(overflow)
            threading.excepthook = self._excepthook
            self.delivery.settle()  # what the sinks finished is remembered

    def _start_observer(self) -> None:
        """Watch the vault with the system's file watcher, or else look at it every
        few seconds (asked for with --poll, or when the file watcher cannot work)."""
        self._stop_observer()
        if self._polling:
            return
        try:
            # watchdog makes its inotify instance when the observer is made, and the
            # watches when it starts: either can meet the system's limits.
            self._observer = self._observe()
        except OSError as error:
            if error.errno not in WATCH_LIMIT_ERRORS:
                raise
            self._poll_instead(
                "the system's limit on watched folders was reached, so the vault is "
                f"checked every {POLL_SECONDS:g} seconds instead; raise the limit with "
                "`sudo sysctl fs.inotify.max_user_watches=524288` (and "
                "fs.inotify.max_user_instances) to be told of changes at once")
        except RecursionError:
            # watchdog adds its watches with os.walk, which before Python 3.12 recurses
            # once per folder level: a chain of about 1,000 nested folders ends it.
            self._poll_instead("the vault's folders are nested too deep for the file "
                               f"watcher, so the vault is checked every {POLL_SECONDS:g} "
                               "seconds instead")

    def _poll_instead(self, why: str) -> None:
        self._stop_observer()
        self._polling = True
        self.say(why)

    def _observe(self) -> BaseObserver:
        """A started observer of the whole vault that records what changes."""
        observer = Observer()
        observer.schedule(_Recorder(self._changed), str(self.vault), recursive=True)
        try:
            observer.start()
        except BaseException:
            observer.unschedule_all()
            raise
        return observer

    def _stop_observer(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=1)
            self._observer = None

    def _observer_died(self, failure: threading.ExceptHookArgs) -> None:
        """A thread of watchdog's ended with an error (a folder chain moved in that is
        too deep for it): the vault is then polled."""
        if isinstance(failure.thread, BaseThread):
            with self._wake:
                self._watcher_failed = True
                self._wake.notify()
        else:
            self._excepthook(failure)

    def _next_batch(self) -> tuple[set[str], bool]:
        """The paths changed, once they stay quiet a moment (or waited long enough)."""
        deadline = self.delivery.next_deadline()  # a slow sink is named in time
        timeout = min(self.idle_check_seconds, self.safety_rescan_seconds,
                      POLL_SECONDS if self._polling else self.idle_check_seconds,
                      self.idle_check_seconds if deadline is None else deadline + 0.01)
        with self._wake:
            self._wake.wait_for(lambda: (self._pending or self._everything or self._stopping
                                         or self._sinks_done or self._watcher_failed
                                         and not self._polling), timeout=timeout)
            self._sinks_done = False
            if not (self._pending or self._everything):
                return set(), False
            # Quiet since the last change, which may have come while the last batch was
            # at work: that time counts.
            longest = time.monotonic() + LONGEST_WAIT_SECONDS
            while not self._stopping:
                left = min(self._last_change + QUIET_SECONDS, longest) - time.monotonic()
                if left <= 0:
                    break
                self._wake.wait(left)
            paths, everything = self._pending, self._everything
            self._pending, self._everything = set(), False
        return paths, everything

    def _batch(self, paths: set[str], everything: bool) -> None:
        """Read what changed (the whole vault with ``everything``), and when it is
        time, what a failing plugin spoilt; then catch up. One bad batch never ends
        the watching."""
        retry = time.monotonic() >= self._retry_at
        try:
            changed = False
            if everything:
                self._check_output_folder()
                changed = self._told_of_problems(self.state.rescan())
            elif paths:
                relative = self._relative(paths)
                self._check_output_folder(relative)
                changed = self._told_of_problems(self.state.refresh(relative))
            # A gap ticked in Alerts.md, or dismissed (or no more) in the note of
            # dismissals, leaves Alerts.md (or comes back) at once, told or polled.
            changed = self._own_notes_changed() or changed
            if retry and self.state.spoilt:
                changed = bool(self.state.read_spoilt_again()) or changed
            self._catch_up(changed, retry)
        except MutualityError as error:  # a plugin's message for the user
            self.say(f"warning: {error}")
        except Exception as error:
            if self.guard.debug or _identity(self.vault) != self._identity:
                raise
            self.say(f"could not look at the changes: {describe(error)}")
        self._tell(self.guard.take_failures())
        trouble = self.state.index_trouble
        if trouble is not None and trouble != self._index_trouble:
            self.say(f"warning: the index could not be written ({trouble}); what changed is "
                     "kept in memory, and written to it when it can be")
        self._index_trouble = trouble
        if retry:
            owed = (self.state.spoilt or self.delivery.owing or self.builder.unsettled
                    or self._digest_owed)
            self._retry_every = (min(2 * self._retry_every, RETRY_LONGEST_SECONDS) if owed
                                 else self._retry_first)
            self._retry_at = time.monotonic() + self._retry_every

    def _told_of_problems(self, changed: Mapping[str, Reading]) -> bool:
        """Say which of the notes read again cannot be used now (each once, until its
        reason changes): their sessions leave the alerts, which would go unexplained. At
        the start, how many there are. Whether any note's reading changed."""
        problems = [(path, reading) for path, before in changed.items()
                    if isinstance(reading := self.state.notes.get(path, (None, None))[1],
                                  Problem) and reading != before]
        if problems and not self.ready.is_set():
            self.say(f"{count(len(problems), 'note')} could not be read and "
                     f"{'are' if len(problems) > 1 else 'is'} left out; `mutuality scan "
                     f"{shlex.quote(str(self.vault))}` lists them")
        else:
            for path, problem in problems:
                self.say(f"{printable(path)}: {problem.message} (it is left out until it "
                         "is put right)")
        return bool(changed)

    def _own_notes_changed(self) -> bool:
        """Whether Alerts.md or the note of dismissals changed since last seen, other
        than by the watcher's own write of Alerts.md (which tells it nothing new).

        Its write of the note of dismissals does count: it may hold a change the
        therapist made while the watcher was recording a tick (merged into it).
        """
        leftovers = self.index.leftovers
        written = {} if leftovers is None else leftovers.written
        changed = False
        for name in (ALERTS_NOTE, DISMISSED_NOTE):
            relative = f"{self.settings.output_folder}/{name}"
            status = stat_in_vault(self.vault, relative)
            now = None if status is None else file_stamp(status)
            ours = name == ALERTS_NOTE and now == written.get(relative)
            changed |= now != self._own_notes.get(name) and not ours
            self._own_notes[name] = now
        return changed

    def _check_output_folder(self, changed: Sequence[str] | None = None) -> None:
        """A note of the therapist's put in the output folder while watching is never
        read: say so, once (every other command refuses to run then). Looked at when
        something there changed (``changed``: vault-relative paths), or with None."""
        output = self.settings.output_folder
        if changed is not None and not any(
                path == output or path.startswith(output + "/") for path in changed):
            return
        try:
            require_own_output_folder(self.vault, output, self._checked)
        except MutualityError as error:
            trouble = f"warning: {error}"
            if trouble != self._output_trouble:
                self.say(trouble)
            self._output_trouble = trouble
        else:
            self._output_trouble = None

    def _tell(self, failures: list[PluginFailure]) -> None:
        """Tell plugin failures as they happen, each one once an hour at most."""
        now = time.monotonic()
        fresh = []
        for failure in failures:
            key = (failure.plugin, failure.hook, failure.reason)
            if now - self._told.get(key, -TELL_AGAIN_SECONDS) >= TELL_AGAIN_SECONDS:
                fresh.append(failure)
        for failure in fresh:
            self._told[(failure.plugin, failure.hook, failure.reason)] = now
        for line in summarize(fresh):
            self.say(line)

    def _relative(self, paths: set[str]) -> list[str]:
        relative = []
        for path in paths:
            try:
                relative.append(Path(path).relative_to(self.vault).as_posix())
            except ValueError:
                continue  # outside the vault (the vault itself moved, say)
        return relative

    def _catch_up(self, changed: bool, retry: bool) -> None:
        """Bring what the watcher keeps up to date: the sinks, Alerts.md and, when a
        week ended, its digest (what failed, again when it is time to retry)."""
        today = self.today()
        practice = None
        if (changed or today != self._day or self.delivery.finished
                or (retry and (self.delivery.owing or self.builder.unsettled))):
            practice = self._practice(today)
            # The note first: whoever follows a notification finds it up to date.
            self._keep(ANNOUNCED, practice)
            self._hand_on(practice)
            # Then the pages: a page that cannot be written never holds back an alert.
            self.pages.keep(practice, self.index.leftovers)
            self._day = today
        elif self.delivery.busy:
            self.delivery.settle()  # names a sink at work for too long
        weekly = self.reporters.get(WEEKLY)
        week = period_of(*weekly, today, self.guard) if weekly else None
        if (week is not None and self.index.mark(LAST_DIGEST) != str(week.start)
                and (retry or not self._digest_owed)):
            practice = practice or self._practice(today)
            failed_before = len(self.guard.failures)
            written = self._keep(WEEKLY, practice, week, tell=True)
            self._digest_owed = not written or len(self.guard.failures) > failed_before
            if not self._digest_owed:
                self.index.mark(LAST_DIGEST, str(week.start))

    def _practice(self, today: date) -> Practice:
        recorded = dismissals_for(self.vault, self.settings.output_folder)
        return practice_with_dismissals(self.builder, self.state.result(), today, None, None,
                                        recorded, self.index.leftovers, self._say_once,
                                        today)[0]

    def _say_once(self, line: str) -> None:
        """Say a warning about the note of dismissals once, until it changes (it comes
        again at every change of the vault while the note stays broken)."""
        if line != self._dismissals_trouble:
            self.say(line)
        self._dismissals_trouble = line

    def _hand_on(self, practice: Practice) -> None:
        """Hand the sinks the alerts they have not received.

        Only recent alerts are announced (the period ``mutuality alerts`` shows);
        older ones, found on a first start over years of notes or under a renamed
        folder, are counted as received without a word. But an old risk item's whose
        gap is closed: it is left unannounced, and announced should its gap open again
        (the note that closed it deleted).

        The alerts of a client whose notes did not change are the very objects of the
        last practice: once every sink took them, they are not looked up again (over
        100,000 notes, that would be most of the time a save takes).
        """
        handed = self._handed
        alerts = [alert for alert in practice.alerts if id(alert) not in handed]
        window = self._period(ANNOUNCED, practice.today)
        # A risk item still open is never held back, however old its alerts.
        risks = {(gap.client, gap.detail): gap.opened for gap in practice.gaps
                 if gap.rule == RISK_ITEM} if alerts else {}
        recent: list[Alert] = []
        old: list[Alert] = []
        for alert in alerts:
            if window is None or alert.date in window:
                recent.append(alert)
            elif alert.rule != RISK_ITEM:
                old.append(alert)
            elif (opened := risks.get((alert.client, alert.detail))) is not None \
                    and alert.date >= opened:
                recent.append(alert)
        remembered = self.delivery.remember_quietly(old)
        self.delivery.deliver(recent, wait=min(SINK_WAIT_SECONDS, self.delivery.seconds))
        # Their ids, with the alerts themselves held: no new alert can take an id.
        taken = remembered and not (self.delivery.owing or self.delivery.busy)
        self._handed_alerts = practice.alerts if taken else ()
        self._handed = set(map(id, self._handed_alerts))

    def _keep(self, name: str, practice: Practice, period: Period | None = None,
              tell: bool = False) -> bool:
        """Keep the report ``name`` as its note; True when it was written (or unchanged)."""
        if name not in self.reporters:
            return False
        plugin, reporter = self.reporters[name]
        period = period or self._period(name, practice.today)
        if period is None:
            return False
        try:
            path = Report(plugin, reporter, practice, period, self.guard).keep(
                self.index.leftovers)
        except NotWritten as refusal:
            self.say(f"warning: {refusal}")
            return False
        if path is not None and tell:
            self.say(f"wrote {path.relative_to(self.vault).as_posix()}")
        return path is not None

    def _period(self, name: str, today: date) -> Period | None:
        if name not in self.reporters:
            return None
        return period_of(*self.reporters[name], today, self.guard)


def watch_until_stopped(watcher: Watcher, on_start: Callable[[], None],
                        stop: StopRequest | None = None) -> None:
    """Run the watcher in a worker thread until the user or the system stops it (then
    within 2 s): Ctrl-C, SIGTERM, and on Windows Ctrl-Break or the console closed
    (:func:`~.platforms.stop_request`). An error that ends the worker is raised here.
    """
    crashed: list[BaseException] = []
    stopping = threading.Event()
    stop = stop or stop_request()

    def work() -> None:
        try:
            watcher.run()
        except BaseException as error:  # raised again by the main thread
            crashed.append(error)
        finally:
            if not stopping.is_set():  # ended by itself: wake the main thread
                stop.wake()

    try:
        worker = threading.Thread(target=work, name="mutuality-watch", daemon=True)
        worker.start()
        on_start()
        stop.wait()
        stopping.set()
        watcher.stop()
        worker.join(timeout=1.5)
        stop.stopped()
    finally:
        stop.restore()
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
