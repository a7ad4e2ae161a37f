"""Every alert rule at its boundaries, on hand-built sessions."""

import datetime as dt
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mutuality_plugins.conditions import first_on, runs_of
from mutuality_plugins.config import Settings
from mutuality_plugins.model import FeedbackItem, ScanResult, Session
from mutuality_plugins.practice import PracticeBuilder
from mutuality_plugins.rules import flagged_word_reused

from support import BUILT_IN, note, read_note

RULES = [rule for _, rule in BUILT_IN.rules()]
START = dt.date(2026, 9, 7)


def raise_alerts(sessions, settings=Settings(), since=None):
    """Every alert the built-in rules raise at these sessions, as a command builds them."""
    builder = PracticeBuilder(Path("vault"), BUILT_IN, settings)
    scan = ScanResult(len(sessions), tuple(sessions), ())
    today = max((session.date for session in sessions), default=START)  # all have happened
    return list(builder.build(scan, today, since).alerts)


def session(n, client="RM-07", *, invited=False, items=(), srs=None, text="", day=None, path=None,
            ors=None, risk=None):
    """The n-th weekly session of a client; items are ``theme/signal`` or FeedbackItems."""
    clients = client if isinstance(client, tuple) else (client,)
    date = day or START + dt.timedelta(weeks=n)
    return Session(
        path=path or f"{clients[0]}/{date} s{n}.md",
        date=date,
        clients=clients,
        invited=invited,
        items=tuple(
            item if isinstance(item, FeedbackItem) else FeedbackItem(*item.split("/"))
            for item in items
        ),
        scores={name: score for name, score in (("srs", srs), ("ors", ors)) if score is not None},
        text=text,
        risks={} if risk is None else {"phq9-item9": risk},
    )


def alerts(sessions, rule, /, **settings):
    config = Settings(rules={rule: settings} if settings else {})
    return [a for a in raise_alerts(sessions, config) if a.rule == rule]


def raised_at(found):
    return [(a.client, a.note) for a in found]


def checked(rule, sessions, since=None, /, **settings):
    """The alerts the rule's condition raises for one client's sessions, before a
    command keeps one alert of each identity (and 20 a session)."""
    found = runs("RM-07", rule, sessions, since, **settings)
    return [(a.note, a.detail, a.evidence) for a in found.alerts]


def runs(client, rule, sessions, since=None, /, **settings):
    """The runs of the rule's condition over one client's sessions, as the core makes
    them (asking for the holdings from just before ``since``, further back if need be)."""
    found = next(each for each in RULES if each.name == rule)
    chosen = {**rule_defaults(rule), **settings}
    if found.counted is not None:
        sessions = [s for s in sessions if found.counted(s)]
    return runs_of(found, client, sessions, first_on(sessions, since),
                   lambda first: list(found.condition(client, sessions, chosen, first)))


def rule_defaults(rule):
    return next(each.settings for each in RULES if each.name == rule)


# uninvited-streak


@pytest.mark.parametrize("run, expected", [(2, 0), (3, 1), (4, 1), (6, 1)])
def test_uninvited_streak_is_raised_once_at_exactly_n(run, expected):
    found = alerts([session(n) for n in range(run)], "uninvited-streak")
    assert len(found) == expected
    if expected:
        assert found[0].note == session(2).path
        assert found[0].evidence == tuple(session(n).path for n in range(3))
        assert found[0].message == (f"not invited to give feedback for 3 sessions in a row, "
                                    f"since {START}")


def test_uninvited_streak_is_reset_by_an_invited_session():
    sessions = [session(0), session(1), session(2, invited=True), session(3), session(4),
                session(5), session(6), session(7), session(8, invited=True), session(9)]
    assert [a.note for a in alerts(sessions, "uninvited-streak")] == [session(5).path]


def test_uninvited_streak_counts_each_client_on_its_own():
    sessions = [session(n, "A") for n in range(3)] + [session(n, "B") for n in range(2)]
    assert [a.client for a in alerts(sessions, "uninvited-streak")] == ["A"]


def test_a_threshold_from_the_config():
    sessions = [session(n) for n in range(5)]
    found = alerts(sessions, "uninvited-streak", sessions=5)
    assert [a.note for a in found] == [session(4).path]


def test_a_rule_turned_off_raises_nothing():
    assert alerts([session(n) for n in range(5)], "uninvited-streak", enabled=False) == []


# silent-client


@pytest.mark.parametrize("run, expected", [(2, 0), (3, 1), (5, 1)])
def test_silent_client_is_raised_once_at_exactly_n(run, expected):
    found = alerts([session(n, invited=True) for n in range(run)], "silent-client")
    assert [a.note for a in found] == [session(2).path] * expected


@pytest.mark.parametrize("breaker", [dict(invited=False), dict(invited=True, items=["pacing"])])
def test_silent_client_is_reset_by_an_uninvited_session_or_an_item(breaker):
    sessions = [session(0, invited=True), session(1, invited=True), session(2, **breaker),
                session(3, invited=True), session(4, invited=True), session(5, invited=True)]
    assert [a.note for a in alerts(sessions, "silent-client")] == [session(5).path]


# recurring-signal


def test_recurring_signal_is_raised_when_the_count_reaches_k_in_the_window():
    sessions = [session(0, items=["pacing/too-fast"]), session(1), session(2, items=["pacing/too-fast"])]
    (found,) = alerts(sessions, "recurring-signal")
    assert (found.note, found.detail) == (session(2).path, "pacing/too-fast")
    assert found.evidence == (session(0).path, session(2).path)


def test_recurring_signal_outside_the_window_is_not_raised():
    sessions = [session(0, items=["pacing/too-fast"]), session(1), session(2),
                session(3, items=["pacing/too-fast"])]
    assert alerts(sessions, "recurring-signal") == []


def test_recurring_signal_is_not_raised_again_while_the_count_stays_at_k():
    sessions = [session(n, items=["pacing/too-fast"]) for n in range(4)]
    assert [a.note for a in alerts(sessions, "recurring-signal")] == [session(1).path]


def test_recurring_signal_is_raised_again_after_the_count_fell_below_k():
    pattern = [1, 1, 0, 0, 0, 1, 0, 1]
    sessions = [session(n, items=["topic/not-now"] if on else []) for n, on in enumerate(pattern)]
    assert [a.note for a in alerts(sessions, "recurring-signal")] == [
        session(1).path, session(7).path,
    ]


def test_recurring_signal_detail_is_the_theme_alone_when_the_signal_is_empty():
    sessions = [session(0, items=["pacing"]), session(1, items=["pacing"])]
    assert [a.detail for a in alerts(sessions, "recurring-signal")] == ["pacing"]


def test_recurring_signal_with_k_and_w_from_the_config():
    sessions = [session(n, items=["words/broken"] if n in (0, 3, 4) else []) for n in range(5)]
    assert alerts(sessions, "recurring-signal", times=3, window=5)[0].note == session(4).path
    assert alerts(sessions, "recurring-signal", times=3, window=4) == []


def test_recurring_signal_with_k_of_1_is_raised_at_the_first_session():
    sessions = [session(0, items=["pacing/enough"])]
    assert len(alerts(sessions, "recurring-signal", times=1)) == 1


# flagged-word-reused


def words(phrase):
    return FeedbackItem("words", "-".join(phrase.split()), phrase=phrase)


def test_a_flagged_phrase_in_a_later_note_is_raised():
    sessions = [session(0, items=[words("acting out")], text="They called it acting out."),
                session(1, text="Some\nACTING -\n  Out again"), session(2, text="nothing")]
    (found,) = alerts(sessions, "flagged-word-reused")
    assert (found.note, found.detail) == (session(1).path, "acting out")


def test_the_session_that_flags_a_phrase_does_not_raise_it():
    assert alerts([session(0, items=[words("acting out")], text="acting out")],
                  "flagged-word-reused") == []


@pytest.mark.parametrize("text", ["enacting out", "acting outside", "acting_out", "acting, out",
                                  "out acting", "acting2 out"])
def test_a_phrase_inside_other_words_is_not_a_reuse(text):
    sessions = [session(0, items=[words("acting out")]), session(1, text=text)]
    assert alerts(sessions, "flagged-word-reused") == []


def test_each_phrase_is_raised_once_per_session_and_in_every_later_session():
    sessions = [session(0, items=[words("broken"), words("Resistance Talk")]),
                session(1, text="broken, broken, resistance-talk"), session(2, text="Broken.")]
    assert sorted((a.note, a.detail) for a in alerts(sessions, "flagged-word-reused")) == [
        (session(1).path, "broken"), (session(1).path, "resistance talk"),
        (session(2).path, "broken"),
    ]


def test_the_client_objecting_again_to_a_word_is_not_a_reuse_of_it():
    sessions = [session(0, items=[words("acting out")]),
                session(1, items=[words("Acting-Out")], text="you call it acting out again"),
                session(2, text="acting out")]
    assert reused(sessions) == [(session(2).path, "acting out")]


def test_a_flagged_phrase_is_per_client():
    sessions = [session(0, "A", items=[words("broken")]), session(1, "B", text="broken")]
    assert alerts(sessions, "flagged-word-reused") == []


@pytest.mark.usefixtures("search")
def test_a_note_with_more_reused_words_than_anyone_reads_raises_twenty_and_counts_the_rest():
    """The attack: each phrase inside the next (x, x x, x x x...), all in every later
    note, would raise every phrase in every session."""
    flagged = [" ".join(["x"] * n) for n in range(1, 301)]
    sessions = [session(0, items=[words(phrase) for phrase in flagged]),
                *(session(n, text="x " * 300) for n in (1, 2))]
    raised = alerts(sessions, "flagged-word-reused")
    assert [len([a for a in raised if a.note == session(n).path]) for n in (1, 2)] == [20, 20]
    assert [a.detail for a in raised[:20]] == flagged[:20]  # in the order flagged
    assert raised[19].message.endswith("(and 280 more like it at this session, not listed "
                                       "one by one)")
    assert "more" not in raised[18].message


def test_any_rule_raises_at_most_twenty_alerts_a_session():
    items = [f"topic/t{n:02}" for n in range(30)]
    raised = alerts([session(0, items=items), session(1, items=items)], "recurring-signal")
    assert [a.detail for a in raised] == items[:20]
    assert raised[-1].message.endswith("(and 10 more like it at this session, not listed "
                                       "one by one)")


def test_an_alert_over_many_sessions_links_the_first_and_last_five():
    sessions = [session(n) for n in range(30)]
    (found,) = alerts(sessions, "uninvited-streak", sessions=30)
    assert found.evidence == tuple(s.path for s in [*sessions[:5], *sessions[-5:]])
    assert found.message.endswith("(30 notes; the first and last 5 are linked)")
    (few,) = alerts(sessions[:10], "uninvited-streak", sessions=10)
    assert len(few.evidence) == 10 and "linked" not in few.message


def reused(sessions):
    return sorted((a.note, a.detail) for a in alerts(sessions, "flagged-word-reused"))


SEARCHES = {  # (_SHORTCUT, _ONE_BY_ONE) of flagged_word_reused
    "one pass for all phrases": (0, 0),
    "substring tests, then one pass": (256, 0),
    "substring tests, then an expression for each phrase": (256, 64),
}


@contextmanager
def searching(how):
    """The rule searching the notes ``how`` (a key of SEARCHES): with many phrases it
    makes one pass for all; with few, shortcuts whose work is bounded too."""
    shortcut, one_by_one = SEARCHES[how]
    with mock.patch.object(flagged_word_reused, "_SHORTCUT", shortcut), \
            mock.patch.object(flagged_word_reused, "_ONE_BY_ONE", one_by_one):
        yield


@pytest.fixture(params=list(SEARCHES))
def search(request):
    """The tests that use it hold whichever way the rule searches."""
    with searching(request.param):
        yield


@pytest.mark.usefixtures("search")
def test_overlapping_phrases_are_all_found():
    """Every phrase is found, however they overlap; each still needs its own bounds."""
    flagged = ["acting out", "out of line", "act", "of", "line", "acting out of line again"]
    sessions = [session(0, items=[words(phrase) for phrase in flagged]),
                session(1, text="Acting out of line.")]
    assert reused(sessions) == [(session(1).path, phrase) for phrase in
                                ["acting out", "line", "of", "out of line"]]


@pytest.mark.usefixtures("search")
def test_phrases_ending_together_are_all_found():
    sessions = [session(0, items=[words("out"), words("acting out"), words("ting out")]),
                session(1, text="acting-out")]
    assert reused(sessions) == [(session(1).path, "acting out"), (session(1).path, "out")]


@pytest.mark.usefixtures("search")
def test_a_phrase_flagged_later_does_not_hide_one_flagged_before_it():
    sessions = [session(0, items=[words("out")]),
                session(1, items=[words("acting out")], text="acting out"),
                session(2, text="acting out")]
    assert reused(sessions) == [(session(1).path, "out"), (session(2).path, "acting out"),
                                (session(2).path, "out")]


@pytest.mark.usefixtures("search")
@pytest.mark.parametrize("phrase, text, found", [
    ("x!", "x!y", False), ("x!", "x!!y", True), ("x!", "x! y", True), ("x!", "ax!", False),
    ("!y", "x!y", False), ("!y", "x !y", True), ("!y", "?!y", True), ("!y", "!yz", False),
    ("a.b", "a.b", True), ("a.b", "a. b", False), ("a.b", "a.bc", False),
    ("!!", "! !", False), ("!!", "!!!", True), ("'s", "client's", False),
    ("'s", "the 's.", True), ("_", "a_b", False), ("_", "._.", True),
])
def test_punctuation_at_the_ends_of_a_phrase_and_inside_it(phrase, text, found):
    sessions = [session(0, items=[words(phrase)]), session(1, text=text)]
    assert reused(sessions) == ([(session(1).path, phrase)] if found else [])


@pytest.mark.usefixtures("search")
def test_a_note_is_searched_the_same_in_chunks_of_any_size():
    """Long notes are read a chunk of tokens at a time; a phrase across a cut is found."""
    flagged = ["a !", "b.c", "x !y", "!!", "c - d", "(sic)"]
    text = "A ! b.c, x !y !! c-d (sic) !! a ! b.c"
    sessions = [session(0, items=[words(phrase) for phrase in flagged]), session(1, text=text)]
    everything = [(session(1).path, detail, (session(0).path, session(1).path))
                  for detail in ["a !", "b.c", "x !y", "!!", "c d", "(sic)"]]
    for chunk in range(1, len(text) + 2):
        with mock.patch.object(flagged_word_reused, "_CHUNK", chunk):
            assert checked("flagged-word-reused", sessions) == everything, chunk


@pytest.mark.usefixtures("search")
def test_a_phrase_over_and_over_is_raised_once():
    sessions = [session(0, items=[words("a a"), words("a")]), session(1, text="A a a-a\na")]
    assert checked("flagged-word-reused", sessions) == [
        (session(1).path, phrase, (session(0).path, session(1).path)) for phrase in ("a a", "a")]


@pytest.mark.usefixtures("search")
@pytest.mark.parametrize("text, found", [
    ("\u0130resistance", False), ("\u0130 resistance", True), ("RES\u0130STANCE", True),
    ("res\u0130stance", True),
])
def test_a_dotted_capital_i_is_a_letter_before_a_phrase_and_an_i_inside_it(text, found):
    sessions = [session(0, items=[words("resistance")]), session(1, text=text)]
    assert reused(sessions) == ([(session(1).path, "resistance")] if found else [])


def test_the_client_objecting_again_to_a_word_is_no_reuse_of_it():
    first = read_note(note("client: A\ndate: 2026-11-02", "It felt like resistance to me. "
                           "#feedback/words/resistance\n"), "A/1.md")
    again = read_note(note("client: A\ndate: 2026-11-09", "Don't call it resistance, they "
                           "said. #feedback/words/resistance\n"), "A/2.md")
    later = read_note(note("client: A\ndate: 2026-11-16", "Less resistance today.\n"), "A/3.md")
    assert reused([first, again]) == []
    assert reused([first, again, later]) == [(later.path, "resistance")]


# The matching rule spelled out, character by character, to check the rule against.


def separates(character):
    return character.isspace() or character == "-"


def in_a_word(character):
    return character.isalnum() or character == "_"


def case_folded(text):
    """Lowercased one character for one: dotted capital I (which Python lowercases into
    i and a combining dot) is i, so a letter stays a letter."""
    return text.replace("\u0130", "i").lower()


def split_words(phrase):
    words, word = [], ""
    for character in case_folded(phrase) + " ":
        if separates(character):
            if word:
                words.append(word)
            word = ""
        else:
            word += character
    return words


def holds(text, words):
    """The words in order, apart only by white space and -, not inside longer words."""
    text = case_folded(text)
    for start in range(len(text)):
        if start and in_a_word(text[start - 1]):
            continue
        at = start
        for n, word in enumerate(words):
            if n:
                gap = at
                while at < len(text) and separates(text[at]):
                    at += 1
                if at == gap:
                    break
            if not text.startswith(word, at):
                break
            at += len(word)
        else:
            if at == len(text) or not in_a_word(text[at]):
                return True
    return False


def expected_reuses(sessions, since):
    """What the rule yields: at each session in order, the phrases in the order first
    flagged."""
    flagged, found = {}, []  # a phrase's words -> the session that flagged it first
    for at in sessions:
        own = [" ".join(split_words(item.phrase)) for item in at.items
               if item.theme == "words" and item.phrase and split_words(item.phrase)]
        for detail, origin in flagged.items() if since is None or at.date >= since else ():
            if holds(at.text, detail.split(" ")) and detail not in own:  # not objected again
                found.append((at.path, detail, (origin.path, at.path)))
        for detail in own:
            flagged.setdefault(detail, at)
    return found


# Spaces, -, _, digits, punctuation, both cases, and letters whose lowercase is longer
# (İ) or depends on the next letter (Σ); few letters, so that phrases overlap.
ALPHABET = "aAbB1_ -\n\t\xa0.,!'İΣ"
SEPARATORS = [" ", "-", "\n", " - ", "\xa0", "\t-\t"]


@st.composite
def phrases_and_notes(draw):
    """A client's sessions: words items (some flagged again later), and notes made of
    random text and the phrases flagged so far, written with other separators and case."""
    flagged, sessions = [], []
    for n in range(draw(st.integers(1, 5))):
        said = draw(st.lists(st.text(ALPHABET, min_size=1, max_size=8)
                             | st.sampled_from(flagged or ["a"]), max_size=3))
        pieces = []
        for _ in range(draw(st.integers(0, 5))):
            if flagged and draw(st.booleans()):
                phrase_said = split_words(draw(st.sampled_from(flagged))) or ["x"]
                piece = "".join(word + draw(st.sampled_from(SEPARATORS)) for word in phrase_said)
                piece = piece[:draw(st.integers(len(piece) - 6, len(piece)))]
                # Sometimes a near miss: a character left out, or a space put in.
                edit = draw(st.sampled_from([None, "", "-", " "]))
                if edit is not None:
                    at = draw(st.integers(0, len(piece)))
                    piece = piece[:at] + edit + piece[at + (not edit):]
                pieces.append(piece.upper() if draw(st.booleans()) else piece)
            else:
                pieces.append(draw(st.text(ALPHABET, max_size=12)))
        flagged += said
        sessions.append(session(n, items=[FeedbackItem("words", "x", phrase=p) for p in said],
                                text="".join(pieces)))
    return sessions


@settings(max_examples=max(500, settings.default.max_examples))
@given(phrases_and_notes(), st.sampled_from([None, 0, 1, 3]), st.sampled_from([1, 2, 5, 65536]),
       st.sampled_from(list(SEARCHES)))
@example([session(0, items=[words("!!")]), session(1, text="! ! !")], None, 65536,
         "one pass for all phrases")
@example([session(0, items=[words("a !")]), session(1, text="A\t!")], None, 1,
         "one pass for all phrases")
def test_flagged_word_reused_follows_the_matching_rule(sessions, first, chunk, how):
    """Whatever the notes and phrases, the rule finds what the matching rule says, each
    way it searches, and reading the notes in chunks of any size."""
    since = None if first is None else session(first).date
    with mock.patch.object(flagged_word_reused, "_CHUNK", chunk), searching(how):
        assert checked("flagged-word-reused", sessions, since) == expected_reuses(sessions, since)


# pending-feedback


def pending(label):
    theme, _, signal = label.partition("/")
    return FeedbackItem(theme, signal, response="pending")


def test_pending_feedback_is_raised_after_exactly_m_sessions_without_the_theme():
    sessions = [session(0, items=[pending("pacing/not-ready")]), session(1), session(2), session(3)]
    (found,) = alerts(sessions, "pending-feedback")
    assert (found.note, found.detail) == (session(2).path, "pacing/not-ready")


def test_pending_feedback_is_not_raised_before_m_sessions():
    assert alerts([session(0, items=[pending("pacing")]), session(1)], "pending-feedback") == []


def test_pending_feedback_revisited_by_the_same_theme_is_not_raised():
    sessions = [session(0, items=[pending("pacing/not-ready")]),
                session(1, items=["pacing/just-right"]), session(2)]
    assert alerts(sessions, "pending-feedback") == []


def test_pending_feedback_with_m_from_the_config():
    sessions = [session(0, items=[pending("topic/not-now")])] + [session(n) for n in range(1, 5)]
    assert alerts(sessions, "pending-feedback", sessions=4)[0].note == session(4).path


@pytest.mark.parametrize("revisited_at, raised", [(1, False), (3, False), (4, True), (0, True)])
def test_pending_feedback_is_revisited_only_within_the_m_sessions_after(revisited_at, raised):
    """Revisited at the M-th session after is in time; at the next, or in the session
    that held it, is not."""
    sessions = [session(0, items=[pending("topic/not-now")]), *(session(n) for n in range(1, 6))]
    sessions[revisited_at] = session(revisited_at, items=[
        *sessions[revisited_at].items, FeedbackItem("topic", "wants-other")])
    found = alerts(sessions, "pending-feedback", sessions=3)
    assert [a.note for a in found] == ([session(3).path] if raised else [])


def test_pending_feedback_of_many_items_each_on_its_own():
    sessions = [session(0, items=[pending("pacing/not-ready"), pending("topic/not-now"),
                                  pending("homework")]),
                session(1, items=["topic/drifted", pending("homework")]), session(2), session(3)]
    found = alerts(sessions, "pending-feedback")
    assert [(a.note, a.detail) for a in found] == [(session(2).path, "pacing/not-ready"),
                                                   (session(3).path, "homework")]
    assert found[0].evidence == (session(0).path, session(1).path, session(2).path)


def expected_pending(sessions, after, since):
    """The rule spelled out: each held item against every item of the next M sessions,
    in the order of the sessions and items held."""
    found = []
    for index, held_in in enumerate(sessions):
        later = sessions[index + 1:index + 1 + after]
        for item in held_in.items:
            if (item.response == "pending" and len(later) == after
                    and item.theme not in {other.theme for s in later for other in s.items}
                    and (since is None or later[-1].date >= since)):
                found.append((later[-1].path, item.label, (held_in.path, *(s.path for s in later))))
    return found


@settings(max_examples=max(300, settings.default.max_examples))
@given(st.lists(st.lists(st.tuples(st.sampled_from(["pacing", "topic", "words"]),
                                   st.sampled_from(["", "too-fast", "not-now"]),
                                   st.sampled_from([None, "pending", "adjusted"])), max_size=4,
                         unique_by=lambda item: item[:2]),  # one item a key, as read
                max_size=9),
       st.integers(1, 4), st.sampled_from([None, 0, 2, 5]))
def test_pending_feedback_follows_the_rule(held, after, first):
    """However many items are held and taken up again, and wherever, the rule raises
    what comparing each held item with the next M sessions says."""
    sessions = [session(n, items=[FeedbackItem(theme, signal, response=response)
                                  for theme, signal, response in items])
                for n, items in enumerate(held)]
    since = None if first is None else session(first).date
    assert checked("pending-feedback", sessions, since, sessions=after) == expected_pending(
        sessions, after, since)


# alliance-low


@pytest.mark.parametrize("total, expected", [(35.9, ["below-cutoff"]), (36, []), (40, [])])
def test_alliance_low_below_the_cutoff(total, expected):
    assert [a.detail for a in alerts([session(0, srs=total)], "alliance-low")] == expected


@pytest.mark.parametrize("before, after, expected", [
    (40, 37, ["dropped"]), (40, 37.1, []), (38.2, 35.2, ["below-cutoff"]), (39.3, 36.3, ["dropped"]),
])
def test_alliance_low_dropped_from_the_previous_rating(before, after, expected):
    sessions = [session(0, srs=before), session(1), session(2, srs=after)]
    found = alerts(sessions, "alliance-low")
    assert [a.detail for a in found if a.note == session(2).path] == expected


def test_alliance_low_with_cutoff_and_drop_from_the_config():
    sessions = [session(0, srs=30), session(1, srs=28)]
    assert [a.detail for a in alerts(sessions, "alliance-low", cutoff=20, drop=2)] == ["dropped"]


# All rules together


def test_a_joint_session_counts_for_each_client():
    sessions = [session(n, ("DS-21", "EO-22")) for n in range(3)]
    found = alerts(sessions, "uninvited-streak")
    assert raised_at(found) == [("DS-21", session(2, ("DS-21",)).path), ("EO-22", session(2, ("DS-21",)).path)]


def test_two_clients_interleaved_keep_separate_runs():
    sessions = []
    for n in range(3):
        sessions += [session(n, "A"), session(n, "B", invited=True)]
    assert [a.client for a in alerts(sessions, "uninvited-streak")] == ["A"]


def test_sessions_on_the_same_date_are_ordered_by_path():
    day = dt.date(2026, 11, 20)
    sessions = [session(0, day=day, path="b.md", srs=40), session(1, day=day, path="a.md", srs=36)]
    assert alerts(sessions, "alliance-low") == []  # a.md (36) comes first: a rise to 40
    sessions = [session(0, day=day, path="a.md", srs=40), session(1, day=day, path="b.md", srs=36.5)]
    assert raised_at(alerts(sessions, "alliance-low")) == [("RM-07", "b.md")]


def test_alerts_are_sorted_by_date_client_rule_detail_note():
    sessions = [session(n, c, srs=30) for n in range(3) for c in ("B", "A")]
    found = raise_alerts(sessions)
    assert [a.order for a in found] == sorted(a.order for a in found)
    assert [(a.client, a.rule) for a in found[:3]] == [
        ("A", "alliance-low"), ("B", "alliance-low"), ("A", "alliance-low")]


@pytest.mark.parametrize("rule", [rule.name for rule in RULES])
def test_asking_from_a_day_on_gives_exactly_the_alerts_from_that_day(rule):
    """Rules may skip work before `since`; the alerts from that day on are the same."""
    import random

    chance = random.Random(7)
    sessions = []
    for n in range(60):
        items = chance.sample([words("broken"), "pacing/too-fast", pending("topic/not-now"),
                               "topic/not-now", "pacing"], chance.choice([0, 0, 0, 1, 2]))
        sessions.append(session(n, invited=chance.random() < 0.5, items=items,
                                srs=chance.choice([None, 40, 38, 35, 39.5]),
                                text=chance.choice(["", "so broken", "fine"])))
    measured = random.Random(10)  # two more clients, with outcome measures
    sessions += [session(n, client, ors=measured.choice([None, 20, 22.5, 26, 30, 35]),
                         risk=measured.choice([None, None, 0, 1]))
                 for n in range(60) for client in ("JK-03", "PT-11")]
    everything = raise_alerts(sessions)
    assert sum(a.rule == rule for a in everything) >= 2
    for since in (session(n).date for n in (0, 1, 5, 17, 33, 59)):
        later = raise_alerts(sessions, since=since)
        assert [a for a in later if a.rule == rule] == [
            a for a in everything if a.rule == rule and a.date >= since]
