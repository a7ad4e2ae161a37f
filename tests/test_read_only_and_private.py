"""Clinical records: no command changes a note it did not make, nothing is sent
anywhere, and messages name paths and reasons, never what a note says."""

import hashlib
import socket
from pathlib import Path

import pytest

from mutuality_plugins.writer import is_generated

from support import HOOKS, Vault, Watching, ok, run

SECRET = "Zyxwvut-private-words"
SECRET_PROBLEM = "Broken notes (on purpose)/secret broken.md"  # its date is the secret


@pytest.fixture
def records(example_vault) -> Vault:
    """The example practice, with notes of the therapist's own in mutuality's folder
    (one named as mutuality names its alerts) and two notes that hold a secret."""
    example_vault.write("Mutuality/My own list.md", "a note of the therapist's\n")
    example_vault.write("Mutuality/Alerts.md", "my own alerts, no marker\n")
    example_vault.write("Clients/RM-07/2026-11-21 RM-07 secret.md",
                        f"---\nclient: RM-07\nfeedback: ['words/{SECRET}: {SECRET}']\n---\n{SECRET}\n")
    example_vault.write(SECRET_PROBLEM, f"---\nclient: RM-07\ndate: {SECRET}\n---\n{SECRET}\n")
    return example_vault


@pytest.fixture
def no_programs(tmp_path) -> str:
    """A PATH where no program is found: a command that would show a desktop
    notification (notify-send, osascript) finds none to run."""
    folder = tmp_path / "no programs"
    folder.mkdir()
    return str(folder)


def hashes(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in root.rglob("*") if path.is_file()}


COMMANDS = [
    ["scan", "{vault}"], ["scan", "{vault}", "--format", "json"],
    ["alerts", "{vault}", "--all", "--write"], ["alerts", "{vault}", "--format", "json"],
    ["digest", "{vault}", "--week", "2026-W47", "--write"], ["digest", "{vault}", "--format", "json"],
    ["--hooks-dir", str(HOOKS), "report", "feedback-csv", "{vault}", "--all"],
    ["--hooks-dir", str(HOOKS), "alerts", "{vault}", "--notify"],
    ["plugins", "{vault}"], ["service", "{vault}"], ["init", "{vault}"], ["watch"],
]


def run_command(arguments: list[str], vault: Vault, no_programs: str) -> list[str]:
    """One of COMMANDS, on ``TODAY``; the lines it said (its stderr, or what the
    watcher said until it had read the vault and handed on its alerts)."""
    if arguments == ["watch"]:
        with Watching(vault) as watching:
            pass
        return watching.said
    # With the real PATH, --notify could show the developer real notifications.
    env = {"PATH": no_programs} if "--notify" in arguments else None
    result = run(*(part.format(vault=vault) for part in arguments), env=env)
    ok(result)
    return result.stderr.splitlines()


def test_no_command_changes_anything_but_its_own_notes(records, no_programs):
    before = hashes(records.root)
    for arguments in COMMANDS:
        run_command(arguments, records, no_programs)
        after = hashes(records.root)
        for path, digest in before.items():
            if path.startswith("Mutuality/") and is_generated((records / path).read_text()):
                continue  # a note mutuality made may be made again
            assert after.get(path) == digest, f"{arguments} changed {path}"
        added = after.keys() - before.keys()
        allowed = {"mutuality.toml", "Templates/Session (mutuality).md"}
        for path in added - allowed:
            assert path.startswith("Mutuality/"), f"{arguments} wrote {path} outside its folder"
            assert is_generated((records / path).read_text()), f"{path} lacks the marker"
        before = after


def test_no_command_opens_a_network_connection(records, no_programs, monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access is not allowed in this test")

    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for arguments in COMMANDS:
        run_command(arguments, records, no_programs)
    assert attempts == []


def test_messages_name_paths_and_reasons_never_what_a_note_says(records, no_programs):
    for arguments in COMMANDS:
        said = run_command(arguments, records, no_programs)
        assert not [line for line in said if SECRET in line], arguments
        if arguments == ["watch"]:  # what the watcher said was heard
            assert any("Mutuality/Alerts.md was not written" in line for line in said), said
    # A note that cannot be read is named, with the reason, where a scan lists problems.
    for listing in ([], ["--format", "json"]):
        shown = ok(run("scan", records, *listing))
        assert SECRET_PROBLEM in shown, listing
        assert SECRET not in shown, listing
    named = [line for line in ok(run("scan", records)).splitlines() if SECRET_PROBLEM in line]
    assert len(named) == 1 and "date" in named[0].split(SECRET_PROBLEM, 1)[1], named


def test_a_plugin_error_quoting_a_note_is_not_repeated(records, tmp_path):
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "leaky.py").write_text(
        "from mutuality_plugins import hookimpl\n\n"
        "@hookimpl\n"
        "def mutuality_extract_feedback(note):\n"
        "    raise ValueError(note.body)\n")
    result = run("--hooks-dir", tmp_path / "hooks", "scan", records)
    assert result.exit_code == 1
    assert "plugin leaky failed in mutuality_extract_feedback on" in result.stderr
    assert SECRET not in result.stderr
