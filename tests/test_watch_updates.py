"""What a watcher makes again at each save, from what changed only, is what a command
makes from the whole vault: the notes read, each client's sessions, the alerts in
order, the gaps and the statuses; and a save costs the watcher one pass, however many
notes it writes itself."""

import datetime as dt
import random
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_gaps_commands import ALERTS_MD, DISMISSED_MD, listed, weekly

from mutuality_plugins import Rule, dismissals, hookimpl
from mutuality_plugins import index as index_module
from mutuality_plugins.config import Settings
from mutuality_plugins.index import NoteIndex, fingerprint
from mutuality_plugins.model import (
    GONE,
    Alert,
    ClientNote,
    NoteWarning,
    Problem,
    ScanResult,
    Session,
)
from mutuality_plugins.plugins import get_plugin_manager
from mutuality_plugins.practice import PracticeBuilder
from mutuality_plugins.vault import VaultState

from support import TODAY, Watching, note, ok, run, until

PATHS = ["a.md", "b.md", "b.md.md", "c/d.md", "c/e.md", "c.md", "z.md"]
CLIENTS = ["A", "B", "C"]


@st.composite
def readings(draw, path):
    """Any reading a note at ``path`` may give."""
    kind = draw(st.sampled_from(["session", "client", "warning", "problem", "other"]))
    if kind == "session":
        day = draw(st.dates(dt.date(2026, 11, 1), dt.date(2026, 11, 4)))
        clients = draw(st.lists(st.sampled_from(CLIENTS), min_size=1, max_size=2, unique=True))
        return Session(path, day, tuple(clients))
    if kind == "client":
        return ClientNote(path, draw(st.sampled_from(CLIENTS)), "closed")
    if kind == "warning":
        return NoteWarning(path, "looks like a session note")
    if kind == "problem":
        return Problem(path, "cannot be read")
    return None


@st.composite
def vaults(draw):
    """(readings by path, the problems of folders): a folder's may have a note's name."""
    paths = draw(st.lists(st.sampled_from(PATHS), unique=True))
    folders = [Problem(path, "folder could not be read")
               for path in draw(st.lists(st.sampled_from(PATHS), unique=True, max_size=2))]
    return {path: draw(readings(path)) for path in paths}, folders


@st.composite
def changes(draw):
    """Paths read again: each with its new reading, or gone."""
    paths = draw(st.lists(st.sampled_from(PATHS), unique=True, min_size=1))
    return {path: draw(st.one_of(st.just(GONE), readings(path))) for path in paths}


@given(vaults(), changes(), st.booleans())
@settings(max_examples=300, deadline=None)
def test_a_result_updated_for_notes_read_again_equals_one_made_anew(vault, read_again,
                                                                      grouped_before):
    notes, folders = vault
    before = ScanResult.of(notes.items(), folders)
    if grouped_before:
        grouped = before.sessions_by_client()
    after = {**notes, **read_again}
    after = {path: reading for path, reading in after.items() if reading is not GONE}
    anew = ScanResult.of(after.items(), folders)

    updated = before.updated(len(after), read_again, folders)

    assert updated == anew
    assert list(updated.sessions_by_client().items()) == list(
        anew.sessions_by_client().items())
    if grouped_before:
        touched = {client for path in read_again
                   for reading in (notes.get(path), read_again[path])
                   if isinstance(reading, Session) for client in reading.clients}
        for client, sessions in updated.sessions_by_client().items():
            if client not in touched:  # what the builder made of them stays true
                assert sessions is grouped[client]


def _random_note(chance, client):
    invited = chance.choice(["yes", "no", "no"])
    srs = chance.choice(["", "\nsrs_total: 20", "\nsrs_total: 40"])
    return note(f"client: {client}\nfeedback_invited: {invited}{srs}", "Notes.\n")


def test_saves_one_by_one_give_the_practice_a_command_gives(vault):
    """Random saves, renames and deletes, each looked at as a watcher does (the paths
    an event names): the result, alerts, gaps and statuses equal a cold scan's."""
    chance = random.Random(17)
    plugins = get_plugin_manager(load_entry_points=False)
    state = VaultState(vault.root, plugins, Settings())
    builder = PracticeBuilder(vault.root, plugins, Settings())
    for day in range(1, 9):
        vault.write(f"{chance.choice(CLIENTS)}/2026-11-0{day}.md",
                    _random_note(chance, chance.choice(CLIENTS)))
    state.rescan()
    builder.build(state.result(), TODAY)
    for step in range(120):
        existing = sorted(vault.root.rglob("*.md"))
        action = chance.random()
        if action < 0.5 or not existing:
            path = vault / f"{chance.choice(CLIENTS)}/2026-11-{chance.randint(1, 25):02} {step}.md"
            path.parent.mkdir(exist_ok=True)
            path.write_text(_random_note(chance, chance.choice([*CLIENTS, "D"])))
            touched = [path]
        elif action < 0.8:
            path = chance.choice(existing)
            path.write_text(_random_note(chance, chance.choice(CLIENTS)))
            touched = [path]
        elif action < 0.85:
            source = chance.choice(existing)
            target = source.with_name(f"{source.stem} m.md")
            source.rename(target)
            touched = [source, target]
        elif action < 0.95:
            touched = [chance.choice(existing)]
            touched[0].unlink()
        else:  # a client's every note goes
            client = f"client: {chance.choice([*CLIENTS, 'D'])}\n"
            touched = [path for path in existing if client in path.read_text()]
            for path in touched:
                path.unlink()
        state.refresh(path.relative_to(vault.root).as_posix() for path in touched)

        updated = builder.build(state.result(), TODAY)
        anew = PracticeBuilder(vault.root, plugins, Settings()).build(vault.scan(), TODAY)

        assert updated.scan == anew.scan
        assert list(updated.scan.sessions_by_client().items()) == list(
            anew.scan.sessions_by_client().items())
        assert updated.alerts == anew.alerts
        assert updated.gaps == anew.gaps
        assert updated.statuses == anew.statuses


@pytest.mark.parametrize("few", [0, 1_000_000])
def test_the_alerts_a_sink_has_not_received_however_many_are_asked(vault, monkeypatch, few):
    """Looked up one by one (a save's few) or from the whole record (a first start's
    many), the answer is the same."""
    monkeypatch.setattr(index_module, "FEW_ALERTS", few)
    chance = random.Random(few)
    alerts = [Alert(chance.choice(["r1", "r2"]), chance.choice(CLIENTS),
                    dt.date(2026, 11, chance.randint(1, 9)), f"{n}.md", "warning",
                    chance.choice([None, "pace"]), "message") for n in range(200)]
    with NoteIndex.open(vault.root, fingerprint(get_plugin_manager(), Settings()),
                        Settings()) as index:
        index.remember_sent("sink", alerts[::3])
        index.remember_sent("other", alerts[1::3])
        unsent = index.unsent("sink", alerts)
    sent = {alert.identity for alert in alerts[::3]}
    expected, seen = [], set()
    for alert in alerts:
        if alert.identity not in sent | seen:
            expected.append(alert)
        seen.add(alert.identity)
    assert unsent == expected and len(expected) > 20


def test_a_save_is_one_pass_whatever_the_watcher_writes_itself(vault):
    """Alerts.md, the client's page and the caseload table it writes are events in the
    vault too: they must not make it read and build everything a second time."""
    vault.streak("A")
    *earlier, third = vault.streak("B")
    third.unlink()
    with Watching(vault) as watching:
        assert watching.next_alert().client == "A"
        watching.no_alert_for(1.0)
        builds = []
        build = watching.watcher.builder.build
        watching.watcher.builder.build = lambda *args, **kw: builds.append(1) or build(
            *args, **kw)
        vault.session(third.name, client="B")  # B's third uninvited session
        assert watching.next_alert().client == "B"
        until(lambda: (vault / "Mutuality" / "Clients" / "B.md").exists(), "B's page")
        watching.no_alert_for(1.0)
        assert len(builds) == 1


def test_a_page_replaced_by_a_note_of_the_therapists_is_told(vault):
    """The pages found to be mutuality's are not read again while unchanged: one put in
    place of a page is."""
    vault.streak("A")
    with Watching(vault) as watching:
        assert watching.next_alert().client == "A"
        page = vault / "Mutuality" / "Clients" / "A.md"
        assert page.exists()
        vault.streak("B")  # the folder looked at again: A's page is known to be ours
        assert watching.next_alert().client == "B"
        page.write_text(note("client: A", "My own notes on A.\n"))
        watching.until_said("Mutuality/Clients/A.md: the output folder Mutuality holds notes "
                            "mutuality did not write")


def test_old_alerts_the_index_could_not_record_are_recorded_at_the_next_save(vault,
                                                                             monkeypatch):
    """On a first start, old alerts are counted as received without a word; when the
    index cannot take them then (a full disk), they are at the next change, not
    forgotten (a later `alerts --notify --all` would hand them on as new)."""
    for day in (1, 8, 15):
        vault.session(f"old/2026-06-{day:02} O.md", client="O")
    *earlier, third = vault.streak("A")
    third.unlink()
    remember = NoteIndex.remember_sent
    full = [True]

    def remember_unless_full(index, sink, alerts):
        if full[0]:
            raise sqlite3.OperationalError("database or disk is full")
        remember(index, sink, alerts)

    monkeypatch.setattr(NoteIndex, "remember_sent", remember_unless_full)
    with Watching(vault) as watching:
        watching.no_alert_for(1.0)
        full[0] = False
        vault.session(third.name, client="A")
        assert watching.next_alert().client == "A"
        made = PracticeBuilder(vault.root, watching.plugins, Settings()).build(
            vault.scan(plugins=watching.plugins), TODAY)
        old = [alert for alert in made.alerts if alert.client == "O"]
        assert old and watching.index.unsent("queue", old) == []


def test_a_dismissal_undone_while_a_tick_is_recorded_shows_its_gap_again(vault,
                                                                         monkeypatch):
    """The watcher's write of the note of dismissals may hold the therapist's own change
    made meanwhile (a row deleted: the gap is to show again): it is looked at again, as
    a change of the therapist's."""
    weekly(vault, "A", 3)
    weekly(vault, "B", 3)
    gaps = {gap["client"]: gap["id"] for gap in listed(vault)}
    ok(run("dismiss", vault, gaps["B"]))
    alerts_md, dismissed_md = vault / ALERTS_MD, vault / DISMISSED_MD
    write = dismissals.write_generated
    undo = [False]

    def undone_meanwhile(root, folder, name, text, *args, **options):
        if undo[0]:
            undo[0] = False
            kept = dismissed_md.read_text()
            [row] = [line for line in kept.splitlines() if gaps["B"] in line]
            dismissed_md.write_text(kept.replace(row + "\n", ""))
        return write(root, folder, name, text, *args, **options)

    monkeypatch.setattr(dismissals, "write_generated", undone_meanwhile)
    with Watching(vault):
        until(lambda: alerts_md.exists() and "- [ ] **A**" in alerts_md.read_text(), "A's gap")
        assert "**B**" not in alerts_md.read_text()
        undo[0] = True
        alerts_md.write_text(alerts_md.read_text().replace("- [ ] **A**", "- [x] **A**"))
        until(lambda: "**A**" not in alerts_md.read_text()
              and "- [ ] **B**" in alerts_md.read_text(), "A's gap gone, B's back")
    assert [gap["client"] for gap in listed(vault)] == ["B"]


def test_a_rule_that_changes_the_sessions_it_is_given_changes_no_later_practice(vault):
    """A plugin's check rule given a client's sessions gets its own list: the watcher's
    next practice is made from the client's list as it was."""

    class TakesTheIntakeOut:
        @staticmethod
        def check(client, sessions, settings, since):
            sessions.pop(0)  # a plugin's own business, once it has the list
            return []

        @hookimpl
        def mutuality_rules(self):
            return [Rule("intake", check=self.check)]

    plugins = get_plugin_manager(load_entry_points=False)
    plugins.add(TakesTheIntakeOut(), name="intake", origin="test")
    weekly(vault, "A", 4)
    state = VaultState(vault.root, plugins, Settings())
    builder = PracticeBuilder(vault.root, plugins, Settings())
    state.rescan()
    builder.build(state.result(), TODAY)
    latest = sorted((vault / "Clients" / "A").glob("*.md"))[-1]
    for edit in range(3):
        latest.write_text(note("client: A", f"Edit {edit}.\n"))
        state.refresh([latest.relative_to(vault.root).as_posix()])
        practice = builder.build(state.result(), TODAY)
    assert len(practice.scan.sessions_by_client()["A"]) == 4
