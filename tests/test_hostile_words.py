"""Words written into a shared vault by someone else (a client id, a quote, a file
name) are shown as themselves: they cannot steer the terminal they are printed on,
add lines or links to a generated note, make Obsidian fetch a web address, or run
as a formula in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys

import pytest

from support import HOOKS, TIMEOUT, ok, run

# A title change and a colour (terminal escapes), text reversed on screen, a line
# separator, a right-to-left mark, an 8-bit escape: as YAML writes them, and as read.
STEERING_YAML = "\\e]0;owned\\a\\e[31m\\u202e\\L\\u200f\\x9b"
STEERING = "\x1b]0;owned\x07\x1b[31m\u202e\u2028\u200f\x9b"
MARKUP = '![seen](https://tracker.example/pixel.png) [[Secret]] %% hidden'
HTML = "<img src='https://tracker.example/pixel.png'>"


def hostile_vault(vault):
    """Two clients, three sessions each in the week 2026-W47 with the same feedback (a
    recurring complaint): one whose id, words and file name carry terminal escapes and
    line breaks, one whose id and words carry Markdown and HTML."""
    for day in (16, 17, 18):
        vault.session(f"2026-11-{day} A.md\n## Forged heading.md", f"""
            client: "A{STEERING_YAML}"
            date: 2026-11-{day}
            feedback_invited: yes
            feedback:
              - {{theme: pacing, signal: "{STEERING_YAML}", quote: "slow {STEERING_YAML} down"}}
            """)
        vault.session(f"2026-11-{day} B [[Secret]].md", f"""
            client: "B {HTML}"
            date: 2026-11-{day}
            feedback_invited: yes
            feedback:
              - {{theme: pacing, signal: "{MARKUP}", quote: "{MARKUP}", response: "{HTML}"}}
            """)


def on_a_terminal(*args: object) -> str:
    """What ``mutuality ARGS`` shows when its output is a terminal."""
    leader, follower = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "mutuality_plugins", *map(str, args)],
                             stdout=follower, stderr=subprocess.DEVNULL)
    os.close(follower)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert child.wait(timeout=TIMEOUT) == 0
    return shown.decode()


@pytest.mark.parametrize("args", [
    ("digest", "{vault}", "--week", "2026-W47"), ("alerts", "{vault}", "--all"),
    ("scan", "{vault}"), ("digest", "{vault}", "--week", "2026-W47", "--format", "json"),
    ("--hooks-dir", HOOKS, "report", "feedback-csv", "{vault}", "--all"),  # a plugin's
])
def test_a_note_cannot_steer_the_terminal_a_report_is_shown_on(vault, args):
    hostile_vault(vault)
    shown = on_a_terminal(*(str(arg).format(vault=vault) for arg in args))
    assert "]0;owned" in shown  # the client is there
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u202e\u200f]", shown)


def test_json_keeps_the_words_exactly_and_escapes_only_what_steers(vault):
    hostile_vault(vault)
    output = ok(run("alerts", vault, "--all", "--format", "json"))
    assert not re.search("[\x7f-\x9f\u2028\u202e\u200f]", output)
    clients = {alert["client"] for alert in json.loads(output)}
    assert f"A{STEERING}" in clients and f"B {HTML}" in clients


def test_the_plain_alerts_escape_the_marks_that_reorder_or_break_lines(vault):
    hostile_vault(vault)
    output = ok(run("alerts", vault, "--all"))
    assert "\\x1b[31m\\u202e\\u2028\\u200f\\x9b" in output
    assert all(line == "" or line.startswith(("Alerts for", "[", "Still open: "))
               for line in output.splitlines())


@pytest.mark.parametrize("note", ["Alerts.md", "2026-W47.md"])
def test_a_generated_note_shows_words_from_notes_as_words(vault, note):
    hostile_vault(vault)
    ok(run("alerts", vault, "--all", "--write"))
    ok(run("digest", vault, "--week", "2026-W47", "--write"))
    text = (vault / "Mutuality" / note).read_text()
    assert "## Forged" not in text  # a file name's line break starts no heading
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028]", text)
    unescaped = r"(?<!\\)"
    assert not re.search(unescaped + "(<img|!\\[)", text)  # nothing Obsidian would fetch
    assert not re.search(unescaped + r"\[\[Secret", text) and "%%" not in text
    assert "\\<img" in text  # the client's id is still there, as text
    assert "](2026-11-16%20B%20%5B%5BSecret%5D%5D.md)" in text  # its note still linked


def test_the_csv_export_never_holds_a_formula(vault):
    vault.session("2026-11-16 A.md", client="'=cmd'", feedback_invited="yes",
                  feedback='[{"pacing/too-fast": "=HYPERLINK(\\"https://x.example\\")"}, '
                           '{"topic/not-now": "+1 @home -ok"}]')
    vault.session("2026-11-17 B.md", client="B", feedback_invited="yes",
                  feedback='[{"pacing/too-fast": "ok;@SUM(1+1)"}, {"topic/x": "ok; =1+1"}]')
    output = ok(run("--hooks-dir", HOOKS, "report", "feedback-csv", vault, "--all"))
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [(row["client"], row["phrase"] or row["quote"]) for row in rows] == [
        ("'=cmd", "'=HYPERLINK(\"https://x.example\")"), ("'=cmd", "'+1 @home -ok"),
        ("B", "ok;'@SUM(1+1)"), ("B", "ok;' =1+1")]
    # Wherever a spreadsheet set to another separator may cut a cell, no formula starts.
    pieces = re.split(r'[;,\t\n]"?', output)
    assert not [piece for piece in pieces if piece.lstrip().startswith(("=", "+", "-", "@"))]


@pytest.mark.parametrize("where", ["a setting's name", "a note in the output folder"])
def test_a_one_line_error_cannot_steer_the_terminal(vault, where):
    vault.streak("A")
    if where == "a setting's name":
        vault.write("mutuality.toml", '"\\u001b]0;owned\\u0007\\u001b[2J" = 1\n')
    else:
        vault.write("Mutuality/\x1b]0;owned\x07\x1b[2J.md", "Someone's note.\n")
    result = run("scan", vault)
    assert result.exit_code == 2
    assert "\\x1b]0;owned\\x07" in result.stderr and "\x1b" not in result.stderr


def test_file_names_percent_signs_web_addresses_and_chart_directives_stay_words(vault):
    for day in (16, 17, 18):
        vault.session(f"Clients/``<img src=https:\\\\evil.example\\p.png> {day}.md", f"""
            client: C
            date: 2026-11-{day}
            feedback_invited: yes
            feedback:
              - theme: "x %%{{init: {{'theme':'dark'}}}}%%"
                quote: "100%%% sure, see https://evil.example/x, www.evil.example, _WWW.evil.example, me@evil.example &lt;b&gt;"
            """)
    ok(run("alerts", vault, "--all", "--write"))
    ok(run("digest", vault, "--week", "2026-W47", "--write"))
    for note in ("Alerts.md", "2026-W47.md"):
        text = (vault / "Mutuality" / note).read_text()
        assert "``<" not in text and "%%" not in text and "https://" not in text
        assert not re.search(r"(?<!\\)(<img|&lt;|www\.|WWW\.|@)", text)
        assert "[[" not in text  # such a name is a Markdown link, its path encoded
        assert "](Clients/%60%60%3Cimg%20src%3Dhttps%3A" in text
    chart = (vault / "Mutuality" / "2026-W47.md").read_text().split("```mermaid")[2]
    assert "(lines: x init theme dark)" in chart  # the words, not a directive
