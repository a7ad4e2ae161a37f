"""``mutuality service``: the watcher as a user service, printed or installed."""

import plistlib
import sys

from support import Vault, ok, run


def test_the_systemd_unit_runs_this_python_watching_the_vault(vault, tmp_path):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    lines = ok(run("--hooks-dir", hooks, "service", vault, "--platform", "linux")).splitlines()
    assert lines[0].startswith("# ") and "/.config/systemd/user/mutuality-watch-" in lines[0]
    exec_start = next(line for line in lines if line.startswith("ExecStart="))
    assert exec_start == (f'ExecStart="{sys.executable}" "-m" "mutuality_plugins" "--hooks-dir" '
                          f'"{hooks.resolve()}" "watch" "{vault.root.resolve()}"')
    assert "WantedBy=default.target" in lines and "Restart=on-failure" in lines


def test_the_launchd_agent_is_a_valid_property_list(vault):
    output = ok(run("service", vault, "--platform", "macos"))
    plist_text = output.split("\n", 1)[1].rsplit("# to install", 1)[0]
    agent = plistlib.loads(plist_text.encode())
    assert agent["ProgramArguments"] == [sys.executable, "-m", "mutuality_plugins", "watch",
                                         str(vault.root.resolve())]
    assert agent["RunAtLoad"] and agent["KeepAlive"]
    assert agent["Label"].startswith("org.mutuality.watch.")


def test_two_vaults_get_two_services(tmp_path):
    first = ok(run("service", Vault(tmp_path / "a"), "--platform", "linux")).splitlines()[0]
    second = ok(run("service", Vault(tmp_path / "b"), "--platform", "linux")).splitlines()[0]
    assert first != second


def test_install_writes_the_unit_and_starts_it_with_systemctl(vault, tmp_path, monkeypatch):
    home, bin_folder, log = tmp_path / "home", tmp_path / "bin", tmp_path / "calls"
    bin_folder.mkdir()
    systemctl = bin_folder / "systemctl"
    systemctl.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    systemctl.chmod(0o755)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", str(bin_folder))
    output = ok(run("service", vault, "--platform", "linux", "--install"))
    (unit,) = (home / ".config" / "systemd" / "user").iterdir()
    assert f'"watch" "{vault.root.resolve()}"' in unit.read_text()
    assert log.read_text().splitlines() == ["--user daemon-reload", f"--user enable --now {unit.name}"]
    assert output.splitlines()[-1] == f"started: systemctl --user enable --now {unit.name}"


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
