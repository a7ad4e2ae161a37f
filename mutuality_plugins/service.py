"""``mutuality service``: run ``mutuality watch`` in the background as a user service,
a systemd user unit on Linux, a launchd agent on macOS, a Task Scheduler task started
at log-on on Windows.

A vault's path is someone's folder name, so it is never trusted to be plain: each path
is written with the escaping its file needs (systemd's quoting and specifiers, XML
through plistlib), and a path no service file can hold (a line break, a control
character, bytes that are not UTF-8) is refused with a message, never written."""

from __future__ import annotations

import contextlib
import hashlib
import os
import plistlib
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from .config import load_settings
from .errors import MutualityError
from .platforms import MACOS, WINDOWS, set_mode, this_system
from .reading.values import is_utf8
from .reporters.plain import printable

FILE_MODE = 0o644  # the user's service files: theirs to change, anyone's to read


@dataclass(frozen=True)
class UserService:
    """:ivar log: where a launchd agent's output goes (systemd keeps it in the journal).
    :ivar encoding: of the file (schtasks reads a task's XML in UTF-16 only)."""

    system: str
    name: str
    path: Path
    text: str
    log: Path | None = None
    encoding: str = "utf-8"

    def how_to(self) -> tuple[str, str]:
        """The commands that stop it, and that show what it says."""
        if self.system == MACOS:
            return (f"launchctl unload {shlex.quote(str(self.path))}",
                    f"tail -f {shlex.quote(str(self.log))}")
        if self.system == WINDOWS:
            return (f"schtasks /End /TN {self.name}",
                    f"Get-Content -Wait -Encoding UTF8 {powershell_quoted(str(self.log))}")
        return f"systemctl --user stop {self.name}", f"journalctl --user -u {self.name} -f"


def _python() -> Path:
    if not sys.executable:
        raise MutualityError("cannot tell which Python runs mutuality, so no service can "
                             "start it")
    return Path(sys.executable).absolute()


def _program() -> list[str]:
    """The ``mutuality`` command installed beside the Python that runs now, so the
    service finds the same mutuality and plugins; ``python -m`` when there is none."""
    python = _python()
    script = python.parent / ("mutuality.exe" if this_system() == WINDOWS else "mutuality")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [str(python), "-m", "mutuality_plugins"]


def _hidden_program(log: Path) -> list[str]:
    """Windows: mutuality run by the Python beside this one that opens no console
    window (pythonw.exe), its output appended to ``log``."""
    python = _python()
    windowless = python.with_name("pythonw.exe")
    return [str(windowless if windowless.is_file() else python), "-m",
            "mutuality_plugins.hidden", str(log)]


def _writable(path: Path | str, what: str, kind: str = "folder") -> str:
    """``path`` as text a service file can hold; MutualityError when it cannot.

    :param what: what the path is, for the message ("the vault").
    :param kind: "folder" or "file", to say which to rename.
    """
    text = str(path)
    problem = None
    if not is_utf8(text):
        problem = "is not UTF-8 text (it was saved by an old program)"
    elif "\n" in text or "\r" in text:
        problem = "holds a line break, which a service file cannot hold"
    elif any((ord(char) < 32 and char != "\t") or 127 <= ord(char) < 160 for char in text):
        problem = "holds a control character, which a service file cannot hold"
    if problem is None:
        return text
    raise MutualityError(f"cannot make a service for {what} {printable(text)}: the {kind}'s "
                         f"name {problem}; rename the {kind}")


def _command(vault: Path, hooks_dirs: Sequence[Path], config: Path | None,
             poll: bool, program: Sequence[str] | None = None) -> list[str]:
    """The service's command line, every path absolute (it starts in no known folder)."""
    words = [_writable(part, "mutuality's program", "file") for part in program or _program()]
    for folder in hooks_dirs:
        words += ["--hooks-dir", _writable(folder.resolve(), "the plugin folder")]
    words += ["watch", _writable(vault, "the vault")]
    if config is not None:
        words += ["--config", _writable(config.resolve(), "the settings file", "file")]
    if poll:
        words.append("--poll")
    return words


def user_service(vault: Path, system: str, hooks_dirs: Sequence[Path] = (), *,
                 config: Path | None = None, poll: bool = False) -> UserService:
    """The service that watches ``vault`` (an absolute path), named after it (several
    vaults can be watched), with the settings file ``config`` and ``watch --poll`` when
    asked. A settings file that cannot be used is refused now, not by a service
    failing in the background."""
    if config is not None:
        load_settings(vault, config)
    suffix = hashlib.sha256(str(vault).encode("utf-8", "surrogateescape")).hexdigest()[:8]
    home = Path.home()
    if system == WINDOWS:
        return _windows_task(vault, suffix, home, hooks_dirs, config, poll)
    command = _command(vault, hooks_dirs, config, poll)
    if system == MACOS:
        label = f"org.mutuality.watch.{suffix}"
        log = home / "Library/Logs/mutuality" / f"watch-{suffix}.log"
        agent = {
            "Label": label,
            "ProgramArguments": command,
            "WorkingDirectory": _writable(home, "your home folder"),
            "StandardOutPath": _writable(log, "your home folder"),
            "StandardErrorPath": str(log),
            "RunAtLoad": True,
            "KeepAlive": True,
            "ProcessType": "Background",
        }
        text = plistlib.dumps(agent, sort_keys=False).decode("utf-8")
        return UserService(system, label, home / "Library/LaunchAgents" / f"{label}.plist",
                           text, log)
    name = f"mutuality-watch-{suffix}.service"
    quoted = " ".join(_systemd_quoted(part) for part in command)
    # Quoted so that the line never ends in a backslash (which would join the next line).
    described = _writable(vault, "the vault").replace("%", "%%")
    text = f"""[Unit]
Description=mutuality: watch the session notes in "{described}"

[Service]
WorkingDirectory=%h
ExecStart={quoted}
Restart=on-failure
RestartSec=10

[Install]
WantedBy=default.target
"""
    return UserService(system, name, home / ".config/systemd/user" / name, text)


# Task Scheduler's own schema (Windows 7 and later read version 1.2).
TASK_NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"


def _windows_task(vault: Path, suffix: str, home: Path, hooks_dirs: Sequence[Path],
                  config: Path | None, poll: bool) -> UserService:
    """A per-user Task Scheduler task: started at the user's log-on, with no console
    window (pythonw), for ever (no time limit), started again within 5 minutes when it
    stopped, its output in a log file under ``AppData\\Local``."""
    folder = home / "AppData" / "Local" / "mutuality"
    log = folder / "Logs" / f"watch-{suffix}.log"
    command = _command(vault, hooks_dirs, config, poll, _hidden_program(log))
    if any("%" in part for part in command):  # Task Scheduler expands %NAME% in them
        raise MutualityError("cannot make a Windows task for a path holding %: Task "
                             "Scheduler would read %...% as a variable; rename the folder")
    name = f"mutuality-watch-{suffix}"

    def element(parent: ElementTree.Element, tag: str, text: str | None = None,
                **attributes: str) -> ElementTree.Element:
        made = ElementTree.SubElement(parent, tag, attributes)
        made.text = text
        return made

    task = ElementTree.Element("Task", {"version": "1.2", "xmlns": TASK_NAMESPACE})
    info = element(task, "RegistrationInfo")
    element(info, "Description", f'mutuality: watch the session notes in "{vault}"')
    triggers = element(task, "Triggers")
    trigger = element(triggers, "LogonTrigger")
    element(trigger, "Enabled", "true")
    user = _windows_user()
    if user:
        element(trigger, "UserId", user)
    # Task Scheduler starts a task again only when it could not start it, not when it
    # ended by itself: every 5 minutes it is started if it is not running (IgnoreNew).
    again = element(triggers, "TimeTrigger")
    element(element(again, "Repetition"), "Interval", "PT5M")
    element(again, "StartBoundary", "2026-01-01T00:00:00")
    element(again, "Enabled", "true")
    principal = element(element(task, "Principals"), "Principal", id="Author")
    element(principal, "LogonType", "InteractiveToken")
    element(principal, "RunLevel", "LeastPrivilege")
    settings = element(task, "Settings")
    for tag, text in (("MultipleInstancesPolicy", "IgnoreNew"),
                      ("DisallowStartIfOnBatteries", "false"),
                      ("StopIfGoingOnBatteries", "false"),
                      ("ExecutionTimeLimit", "PT0S"), ("Enabled", "true")):
        element(settings, tag, text)
    restart = element(settings, "RestartOnFailure")  # when it cannot be started
    element(restart, "Interval", "PT1M")
    element(restart, "Count", "255")  # the most the schema allows
    run = element(element(task, "Actions", Context="Author"), "Exec")
    element(run, "Command", command[0])
    element(run, "Arguments", subprocess.list2cmdline(command[1:]))
    element(run, "WorkingDirectory", _writable(home, "your home folder"))
    ElementTree.indent(task)
    text = ('<?xml version="1.0" encoding="UTF-16"?>\n'
            + ElementTree.tostring(task, encoding="unicode") + "\n")
    return UserService(WINDOWS, name, folder / f"{name}.xml", text, log, "utf-16")


def _windows_user() -> str:
    """DOMAIN\\user of the user installing the task (its trigger is their log-on)."""
    user = os.environ.get("USERNAME", "")
    domain = os.environ.get("USERDOMAIN", "")
    return f"{domain}\\{user}" if domain and user else user


def _systemd_quoted(part: str) -> str:
    """An ExecStart argument (systemd.syntax(7), systemd.service(5)): in double quotes,
    with backslash and quote escaped, % doubled (a specifier) and $ doubled (a variable)."""
    escaped = (part.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
               .replace("$", "$$"))
    return f'"{escaped}"'


def install_command(vault: Path, system: str | None = None, hooks_dirs: Sequence[Path] = (),
                    config: Path | None = None, poll: bool = False) -> str:
    """The shell command that installs the service printed with these options (paths
    as they were typed), quoted for a POSIX shell (for PowerShell on Windows)."""
    words = ["mutuality"]
    for folder in hooks_dirs:
        words += ["--hooks-dir", _writable(folder, "the plugin folder")]
    typed = _writable(vault, "the vault")
    words += ["service", typed if not typed.startswith("-") else os.path.join(".", typed)]
    if config is not None:
        words += ["--config", _writable(config, "the settings file", "file")]
    if poll:
        words.append("--poll")
    if system is not None:
        words += ["--platform", system]
    words.append("--install")
    if (system or this_system()) == WINDOWS:
        return " ".join(powershell_quoted(word) for word in words)
    return " ".join(shlex.quote(word) for word in words)


def powershell_quoted(word: str) -> str:
    """A word PowerShell reads as it is: in single quotes (nothing expanded in them, a
    quote doubled) unless it is plain."""
    if word and all(char.isalnum() or char in "-_./:\\" for char in word):
        return word
    # PowerShell takes the typographic quotes for quotes too: each is doubled as it is.
    return "'" + _SINGLE_QUOTES.sub(lambda quote: quote.group() * 2, word) + "'"


_SINGLE_QUOTES = re.compile("['\u2018\u2019\u201a\u201b]")


def write_service_file(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` all at once, mode 0644 whatever the umask: a file of
    its own in the same folder, renamed over ``path`` (a symlink at ``path`` is replaced,
    never written through)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=path.parent)
    except OSError as error:
        raise MutualityError(f"{printable(str(path))}: cannot be written "
                             f"({(error.strerror or type(error).__name__).lower()})") from None
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="\n") as file:
            set_mode(file.fileno(), temporary, FILE_MODE)
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise MutualityError(
                f"{printable(str(path))}: cannot be written "
                f"({(error.strerror or type(error).__name__).lower()})") from None
        raise


def install_service(service: UserService) -> Iterator[str]:
    """Write the service file (over an older one of the same vault) and start it."""
    if service.log is not None:  # launchd does not make the folder of its log
        with contextlib.suppress(OSError):
            service.log.parent.mkdir(parents=True, exist_ok=True)
    write_service_file(service.path, service.text, service.encoding)
    yield f"wrote {service.path}"
    if service.system == MACOS:
        steps = [["launchctl", "unload", str(service.path)],
                 ["launchctl", "load", "-w", str(service.path)]]
    elif service.system == WINDOWS:  # (an older one of the vault ended, or /Run does nothing)
        steps = [["schtasks", "/Create", "/TN", service.name, "/XML", str(service.path), "/F"],
                 ["schtasks", "/End", "/TN", service.name],
                 ["schtasks", "/Run", "/TN", service.name]]
    else:
        steps = [["systemctl", "--user", "daemon-reload"],
                 ["systemctl", "--user", "enable", "--now", service.name]]
    if shutil.which(steps[0][0]) is None:
        yield f"{steps[0][0]} was not found: start it yourself with `{' '.join(steps[-1])}`"
        return
    # Undoing an older one fails when there is none: only the other steps must work.
    undoing = {"unload", "/End"}
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0 and not undoing & set(step) and (
                step is steps[-1] or service.system == WINDOWS):
            raise MutualityError(f"`{' '.join(step)}` failed: "
                                 f"{(done.stderr or done.stdout).strip()}")
    yield f"started: {' '.join(steps[-1])}"
    stop, read = service.how_to()
    yield f"stop it with: {stop}"
    yield f"read what it says with: {read}"
