"""``mutuality service``: the watcher as a user service, printed or installed.

A vault's path is someone's folder name: whatever it holds, the unit or agent written
for it runs exactly ``mutuality watch VAULT``, read back here as systemd and launchd
read them."""

import hashlib
import os
import plistlib
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from mutuality_plugins.errors import MutualityError
from mutuality_plugins.service import install_command, powershell_quoted, user_service

from support import EXAMPLE, Vault, ok, run

# Every character a shell, systemd or XML gives a meaning to, a specifier and a variable
# systemd would expand, and a backslash at the end (which would join a unit's next line).
HOSTILE = "Séances O'Brien & \"Co\" <1> 100% $HOME ${USER} %h; a\\b\\"


# systemd's reading of a unit, for what mutuality writes (systemd.syntax(7),
# systemd.unit(5) "Specifiers", systemd.service(5) "Command lines"); strict: anything
# else it meets is a failure, not a guess.

def undoubled(value: str, mark: str, what: str) -> str:
    """``value`` with each doubled ``mark`` made one; a single ``mark`` is something
    systemd would replace (``what``)."""
    expanded, at = [], 0
    while at < len(value):
        if value[at] == mark:
            assert value[at + 1:at + 2] == mark, f"systemd would expand {what} in {value!r}"
            at += 1
        expanded.append(value[at])
        at += 1
    return "".join(expanded)


def expand_specifiers(value: str) -> str:
    """``%%`` is ``%``; any other ``%x`` is a specifier systemd would replace."""
    return undoubled(value, "%", "a specifier")


def expand_variables(word: str) -> str:
    """``$$`` is ``$``; any other ``$`` starts a variable systemd would replace."""
    return undoubled(word, "$", "a variable")


def exec_start_argv(value: str) -> list[str]:
    """The argv systemd runs for ``ExecStart=value``: specifiers, then words in double
    quotes (with ``\\\\`` and ``\\"`` unescaped) one space apart, then variables."""
    text, argv, at = expand_specifiers(value), [], 0
    while True:
        assert text[at] == '"', f"not a double-quoted word at {text[at:]!r}"
        at += 1
        word = []
        while text[at] != '"':
            if text[at] == "\\":
                assert text[at + 1] in '\\"', f"an escape mutuality never writes: {text[at:at + 2]!r}"
                at += 1
            word.append(text[at])
            at += 1
        argv.append(expand_variables("".join(word)))
        at += 1
        if at == len(text):
            return argv
        assert text[at] == " " and text[at + 1] == '"', f"not one word after another: {text[at:]!r}"
        at += 1


def unit_lines(text: str) -> list[tuple[str, str]]:
    """The unit's sections and settings, as (section or key, value), in order; a line
    that systemd would join to the next (ending in an unescaped backslash) fails."""
    read = []
    for line in text.splitlines():
        assert not re.search(r"(?<!\\)(\\\\)*\\$", line), f"systemd would join {line!r} to the next"
        if line.startswith("["):
            read.append((line, ""))
        elif line:
            key, _, value = line.partition("=")
            read.append((key, value))
    return read


def printed_unit(output: str) -> tuple[str, dict[str, str]]:
    """The path a printed unit goes to and its settings (each key once)."""
    first, text = output.split("\n", 1)
    read = unit_lines(text.split("# to install it:", 1)[0])
    assert [key for key, _ in read] == [
        "[Unit]", "Description", "[Service]", "WorkingDirectory", "ExecStart", "Restart",
        "RestartSec", "[Install]", "WantedBy"]
    return first, dict(read)


def printed_agent(output: str) -> dict:
    plist_text = output.split("\n", 1)[1].rsplit("# to install", 1)[0]
    return plistlib.loads(plist_text.encode())


def install_hint(output: str) -> list[str]:
    """The install command printed last, as a POSIX shell splits it."""
    last = output.splitlines()[-1]
    assert last.startswith("# to install it: ")
    return shlex.split(last.removeprefix("# to install it: "))


@pytest.fixture(autouse=True)
def program(tmp_path_factory, monkeypatch) -> list[str]:
    """The service's program: Python runs from a folder that holds the `mutuality`
    command too, as pip installs them (whatever Python runs the tests)."""
    bin_folder = tmp_path_factory.mktemp("installed") / "bin"
    bin_folder.mkdir()
    (bin_folder / "mutuality").write_text("#!/bin/sh\n")
    (bin_folder / "mutuality").chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(bin_folder / "python3"))
    return [str(bin_folder / "mutuality")]


@pytest.fixture
def fake_programs(tmp_path, monkeypatch):
    """HOME in tmp_path, and a PATH holding only a systemctl and a launchctl that
    note their arguments in ``calls``; returns (home, calls)."""
    home, bin_folder, log = tmp_path / "home", tmp_path / "bin", tmp_path / "calls"
    bin_folder.mkdir()
    for name in ("systemctl", "launchctl", "schtasks"):
        fake = bin_folder / name
        fake.write_text(f'#!/bin/sh\necho {name} "$@" >> {log}\n')
        fake.chmod(0o755)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", str(bin_folder))
    return home, log


def test_the_systemd_unit_runs_the_mutuality_beside_this_python_watching_the_vault(vault, program):
    hooks = Path("hooks")  # in the test's own folder: the unit names it by its full path
    hooks.mkdir()
    output = ok(run("--hooks-dir", hooks, "service", vault, "--platform", "linux"))
    first, unit = printed_unit(output)
    assert first.startswith("# ") and "/.config/systemd/user/mutuality-watch-" in first
    assert exec_start_argv(unit["ExecStart"]) == [
        *program, "--hooks-dir", str(hooks.resolve()), "watch", str(vault.root.resolve())]
    assert unit["WorkingDirectory"] == "%h"  # the home folder, wherever systemd starts
    assert unit["WantedBy"] == "default.target" and unit["Restart"] == "on-failure"


def test_a_vault_path_with_quotes_specifiers_and_variables_reaches_the_unit_intact(tmp_path, program):
    vault = Vault(tmp_path / HOSTILE)
    _, unit = printed_unit(ok(run("service", vault, "--platform", "linux")))
    assert exec_start_argv(unit["ExecStart"]) == [*program, "watch", str(vault.root.resolve())]
    assert expand_specifiers(unit["Description"]) == (
        f'mutuality: watch the session notes in "{vault.root.resolve()}"')


def test_without_a_mutuality_command_beside_python_the_unit_runs_python_m(tmp_path, monkeypatch):
    bin_folder = tmp_path / HOSTILE / "bin"
    bin_folder.mkdir(parents=True)
    monkeypatch.setattr(sys, "executable", str(bin_folder / "python3"))
    (bin_folder / "mutuality").write_text("not executable\n")
    made = user_service(tmp_path / "vault", "linux")
    (exec_start,) = (line for line in made.text.splitlines() if line.startswith("ExecStart="))
    assert exec_start_argv(exec_start.removeprefix("ExecStart=")) == [
        str(bin_folder / "python3"), "-m", "mutuality_plugins", "watch", str(tmp_path / "vault")]
    (bin_folder / "mutuality").chmod(0o755)
    agent = plistlib.loads(user_service(tmp_path / "vault", "macos").text.encode())
    assert agent["ProgramArguments"] == [str(bin_folder / "mutuality"), "watch",
                                         str(tmp_path / "vault")]


@pytest.mark.parametrize("broken", ["line\nbreak", "carriage\rreturn"])
def test_a_vault_name_with_a_line_break_is_refused_in_one_line(tmp_path, broken):
    vault = Vault(tmp_path / broken)
    for system in ("linux", "macos"):
        result = run("service", vault, "--platform", system)
        assert result.exit_code == 2 and result.stdout == ""
        shown = str(vault.root).replace("\n", "\\x0a").replace("\r", "\\x0d")
        assert result.output == (
            f"mutuality: cannot make a service for the vault {shown}: the folder's name holds a "
            "line break, which a service file cannot hold; rename the folder\n")


@pytest.mark.parametrize(("name", "problem"), [
    ("bell\a", "holds a control character"),
    (os.fsdecode(b"caf\xe9"), "is not UTF-8 text"),
])
def test_a_vault_name_no_service_file_can_hold_is_refused(tmp_path, name, problem):
    with pytest.raises(MutualityError) as refused:
        user_service(tmp_path / name, "linux")
    assert problem in str(refused.value) and "\n" not in str(refused.value)
    assert str(refused.value).endswith("; rename the folder")


def test_the_launchd_agent_round_trips_with_its_logs_in_the_home_folder(tmp_path, monkeypatch, program):
    home = tmp_path / "home <&> \"x\""
    monkeypatch.setenv("HOME", str(home))
    vault = Vault(tmp_path / HOSTILE)
    output = ok(run("service", vault, "--platform", "macos"))
    agent = printed_agent(output)
    suffix = hashlib.sha256(str(vault.root.resolve()).encode()).hexdigest()[:8]
    assert agent["Label"] == f"org.mutuality.watch.{suffix}"
    assert output.splitlines()[0] == f"# {home}/Library/LaunchAgents/org.mutuality.watch.{suffix}.plist"
    assert agent["ProgramArguments"] == [*program, "watch", str(vault.root.resolve())]
    log = f"{home}/Library/Logs/mutuality/watch-{suffix}.log"
    assert agent["StandardOutPath"] == agent["StandardErrorPath"] == log
    assert agent["WorkingDirectory"] == str(home)
    assert agent["RunAtLoad"] and agent["KeepAlive"]


def test_two_vaults_get_two_services(tmp_path):
    first = ok(run("service", Vault(tmp_path / "a"), "--platform", "linux")).splitlines()[0]
    second = ok(run("service", Vault(tmp_path / "b"), "--platform", "linux")).splitlines()[0]
    assert first != second


def test_install_writes_the_unit_and_starts_it_with_systemctl(vault, fake_programs):
    home, log = fake_programs
    output = ok(run("service", vault, "--platform", "linux", "--install"))
    (unit,) = (home / ".config" / "systemd" / "user").iterdir()
    assert f'"watch" "{vault.root.resolve()}"' in unit.read_text()
    assert log.read_text().splitlines() == ["systemctl --user daemon-reload",
                                            f"systemctl --user enable --now {unit.name}"]
    assert output.splitlines()[-3:] == [
        f"started: systemctl --user enable --now {unit.name}",
        f"stop it with: systemctl --user stop {unit.name}",
        f"read what it says with: journalctl --user -u {unit.name} -f"]


def test_install_makes_the_agents_log_folder_and_loads_it_with_launchctl(vault, fake_programs):
    home, log = fake_programs
    ok(run("service", vault, "--platform", "macos", "--install"))
    (agent,) = (home / "Library" / "LaunchAgents").iterdir()
    assert (home / "Library" / "Logs" / "mutuality").is_dir()  # launchd does not make it
    assert log.read_text().splitlines() == [f"launchctl unload {agent}",
                                            f"launchctl load -w {agent}"]


@pytest.mark.parametrize("system", ["linux", "macos"])
def test_the_installed_file_is_0644_whatever_the_umask(vault, fake_programs, system):
    home, _ = fake_programs
    before = os.umask(0o077)
    try:
        ok(run("service", vault, "--platform", system, "--install"))
    finally:
        os.umask(before)
    folder = home / (".config/systemd/user" if system == "linux" else "Library/LaunchAgents")
    (installed,) = folder.iterdir()  # and no temporary file left beside it
    assert stat.S_IMODE(installed.stat().st_mode) == 0o644


def test_install_replaces_a_symlink_at_the_unit_never_writing_through_it(vault, fake_programs, tmp_path):
    home, _ = fake_programs
    target = user_service(vault.root.resolve(), "linux").path
    target.parent.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("someone else's file\n")
    target.symlink_to(elsewhere)
    ok(run("service", vault, "--platform", "linux", "--install"))
    assert not target.is_symlink() and '"watch"' in target.read_text()
    assert elsewhere.read_text() == "someone else's file\n"
    assert os.listdir(target.parent) == [target.name]


def test_a_unit_that_cannot_be_written_is_one_line_and_leaves_nothing_behind(vault, fake_programs):
    home, log = fake_programs
    target = user_service(vault.root.resolve(), "linux").path
    (target / "in the way").mkdir(parents=True)  # a folder where the unit goes
    result = run("service", vault, "--platform", "linux", "--install")
    assert result.exit_code == 2
    assert result.output.startswith(f"mutuality: {target}: cannot be written (")
    assert len(result.output.splitlines()) == 1
    assert os.listdir(target.parent) == [target.name] and not log.exists()


def test_install_without_systemctl_says_how_to_start_it(vault, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run("service", vault, "--platform", "linux", "--install")
    assert result.exit_code == 0
    assert "systemctl was not found: start it yourself with `systemctl --user enable --now" in result.output


def test_a_vault_that_is_not_a_folder(tmp_path):
    result = run("service", tmp_path / "nope")
    assert result.exit_code == 2
    assert result.output == f"mutuality: {tmp_path / 'nope'}: no such folder\n"


def test_the_settings_file_and_polling_reach_the_service(tmp_path, program):
    config = tmp_path / HOSTILE / "settings.toml"
    config.parent.mkdir()
    config.write_text('feedback_tag = "fb"\n')
    vault = tmp_path / "vault"
    unit = user_service(vault, "linux", config=config, poll=True).text
    (exec_start,) = (line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert exec_start_argv(exec_start.removeprefix("ExecStart=")) == [
        *program, "watch", str(vault), "--config", str(config), "--poll"]
    agent = plistlib.loads(user_service(vault, "macos", config=config).text.encode())
    assert agent["ProgramArguments"] == [*program, "watch", str(vault), "--config", str(config)]


def test_a_settings_file_that_cannot_be_used_is_refused_before_any_service(tmp_path):
    with pytest.raises(MutualityError, match="cannot be read"):
        user_service(tmp_path / "vault", "linux", config=tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_text("no_such_setting = 1\n")
    with pytest.raises(MutualityError, match="is not a setting mutuality knows"):
        user_service(tmp_path / "vault", "linux", config=tmp_path / "bad.toml")


def test_the_install_command_is_quoted_for_the_shell():
    command = install_command(Path(HOSTILE), "macos", [Path("my plugins")],
                              Path("it's.toml"), poll=True)
    assert shlex.split(command) == ["mutuality", "--hooks-dir", "my plugins", "service", HOSTILE,
                                    "--config", "it's.toml", "--poll", "--platform", "macos",
                                    "--install"]
    assert shlex.split(install_command(Path("-v"))) == ["mutuality", "service", "./-v", "--install"]


# The command line's --config and --poll (these need `service` in cli.py to take them).

def test_config_and_poll_given_to_service_reach_the_unit_and_the_hint(vault, program):
    Path("settings.toml").write_text('feedback_tag = "fb"\n')  # in the test's own folder
    hooks = Path("my hooks")
    hooks.mkdir()
    output = ok(run("--hooks-dir", hooks, "service", vault, "--platform", "linux",
                    "--config", "settings.toml", "--poll"))
    _, unit = printed_unit(output)
    assert exec_start_argv(unit["ExecStart"]) == [
        *program, "--hooks-dir", str(hooks.resolve()), "watch", str(vault.root.resolve()),
        "--config", str(Path("settings.toml").resolve()), "--poll"]
    assert install_hint(output) == ["mutuality", "--hooks-dir", str(hooks), "service", str(vault),
                                    "--config", "settings.toml", "--poll", "--platform", "linux",
                                    "--install"]


def test_config_given_to_service_reaches_the_launchd_agent(vault, program):
    Path("settings.toml").write_text('feedback_tag = "fb"\n')
    agent = printed_agent(ok(run("service", vault, "--platform", "macos", "--config",
                                 "settings.toml")))
    assert agent["ProgramArguments"] == [*program, "watch", str(vault.root.resolve()), "--config",
                                         str(Path("settings.toml").resolve())]


def test_the_printed_install_hint_is_shell_quoted(tmp_path):
    vault = Vault(tmp_path / HOSTILE)
    assert install_hint(ok(run("service", vault))) == ["mutuality", "service", str(vault),
                                                      "--install"]


TASK = "{http://schemas.microsoft.com/windows/2004/02/mit/task}"
PYTHON = sys.executable  # the real one (the fixture above changes sys.executable)


def windows_argv(command_line: str) -> list[str]:
    """A Windows command line split as the C runtime splits it (backslashes count only
    before a quote)."""
    words, word, quoted, backslashes, begun = [], "", False, 0, False
    for char in command_line:
        if char == "\\":
            backslashes += 1
            continue
        if char == '"':
            word += "\\" * (backslashes // 2)
            if backslashes % 2:
                word += '"'
            else:
                quoted = not quoted
            backslashes, begun = 0, True
            continue
        word += "\\" * backslashes
        backslashes = 0
        if char in " \t" and not quoted:
            if word or begun:
                words.append(word)
            word, begun = "", False
        else:
            word += char
            begun = True
    word += "\\" * backslashes
    if word or begun:
        words.append(word)
    return words


def test_the_windows_task_starts_the_windowless_python_at_log_on_and_again_after_failing(
        tmp_path, monkeypatch):
    installed = tmp_path / "Python311"
    installed.mkdir()
    for name in ("python.exe", "pythonw.exe"):
        (installed / name).write_text("")
    monkeypatch.setattr(sys, "executable", str(installed / "python.exe"))
    monkeypatch.setenv("USERDOMAIN", "PRACTICE")
    monkeypatch.setenv("USERNAME", "therapist")
    vault = tmp_path / 'Notes "2026" & <more>'
    vault.mkdir()
    output = ok(run("service", vault, "--platform", "windows"))
    header, text = output.split("\n", 1)
    task = ElementTree.fromstring(text.rsplit("# to install it:", 1)[0].encode("utf-16"))
    assert task.tag == f"{TASK}Task"
    trigger = task.find(f"{TASK}Triggers/{TASK}LogonTrigger")
    assert trigger.find(f"{TASK}UserId").text == "PRACTICE\\therapist"
    settings = task.find(f"{TASK}Settings")
    assert settings.find(f"{TASK}ExecutionTimeLimit").text == "PT0S"  # for ever
    assert settings.find(f"{TASK}RestartOnFailure/{TASK}Interval").text == "PT1M"
    assert 1 <= int(settings.find(f"{TASK}RestartOnFailure/{TASK}Count").text) <= 255
    # Started again within 5 minutes when it stopped (RestartOnFailure does not do that).
    again = task.find(f"{TASK}Triggers/{TASK}TimeTrigger")
    assert again.find(f"{TASK}Repetition/{TASK}Interval").text == "PT5M"
    assert settings.find(f"{TASK}MultipleInstancesPolicy").text == "IgnoreNew"
    run_it = task.find(f"{TASK}Actions/{TASK}Exec")
    assert run_it.find(f"{TASK}Command").text == str(installed / "pythonw.exe")  # no window
    argv = windows_argv(run_it.find(f"{TASK}Arguments").text)
    assert argv[:2] == ["-m", "mutuality_plugins.hidden"]
    assert argv[3:] == ["watch", str(vault.resolve())]  # quotes, & and <> intact
    assert argv[2].endswith(".log") and "AppData" in argv[2]
    assert header.startswith("# ") and header.endswith(".xml")
    hint = output.splitlines()[-1].removeprefix("# to install it: ")
    # For PowerShell: in single quotes, where nothing is expanded ($, ;, quotes doubled).
    assert hint == f"mutuality service '{vault}' --platform windows --install"
    assert powershell_quoted("C:\\Notes\\O'Brien; $x") == "'C:\\Notes\\O''Brien; $x'"
    assert powershell_quoted("C:\\Notes\\RM-07") == "C:\\Notes\\RM-07"
    assert powershell_quoted("O\u2019Brien") == "'O\u2019\u2019Brien'"  # stays O’Brien


def test_install_on_windows_creates_the_task_from_its_file_and_runs_it(vault, fake_programs):
    home, log = fake_programs
    output = ok(run("service", vault, "--platform", "windows", "--install"))
    (task_file,) = (home / "AppData" / "Local" / "mutuality").glob("*.xml")
    assert task_file.read_bytes().startswith(b"\xff\xfe")  # schtasks reads UTF-16
    assert ElementTree.parse(task_file).getroot().tag == f"{TASK}Task"
    name = task_file.stem
    assert log.read_text().splitlines() == [
        f"schtasks /Create /TN {name} /XML {task_file} /F", f"schtasks /End /TN {name}",
        f"schtasks /Run /TN {name}"]
    assert f"stop it with: schtasks /End /TN {name}" in output
    assert "read what it says with: Get-Content -Wait -Encoding UTF8 " in output


def test_a_task_windows_refuses_to_create_is_said(vault, fake_programs):
    home, log = fake_programs
    (Path(os.environ["PATH"]) / "schtasks").write_text(
        f'#!/bin/sh\necho schtasks "$@" >> {log}\necho "ERROR: The task XML is malformed."\n'
        '[ "$1" = /Create ] && exit 1\nexit 0\n')
    result = run("service", vault, "--platform", "windows", "--install")
    assert result.exit_code == 2
    assert "ERROR: The task XML is malformed." in result.stderr
    assert "/Run" not in log.read_text()


def test_the_hidden_runner_writes_everything_to_its_log(tmp_path):
    log = tmp_path / "Logs" / "watch.log"
    done = subprocess.run([PYTHON, "-m", "mutuality_plugins.hidden", str(log), "alerts",
                           str(EXAMPLE), "--all"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    said = log.read_text()
    assert "[alert] " in said and "mutuality: 10 notes could not be read" in said


def test_a_path_task_scheduler_would_expand_is_refused_in_one_line(tmp_path):
    vault = tmp_path / "Notes %USERNAME%"
    vault.mkdir()
    result = run("service", vault, "--platform", "windows")
    assert result.exit_code == 2 and result.stdout == ""
    assert "Task Scheduler would read %...% as a variable; rename the folder" in result.stderr
