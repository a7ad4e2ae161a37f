"""Hostile notes, generated: every one gives a session, nothing, or a problem with a
one-line reason. `HYPOTHESIS_PROFILE=fuzz` runs these for minutes, with a deadline of
one second a note."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutuality_plugins.errors import NoteProblem
from mutuality_plugins.model import NoteWarning, Session

from support import note
from support import read_note as outcome

# What a note gives: a session, a warning (not a session but looks like one), a
# problem, or nothing.
ANSWERS = (Session, NoteWarning, NoteProblem, type(None))

HEAD = "client: RM-07\ndate: 2026-11-20\n"

pieces = st.sampled_from([
    "client: RM-07", "date: 2026-11-20", "feedback_invited: no", "tags: [feedback/pacing]",
    "srs_total: 1:30", "client: 010", "x: *word*", "a: &a [x, x]", "b: [*a, *a, *a]",
    "<<: *a", "feedback:\n  - pacing/too-fast: slow", "- list", "\x00", "\t", "'unclosed",
    '"\\x00"', "{{date}}", "<% tp %>", "[" * 50, "]" * 50, "x: " + "y" * 5000, "---", "...",
    "\ufeff", "é", "\u202e", "\r", "!!python/object:os.system", "!!binary aGk=", "? [a]: b",
    "client:: [[RM-07]]", "Client: A", "[date:: 2026-11-20]", "(srs_total:: 1:30", "- x:: [",
    "**feedback**:: pacing/too-fast: a, b", "```", "`y:: z`",
])
documents = st.lists(pieces, max_size=12).map("\n".join)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"])


@given(documents, documents, encodings)
def test_any_mix_of_hostile_pieces_gives_an_answer(front_matter, body, encoding):
    try:
        raw = f"---\n{front_matter}\n---\n{body}".encode(encoding)
    except UnicodeEncodeError:
        raw = f"---\n{front_matter}\n---\n{body}".encode("utf-8", "replace")
    assert isinstance(outcome(raw), ANSWERS)


@given(st.binary(min_size=1, max_size=200), st.integers(0, 3))
def test_bytes_spliced_into_a_good_note_give_an_answer(noise, where):
    good = note(HEAD + "feedback: [pacing/too-fast]", "Text #feedback/topic\n").encode()
    cut = [0, 4, len(good) // 2, len(good)][where]
    assert isinstance(outcome(good[:cut] + noise + good[cut:]), ANSWERS)


@given(st.integers(1, 2000), st.sampled_from(["[", "{a: ", "- ", "  "]))
def test_nesting_of_any_depth_gives_an_answer(depth, opening):
    closing = {"[": "]", "{a: ": "}", "- ": "", "  ": ""}[opening]
    value = opening * depth + "x" + closing * depth
    assert isinstance(outcome(note(HEAD + f"x: {value}").encode()), (Session, NoteProblem))


@given(st.text(alphabet=string.printable + "\x00\u2028\ufeff", min_size=0, max_size=20000))
def test_any_body_gives_an_answer(body):
    assert isinstance(outcome(note(HEAD, body).encode()), (Session, NoteProblem))


@pytest.mark.parametrize("front_matter, expected", [
    ("client: no", "problem: client should be"),  # YAML 1.1: a boolean
    ("client: 010", ("010",)),  # YAML 1.1: octal 8, but an id is read as written
    ("client: RM-07\ndate: 1:30", "problem: date is not a date"),  # sexagesimal 90
    ("client: RM-07\ndate: 2026-11-20\nsrs_total: 1:30", "problem: srs_total should be a number from 0 to 40"),
    ("client: RM-07\ndate: 2026-11-20\nmood: *word*", "problem: the properties block is not valid YAML"),
    ("client: RM-07\ndate: 2026-11-20\nfeedback_invited: off", False),
    ("client: 0x1F\ndate: 2026-11-20", ("0x1F",)),
])
def test_yaml_11_surprises_are_read_as_pyyaml_reads_them_but_text_as_written(read, front_matter, expected):
    result = read(note(front_matter))
    if isinstance(expected, str):
        assert result.startswith(expected)
    elif isinstance(expected, tuple):
        assert result.clients == expected
    else:
        assert result.invited is expected


@pytest.mark.parametrize("raw, reason", [
    (b"---\nclient: A\x00\n---\n", "not valid YAML"),
    (b"---\nclient: A\ndate: 2026-11-20\n---\nbody \x00 with a NUL\n", None),
    ("---\nclient: A\n---\n".encode("utf-16"), "not UTF-8 text"),
    ("---\nclient: Käthe\n---\n".encode("cp1252"), "not UTF-8 text"),
    (b"---\nclient: A\ndate: 2026-11-20\n---\n" + "é".encode() + "é".encode("latin-1"), "not UTF-8 text"),
])
def test_nul_bytes_and_mixed_encodings(read, raw, reason):
    result = read(raw)
    if reason is None:
        assert isinstance(result, Session)
    else:
        assert reason in result
