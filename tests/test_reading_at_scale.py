"""Reading a large vault fast must not change what is read: notes read in processes of
their own give the readings (and the plugins' failures) read here, and a warm scan
after any edits gives the readings a cold one does."""

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mutuality_plugins import NoteProblem, hookimpl, parallel
from mutuality_plugins.config import Settings
from mutuality_plugins.index import NoteIndex, fingerprint
from mutuality_plugins.plugins import get_plugin_manager
from mutuality_plugins.vault import NoteReader, scan_vault

clients = st.sampled_from(["A", "B", "RM-07", "Zoë", "[[C-1]]"])
items = st.sampled_from(["pacing/too-fast", "pacing", "words/jargon", "topic/wants-other",
                         "relationship/not-heard", "odd/theme"])
front_matters = st.fixed_dictionaries(
    {"client": clients | st.lists(clients, min_size=1, max_size=2)},
    optional={
        "date": st.dates(dt.date(2025, 1, 1), dt.date(2026, 11, 26)),
        "feedback_invited": st.booleans() | st.sampled_from(["yes", "maybe"]),
        "feedback": st.lists(items | st.fixed_dictionaries(
            {"theme": st.sampled_from(["words", "pacing"])},
            optional={"phrase": st.sampled_from(["homework", "resistant", ""]),
                      "quote": st.text(max_size=20), "response": st.sampled_from(
                          ["adjusted", "pending", "later"])}), max_size=3),
        "srs_total": st.integers(-1, 41) | st.sampled_from(["high", 36.5]),
        "phq9_items": st.lists(st.integers(0, 3), min_size=9, max_size=9),
        "tags": st.sampled_from(["feedback/invited", ["feedback/pacing/too-slow"], ""]),
    })
bodies = st.sampled_from(["Notes.\n", "We used the word homework again. #feedback/invited\n",
                          "```\n#feedback/topic\n```\n", "FAIL here\n", "x" * 70_000])
notes = st.one_of(
    st.tuples(front_matters, bodies).map(lambda note: (
        "---\n" + yaml.safe_dump(note[0], allow_unicode=True) + "---\n" + note[1]).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"---\nclient: [\n---\n", b"Just a note.\n", b"---\nclient: A\n"]),
)
vaults = st.dictionaries(
    st.sampled_from(["", "Clients/A/", "Clients/B/"]).flatmap(
        lambda folder: st.integers(1, 40).map(lambda n: f"{folder}2026-11-{n:02} note.md")),
    notes, min_size=1, max_size=14)


class FailingOnSome:
    """An extractor that fails on some notes (its failures must be told, wherever
    the note was read) and finds a problem in others."""

    @hookimpl
    def mutuality_extract_feedback(self, note):
        if "FAIL" in note.body:
            raise ValueError("no")
        if "homework" in note.body and "B" in note.path:
            raise NoteProblem("homework in B")


def write_vault(root: Path, contents: dict[str, bytes]) -> None:
    for relative, raw in contents.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        os.utime(path, (time.time() - 120,) * 2)  # old enough to be stored


def read_with(root: Path, at_once: bool, index: NoteIndex | None = None,
              forks_made: list[int] | None = None):
    """(the scan, the plugins' failures), reading in two processes forked from this
    one, or here; the pools of processes made are added to ``forks_made``."""
    forks = [] if forks_made is None else forks_made

    def counted_pool(workers):
        forks.append(workers)
        return pool(workers)

    pool = parallel.forked_pool
    plugins = get_plugin_manager(load_entry_points=False)
    plugins.add(FailingOnSome(), name="failing", origin="test")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel, "AT_ONCE_FROM", 2 if at_once else 10**9)
        patch.setattr(parallel, "BATCH", 2)
        patch.setattr(parallel, "cores_to_fork", lambda: 2)
        patch.setattr(parallel, "forked_pool", counted_pool)
        result = scan_vault(root, plugins, Settings(), index=index)
    return result, sorted(map(str, plugins.guard.failures))


def readings_of(result) -> dict:
    """path -> what the scan read there."""
    return {reading.path: reading for kind in (result.sessions, result.problems,
                                               result.client_notes, result.note_warnings)
            for reading in kind} | dict.fromkeys(result.other_notes)


def read_one_by_one(root: Path, paths) -> tuple[dict, list[str]]:
    """(path -> the note's reading, the plugins' failures), each note read here by the
    reader itself: what a scan must give, however it reads and keeps them."""
    plugins = get_plugin_manager(load_entry_points=False)
    plugins.add(FailingOnSome(), name="failing", origin="test")
    reader = NoteReader(root, plugins, Settings())
    return ({path: reader.read(path) for path in paths},
            sorted(map(str, plugins.guard.failures)))


@settings(max_examples=40)
@given(vaults)
def test_notes_read_in_other_processes_are_read_as_here(contents):
    with tempfile.TemporaryDirectory() as folder:
        write_vault(Path(folder), contents)
        forks: list[int] = []
        here = read_with(Path(folder), at_once=False, forks_made=forks)
        assert forks == []
        elsewhere = read_with(Path(folder), at_once=True, forks_made=forks)
        assert forks == ([2] if len(contents) > 1 else [])
        assert elsewhere == here
        readings, failures = read_one_by_one(Path(folder), contents)
        assert (readings_of(elsewhere[0]), elsewhere[1]) == (readings, failures)


edits = st.lists(st.tuples(st.sampled_from(["change", "delete", "add", "rename"]),
                           st.integers(0, 20), notes), max_size=6)


@settings(max_examples=40)
@given(vaults, edits, st.booleans())
def test_a_warm_reading_after_any_edits_is_the_cold_one(contents, changes, at_once):
    with (tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as state,
          pytest.MonkeyPatch.context() as patch):
        root = Path(folder)
        patch.setenv("MUTUALITY_STATE_DIR", state)
        write_vault(root, contents)
        plugins = get_plugin_manager(load_entry_points=False)
        plugins.add(FailingOnSome(), name="failing", origin="test")
        made = fingerprint(plugins, Settings())
        with NoteIndex.open(root, made) as index:
            read_with(root, at_once, index)  # the index built
        paths = sorted(contents)
        for kind, which, raw in changes:
            path = root / paths[which % len(paths)]
            if kind == "change" and path.exists():
                path.write_bytes(raw + b"\n")  # never the same bytes: a change
            elif kind == "delete":
                path.unlink(missing_ok=True)
            elif kind == "add":
                (root / f"added {which}.md").write_bytes(raw)
            elif kind == "rename" and path.exists():
                path.rename(path.with_name(f"renamed {which}.md"))
            for touched in (path, root / f"added {which}.md", path.with_name(f"renamed {which}.md")):
                if touched.exists():  # changed a minute after the first scan
                    os.utime(touched, (time.time() - 60,) * 2)
        with NoteIndex.open(root, made) as index:
            # What the first scan stored (all but notes a plugin failed on) is used.
            assert index.stamps() or all(b"FAIL" in raw for raw in contents.values())
            warm = read_with(root, at_once, index)
            cold = read_with(root, at_once=False)
            assert warm == cold  # the prose too, read from the index


def test_few_notes_are_read_here_and_many_in_processes_where_forking_is_safe(monkeypatch):
    monkeypatch.setattr(parallel, "cores_to_fork", lambda: 2)
    assert parallel.workers_for(parallel.AT_ONCE_FROM - 1) == 1
    assert parallel.workers_for(10_000) == 2
    monkeypatch.setattr(parallel, "cores_to_fork", lambda: 0)  # not Linux, or threads
    assert parallel.workers_for(10_000) == 1


@pytest.mark.parametrize("system", ["windows", "macos"])
def test_no_process_is_forked_where_it_is_not_safe(monkeypatch, system):
    from mutuality_plugins import platforms

    monkeypatch.setattr(platforms, "this_system", lambda: system)
    assert platforms.cores_to_fork() == 0


def test_with_debug_a_plugins_error_among_many_notes_shows_its_own_traceback(tmp_path):
    # Many notes are read in forked processes, which could send back an error whose
    # class lives in a drop-in plugin only as a pickling error: --debug reads here.
    from support import run_child

    hooks, vault = tmp_path / "hooks", tmp_path / "vault"
    hooks.mkdir()
    vault.mkdir()
    (hooks / "picky.py").write_text(
        "from mutuality_plugins import hookimpl\n\n"
        "class PickyError(Exception):\n"
        "    def __init__(self, note, why):\n"
        "        super().__init__(f'{note}: {why}')\n\n"
        "@hookimpl\n"
        "def mutuality_extract_feedback(note):\n"
        "    if note.path == 'A 0700.md':\n"
        "        raise PickyError(note.path, 'cannot read this one')\n")
    for number in range(parallel.AT_ONCE_FROM + 200):
        (vault / f"A {number:04}.md").write_text(
            f"---\nclient: A\ndate: {dt.date(2026, 1, 1) + dt.timedelta(days=number)}\n---\n")
    told = run_child("--debug", "--hooks-dir", hooks, "scan", vault)
    assert told.returncode != 0
    assert told.stderr.strip().splitlines()[-1] == (
        "mutuality_hooks.picky.PickyError: A 0700.md: cannot read this one")
    assert 'File "' + str(hooks / "picky.py") + '", line 10' in told.stderr
