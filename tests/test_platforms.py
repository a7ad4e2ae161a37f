"""Windows and macOS, run on Linux with the platform simulated: the calls that differ are
made in ``platforms.py`` alone, and each of its other paths is taken here."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import signal
import stat
import subprocess
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from mutuality_plugins import files, platforms, watch_lock
from mutuality_plugins import vault as vault_module
from mutuality_plugins.config import Settings
from mutuality_plugins.vault import VaultState
from mutuality_plugins.watch import watch_until_stopped

PACKAGE = Path(__file__).parent.parent / "mutuality_plugins"
HOOKS = Path(__file__).parent.parent / "hooks"
# What some systems lack (Windows most of all).
POSIX_ONLY = {"sigwait", "pthread_sigmask", "pthread_kill", "SIGKILL", "SIGHUP", "SIGQUIT",
              "getuid", "geteuid", "getgid", "fchmod", "fchown", "O_NOFOLLOW", "O_NONBLOCK",
              "O_DIRECTORY", "O_CLOEXEC", "supports_dir_fd", "supports_fd", "windll",
              "SIGBREAK", "O_BINARY", "killpg", "setsid", "fork", "CREATE_NO_WINDOW"}


def test_no_call_some_systems_lack_is_made_outside_the_platform_module():
    found = []
    for path in sorted([*PACKAGE.rglob("*.py"), *HOOKS.glob("*.py")]):
        if path.name == "platforms.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Attribute):
                names.append(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.append(node.value)  # getattr(os, "O_NOFOLLOW", 0)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names += [alias.name for alias in node.names]
                names.append(getattr(node, "module", None) or "")
            found += [f"{path.name}:{node.lineno} {name}"  # type: ignore[attr-defined]
                      for name in names if name in POSIX_ONLY or name in {"fcntl", "msvcrt"}]
    assert found == []


class FakeWatcher:
    def __init__(self):
        self.running = threading.Event()
        self.stopped = threading.Event()

    def run(self):
        self.running.set()
        self.stopped.wait(10)

    def stop(self):
        self.stopped.set()


class FakeKernel32:
    """Windows' console control handlers, as SetConsoleCtrlHandler keeps them."""

    def __init__(self):
        self.handlers = []

    def SetConsoleCtrlHandler(self, handler, add):  # noqa: N802  (Windows' own name)
        if add:
            self.handlers.append(handler)
        else:
            self.handlers.remove(handler)
        return 1


def watch_in_a_thread_of_the_test(stop):
    """watch_until_stopped as the command runs it (in the main thread: signal handlers
    live there), with the stop asked for by ``stop`` from another thread."""
    watcher = FakeWatcher()
    asker = threading.Thread(target=lambda: (watcher.running.wait(10), stop()))
    asker.start()
    started = time.monotonic()
    return watcher, asker, started


def test_on_windows_ctrl_c_and_ctrl_break_stop_the_watcher(monkeypatch):
    monkeypatch.delattr(signal, "sigwait")  # as on Windows
    before = signal.getsignal(signal.SIGINT)
    request = platforms.stop_request()
    assert isinstance(request, platforms.StopRequest)
    assert not isinstance(request, platforms._SignalsWaited)
    watcher, asker, started = watch_in_a_thread_of_the_test(
        lambda: os.kill(os.getpid(), signal.SIGINT))
    watch_until_stopped(watcher, lambda: None, request)
    asker.join()
    assert watcher.stopped.is_set() and time.monotonic() - started < 5
    assert signal.getsignal(signal.SIGINT) is before  # left as it was


def test_on_windows_closing_the_console_stops_the_watcher_before_the_process_ends():
    kernel32 = FakeKernel32()
    request = platforms._SignalsHandled(kernel32)
    [handler] = kernel32.handlers
    answered = []
    watcher, asker, _ = watch_in_a_thread_of_the_test(
        lambda: answered.append((handler(platforms._CTRL_CLOSE_EVENT),
                                 watcher.stopped.is_set())))
    watch_until_stopped(watcher, lambda: None, request)
    asker.join()
    # Windows ends the process when the handler returns: by then the watcher stopped.
    assert answered == [(1, True)]
    assert kernel32.handlers == []


def test_a_watcher_that_ends_by_itself_wakes_the_waiting_on_windows(monkeypatch):
    monkeypatch.delattr(signal, "sigwait")

    class Crashing(FakeWatcher):
        def run(self):
            raise RuntimeError("the vault went away")

    try:
        watch_until_stopped(Crashing(), lambda: None)
    except RuntimeError as error:
        assert str(error) == "the vault went away"
    else:
        raise AssertionError("the worker's error was not raised")


@pytest.mark.parametrize("lock_file", ["beside the index", None])
def test_without_locks_a_watcher_goes_on_without_a_warning(vault, tmp_path, monkeypatch,
                                                           lock_file):
    monkeypatch.setattr(platforms, "HAS_LOCKS", False)
    monkeypatch.setattr(os, "open", lambda *args, **kwargs: (_ for _ in ()).throw(
        PermissionError(13, "Permission denied")))  # Windows opens no folder
    said = []
    with watch_lock.only_watcher(vault.root, tmp_path / "watch.lock" if lock_file else None,
                                 said.append):
        pass
    assert said == []


def test_modes_are_set_by_path_where_the_platform_cannot_by_descriptor(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "fchmod")  # Windows before Python 3.13
    path = tmp_path / "f"
    path.write_text("x")
    with open(path) as opened:
        platforms.set_mode(opened.fileno(), path, 0o600)
    assert path.stat().st_mode & 0o777 == 0o600
    monkeypatch.delattr(os, "getuid")
    assert platforms.owner() is None


def test_the_system_is_told_from_sys_platform(monkeypatch):
    for name, system in (("win32", "windows"), ("darwin", "macos"), ("linux", "linux")):
        monkeypatch.setattr(platforms.sys, "platform", name)
        assert platforms.this_system() == system


def notifications(monkeypatch, system, programs):
    """hooks/desktop_notifications.py as on ``system`` with only ``programs``; the
    commands it runs are recorded, not run."""
    spec = importlib.util.spec_from_file_location("desktop_notifications",
                                                  HOOKS / "desktop_notifications.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "this_system", lambda: system)
    monkeypatch.setattr(module.shutil, "which",
                        lambda name: f"C:/bin/{name}" if name in programs else None)
    ran = []

    def record(command, **options):
        ran.append((command, options))
        return subprocess.CompletedProcess(command, module.exit_status)

    module.exit_status = 0
    monkeypatch.setattr(module.subprocess, "run", record)
    return module, ran


def test_windows_notifications_are_toasts_whose_words_never_enter_the_script(monkeypatch):
    module, ran = notifications(monkeypatch, platforms.WINDOWS, {"powershell"})
    module.notify("mutuality: A'; Remove-Item C:\\ #", "uninvited-streak, session of x")
    [(command, options)] = ran
    assert command[0] == "C:/bin/powershell" and command[-2] == "-Command"
    assert command[-1] == module.TOAST and "Remove-Item" not in " ".join(command)
    assert options["env"]["MUTUALITY_TITLE"] == "mutuality: A'; Remove-Item C:\\ #"
    assert "ToastNotificationManager" in module.TOAST
    # A type literal on one line (PowerShell reads a line break in it as an error).
    assert re.search(r"^\$null = \[[^\n\]]*ContentType = WindowsRuntime\]$", module.TOAST,
                     re.MULTILINE)


def test_a_notifier_that_fails_is_said_once(monkeypatch, capsys):
    module, ran = notifications(monkeypatch, platforms.WINDOWS, {"powershell"})
    module.exit_status = 1
    for _ in range(3):
        module.notify("mutuality: A", "alliance-low")
    assert len(ran) == 3
    assert capsys.readouterr().err == (
        "desktop-notifications: powershell could not show a notification (exit status 1), "
        "so alerts are not shown on the desktop\n")


def test_macos_notifications_use_osascript(monkeypatch):
    module, ran = notifications(monkeypatch, platforms.MACOS, {"osascript"})
    module.notify('mutuality: "A"', "alliance-low")
    [(command, _)] = ran
    assert command == ["osascript", "-e", 'display notification "alliance-low" with title '
                                          '"mutuality: \\"A\\""']


def test_a_system_with_no_way_to_notify_is_said_once(monkeypatch, capsys):
    for system in (platforms.WINDOWS, platforms.MACOS, platforms.LINUX):
        module, ran = notifications(monkeypatch, system, set())
        for _ in range(3):
            module.notify("mutuality: A", "alliance-low")
        assert ran == []
        said = capsys.readouterr().err
        assert said.count("this computer has no way to show a notification") == 1


def case_insensitive(monkeypatch, root):
    """The vault as a Windows or macOS disk shows it: a path finds the file whatever the
    case of its letters."""
    real = vault_module.stat_in_vault

    def stat_any_case(vault, relative):
        folder, _, name = relative.rpartition("/")
        for entry in os.scandir(root / folder if folder else root):
            if entry.name.casefold() == name.casefold():
                return real(vault, f"{folder}/{entry.name}" if folder else entry.name)
        return None

    monkeypatch.setattr(vault_module, "stat_in_vault", stat_any_case)


def test_on_a_case_insensitive_disk_a_rename_of_case_is_one_note_not_two(vault, plugins,
                                                                         monkeypatch):
    case_insensitive(monkeypatch, vault.root)
    old, new = "Clients/A/session one.md", "Clients/A/Session One.md"
    # Told by either name, or both in either order (watchdog and the disk may differ).
    for told in ([old], [new], [new, old], [old, new]):
        vault.session(old, client="A", date="2026-11-16")
        state = VaultState(vault.root, plugins, Settings())
        state.rescan()
        (vault / old).rename(vault / new)
        state.refresh(told)
        assert [session.path for session in state.result().sessions] == [new], told
        (vault / new).unlink()


def test_on_windows_a_long_path_is_opened_in_its_extended_form(monkeypatch):
    monkeypatch.setattr(platforms, "this_system", lambda: platforms.WINDOWS)
    deep = "C:\\Users\\therapist\\Vault\\" + "Clients\\" * 40 + "2026-11-20 RM-07.md"
    assert platforms.long_path(deep) == "\\\\?\\" + deep
    share = "\\\\server\\practice\\" + "Clients\\" * 40 + "a.md"
    assert platforms.long_path(share) == "\\\\?\\UNC\\server\\practice\\" + share[18:]
    assert platforms.long_path("C:\\Vault\\a.md") == "C:\\Vault\\a.md"  # short: as it is
    monkeypatch.setattr(platforms, "this_system", lambda: platforms.LINUX)
    assert platforms.long_path("/" + "a/" * 200) == "/" + "a/" * 200


@pytest.mark.parametrize("by_folder", [True, False], ids=["posix", "paths-checked"])
def test_a_note_whose_path_is_longer_than_260_characters_is_read(vault, plugins, monkeypatch,
                                                                 by_folder):
    monkeypatch.setattr(files, "_BY_FOLDER", files._BY_FOLDER and by_folder)
    opened = []
    monkeypatch.setattr(files, "long_path", lambda path: opened.append(str(path)) or str(path))
    deep = "/".join(["A rather long folder name for the notes of one client"] * 5)
    vault.session(f"{deep}/2026-11-20 A.md", client="A")
    assert len(str(vault / deep)) > 260
    [session] = vault.scan(plugins=plugins).sessions
    assert session.path == f"{deep}/2026-11-20 A.md"
    assert any(path.endswith("2026-11-20 A.md") for path in opened) == (not by_folder)


def test_every_path_shown_is_written_with_forward_slashes():
    """A vault-relative path is made with "/" (never os.sep), and a path made relative
    to the vault is shown as_posix, so Windows shows `Clients/RM-07/a.md` too."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "sep" and getattr(
                    node.value, "id", "") == "os":
                found.append(f"{path.name}:{node.lineno} os.sep")
            if (isinstance(node, ast.Attribute) and node.attr == "relative_to"
                    and isinstance(parents.get(node), ast.Call)):
                shown = parents.get(parents[node])
                if not (isinstance(shown, ast.Attribute) and shown.attr == "as_posix"):
                    found.append(f"{path.name}:{node.lineno} relative_to without as_posix")
    assert found == []


def test_on_windows_a_link_or_a_junction_is_never_followed(vault, monkeypatch, tmp_path):
    """Windows has no flag not to follow a link: the last part is looked at first, and
    a junction (a reparse point, which is no symlink to Python) counts as a link."""
    monkeypatch.setattr(files, "_BY_FOLDER", False)
    monkeypatch.setattr(files, "_NO_FOLLOW", 0)
    monkeypatch.setattr(files, "_READ", files._READ & ~files.NO_FOLLOW)
    outside = tmp_path / "outside.md"
    outside.write_text("---\nclient: OUTSIDE\ndate: 2026-11-20\n---\n")
    (vault / "S").mkdir()
    (vault / "S" / "linked.md").symlink_to(outside)
    with pytest.raises(files.NotAFile):
        files.read_in_vault(vault.root, "S/linked.md", 1000)
    junction = SimpleNamespace(st_mode=stat.S_IFDIR | 0o755, st_file_attributes=0x400)
    assert platforms.is_link(junction)
    assert not platforms.is_link(SimpleNamespace(st_mode=stat.S_IFDIR | 0o755))


def test_on_windows_a_junction_listed_in_a_folder_is_not_walked_into(monkeypatch):
    monkeypatch.setattr(platforms, "this_system", lambda: platforms.WINDOWS)
    junction = SimpleNamespace(is_symlink=lambda: False, stat=lambda follow_symlinks: (
        SimpleNamespace(st_mode=stat.S_IFDIR | 0o755, st_file_attributes=0x400)))
    folder = SimpleNamespace(is_symlink=lambda: False, stat=lambda follow_symlinks: (
        SimpleNamespace(st_mode=stat.S_IFDIR | 0o755, st_file_attributes=0x10)))
    assert platforms.listed_link(junction) and not platforms.listed_link(folder)
    monkeypatch.setattr(platforms, "this_system", lambda: platforms.LINUX)
    assert not platforms.listed_link(junction)  # no call made for it on Linux
