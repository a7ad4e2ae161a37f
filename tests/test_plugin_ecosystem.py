"""Plugins as their authors and users meet them: discovery, the command line,
isolation, the hooks/ examples, and the manual."""

import csv
import datetime as dt
import inspect
import io
import json
import os
import re
import shutil
import stat
import textwrap
from pathlib import Path

import pytest

from mutuality_plugins import hookspecs
from mutuality_plugins.plugins import get_plugin_manager

from support import EXAMPLE, EXAMPLE_ALERTS, HOOKS, MANUAL, PLUGINS, ok, run

HOOK_NAMES = sorted(name for name in vars(hookspecs) if name.startswith("mutuality_"))


# The manual


def test_every_hook_is_documented_and_tested():
    manual = MANUAL.read_text()
    # A hook is tested when a test module names it: a plugin fixture that merely
    # implements it, or this check itself, does not count.
    this_check = inspect.getsource(test_every_hook_is_documented_and_tested)
    tests = "".join(path.read_text() for path in sorted(Path(__file__).parent.glob("test_*.py")))
    tests = tests.replace(this_check, "")
    for name in HOOK_NAMES:
        assert f"### `{name}(" in manual, f"{name} has no section in docs/plugins.md"
        assert name in tests, f"no test names {name}"
        assert getattr(hookspecs, name).__doc__, f"{name} has no docstring"


def manual_examples():
    return re.findall(r"```python\n(.*?)```", MANUAL.read_text(), re.DOTALL)


def test_every_example_of_the_manual_loads_as_a_plugin(tmp_path):
    examples = manual_examples()
    for number, code in enumerate(examples):
        (tmp_path / f"example_{number}.py").write_text(code)
    manager = get_plugin_manager(load_entry_points=False, hooks_dirs=[tmp_path])
    implemented = {caller.name for number in range(len(examples))
                   for caller in manager.get_hookcallers(manager.get_plugin(f"example_{number}"))}
    assert implemented == set(HOOK_NAMES)


def test_the_tutorial_report_runs(tmp_path):
    (tmp_path / "quiet_clients.py").write_text(manual_examples()[0])
    result = run("--hooks-dir", tmp_path, "report", "quiet-clients", EXAMPLE, "--all")
    assert ok(result) == "No feedback raised unprompted: JK-03\n"  # the silent client


# Where plugins come from


def test_hooks_dirs_on_the_command_line_are_listed_with_their_files():
    result = run("--hooks-dir", HOOKS, "--hooks-dir", PLUGINS / "good", "plugins", "--format", "json")
    listed = {entry["name"]: entry for entry in json.loads(ok(result))}
    assert listed["feedback_csv"]["source"] == str(HOOKS / "feedback_csv.py")
    assert listed["feedback_csv"]["hooks"] == ["mutuality_reporters"]
    assert listed["recording_sink"]["hooks"] == ["mutuality_alert_sinks", "mutuality_plugin_settings"]
    assert listed["mutuality_plugins.rules.streaks"]["source"] == "built-in"
    assert listed["mutuality_plugins.extractors.inline_tags"]["hooks"] == ["mutuality_extract_feedback"]


def test_a_missing_hooks_dir_is_one_line(vault, tmp_path):
    result = run("--hooks-dir", tmp_path / "nope", "scan", vault)
    assert result.exit_code == 2
    assert result.output == f"mutuality: {tmp_path / 'nope'}: hooks folder not found\n"


def test_a_misspelled_hook_fails_loudly_naming_the_plugin(vault):
    result = run("--hooks-dir", PLUGINS / "misspelled", "scan", vault)
    assert result.exit_code == 2
    assert result.output.startswith("mutuality: plugin misspelled_hook (")
    assert "mutuality_extract_feedbak" in result.output
    assert len(result.output.splitlines()) == 1


def test_a_plugin_that_cannot_be_imported_is_one_line(tmp_path):
    (tmp_path / "broken.py").write_text("import not_a_module_anywhere\n")
    result = run("--hooks-dir", tmp_path, "plugins")
    assert result.exit_code == 2
    assert result.output == (f"mutuality: plugin broken ({tmp_path / 'broken.py'}) cannot be "
                             "loaded: ModuleNotFoundError: No module named "
                             "'not_a_module_anywhere'\n")


def test_hooks_dirs_of_a_settings_file_given_with_config_are_loaded(vault, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "settings.toml").write_text(
        f'hooks_dirs = ["{os.path.relpath(HOOKS, tmp_path / "mine")}"]\n')
    listed = json.loads(ok(run("plugins", vault, "--config", tmp_path / "mine" / "settings.toml",
                               "--format", "json")))
    assert "feedback_csv" in {entry["name"] for entry in listed}  # relative to that file


@pytest.mark.parametrize("where", ["inside", "sibling", "absolute", "link"])
def test_code_named_by_a_vaults_own_settings_is_never_run(vault, tmp_path, where):
    """A shared or synced vault's settings are someone else's: wherever the folder is."""
    evil = {"inside": vault / "plugins", "sibling": tmp_path / "Other",
            "absolute": tmp_path / "opt" / "shared-scripts", "link": vault / "linked"}[where]
    code = tmp_path / "code"
    code.mkdir()
    (code / "evil.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'w').write('ran')\n")
    if where == "link":
        evil.symlink_to(code)
    else:
        shutil.copytree(code, evil)
    named = {"inside": "plugins", "sibling": "../Other", "absolute": str(evil),
             "link": "linked"}[where]
    vault.write("mutuality.toml", f'hooks_dirs = ["{named}"]\n')
    result = run("scan", vault)
    assert result.exit_code == 0
    assert not (tmp_path / "ran").exists()
    assert ("mutuality: warning: `hooks_dirs` in the vault's own mutuality.toml is ignored: a "
            "shared vault must not run code on your machine") in result.stderr
    # Named on the command line, it is the user's choice.
    run("--hooks-dir", evil, "scan", vault)
    assert (tmp_path / "ran").exists()


def test_a_hooks_folder_that_is_a_loop_of_links_is_one_line(vault, tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    result = run("--hooks-dir", tmp_path / "loop", "scan", vault)
    assert result.exit_code == 2
    assert result.output == (f"mutuality: {tmp_path / 'loop'}: a hooks folder that is a loop "
                             "of links\n")


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A distribution 'mutuality-hello' 1.2 with an entry point, as pip lays it out."""
    site = tmp_path / "site"
    (site / "hello_plugin.py").parent.mkdir(parents=True)
    (site / "hello_plugin.py").write_text((PLUGINS / "good" / "hello_command.py").read_text())
    info = site / "mutuality_hello-1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mutuality-hello\nVersion: 1.2\n")
    (info / "entry_points.txt").write_text("[mutuality]\nhello = hello_plugin\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("MUTUALITY_PLUGINS", "hello")  # tests load no other installed plugin
    return site


def test_an_installed_distribution_is_found_through_its_entry_point(installed):
    listed = {e["name"]: e for e in json.loads(ok(run("plugins", "--format", "json")))}
    assert listed["hello"]["source"] == "mutuality-hello 1.2"
    assert ok(run("hello", "Rosa")) == "hello, Rosa\n"


def test_help_lists_an_installed_plugins_command(installed):
    commands = ok(run("--help")).split("\nCommands:\n", 1)[1]
    assert "  hello " in commands


def test_the_built_in_plugins_add_no_command():
    """So `mutuality --help` of an installation without other plugins loads none."""
    assert get_plugin_manager(load_entry_points=False).commands() == []


def test_what_a_plugin_author_imports_from_the_package():
    import mutuality_plugins

    for name in mutuality_plugins.__all__:
        assert getattr(mutuality_plugins, name) is not None
        assert name in dir(mutuality_plugins)
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        mutuality_plugins.Nothing  # noqa: B018


@pytest.mark.parametrize("enabled, loaded", [("", False), ("hello", True),
                                             ("mutuality-hello", True), ("other", False)])
def test_mutuality_plugins_restricts_the_installed_plugins(installed, monkeypatch, enabled, loaded):
    monkeypatch.setenv("MUTUALITY_PLUGINS", enabled)
    names = {e["name"] for e in json.loads(ok(run("plugins", "--format", "json")))}
    assert ("hello" in names) is loaded
    assert "mutuality_plugins.rules.streaks" in names  # built-ins always load


# Plugins at work through the command line


def test_a_plugin_command_runs_and_a_clash_is_refused(vault, tmp_path):
    assert ok(run("--hooks-dir", PLUGINS / "good", "hello", "you")) == "hello, you\n"
    (tmp_path / "clash.py").write_text(textwrap.dedent("""
        import click
        from mutuality_plugins import hookimpl

        @hookimpl
        def mutuality_commands():
            return [click.Command("scan")]
    """))
    result = run("--hooks-dir", tmp_path, "scan", vault)
    assert result.exit_code == 1
    assert result.stdout.startswith("Read 0 notes")  # the built-in scan, still there
    assert result.stderr.splitlines()[0] == (
        "mutuality: plugin clash failed in mutuality_commands: mutuality has a command named "
        "'scan' already, so this one is left out; rename it")


def test_a_failing_rule_and_report_are_named_and_the_rest_comes_out():
    result = run("--hooks-dir", PLUGINS / "raising", "alerts", EXAMPLE, "--all", "--format", "json")
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)) >= EXAMPLE_ALERTS  # the built-in rules' alerts are all there
    assert ("mutuality: plugin raising_rule failed in rule always-fails: ZeroDivisionError "
            "(and 7 more times)\n") in result.stderr  # once for each of the 8 clients
    broken = run("--hooks-dir", PLUGINS / "raising", "report", "broken-report", EXAMPLE)
    assert broken.exit_code == 1
    assert ("mutuality: plugin raising_rule failed in report broken-report (text): RuntimeError\n"
            in broken.stderr)
    assert "the report broke" not in broken.stderr  # an error's text could quote a note
    assert "`mutuality --debug ...` to see the full error" in broken.stderr


def test_debug_lets_a_plugin_error_through():
    result = run("--debug", "--hooks-dir", PLUGINS / "raising", "alerts", EXAMPLE)
    assert isinstance(result.exception, ZeroDivisionError)


def test_an_unknown_report_lists_the_known_ones(vault):
    result = run("report", "nope", vault)
    assert result.exit_code == 2
    assert result.output == "mutuality: there is no report named 'nope' (there are: alerts, digest)\n"


def test_plugin_settings_reach_the_plugin_and_are_checked(vault, tmp_path, monkeypatch):
    log = tmp_path / "log.jsonl"
    vault.streak()
    vault.write("mutuality.toml", f'[plugins.recording_sink]\npath = "{log}"\n')
    result = run("--hooks-dir", PLUGINS / "good", "alerts", vault, "--all", "--notify")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["rule"] for line in log.read_text().splitlines()] == ["uninvited-streak"]
    assert "mutuality: 1 new alert handed to recording\n" in result.stderr
    vault.write("mutuality.toml", '[plugins.recording_sink]\npaht = "x"\n')
    result = run("--hooks-dir", PLUGINS / "good", "alerts", vault)
    assert result.exit_code == 2
    assert "`plugins.recording_sink.paht` is not a setting of this plugin" in result.output
    vault.write("mutuality.toml", '[plugins.recording_sink]\nverbose = "yes"\n')
    assert "`plugins.recording_sink.verbose` should be true or false" in run(
        "--hooks-dir", PLUGINS / "good", "alerts", vault).output
    vault.write("mutuality.toml", '[plugins.nobody]\nx = 1\n')
    assert "`plugins.nobody` is not a section any plugin declares" in run("alerts", vault).output


def test_notify_hands_each_alert_to_the_sinks_once(vault, tmp_path, monkeypatch):
    log = tmp_path / "log.jsonl"
    vault.streak()
    vault.write("mutuality.toml", f'[plugins.recording_sink]\npath = "{log}"\n')
    for _ in range(2):
        ok(run("--hooks-dir", PLUGINS / "good", "alerts", vault, "--all", "--notify"))
    assert len(log.read_text().splitlines()) == 1
    vault.session("2026-11-23 A.md", client="A", srs_total=20)
    run("--hooks-dir", PLUGINS / "good", "alerts", vault, "--all", "--notify")
    assert [json.loads(line)["rule"] for line in log.read_text().splitlines()] == [
        "uninvited-streak", "alliance-low"]
    state = Path(os.environ["MUTUALITY_STATE_DIR"])
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in state.iterdir())


def test_notify_after_a_client_folder_is_renamed_hands_nothing_on_again(vault, tmp_path):
    log = tmp_path / "log.jsonl"
    vault.streak(folder="Clients/A/")
    vault.write("mutuality.toml", f'[plugins.recording_sink]\npath = "{log}"\n')
    ok(run("--hooks-dir", PLUGINS / "good", "alerts", vault, "--all", "--notify"))
    (vault / "Clients" / "A").rename(vault / "Clients" / "Ann")
    (vault / "Clients/Ann/2026-11-18 A.md").rename(vault / "Clients/Ann/18 November.md")
    ok(run("--hooks-dir", PLUGINS / "good", "alerts", vault, "--all", "--notify"))
    assert [json.loads(line)["note"] for line in log.read_text().splitlines()] == [
        "Clients/A/2026-11-18 A.md"]


def test_alerts_handed_on_by_the_layout_before_are_not_handed_on_again(vault, tmp_path):
    """An index written before alerts were known by their date (schema 4) keeps its
    record of what each sink received."""
    import sqlite3

    from mutuality_plugins.index import state_folder

    log = tmp_path / "log.jsonl"
    vault.streak()
    vault.write("mutuality.toml", f'[plugins.recording_sink]\npath = "{log}"\n')
    ok(run("--hooks-dir", PLUGINS / "good", "alerts", vault, "--all", "--notify"))
    [index] = state_folder().glob("index-*.sqlite3")
    with sqlite3.connect(index) as db:  # as the version before left it
        db.execute("DROP TABLE sent_alerts")
        db.execute("CREATE TABLE sent_alerts (sink TEXT, rule TEXT, client TEXT, note TEXT,"
                   " detail TEXT, PRIMARY KEY (sink, rule, client, note, detail))")
        db.execute("INSERT INTO sent_alerts VALUES ('recording', 'uninvited-streak',"
                   " 'A', '2026-11-18 A.md', '')")
        db.execute("UPDATE meta SET value = '4' WHERE key = 'schema'")
    ok(run("--hooks-dir", PLUGINS / "good", "alerts", vault, "--all", "--notify"))
    assert len(log.read_text().splitlines()) == 1  # not handed on again
    vault.session("2026-11-23 A.md", client="A", srs_total=20)
    ok(run("--hooks-dir", PLUGINS / "good", "alerts", vault, "--all", "--notify"))
    assert [json.loads(line)["rule"] for line in log.read_text().splitlines()] == [
        "uninvited-streak", "alliance-low"]


def test_alerts_handed_on_with_prose_kept_in_the_readings_are_not_handed_on_again(
        vault, tmp_path):
    """An index written while each note's prose was kept with its reading (schema 5)
    keeps its record of what each sink received; its readings are made again."""
    import sqlite3

    from mutuality_plugins.index import state_folder

    log = tmp_path / "log.jsonl"
    vault.streak()
    vault.write("mutuality.toml", f'[plugins.recording_sink]\npath = "{log}"\n')
    vault.age()  # old enough for their readings to be stored
    ok(run("--hooks-dir", PLUGINS / "good", "alerts", vault, "--all", "--notify"))
    [index] = state_folder().glob("index-*.sqlite3")
    with sqlite3.connect(index) as db:  # as the version before left it
        db.execute("DROP TABLE prose")
        db.execute("DROP TABLE notes")
        db.execute("CREATE TABLE notes (fingerprint TEXT NOT NULL, path TEXT NOT NULL,"
                   " mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, kind TEXT NOT NULL,"
                   " data TEXT NOT NULL, text TEXT, PRIMARY KEY (fingerprint, path))")
        db.execute("INSERT INTO notes VALUES ('f', 'x.md', 0, 0, 'o', 'null', 'old prose')")
        db.execute("UPDATE meta SET value = '5' WHERE key = 'schema'")
    ok(run("--hooks-dir", PLUGINS / "good", "alerts", vault, "--all", "--notify"))
    assert len(log.read_text().splitlines()) == 1  # not handed on again
    with sqlite3.connect(index) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("6",)
        assert db.execute("SELECT count(*) FROM notes").fetchone() == (3,)  # read again
        assert db.execute("SELECT count(*) FROM prose").fetchone() == (3,)


# The hooks/ examples


def test_the_csv_export_has_a_row_per_item_and_client():
    result = run("--hooks-dir", HOOKS, "report", "feedback-csv", EXAMPLE, "--all")
    rows = list(csv.DictReader(io.StringIO(ok(result))))
    digest = json.loads(ok(run("digest", EXAMPLE, "--week", "2026-W41", "--format", "json")))
    in_week = [r for r in rows if "2026-10-05" <= r["date"] <= "2026-10-11"]
    assert len(in_week) == sum(c["items"] for c in digest["by_client"].values())
    assert set(rows[0]) == {"date", "client", "note", "invited", "theme", "signal", "quote",
                            "phrase", "response", "by"}


@pytest.mark.parametrize("ratings, raised_at", [
    ([40, 39, 40], None), ([40, 39, 40, 39.5], 3), ([40, 40, 38, 40, 40, 40, 40], 6),
    ([40, None, 40, 40, 40], 4), ([40] * 8, 3),
])
def test_ceiling_ratings_raises_once_per_run_of_top_ratings(vault, ratings, raised_at):
    for n, total in enumerate(ratings):
        rating = {} if total is None else {"srs_total": total}
        vault.session(f"2026-10-{n + 1:02} A.md", client="A", feedback_invited="yes", **rating)
    alerts = json.loads(ok(run("--hooks-dir", HOOKS, "alerts", vault, "--all",
                               "--format", "json")))
    found = [a["note"] for a in alerts if a["rule"] == "ceiling-ratings"]
    assert found == ([] if raised_at is None else [f"2026-10-{raised_at + 1:02} A.md"])


def test_ceiling_ratings_is_an_open_gap_until_a_lower_rating(vault):
    for n, total in enumerate([40, 40, None, 39.5, 40, 40]):
        rating = {} if total is None else {"srs_total": total}
        vault.session(f"2026-11-{n + 1:02} A.md", client="A", feedback_invited="yes", **rating)
    gaps = json.loads(ok(run("--hooks-dir", HOOKS, "gaps", vault, "--format", "json")))
    [gap] = [g for g in gaps if g["rule"] == "ceiling-ratings"]
    assert (gap["opened"], gap["latest"]) == ("2026-11-05", "2026-11-06")
    assert "5 sessions in a row" in gap["message"]
    vault.session("2026-11-07 A.md", client="A", feedback_invited="yes", srs_total=35)
    gaps = json.loads(ok(run("--hooks-dir", HOOKS, "gaps", vault, "--format", "json")))
    assert [g for g in gaps if g["rule"] == "ceiling-ratings"] == []


def test_the_manuals_rule_gets_its_gaps_without_other_code(vault, tmp_path):
    rule = next(code for code in manual_examples() if "def mutuality_rules" in code)
    (tmp_path / "rated_but_silent.py").write_text(rule)
    for n in range(4):
        vault.session(f"2026-11-{n + 10} A.md", client="A", feedback_invited="yes",
                      srs_total=38)
    gaps = json.loads(ok(run("--hooks-dir", tmp_path, "gaps", vault, "--format", "json")))
    [gap] = [g for g in gaps if g["rule"] == "rated-but-silent"]
    assert (gap["opened"], len(gap["notes"])) == ("2026-11-12", 2)
    alerts = json.loads(ok(run("--hooks-dir", tmp_path, "alerts", vault, "--format", "json")))
    assert [a["date"] for a in alerts if a["rule"] == "rated-but-silent"] == ["2026-11-12"]


def test_ceiling_ratings_takes_its_thresholds_from_the_settings(vault):
    for n in range(2):
        vault.session(f"2026-10-{n + 1:02} A.md", client="A", srs_total=37)
    vault.write("mutuality.toml", "[rules.ceiling-ratings]\nsessions = 2\nat_least = 37\n")
    alerts = json.loads(ok(run("--hooks-dir", HOOKS, "alerts", vault, "--all", "--format", "json")))
    assert [a["rule"] for a in alerts if a["rule"] == "ceiling-ratings"] == ["ceiling-ratings"]


def k10_sessions(vault, totals, client="A"):
    """Weekly sessions of ``client`` from 7 September, each recording the next K10 (a
    total, or the ten items as a list)."""
    for week, total in enumerate(totals):
        day = dt.date(2026, 9, 7) + dt.timedelta(weeks=week)
        written = {"k10_items": total} if isinstance(total, list) else {"k10_total": total}
        vault.session(f"{client}/{day} {client}.md", client=client, feedback_invited="yes",
                      **written)


def test_a_plugin_measure_gets_reading_classes_rules_and_charts_without_other_code(vault):
    """mutuality_measures, end to end: the K10 of hooks/ (lower is better, 20 and above
    clinical, reliable change 7)."""
    k10_sessions(vault, [[3] * 10, 29, 26, 24, 23, [2] * 10])  # 30 down to 20: not recovered
    k10_sessions(vault, [18, 22, 26], client="B")  # 8 worse: deteriorated
    digest = json.loads(ok(run("--hooks-dir", HOOKS, "digest", vault, "--week", "2026-W42",
                               "--format", "json")))
    [course] = [c for c in digest["outcomes"]["A"] if c["measure"] == "k10"]
    assert (course["intake"], course["previous"], course["latest"], course["change"],
            course["class"]) == (30.0, 23.0, 20.0, -10.0, "reliably-improved")
    assert digest["outcome_classes"]["k10"] == {"reliably-improved": 1, "reliably-deteriorated": 1}
    alerts = json.loads(ok(run("--hooks-dir", HOOKS, "alerts", vault, "--all", "--format",
                               "json")))
    assert [(a["client"], a["rule"], a["date"], a["detail"]) for a in alerts
            if a["detail"] == "k10"] == [("B", "outcome-deteriorated", "2026-09-21", "k10"),
                                         ("A", "not-on-track", "2026-09-28", "k10")]
    note = ok(run("--hooks-dir", HOOKS, "digest", vault, "--week", "2026-W42"))
    assert '    title "K10, lower is better, second line the cutoff 20"' in note
    assert '    y-axis "K10" 10 --> 50' in note
    assert "- **K10**: intake 30 (2026-09-07), previous 23, latest 20 (2026-10-12): reliably " \
           "improved after 6 sessions." in note
    # Without the plugin the same properties are nobody's: no measure, no class.
    assert "k10" not in json.dumps(json.loads(ok(run("digest", vault, "--week", "2026-W42",
                                                     "--format", "json")))["outcomes"])


@pytest.mark.parametrize("written, problem", [
    ("k10_items: [1, 2, 3]", "k10_items should be a list of 10 whole numbers from 1 to 5, "
                             "like [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] (it has 3)"),
    ("k10_items: [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]", "(item 1 is not)"),
    ("k10_total: 9", "k10_total should be a number from 10 to 50"),
    ("k10_items: [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]\nk10_total: 21",
     "the ten Kessler Psychological Distress Scale items add up to 20, but k10_total is 21"),
])
def test_a_plugin_measure_is_checked_like_the_built_in_ones(vault, written, problem):
    vault.session("A/2026-11-20 A.md", written, client="A")
    scanned = json.loads(ok(run("--hooks-dir", HOOKS, "scan", vault, "--format", "json")))
    [found] = scanned["problems"]
    assert problem in found["message"]


def test_a_plugin_measure_takes_its_cutoff_from_the_settings(vault):
    k10_sessions(vault, [30, 26])
    vault.write("mutuality.toml", "[measures.k10]\nreliable_change = 4\n")
    digest = json.loads(ok(run("--hooks-dir", HOOKS, "digest", vault, "--week", "2026-W38",
                               "--format", "json")))
    assert [c["class"] for c in digest["outcomes"]["A"]] == ["reliably-improved"]


@pytest.mark.parametrize("declared, why", [
    ('Measure("m", "M", "m_total", 10, items=("m_total",))', "once each"),
    ('Measure("m", "M", "m_total", 10, lowest=20)', "lowest first"),
    ('Measure("m", "M", "m_total", 10, better="up")', "better 'higher' or 'lower'"),
    ('Measure("m", "M", "m_total", 10, item_list="m_items")', "item_count"),
    ('Measure("m", "M", "m_total", 10, item_list="m_items", item_count=10**9)', "1 to 500"),
    ('Measure("m", "M", "m_total", 10, reliable_change=-1.0)', "as numbers, or None"),
    ('Measure("ors", "ORS", "x_total", 10)', "mutuality has a measure named 'ors' already"),
    # A score belongs to one measure; a risk item is never hidden behind another's.
    ('Measure("m", "M", "ors_total", 10)', "mutuality has a measure that uses 'ors_total'"),
    ('Measure("m", "M", "m_total", 10, risk_items=(RiskItem("phq9-item9", "m_r", 3),))',
     "mutuality has a measure that uses 'phq9-item9'"),
    ('Measure("m", "M", "m_total", 10, items="m_a")', "as tuples"),
    ('Measure("m", "M", "M_Total", 10)', "lowercase"),
    ('Measure("m", "M", "date", 10)', "should not read date: mutuality reads those itself"),
    ('Measure("m", "M", "m_total", 50, item_list="m_i", item_count=2, item_lowest=1, '
     'item_highest=5, risk_items=(RiskItem("m-r", "m_r", 5, item=2),))', "scored from 0"),
    ('Measure("m", "M", "m_total", 10, reliable_change=0.0)', "(above 0)"),
    ('Measure("m", "M", "m_total", 10, item_list="m_i", item_count=2, item_highest=3, '
     'risk_items=(RiskItem("m-r", "m_r", 1, item=2),))', "to the items' highest"),
])
def test_a_measure_that_does_not_fit_together_is_its_plugins_named_failure(vault, tmp_path,
                                                                             declared, why):
    (tmp_path / "odd_measure.py").write_text(
        "from mutuality_plugins import Measure, RiskItem, hookimpl\n\n@hookimpl\n"
        f"def mutuality_measures():\n    return [{declared}]\n")
    vault.session("A/2026-11-20 A.md", client="A", ors_total=20)
    result = run("--hooks-dir", tmp_path, "scan", vault, "--format", "json")
    assert result.exit_code == 1 and "odd_measure" in result.stderr and why in result.stderr
    assert json.loads(result.stdout)["sessions"] == 1  # the rest goes on


def test_a_plugin_extractor_cannot_hide_a_risk_item(vault, tmp_path):
    """The highest score of a risk item any source gives is the one read."""
    (tmp_path / "zeroes.py").write_text(
        "from mutuality_plugins import Feedback, hookimpl\n\n@hookimpl\n"
        "def mutuality_extract_feedback(note):\n"
        "    return Feedback(risks={'phq9-item9': 0}, scores={'phq9': 3})\n")
    vault.session("A/2026-11-20 A.md", client="A", phq9_item9=3, phq9_total=14)
    gaps = json.loads(ok(run("--hooks-dir", tmp_path, "gaps", vault, "--format", "json")))
    assert [(g["rule"], g["detail"]) for g in gaps] == [("risk-item", "phq9-item9")]
    assert "answered 3 of 3" in gaps[0]["message"]


def fake_program(folder, name, log):
    program = folder / name
    program.write_text(f'#!/bin/sh\nprintf "%s|" "$@" >> {log}\necho >> {log}\n')
    program.chmod(0o755)


def test_desktop_notifications_use_notify_send_when_present(vault, tmp_path, monkeypatch):
    bin_folder, log = tmp_path / "bin", tmp_path / "notified"
    bin_folder.mkdir()
    fake_program(bin_folder, "notify-send", log)
    monkeypatch.setenv("PATH", str(bin_folder))
    vault.streak()
    result = run("--hooks-dir", HOOKS, "alerts", vault, "--all", "--notify")
    assert result.exit_code == 0, result.output
    assert log.read_text() == ("--app-name=mutuality|mutuality: A|uninvited-streak, session of "
                               "2026-11-18|\n")


def test_desktop_notifications_never_carry_the_clients_words(vault, tmp_path, monkeypatch):
    bin_folder, log = tmp_path / "bin", tmp_path / "notified"
    bin_folder.mkdir()
    fake_program(bin_folder, "notify-send", log)
    monkeypatch.setenv("PATH", str(bin_folder))
    vault.session("2026-11-16 A.md", client="A", feedback="['words/acting out: stop it']")
    vault.session("2026-11-18 A.md", client="A", body="A lot of acting out this week.\n")
    result = run("--hooks-dir", HOOKS, "alerts", vault, "--all", "--notify")
    assert result.exit_code == 0, result.output
    assert "flagged-word-reused" in log.read_text()
    assert "acting" not in log.read_text() and "stop it" not in log.read_text()


def test_desktop_notifications_show_a_client_id_as_text_not_markup(vault, tmp_path,
                                                                    monkeypatch):
    bin_folder, log = tmp_path / "bin", tmp_path / "notified"
    bin_folder.mkdir()
    fake_program(bin_folder, "notify-send", log)
    monkeypatch.setenv("PATH", str(bin_folder))
    for n in range(6):  # more than five at once: one notification names the clients
        vault.streak(f"<img src=x{n}.png>C{n}", folder=f"C{n}/")
    result = run("--hooks-dir", HOOKS, "alerts", vault, "--all", "--notify")
    assert result.exit_code == 0, result.output
    body = log.read_text().split("|")[2]
    assert body.startswith("6 new alerts for &lt;img src=x0.png&gt;C0, &lt;img src=x1.png")
    assert "<img" not in body


def test_desktop_notifications_do_nothing_without_a_notifier(vault, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # neither notify-send nor osascript
    vault.streak()
    result = run("--hooks-dir", HOOKS, "alerts", vault, "--all", "--notify")
    assert result.exit_code == 0
    assert "mutuality: 1 new alert handed to desktop-notifications\n" in result.stderr


def test_notify_without_any_sink_hands_nothing_on_and_keeps_the_alerts_new(vault, tmp_path,
                                                                           monkeypatch):
    log = tmp_path / "log.jsonl"
    vault.streak()
    result = run("alerts", vault, "--all", "--notify")
    assert "no plugin has an alert sink, so no alert was handed on" in result.stderr
    vault.write("mutuality.toml", f'[plugins.recording_sink]\npath = "{log}"\n')
    ok(run("--hooks-dir", PLUGINS / "good", "alerts", vault, "--all", "--notify"))
    assert len(log.read_text().splitlines()) == 1  # still new for the sink added later


def test_the_manuals_command_reads_the_vault_with_the_plugins_of_the_command_line(vault, tmp_path):
    command = next(code for code in manual_examples() if "mutuality_commands" in code)
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "themes.py").write_text(command)
    vault.session("2026-11-20 A.md", client="A",
                  body="## Feedback\n- wishes/more-homework: give me more\n")
    result = run("--hooks-dir", tmp_path / "hooks", "--hooks-dir", PLUGINS / "good",
                 "themes", vault)
    assert ok(result) == "    1  wishes\n"  # read by the extractor of --hooks-dir


def test_a_hooks_folder_named_twice_is_loaded_once(vault, monkeypatch):
    monkeypatch.chdir(PLUGINS.parent)  # so that the folder can be named relatively
    vault.write("settings.toml", 'hooks_dirs = ["' + str(PLUGINS / "good") + '"]\n')
    result = run("--hooks-dir", "plugins/good", "--hooks-dir", PLUGINS / "good",
                 "plugins", vault, "--config", vault / "settings.toml", "--format", "json")
    assert result.exit_code == 0, result.output
    names = [entry["name"] for entry in json.loads(result.stdout)]
    assert names.count("recording_sink") == 1


def test_two_plugins_declaring_one_settings_section_are_the_seconds_failure(vault, tmp_path):
    for name in ("first_owner", "second_owner"):
        (tmp_path / f"{name}.py").write_text(
            "from mutuality_plugins import hookimpl\n\n"
            f"@hookimpl\ndef mutuality_plugin_settings():\n    return {{'shared': {{'{name}': 1}}}}\n")
    vault.write("mutuality.toml", "[plugins.shared]\nfirst_owner = 2\n")
    result = run("--hooks-dir", tmp_path, "scan", vault)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "mutuality: plugin second_owner failed in mutuality_plugin_settings: plugin first_owner "
        "contributes a settings section named 'shared' already, so this one is left out; "
        "rename it")


def test_settings_blamed_for_a_section_are_said_to_maybe_be_a_broken_plugins(vault, tmp_path):
    (tmp_path / "declares.py").write_text(
        "from mutuality_plugins import hookimpl\n\n"
        "@hookimpl\ndef mutuality_plugin_settings():\n    raise ImportError('missing')\n")
    vault.write("mutuality.toml", "[plugins.declares]\nkey = 1\n")
    result = run("--hooks-dir", tmp_path, "scan", vault)
    assert result.exit_code == 2
    assert result.output == (
        f"mutuality: {vault / 'mutuality.toml'}: `plugins.declares` is not a section any plugin "
        "declares, or plugin declares failed to declare its settings or measures\n")


def test_a_measure_setting_blamed_on_a_broken_measure_plugin_names_it(vault, tmp_path):
    (tmp_path / "broken_k10.py").write_text(
        "from mutuality_plugins import hookimpl\n\n"
        "@hookimpl\ndef mutuality_measures():\n    raise ImportError('missing')\n")
    vault.write("mutuality.toml", "[measures.k10]\ncutoff = 22\n")
    result = run("--hooks-dir", tmp_path, "scan", vault)
    assert result.exit_code == 2
    assert result.output.endswith(
        "`measures.k10` is not a measure mutuality knows (it knows core10, gad7, ors, phq9, "
        "srs), or plugin broken_k10 failed to declare its settings or measures\n")


def test_an_empty_measure_table_of_a_plugin_not_loaded_changes_nothing(vault):
    """init --hooks-dir hooks writes [measures.k10] with its values commented out: a
    later run without the plugin must not stop."""
    ok(run("--hooks-dir", HOOKS, "init", vault))
    assert "[measures.k10]  # Kessler Psychological Distress Scale\n# cutoff = 20\n" in (
        vault / "mutuality.toml").read_text()
    vault.session("A/2026-11-20 A.md", client="A", ors_total=20)
    assert json.loads(ok(run("scan", vault, "--format", "json")))["sessions"] == 1
