"""The front-matter block, and the problems a note can have."""

import datetime as dt

import pytest

from mutuality_plugins.model import Session

from support import note

SESSION = "client: RM-07\ndate: 2026-11-20\n"


def test_a_note_with_client_and_date_is_a_session(read):
    session = read(note(SESSION))
    assert isinstance(session, Session)
    assert session.clients == ("RM-07",)
    assert session.date == dt.date(2026, 11, 20)


def test_a_note_without_front_matter_is_not_a_session(read):
    assert read("# Reading list\n\nclient: RM-07\n") is None


def test_a_note_without_client_is_not_a_session_and_not_a_problem(read):
    assert read(note("title: Reading list\ndate: 2026-11-20")) is None


@pytest.mark.parametrize("opening", ["---", "---   ", "---\t"])
def test_trailing_spaces_after_the_opening_fence_are_allowed(read, opening):
    assert isinstance(read(f"{opening}\n{SESSION}---\nbody"), Session)


def test_trailing_spaces_after_the_closing_fence_are_allowed(read):
    assert isinstance(read(f"---\n{SESSION}---  \nbody"), Session)


@pytest.mark.parametrize("first_line", ["----", "--- x", " ---", "# ---"])
def test_only_three_dashes_on_the_first_line_open_front_matter(read, first_line):
    assert read(f"{first_line}\n{SESSION}---\n") is None


def test_windows_notes_with_bom_and_crlf_read_the_same(read):
    plain = read(note(SESSION + "feedback_invited: yes", "Said #feedback/pacing/too-fast\n"))
    windows = "\ufeff" + note(SESSION + "feedback_invited: yes", "Said #feedback/pacing/too-fast\n")
    windows_session = read(windows.replace("\n", "\r\n").encode("utf-8"))
    assert windows_session == plain
    assert windows_session.items[0].key == ("pacing", "too-fast")


def test_an_empty_block_is_an_empty_mapping(read):
    assert read("---\n---\nclient: RM-07\n") is None


def test_a_block_never_closed_is_a_problem(read):
    assert read("---\nclient: RM-07\ndate: 2026-11-20\n\nNo closing line.").startswith(
        "problem: the properties block at the top is never closed"
    )


def test_a_lone_opening_fence_is_a_problem(read):
    assert "never closed" in read("---")


def test_invalid_yaml_is_a_problem_naming_the_line(read):
    message = read(note('client: RM-07\ndate: 2026-11-20\ntitle: "unclosed'))
    assert message.startswith("problem: the properties block is not valid YAML")


def test_an_unquoted_alias_like_word_is_a_problem(read):
    assert "not valid YAML" in read(note("client: RM-07\nmood: *tired*"))


@pytest.mark.parametrize("block", ["- client\n- RM-07", "just text", "42"])
def test_front_matter_that_is_not_a_mapping_is_a_problem(read, block):
    assert "not a list of `name: value` lines" in read(f"---\n{block}\n---\n")


def test_bytes_that_are_not_utf8_are_a_problem(read):
    raw = note(SESSION, "Sitzung mit K\u00e4the\n").encode("latin-1")
    assert read(raw).startswith("problem: the note is not UTF-8 text")


def test_a_repeated_key_keeps_its_last_value(read):
    assert read(note("client: AB-01\nclient: RM-07\ndate: 2026-11-20")).clients == ("RM-07",)


def test_a_property_named_content_is_no_trouble(read):
    assert isinstance(read(note(SESSION + "content: session summary")), Session)


def test_yaml_11_booleans_are_read_as_booleans(read):
    assert read(note(SESSION + "feedback_invited: on")).invited is True
    assert read(note(SESSION + "feedback_invited: off")).invited is False


def test_template_placeholders_count_as_absent_and_keep_yaml_valid(read):
    template = note(
        'client: "{{title}}"\ndate: {{date}}\nfeedback_invited: <% tp.system.prompt("Invited?") %>'
    )
    assert read(template) is None


def test_a_placeholder_in_one_property_leaves_the_others(read):
    session = read(note("client: RM-07\ndate: 2026-11-20\nfeedback_invited: {{invited}}"))
    assert session.invited is False


def test_a_templater_date_with_a_file_name_date_falls_back_to_the_name(read):
    text = note('client: RM-07\ndate: <% tp.date.now("YYYY-MM-DD") %>')
    assert read(text, path="2026-11-18 RM-07.md").date == dt.date(2026, 11, 18)


def test_a_placeholder_stays_within_one_value(read):
    text = note('client: RM-07\nquote: "{{"\ndate: 2026-11-13\nx: "}}"\nfeedback_invited: yes')
    session = read(text, path="2026-11-20 RM-07.md")
    assert (session.date, session.invited) == (dt.date(2026, 11, 13), True)


@pytest.mark.parametrize("hostile", ["{{" * 15000, "<%" * 15000, "{{ " * 10000, "<%<" * 10000])
def test_hostile_placeholder_text_is_plain_text_and_no_problem(read, hostile):
    # How long such a value takes next to an ordinary one is measured in
    # benchmarks/hostile_notes.py, not here: a unit test holds no timing threshold.
    session = read(note(SESSION + f"tags: '{hostile}'"))
    assert session.items == ()


def test_a_number_with_thousands_of_digits_is_read_as_written(read):
    assert read(note(f"client: 0x{'F' * 5000}\ndate: 2026-11-20")) == (
        "problem: a client is named with more than 100 characters; use a short id, like RM-07"
    )
    assert read(note(f"client: RM-07\ndate: 2026-11-20\nsrs_total: 0x{'F' * 5000}")) == (
        "problem: srs_total should be a number from 0 to 40")


def test_a_front_matter_block_over_64_kib_is_a_problem(read):
    big = SESSION + "".join(f"k{i}: {'x' * 60}\n" for i in range(1200))
    assert "larger than 64 KiB" in read(f"---\n{big}---\n")


def test_a_note_over_the_size_cap_is_a_problem(read):
    assert "larger than 4 MiB" in read(note(SESSION, "x" * (4 * 1024 * 1024 + 10)))


def test_deep_nesting_is_a_problem_not_a_crash(read):
    deep = "[" * 5000 + "]" * 5000
    assert "nested too deeply" in read(note(SESSION + f"x: {deep}"))


def test_nesting_just_below_the_limit_is_still_read(read):
    assert isinstance(read(note(SESSION + "x: " + "{a: " * 999 + "}" * 999)), Session)


def test_an_alias_bomb_is_a_problem(read):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    assert "too many values" in read(note(SESSION + bomb))


def test_an_alias_repeating_a_long_text_is_a_problem(read):
    long_text = "pacing/" + "x" * 30000
    text = note(SESSION + f"s: &a '{long_text}'\nfeedback: [{', '.join(['*a'] * 100)}]")
    assert "too many values" in read(text)


def test_a_few_honest_anchors_are_fine(read):
    text = note(SESSION + "base: &base {room: 2}\nsame: *base")
    assert isinstance(read(text), Session)


def test_a_merge_key_is_read(read):
    text = note("defaults: &d {client: RM-07, date: 2026-11-20}\n<<: *d")
    assert read(text).clients == ("RM-07",)
