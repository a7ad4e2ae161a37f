"""Feedback in a note: invitation, tags, feedback items, merging, and the Session Rating Scale."""

from textwrap import dedent

import pytest

from mutuality_plugins.model import FeedbackItem

from support import note

HEAD = "client: RM-07\ndate: 2026-11-20\n"


def items(session):
    return [item.key for item in session.items]


# Invitation


@pytest.mark.parametrize(
    "value, invited",
    [("true", True), ("false", False), ("yes", True), ("no", False), ("'Yes'", True),
     ("'NO'", False), ("' TRUE '", True), ("'False'", False), ("", False)],
)
def test_feedback_invited_values(read, value, invited):
    assert read(note(HEAD + f"feedback_invited: {value}")).invited is invited


def test_without_feedback_invited_a_session_is_not_invited(read):
    assert read(note(HEAD)).invited is False


@pytest.mark.parametrize("value", ["maybe", "1", "0", "[yes]", "'y'"])
def test_any_other_feedback_invited_is_a_problem(read, value):
    assert read(note(HEAD + f"feedback_invited: {value}")) == (
        "problem: feedback_invited should be yes or no (or true or false)"
    )


def test_the_invited_tag_invites_in_the_tags_property(read):
    assert read(note(HEAD + "tags: [session, feedback/invited]")).invited is True


def test_the_invited_tag_invites_in_the_body(read):
    assert read(note(HEAD + "feedback_invited: no", "Asked: #feedback/invited\n")).invited


@pytest.mark.parametrize("tag", ["feedback/invited-ish", "feedback/invite", "x/feedback/invited"])
def test_only_the_exact_invited_tag_invites(read, tag):
    assert read(note(HEAD + f"tags: [{tag}]")).invited is False


def test_the_invited_tag_is_not_an_item(read):
    assert read(note(HEAD + "tags: [feedback/invited]")).items == ()


# Tags


@pytest.mark.parametrize(
    "tags",
    ["[session, feedback/pacing/too-fast]", "session, feedback/pacing/too-fast",
     "session feedback/pacing/too-fast", "'#session #feedback/pacing/too-fast'",
     "['#feedback/pacing/too-fast']", "[Feedback/Pacing/Too-Fast]", "feedback/pacing/too-fast"],
)
def test_tags_property_forms(read, tags):
    assert items(read(note(HEAD + f"tags: {tags}"))) == [("pacing", "too-fast")]


def test_non_string_tags_are_read_as_text(read):
    assert items(read(note(HEAD + "tags: [2026, feedback/topic]"))) == [("topic", "")]


@pytest.mark.parametrize(
    "body",
    ["#feedback/pacing/too-fast\n", "She said #feedback/pacing/too-fast today\n",
     "Slow down\t#feedback/pacing/too-fast.\n", "(list)\n- #feedback/pacing/too-fast, she said\n"],
)
def test_inline_tags_are_found_in_the_body(read, body):
    assert items(read(note(HEAD, body))) == [("pacing", "too-fast")]


@pytest.mark.parametrize(
    "body",
    ["word#feedback/pacing/too-fast\n", "Use `#feedback/pacing/too-fast` to tag\n",
     "```\n#feedback/pacing/too-fast\n```\n", "~~~markdown\n#feedback/pacing/too-fast\n~~~\n",
     "text\n```\nnever closed\n#feedback/pacing/too-fast\n", "# feedback/pacing heading\n",
     "`` a ` #feedback/pacing/too-fast ``\n"],
)
def test_no_tags_in_code_or_glued_to_a_word(read, body):
    assert read(note(HEAD, body)).items == ()


def test_a_tag_after_a_closed_fence_counts(read):
    body = "```\ncode\n```\nAfter: #feedback/topic/not-now\n"
    assert items(read(note(HEAD, body))) == [("topic", "not-now")]


@pytest.mark.parametrize(
    "tag, expected",
    [("feedback/pacing", [("pacing", "")]), ("feedback/pacing/too-fast", [("pacing", "too-fast")]),
     ("feedback/pacing/too/fast", []), ("feedback", []), ("feedbacks/pacing", [])],
)
def test_feedback_tags_have_two_or_three_parts(read, tag, expected):
    assert items(read(note(HEAD + f"tags: [{tag}]"))) == expected


def test_a_words_tag_reads_dashes_as_spaces_in_the_phrase(read):
    (item,) = read(note(HEAD, "#feedback/words/acting-out\n")).items
    assert (item.signal, item.phrase) == ("acting-out", "acting out")


# The feedback property


def test_a_string_entry_gives_theme_signal_and_quote(read):
    (item,) = read(note(HEAD + 'feedback: ["Pacing/Too Fast: You are rushing me"]')).items
    assert (item.theme, item.signal, item.quote) == ("pacing", "too-fast", "You are rushing me")


def test_the_quote_is_everything_after_the_first_colon(read):
    (item,) = read(note(HEAD + "feedback: ['topic/not-now: not now: later']")).items
    assert item.quote == "not now: later"


def test_an_unquoted_one_key_mapping_reads_as_the_string(read):
    session = read(note(HEAD + "feedback:\n  - pacing/too-fast: slow down\n  - topic:"))
    assert [(i.key, i.quote) for i in session.items] == [
        (("pacing", "too-fast"), "slow down"), (("topic", ""), None),
    ]


def test_a_full_mapping_gives_every_field(read):
    text = note(HEAD + dedent("""
        feedback:
          - theme: Words
            signal: Acting Out
            quote: "Don't call it that"
            phrase: acting out
            response: Adjusted
            by: client
    """))
    (item,) = read(text).items
    assert item == FeedbackItem(
        "words", "acting-out", "Don't call it that", "acting out", "adjusted", "client"
    )


def test_a_single_string_or_mapping_is_a_list_of_one(read):
    assert items(read(note(HEAD + "feedback: pacing/too-slow"))) == [("pacing", "too-slow")]
    assert items(read(note(HEAD + "feedback: {theme: topic, signal: drifted}"))) == [
        ("topic", "drifted")
    ]


def test_absent_entries_are_skipped(read):
    text = note(HEAD + "feedback: [null, '', pacing/enough, '{{feedback}}', {theme: null}]")
    assert items(read(text)) == [("pacing", "enough")]


@pytest.mark.parametrize(
    "entry", ["42", "true", "{a: 1, b: 2}", "[[pacing]]", "{}", "{theme: [pacing]}"]
)
def test_other_entries_are_a_problem(read, entry):
    assert read(note(HEAD + f"feedback: [{entry}]")).startswith("problem: ")


@pytest.mark.parametrize("entry", ["{{theme}}: {{quote}}", "<% tp.x %>: y", "~: said"])
def test_a_one_key_entry_with_an_absent_key_is_skipped(read, entry):
    assert read(note(HEAD + f"feedback:\n  - {entry}\n  - pacing")).items[0].key == ("pacing", "")
    assert len(read(note(HEAD + f"feedback:\n  - {entry}\n  - pacing")).items) == 1


def test_a_tag_glued_to_a_code_span_is_not_a_tag(read):
    assert read(note(HEAD, "`code`#feedback/pacing/too-fast\n")).items == ()


def test_an_entry_without_a_theme_is_a_problem(read):
    assert "no theme" in read(note(HEAD + "feedback: ['/too-fast: hm']"))


def test_other_themes_are_kept(read):
    assert items(read(note(HEAD + "feedback: [homework/too-much]"))) == [("homework", "too-much")]


def test_a_words_mapping_with_a_phrase_takes_it_as_signal(read):
    (item,) = read(note(HEAD + "feedback: [{theme: words, phrase: '  Acting   Out '}]")).items
    assert (item.signal, item.phrase) == ("acting-out", "  Acting   Out ".strip())


def test_the_phrase_of_a_words_item_is_its_signal_with_spaces(read):
    (item,) = read(note(HEAD + "feedback: [words/resistance-talk]")).items
    assert item.phrase == "resistance talk"


def test_a_words_item_with_a_phrase_keeps_its_phrase(read):
    (item,) = read(note(HEAD + "feedback: [{theme: words, signal: ao, phrase: acting out}]")).items
    assert (item.signal, item.phrase) == ("ao", "acting out")


def test_a_response_is_lowercased_and_other_words_are_kept(read):
    text = note(HEAD + "feedback: [{theme: a, response: PENDING}, {theme: b, response: Noted}]")
    assert [item.response for item in read(text).items] == ["pending", "noted"]


# Who raised it


@pytest.mark.parametrize(
    "invited, by, expected",
    [("yes", None, "invited"), ("no", None, "client"), ("yes", "client", "client"),
     ("no", "invited", "invited"), ("yes", "therapist", "invited"), ("no", "??", "client"),
     ("no", "Client", "client")],
)
def test_by_defaults_from_the_invitation(read, invited, by, expected):
    field = f", by: '{by}'" if by else ""
    text = note(HEAD + f"feedback_invited: {invited}\nfeedback: [{{theme: pacing{field}}}]")
    assert read(text).items[0].by == expected


# Merging within one note


def test_items_with_the_same_theme_and_signal_are_one_item(read):
    text = note(
        HEAD + "tags: [feedback/pacing/too-fast]\nfeedback: ['pacing/too fast: slow', Pacing/TOO-FAST]",
        "Again #feedback/pacing/too-fast\n",
    )
    assert items(read(text)) == [("pacing", "too-fast")]


def test_the_first_mapping_gives_fields_and_later_mappings_fill_absent_ones(read):
    text = note(HEAD + dedent("""
        feedback:
          - {theme: pacing, signal: too-fast, quote: first, response: adjusted}
          - {theme: pacing, signal: too-fast, quote: second, by: client, phrase: p}
    """))
    (item,) = read(text).items
    assert (item.quote, item.response, item.by, item.phrase) == ("first", "adjusted", "client", "p")


def test_strings_and_tags_add_nothing_to_a_mapping(read):
    text = note(HEAD + dedent("""
        tags: [feedback/pacing/too-fast]
        feedback:
          - "pacing/too-fast: from a string"
          - {theme: pacing, signal: too-fast, quote: from the mapping}
    """))
    assert read(text).items[0].quote == "from the mapping"


def test_a_string_adds_nothing_to_a_mapping_even_when_it_comes_first(read):
    text = note(HEAD + dedent("""
        feedback:
          - "pacing/too-fast: slow down"
          - {theme: pacing, signal: too-fast, response: adjusted}
    """))
    (item,) = read(text).items
    assert (item.quote, item.response) == (None, "adjusted")


def test_the_first_string_gives_the_quote_of_an_item_no_mapping_gives(read):
    text = note(HEAD + "feedback: ['pacing/too-fast: first', 'pacing/too-fast: second']")
    assert read(text).items[0].quote == "first"


def test_a_yes_or_no_quote_reads_as_the_word(read):
    assert read(note(HEAD + "feedback:\n  - pacing/enough: yes")).items[0].quote == "yes"


def test_both_sources_are_read_always(read):
    text = note(HEAD + "tags: [feedback/topic/drifted]\nfeedback: [pacing/enough]",
                "#feedback/words/broken\n")
    assert sorted(items(read(text))) == [("pacing", "enough"), ("topic", "drifted"),
                                         ("words", "broken")]


# Session Rating Scale


def test_the_srs_total_is_the_sum_of_the_four_scales(read):
    text = note(HEAD + "srs_relationship: 9\nsrs_goals: 8.5\nsrs_approach: 7\nsrs_overall: 9.25")
    assert read(text).srs_total == 33.8
    assert read(text + "").srs_total == read(note(HEAD + "srs_relationship: 9\nsrs_goals: 8.5\n"
                                                  "srs_approach: 7\nsrs_overall: 9.25\n"
                                                  "srs_total: 33.75")).srs_total


def test_the_four_scales_and_a_total_that_disagrees_are_a_problem_saying_both(read):
    text = note(HEAD + "srs_relationship: 9\nsrs_goals: 8\nsrs_approach: 7\nsrs_overall: 9\n"
                "srs_total: 36")
    assert read(text) == ("problem: the four Session Rating Scale items add up to 33, but "
                          "srs_total is 36: correct one of them, or leave srs_total out")


@pytest.mark.parametrize("given, missing", [
    ("srs_goals: 8\nsrs_total: 35", "srs_relationship, srs_approach and srs_overall are"),
    ("srs_goals: 8", "srs_relationship, srs_approach and srs_overall are"),
    ("srs_relationship: 9\nsrs_goals: 8\nsrs_approach: 7", "srs_overall is"),
    ("Srs_Relationship: 9\nsrs_goals: 8\nsrs_overall: 7\nsrs_total: 24", "srs_approach is"),
])
def test_some_but_not_all_four_scales_are_a_problem_naming_the_missing(read, given, missing):
    assert read(note(HEAD + given)) == (
        f"problem: the Session Rating Scale has {4 - missing.count('srs_')} of its 4 items: "
        f"{missing} missing; write all four, or only srs_total")


def test_only_the_total_is_the_total(read):
    assert read(note(HEAD + "srs_total: 35")).srs_total == 35.0


def test_without_srs_there_is_no_total(read):
    assert read(note(HEAD)).srs_total is None


@pytest.mark.parametrize(
    "field",
    ["srs_goals: 11", "srs_goals: -1", "srs_total: 41", "srs_overall: '9'", "srs_approach: true",
     "srs_total: .nan", "srs_relationship: [9]"],
)
def test_an_srs_value_out_of_range_or_not_a_number_is_a_problem(read, field):
    name = field.split(":")[0]
    assert read(note(HEAD + field)).startswith(f"problem: {name} should be a number from 0 to")


def test_a_score_in_quotes_is_told_to_lose_them(read):
    assert read(note(HEAD + 'srs_total: "36"')) == (
        "problem: srs_total should be a number from 0 to 40, written without quotes")


@pytest.mark.parametrize("total, expected", [("35.25", 35.3), ("35.24", 35.2), ("-0.0", 0.0)])
def test_the_srs_total_is_rounded_half_up_to_one_decimal(read, total, expected):
    assert str(read(note(HEAD + f"srs_total: {total}")).srs_total) == str(expected)


def test_srs_boundaries_are_allowed(read):
    assert read(note(HEAD + "srs_relationship: 0\nsrs_goals: 10\nsrs_approach: 10\n"
                     "srs_overall: 10")).srs_total == 30.0
    assert read(note(HEAD + "srs_total: 40")).srs_total == 40.0
