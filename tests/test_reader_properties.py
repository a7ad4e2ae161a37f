"""Property-based tests: whatever a note holds, the reader answers and never crashes.

The only way a note can go wrong is a NoteProblem with a plain reason; any other
exception here is a bug that would take a whole scan down.
"""

import datetime as dt
import re
import string

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from mutuality_plugins.errors import NoteProblem
from mutuality_plugins.model import NoteWarning, Session
from mutuality_plugins.reading.body import read_body

from support import read_note as outcome  # a problem's reason is checked to be one line

# What a note gives: a session, a warning (not a session but looks like one), a
# problem, or nothing.
ANSWERS = (Session, NoteWarning, NoteProblem, type(None))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=True),
    st.text(max_size=30), st.dates(), st.datetimes(),
    st.sampled_from(["yes", "No", "[[RM-07]]", "[[a/b.md#h|x]]", "{{date}}", "<% tp %>",
                     "pacing/too-fast: slow", "feedback/invited", "2026-13-45", "  "]),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["theme", "signal", "quote", "phrase", "response", "by",
                                       "x"]) | st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)
property_names = st.sampled_from(
    ["client", "date", "feedback_invited", "tags", "feedback", "srs_relationship", "srs_goals",
     "srs_approach", "srs_overall", "srs_total", "content", "title"]
)
bodies = st.text(alphabet=string.printable + "#`~\u00e4\u2014", max_size=300)


@given(st.binary(max_size=2000))
@example(b"---\n\x00\n---\n")
@example(b"\xef\xbb\xbf---\r\nclient: a\r\n---\r\n")
def test_any_bytes_give_a_session_nothing_or_a_problem(raw):
    assert isinstance(outcome(raw), ANSWERS)


@given(st.text(max_size=500), bodies)
def test_any_text_inside_front_matter_gives_an_answer(front_matter, body):
    raw = f"---\n{front_matter}\n---\n{body}".encode("utf-8", "surrogatepass")
    assert isinstance(outcome(raw), ANSWERS)


@given(st.dictionaries(property_names, values, max_size=8), bodies)
def test_any_yaml_properties_give_an_answer(properties, body):
    front_matter = yaml.safe_dump(properties, allow_unicode=True)
    assert isinstance(outcome(f"---\n{front_matter}---\n{body}".encode()), ANSWERS)


@given(st.dictionaries(property_names, values, min_size=1, max_size=6), st.data())
def test_mangled_yaml_gives_an_answer(properties, data):
    front_matter = yaml.safe_dump(properties, allow_unicode=True)
    cut = data.draw(st.integers(0, len(front_matter)))
    noise = data.draw(st.sampled_from(['"', "'", ":", "*x", "&a", "[", "{", "\t", "- ", "\n  ", "!!",
                                       "{{", "%>", "<<: *a"]))
    mangled = front_matter[:cut] + noise + front_matter[cut:]
    assert isinstance(outcome(f"---\n{mangled}---\n".encode()), ANSWERS)


identifiers = st.text(alphabet=string.ascii_letters + string.digits + "-_ ", min_size=1,
                      max_size=12).map(str.strip).filter(bool)


@given(identifiers, st.sampled_from(["", "Clients/", "A/B c/"]), st.sampled_from(["", ".md", ".MD"]),
       st.sampled_from(["", "#Intake", "^block", "#h|Alias", "|R."]), st.booleans())
def test_a_wikilink_client_is_its_target_name(client, folder, extension, suffix, quoted):
    link = f"[[{folder}{client}{extension}{suffix}]]"
    value = f'"{link}"' if quoted else link
    session = outcome(f"---\nclient: {value}\ndate: 2026-11-20\n---\n".encode())
    if quoted or reads_as_itself(client):
        assert session.clients == (client,)


def reads_as_itself(text):
    """Unquoted in a YAML list, is the text read back as the same text (not a number,
    not an error)?"""
    try:
        return yaml.safe_load(f"[{text}]") == [text]
    except yaml.YAMLError:
        return False


@given(st.dictionaries(property_names, values, max_size=6), bodies)
def test_windows_line_endings_and_bom_read_the_same(properties, body):
    plain = f"---\n{yaml.safe_dump(properties, allow_unicode=True)}---\n{body}"
    windows = "\ufeff" + plain.replace("\r", "").replace("\n", "\r\n")
    same = outcome(plain.replace("\r", "").encode())
    other = outcome(windows.encode())
    if isinstance(same, NoteProblem):
        assert str(other) == str(same)
    else:
        assert other == same


tag_names = st.text(alphabet=string.ascii_lowercase + string.digits + "-_/", min_size=1, max_size=20)


@given(tag_names, st.sampled_from(["```", "~~~", "````"]), st.booleans())
def test_tags_inside_fenced_code_are_never_found(tag, fence, closed):
    body = f"Before\n{fence}python\n#{tag}\nx = 1 #{tag}\n" + (f"{fence}\n" if closed else "")
    assert read_body(body)[0] == ()


@given(tag_names, st.sampled_from(["", "text ", "- ", "\t"]), st.sampled_from(["", ".", ",", " x", "!"]))
def test_a_tag_after_white_space_is_found_and_blanked(tag, before, after):
    tags, text = read_body(f"{before}#{tag}{after}\n")
    assert tags == (tag.lower(),)
    assert "#" not in text


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_every_real_day_is_read_from_property_and_file_name(day):
    property_note = outcome(f"---\nclient: A\ndate: {day.isoformat()}\n---\n".encode())
    named_note = outcome(b"---\nclient: A\n---\n", path=f"Clients/{day.isoformat()} A.md")
    assert property_note.date == named_note.date == day


SECRET = "Zyxwvut-secret"


@given(st.dictionaries(property_names, values, max_size=6), st.data())
def test_problem_messages_never_quote_the_note(properties, data):
    name = data.draw(property_names)
    properties[name] = data.draw(st.sampled_from(
        [SECRET, [SECRET], {"theme": SECRET, "quote": [SECRET]}, {SECRET: 1, "b": 2}, f"*{SECRET}"]))
    front_matter = yaml.safe_dump(properties, allow_unicode=True)
    result = outcome(f"---\n{front_matter}---\n{SECRET}\n".encode())
    if isinstance(result, NoteProblem):
        assert SECRET not in str(result)


yaml_surprises = st.sampled_from(
    ["1:30", "010", "0x1F", "0o17", "1_000", "-.inf", ".NaN", "~", "yes", "Off", "2026-11-20",
     "2026-11-20 10:00:00", "2026-11-20T10:00:00Z", "!!str 12", "!!binary aGk=", "!!set {a, b}",
     "!!omap [a: 1]", "!foo bar", "[a, {b: c}]", "{? [a]: b}", "'quoted: x'", "|\n  block",
     ">-\n  folded", "*alias", "&a x", "<<: {a: 1}", "= x", "!!float 3", "!!int '7'", "12e3"]
)


@given(st.lists(st.tuples(st.text(alphabet=string.ascii_letters, min_size=1, max_size=6)
                          | st.sampled_from(["<<", "=", "1", "true", "null", "[a]"]),
                          yaml_surprises | st.text(max_size=15)), max_size=6))
@example([("a", "&x [1, 2]"), ("b", "*x")])
def test_the_fast_yaml_path_reads_exactly_like_pyyaml(pairs):
    from mutuality_plugins.reading.yaml_loading import load_yaml

    document = "\n".join(f"{key}: {value}" for key, value in pairs)

    def load(reader):
        try:
            return repr(reader(document))
        except Exception as error:  # the same failure counts as the same answer
            return type(error).__name__

    expected = load(lambda text: yaml.load(text, Loader=yaml.CSafeLoader))
    # On purpose: a date that is not a real day is read as text, and a number written
    # with leading zeros (036, 09) as the decimal number written.
    if expected != "ValueError" and not LEADING_ZEROS.search(document):
        assert load(load_yaml) == expected


LEADING_ZEROS = re.compile(r"(?<![\w.:])[-+]?0[0-9]+(?![\w.:])")


@pytest.mark.parametrize("written, number", [("036", 36), ("09", 9), ("-07", -7), ("00", 0)])
def test_a_number_written_with_leading_zeros_is_the_decimal_number_written(written, number):
    from mutuality_plugins.reading.front_matter import load_properties
    from mutuality_plugins.reading.values import as_text

    value = load_properties(f"a: {written}\nb: '{written}'\nc: [{written}]")
    assert (value["a"], as_text(value["a"]), value["b"], value["c"]) == (
        number, written, written, [number])
