"""Clinical records: no command changes a note it did not make, nothing is sent
anywhere, and what the tool prints or logs names paths and reasons, never what a note
says. Every command runs here as a therapist runs it: the real command line, in a
process of its own (``watch`` too)."""

import datetime as dt
import hashlib
import json
import textwrap
from pathlib import Path

import pytest

from mutuality_plugins.writer import is_generated

from support import HOOKS, Vault, WatchProcess, ok, run, run_child, until

SECRET = "zyxwvut private words"
SECRET_PROBLEM = "Broken notes (on purpose)/secret broken.md"  # its date is the secret

# Loaded by every child process (Python imports `sitecustomize` at start): any attempt
# to reach the network fails, and is written down.
NO_NETWORK = textwrap.dedent('''
    import os, socket

    def refuse(*args, **kwargs):
        with open(os.environ["NETWORK_ATTEMPTS"], "a") as attempts:
            attempts.write(repr(args) + "\\n")
        raise OSError("network access is not allowed in this test")

    for name in ("connect", "connect_ex", "sendto", "bind"):
        setattr(socket.socket, name, refuse)
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
''')


# The commands run in processes of their own, on the real day: the secret's sessions
# are recent whatever the day the tests run.
OBJECTED, REUSED = (dt.date.today() - dt.timedelta(days=days) for days in (5, 2))


@pytest.fixture
def records(example_vault) -> Vault:
    """The example practice with a secret: a word the client objected to, used again
    in a later note, and a note whose broken date is the secret."""
    example_vault.session(f"Clients/RM-07/{OBJECTED} RM-07 secret.md", client="RM-07",
                          feedback=f"['words/{SECRET}: {SECRET}']", body=f"{SECRET}\n")
    example_vault.session(f"Clients/RM-07/{REUSED} RM-07.md", client="RM-07",
                          body=f"We spoke of {SECRET} again.\n")
    example_vault.write(SECRET_PROBLEM, f"---\nclient: RM-07\ndate: {SECRET}\n---\n{SECRET}\n")
    return example_vault


@pytest.fixture
def sweep(records, tmp_path):
    """Run every command on the records; what each printed and said, the vault's
    files after each, and every network attempt."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_NETWORK)
    attempts = tmp_path / "network attempts"
    no_programs = tmp_path / "no programs"  # `--notify` shows no real notification
    no_programs.mkdir()
    env = {"PYTHONPATH": str(site), "NETWORK_ATTEMPTS": str(attempts)}
    commands = [
        ["scan", "{vault}"], ["scan", "{vault}", "--format", "json"],
        ["alerts", "{vault}", "--all", "--write"],
        ["alerts", "{vault}", "--all", "--format", "json"],
        ["gaps", "{vault}"], ["gaps", "{vault}", "--format", "json"], ["dismiss"],
        ["digest", "{vault}", "--week", "2026-W47", "--write"],
        ["digest", "{vault}", "--format", "json"],
        ["--hooks-dir", str(HOOKS), "report", "feedback-csv", "{vault}", "--all"],
        ["--hooks-dir", str(HOOKS), "alerts", "{vault}", "--notify"],
        ["plugins", "{vault}"], ["service", "{vault}"], ["init", "{vault}"], ["watch"],
    ]
    runs = []
    for arguments in commands:
        before = hashes(records.root)
        if arguments == ["dismiss"]:  # the first open gap, by its id
            listed = run_child("gaps", records, "--format", "json", env=env)
            arguments = ["dismiss", "{vault}", json.loads(listed.stdout)[0]["id"]]
        if arguments == ["watch"]:
            with WatchProcess(records, env=env) as watching:
                until(lambda: (records / "Mutuality" / "Alerts.md").exists(),
                      "the watcher keeping Alerts.md")
                code, out, err = watching.stopped()
            assert code == 0, err
        else:
            done = run_child(*(part.format(vault=records) for part in arguments),
                             env={**env, "PATH": str(no_programs)} if "--notify" in arguments
                             else env)
            assert done.returncode == 0, (arguments, done.stderr)
            out, err = done.stdout, done.stderr
        runs.append((arguments, before, hashes(records.root), out, err))
    return runs, attempts


def hashes(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in root.rglob("*") if path.is_file()}


def test_no_command_changes_anything_but_its_own_notes(sweep, records):
    for arguments, before, after, _, _ in sweep[0]:
        for path, digest in before.items():
            if path.startswith("Mutuality/") and is_generated((records / path).read_text(), path):
                continue  # a note mutuality made may be made again
            assert after.get(path) == digest, f"{arguments} changed {path}"
        allowed = {"mutuality.toml", "Templates/Session (mutuality).md"}
        for path in after.keys() - before.keys() - allowed:
            assert path.startswith("Mutuality/"), f"{arguments} wrote {path} outside its folder"
            assert is_generated((records / path).read_text(), path), f"{path} lacks the marker"


def test_no_command_opens_a_network_connection(sweep):
    _, attempts = sweep
    assert not attempts.exists(), attempts.read_text()


def test_what_commands_print_or_log_never_holds_what_a_note_says(sweep):
    for arguments, _, _, out, err in sweep[0]:
        assert SECRET not in err, arguments  # messages, and what a service logs
        if arguments == ["watch"]:  # its lines go to the system journal
            assert SECRET not in out and f"RM-07, {REUSED}: flagged-word-reused" in out


def test_the_clients_words_stay_in_the_vaults_notes_and_the_json(sweep, records):
    by_command = {" ".join(arguments): out for arguments, _, _, out, _ in sweep[0]}
    json_alerts = by_command["alerts {vault} --all --format json"]
    assert SECRET in {alert["detail"] for alert in json.loads(json_alerts)}
    assert SECRET in (records / "Mutuality" / "Alerts.md").read_text()


def test_a_note_that_cannot_be_read_is_named_with_the_reason_never_its_text(records):
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
