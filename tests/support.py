"""What the tests share (not a test module): notes written as Obsidian writes them, the
command line run as a user runs it, and a watcher run in a thread."""

from __future__ import annotations

import datetime as dt
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any
from unittest import mock

from click.testing import CliRunner, Result

from mutuality_plugins import cli as cli_module
from mutuality_plugins.config import Settings
from mutuality_plugins.errors import NoteProblem
from mutuality_plugins.index import NoteIndex, fingerprint
from mutuality_plugins.model import Alert, AlertSink, NoteWarning, Session
from mutuality_plugins.plugins import PluginManager, get_plugin_manager
from mutuality_plugins.reading.note import read_session
from mutuality_plugins.vault import scan_vault
from mutuality_plugins.watch import Watcher

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "vault"
EXAMPLE_ALERTS = 15  # what `alerts --all` finds in it: a check that all of them came
HOOKS = ROOT / "hooks"
MANUAL = ROOT / "docs" / "plugins.md"
PLUGINS = Path(__file__).parent / "plugins"  # real plugins the tests load
TODAY = dt.date(2026, 11, 26)  # a Thursday: the last complete week is 2026-W47
TIMEOUT = 10  # seconds to wait for something that should come at once


def until(condition: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    """Wait for ``condition()`` to hold, looking every 50 ms; fail after ``timeout``."""
    pause = threading.Event()
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        pause.wait(0.05)


def note(front_matter: str, body: str = "Session notes.\n") -> str:
    """A note with the given (dedented) front-matter and body."""
    return f"---\n{textwrap.dedent(front_matter).strip()}\n---\n{textwrap.dedent(body)}"


BUILT_IN = get_plugin_manager(load_entry_points=False)
"""The built-in plugins only (tests never load installed ones)."""

NOTE_PATH = "Clients/RM-07/2026-11-20 RM-07.md"


def read_note(content: str | bytes,
              path: str = NOTE_PATH) -> Session | NoteWarning | None | NoteProblem:
    """One note read as a scan reads it, with the built-in extractors: a session,
    nothing (not a session note; a warning when it looks like one), or the problem
    (whose reason must be one line)."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    extract = BUILT_IN.hook.mutuality_extract_feedback
    try:
        return read_session(raw, path, lambda note: extract(note=note, settings=Settings()),
                            Settings())
    except NoteProblem as problem:
        assert str(problem) and "\n" not in str(problem), "a problem is one plain line"
        return problem


class Vault:
    """A vault folder that a test fills with notes."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def __truediv__(self, relative: str) -> Path:
        return self.root / relative

    def __str__(self) -> str:
        return str(self.root)

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def session(self, relative: str, front_matter: str = "", body: str = "Notes.\n",
                **properties: Any) -> Path:
        """A session note: ``front_matter`` as written, then ``key: value`` lines."""
        lines = [textwrap.dedent(front_matter).strip(),
                 *(f"{key}: {value}" for key, value in properties.items())]
        return self.write(relative, note("\n".join(line for line in lines if line), body))

    def streak(self, client: str = "A", first_day: int = 16, folder: str = "") -> list[Path]:
        """Three uninvited weekly-ish sessions in November: the third raises
        uninvited-streak."""
        return [self.session(f"{folder}2026-11-{day:02} {client}.md", client=client)
                for day in range(first_day, first_day + 3)]

    def age(self, seconds: float = 60) -> None:
        """Make every note look saved ``seconds`` ago. A note changed in the last few
        seconds is never stored in the index (a same-size edit could keep its stamp),
        so a test of what the index keeps ages its notes first."""
        then = time.time() - seconds
        for path in self.root.rglob("*.md"):
            os.utime(path, (then, then))

    def scan(self, settings: Settings | None = None, *, plugins: PluginManager | None = None,
             **options: Any) -> Any:
        return scan_vault(self.root, plugins or BUILT_IN, settings or Settings(), **options)


def run(*args: object, env: dict[str, str] | None = None, today: dt.date = TODAY,
        catch: bool = True) -> Result:
    """``mutuality ARGS`` as a user types it, on ``today``; stdout and stderr apart.
    With ``catch=False`` an exception that escapes the command is raised here."""
    with mock.patch.object(cli_module, "_today", lambda: today):
        return CliRunner().invoke(cli_module.cli, [str(arg) for arg in args], env=env,
                                  catch_exceptions=catch)


def run_child(*args: object, env: dict[str, str] | None = None, timeout: float = 60,
              closed: Iterable[int] = ()) -> subprocess.CompletedProcess[str]:
    """``python -m mutuality_plugins ARGS`` in a child process, with this test's
    environment (its state folder, no installed plugins) plus ``env``; not checked.

    :param closed: file descriptors the child starts without (``>&-`` in a shell): its
        output on a closed one is then an empty string here.
    """
    shut = tuple(closed)
    return subprocess.run([sys.executable, "-m", "mutuality_plugins", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})},
                          preexec_fn=(lambda: [os.close(fd) for fd in shut]) if shut else None)


def ok(result: Result) -> str:
    """The stdout of a command that must have succeeded."""
    assert result.exit_code == 0, result.output
    return result.stdout


class Watching:
    """A watcher of ``vault`` in a thread, its new alerts in a queue (a sink that comes
    after ``sinks``); used as a context manager."""

    def __init__(self, vault: Vault | Path, sinks: Iterable[tuple[str, AlertSink]] = (),
                 plugins: PluginManager | None = None, settings: Settings | None = None,
                 today: dt.date | Callable[[], dt.date] = TODAY, **options: Any):
        """:param today: the day, or a function giving it (to let a week end)."""
        self.root = vault.root if isinstance(vault, Vault) else vault
        self.alerts: queue.Queue[Alert] = queue.Queue()
        self.said: list[str] = []
        self.plugins = plugins or get_plugin_manager(load_entry_points=False)  # its own
        self.settings = settings or Settings()
        self.index = NoteIndex.open(self.root, fingerprint(self.plugins, self.settings),
                                    self.settings)
        received = AlertSink("queue", lambda alerts, _: [self.alerts.put(a) for a in alerts])
        self.guard = self.plugins.guard
        self.watcher = Watcher(self.root, self.plugins, self.settings, self.index,
                               say=self.said.append,
                               today=today if callable(today) else lambda: today,
                               sinks=[*sinks, ("test", received)], **options)
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)

    def __enter__(self) -> Watching:
        self.thread.start()
        assert self.watcher.ready.wait(TIMEOUT), "the watcher did not start"
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self.index.close()

    def stop(self) -> None:
        self.watcher.stop()
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive(), "the watcher did not stop"

    def next_alert(self) -> Alert:
        return self.alerts.get(timeout=TIMEOUT)

    def no_alert_for(self, seconds: float = 1.5) -> None:
        """No alert arrives within ``seconds`` (longer than the watcher's longest wait
        for a quiet spell, so a batch in progress would have been handed on)."""
        try:
            alert = self.alerts.get(timeout=seconds)
        except queue.Empty:
            return
        raise AssertionError(f"an alert came: {alert.identity}")

    def until_said(self, text: str) -> str:
        """The first line the watcher said holding ``text``, waiting for it."""
        until(lambda: any(text in line for line in self.said),
              f"the watcher saying {text!r} (it said {self.said})")
        return next(line for line in self.said if text in line)


def line_of(stream: IO[str], timeout: float = TIMEOUT) -> str:
    """The next line of a child's output, or a failure after ``timeout`` seconds (a
    bare readline would wait for ever on a child that printed nothing)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError(f"no line within {timeout} s") from None


class WatchProcess:
    """``mutuality [OPTIONS] watch VAULT [ARGS]`` in a child process, as a service runs
    it; used as a context manager, it is killed at the end whatever happened."""

    def __init__(self, vault: Vault | Path, *args: str, options: Iterable[str] = (),
                 state: Path | None = None, env: dict[str, str] | None = None):
        root = vault.root if isinstance(vault, Vault) else vault
        environment = {**os.environ, **(env or {})}
        if state is not None:
            environment["MUTUALITY_STATE_DIR"] = str(state)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mutuality_plugins", *options, "watch", str(root), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)

    def __enter__(self) -> WatchProcess:
        self.said_until("watching")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.process.kill()
        self.process.communicate()

    def said_until(self, text: str) -> list[str]:
        """Lines of stderr up to the first holding ``text``."""
        assert self.process.stderr is not None
        lines = [line_of(self.process.stderr)]
        while text not in lines[-1]:
            lines.append(line_of(self.process.stderr))
        return lines

    def line(self) -> str:
        """The next line of its output (stdout)."""
        assert self.process.stdout is not None
        return line_of(self.process.stdout)

    def stopped(self) -> tuple[int, str, str]:
        """Stop it (SIGTERM); its exit status and the rest of its stdout and stderr."""
        self.process.send_signal(signal.SIGTERM)
        out, err = self.process.communicate(timeout=TIMEOUT)
        return self.process.returncode, out, err

    def stop(self, signal_number: int = signal.SIGTERM) -> int:
        """Send the signal; the exit status, within 5 seconds."""
        self.process.send_signal(signal_number)
        return self.process.wait(timeout=5)
