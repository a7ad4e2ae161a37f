"""Clinical records: no command changes a note it did not make, nothing is sent
anywhere, and messages name paths and reasons, never what a note says."""

import hashlib
import shutil
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from mutuality_plugins import cli as cli_module
from mutuality_plugins.cli import cli
from mutuality_plugins.writer import is_generated

EXAMPLE = Path(__file__).parent.parent / "examples" / "vault"
HOOKS = Path(__file__).parent.parent / "hooks"
SECRET = "Zyxwvut-private-words"


@pytest.fixture
def vault(tmp_path):
    root = tmp_path / "vault"
    shutil.copytree(EXAMPLE, root)
    (root / "Mutuality").mkdir()
    (root / "Mutuality" / "My own list.md").write_text("a note of the therapist's\n")
    (root / "Mutuality" / "Alerts.md").write_text("my own alerts, no marker\n")
    (root / "Clients" / "RM-07" / "2026-11-21 RM-07 secret.md").write_text(
        f"---\nclient: RM-07\nfeedback: ['words/{SECRET}: {SECRET}']\n---\n{SECRET}\n")
    (root / "Broken notes (on purpose)" / "secret broken.md").write_text(
        f"---\nclient: RM-07\ndate: {SECRET}\n---\n{SECRET}\n")
    return root


def hashes(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in root.rglob("*") if path.is_file()}


def watch_briefly(root: Path) -> None:
    """`mutuality watch` until it has read the vault and handed on its alerts."""
    from mutuality_plugins.config import Settings
    from mutuality_plugins.index import NoteIndex, fingerprint
    from mutuality_plugins.plugin_calls import PluginGuard
    from mutuality_plugins.plugins import get_plugin_manager
    from mutuality_plugins.watch import Watcher

    manager, settings = get_plugin_manager(), Settings()
    index = NoteIndex.open(root, fingerprint(manager, settings), settings)
    watcher = Watcher(root, manager, settings, index, guard=PluginGuard(), say=lambda line: None)
    thread = threading.Thread(target=watcher.run)
    thread.start()
    assert watcher.ready.wait(10)
    watcher.stop()
    thread.join(10)
    index.close()


COMMANDS = [
    ["scan", "{vault}"], ["scan", "{vault}", "--format", "json"],
    ["alerts", "{vault}", "--all", "--write"], ["alerts", "{vault}", "--format", "json"],
    ["digest", "{vault}", "--week", "2026-W47", "--write"], ["digest", "{vault}", "--format", "json"],
    ["--hooks-dir", str(HOOKS), "report", "feedback-csv", "{vault}", "--all"],
    ["--hooks-dir", str(HOOKS), "alerts", "{vault}", "--notify"],
    ["plugins", "{vault}"], ["service", "{vault}"], ["init", "{vault}"], ["watch"],
]


def run_command(arguments, root):
    if arguments == ["watch"]:
        watch_briefly(root)
        return ""
    result = CliRunner().invoke(cli, [part.format(vault=root) for part in arguments])
    assert result.exit_code == 0, result.output
    return result.stderr


def test_no_command_changes_anything_but_its_own_notes(vault):
    before = hashes(vault)
    for arguments in COMMANDS:
        run_command(arguments, vault)
        after = hashes(vault)
        for path, digest in before.items():
            if path.startswith("Mutuality/") and is_generated((vault / path).read_text()):
                continue  # a note mutuality made may be made again
            assert after.get(path) == digest, f"{arguments} changed {path}"
        added = after.keys() - before.keys()
        allowed = {"mutuality.toml", "Templates/Session (mutuality).md"}
        for path in added - allowed:
            assert path.startswith("Mutuality/"), f"{arguments} wrote {path} outside its folder"
            assert is_generated((vault / path).read_text()), f"{path} lacks the marker"
        before = after


def test_no_command_opens_a_network_connection(vault, monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access is not allowed in this test")

    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for arguments in COMMANDS:
        run_command(arguments, vault)
    assert attempts == []


def test_messages_name_paths_and_reasons_never_what_a_note_says(vault, monkeypatch):
    said = []
    monkeypatch.setattr(cli_module, "_today", lambda: __import__("datetime").date(2026, 11, 26))
    for arguments in COMMANDS:
        said.append(run_command(arguments, vault))
    messages = "\n".join(said)
    assert "secret broken.md" in CliRunner().invoke(cli, ["scan", str(vault)]).output
    assert SECRET not in messages


def test_a_plugin_error_quoting_a_note_is_not_repeated(vault, tmp_path):
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "leaky.py").write_text(
        "from mutuality_plugins import hookimpl\n\n"
        "@hookimpl\n"
        "def mutuality_extract_feedback(note):\n"
        "    raise ValueError(note.body)\n")
    result = CliRunner().invoke(cli, ["--hooks-dir", str(tmp_path / "hooks"), "scan", str(vault)])
    assert result.exit_code == 1
    assert "plugin leaky failed in mutuality_extract_feedback on" in result.stderr
    assert SECRET not in result.stderr
