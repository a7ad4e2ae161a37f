"""Open gaps: every rule's gap at its boundaries, and against the rule of SPEC section 8
spelled out, on hand-built sessions."""

import dataclasses
import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_rules import session

from mutuality_plugins import Rule, hookimpl
from mutuality_plugins.config import Settings
from mutuality_plugins.model import ClientNote, FeedbackItem, Holding, ScanResult, Session
from mutuality_plugins.plugins import get_plugin_manager
from mutuality_plugins.practice import PracticeBuilder, client_statuses

from support import BUILT_IN


def practice(sessions, config=None, today=None, plugins=BUILT_IN, since=None):
    builder = PracticeBuilder(Path("vault"), plugins, Settings(rules=config or {}))
    scan = ScanResult(len(sessions), tuple(sessions), ())
    today = today or max(s.date for s in sessions)
    return builder.build(scan, today, since)


def gaps(sessions, rule, config=None, today=None):
    """The open gaps of one rule: (detail, opened, latest, notes) each."""
    found = practice(sessions, {rule: config} if config else None, today).gaps
    return [(g.detail, g.opened, g.latest, g.notes) for g in found if g.rule == rule]


def ids(sessions, rule, **config):
    found = practice(sessions, {rule: config} if config else None).gaps
    return [g.id for g in found if g.rule == rule]


def run_of(sessions, first, last):
    return tuple(s.path for s in sessions[first:last + 1])


# uninvited-streak and silent-client: open at the N-th session, closed by the first that
# breaks the run, a new gap (new id) when a run comes again


@pytest.mark.parametrize("rule, missing, breaking", [
    ("uninvited-streak", {}, {"invited": True}),
    ("silent-client", {"invited": True}, {"invited": True, "items": ["pacing/too-fast"]}),
])
def test_a_streak_is_open_from_its_nth_session_until_a_session_breaks_it(rule, missing,
                                                                         breaking):
    sessions = [session(n, **missing) for n in range(2)]
    assert gaps(sessions, rule) == []
    sessions.append(session(2, **missing))
    assert gaps(sessions, rule) == [(None, sessions[2].date, sessions[2].date,
                                     run_of(sessions, 2, 2))]
    first_id = ids(sessions, rule)
    sessions += [session(n, **missing) for n in (3, 4)]
    assert gaps(sessions, rule) == [(None, sessions[2].date, sessions[4].date,
                                     run_of(sessions, 2, 4))]
    assert ids(sessions, rule) == first_id  # the same gap, still open
    message = practice(sessions).gaps[0].message
    assert "5 sessions in a row" in message and str(sessions[0].date) in message
    sessions.append(session(5, **breaking))
    assert gaps(sessions, rule) == []  # put right
    sessions += [session(n, **missing) for n in (6, 7, 8)]
    assert gaps(sessions, rule) == [(None, sessions[8].date, sessions[8].date,
                                     run_of(sessions, 8, 8))]
    assert ids(sessions, rule) != first_id  # it came back: a new gap


def test_a_streak_setting_moves_where_the_gap_opens():
    sessions = [session(n) for n in range(5)]
    assert gaps(sessions, "uninvited-streak", {"sessions": 5})[0][1] == sessions[4].date
    assert gaps(sessions[:4], "uninvited-streak", {"sessions": 5}) == []


def test_recurring_feedback_stays_open_while_it_is_in_k_of_the_window():
    item = ["pacing/too-fast"]
    sessions = [session(0, invited=True, items=item)]
    assert gaps(sessions, "recurring-signal") == []
    sessions.append(session(1, invited=True, items=item))
    assert gaps(sessions, "recurring-signal") == [
        ("pacing/too-fast", sessions[1].date, sessions[1].date, run_of(sessions, 1, 1))]
    sessions.append(session(2, invited=True))  # still 2 of the last 3
    assert gaps(sessions, "recurring-signal")[0][1:3] == (sessions[1].date, sessions[2].date)
    sessions.append(session(3, invited=True))  # 1 of the last 3: closed
    assert gaps(sessions, "recurring-signal") == []


def test_a_reused_word_is_open_while_the_latest_note_uses_it():
    flagged = FeedbackItem("words", "acting-out", phrase="acting out")
    used = "He was acting out again."
    sessions = [session(0, invited=True, items=[flagged]), session(1, text=used),
                session(2, text=used)]
    assert gaps(sessions, "flagged-word-reused") == [
        ("acting out", sessions[1].date, sessions[2].date, run_of(sessions, 1, 2))]
    first = ids(sessions, "flagged-word-reused")
    sessions.append(session(3, text="A calmer week."))
    assert gaps(sessions, "flagged-word-reused") == []
    sessions.append(session(4, text=used))
    assert gaps(sessions, "flagged-word-reused") == [
        ("acting out", sessions[4].date, sessions[4].date, run_of(sessions, 4, 4))]
    assert ids(sessions, "flagged-word-reused") != first
    # The client objecting to it again is no reuse: that closes it too.
    sessions.append(session(5, text=used, items=[flagged]))
    assert gaps(sessions, "flagged-word-reused") == []


def test_a_held_request_is_open_from_the_mth_session_until_its_theme_comes_up():
    held = FeedbackItem("topic", "not-now", response="pending")
    sessions = [session(0, invited=True, items=[held]), session(1)]
    assert gaps(sessions, "pending-feedback") == []
    sessions.append(session(2))
    assert gaps(sessions, "pending-feedback") == [
        ("topic/not-now", sessions[2].date, sessions[2].date, run_of(sessions, 2, 2))]
    sessions.append(session(3, items=["pacing/too-fast"]))  # another theme: still open
    assert gaps(sessions, "pending-feedback")[0][1:3] == (sessions[2].date, sessions[3].date)
    sessions.append(session(4, items=["topic/wants-other"]))  # the theme came up
    assert gaps(sessions, "pending-feedback") == []


def test_a_low_rating_is_open_until_a_later_rated_session_is_not():
    config = {"cutoff": 30.0}
    sessions = [session(0, srs=28)]
    assert gaps(sessions, "alliance-low", config) == [
        ("below-cutoff", sessions[0].date, sessions[0].date, run_of(sessions, 0, 0))]
    sessions.append(session(1))  # not rated: the latest rated session is still the low one
    assert gaps(sessions, "alliance-low", config)[0][1:3] == (sessions[0].date,
                                                              sessions[0].date)
    sessions.append(session(2, srs=29))
    assert gaps(sessions, "alliance-low", config)[0][:3] == (
        "below-cutoff", sessions[0].date, sessions[2].date)
    assert gaps(sessions, "alliance-low", config)[0][3] == (sessions[0].path, sessions[2].path)
    sessions.append(session(3, srs=38))
    assert gaps(sessions, "alliance-low", config) == []
    sessions.append(session(4, srs=34))  # 4 below the last: dropped
    assert gaps(sessions, "alliance-low", config) == [
        ("dropped", sessions[4].date, sessions[4].date, (sessions[4].path,))]
    sessions.append(session(5, srs=34))  # not below the last one: closed
    assert gaps(sessions, "alliance-low", config) == []


def test_as_of_a_day_in_the_middle_of_a_run_sees_the_run_as_it_was():
    sessions = [session(n) for n in range(6)]
    middle = practice(sessions, today=sessions[3].date).gaps
    assert [(g.opened, g.latest, len(g.notes)) for g in middle] == [
        (sessions[2].date, sessions[3].date, 2)]
    assert "4 sessions in a row" in middle[0].message
    before = practice(sessions, today=sessions[1].date).gaps
    assert before == ()


def test_a_joint_session_opens_a_gap_for_each_partner():
    sessions = [session(n, ("A", "B")) for n in range(3)]
    found = practice(sessions).gaps
    assert [(g.client, g.rule) for g in found] == [("A", "uninvited-streak"),
                                                   ("B", "uninvited-streak")]
    assert found[0].id != found[1].id


def test_the_id_is_the_sha256_of_the_identity_as_the_spec_says():
    sessions = [session(n) for n in range(3)]
    gap = practice(sessions).gaps[0]
    identity = f"uninvited-streak\x1fRM-07\x1f{sessions[2].date.isoformat()}\x1f"
    assert gap.id == hashlib.sha256(identity.encode()).hexdigest()[:12]
    assert re.fullmatch("[0-9a-f]{12}", gap.id)


def test_every_reused_phrase_of_a_note_is_a_gap_of_its_own_beyond_the_20_alerts():
    words = [f"word{n}" for n in range(25)]
    flagged = [FeedbackItem("words", word, phrase=word) for word in words]
    sessions = [session(0, items=flagged), session(1, text=" ".join(words[:3])),
                session(2, text=" ".join(words))]
    found = practice(sessions)
    reused = {g.detail: g.opened for g in found.gaps if g.rule == "flagged-word-reused"}
    assert len(reused) == 25
    assert reused["word1"] == sessions[1].date and reused["word24"] == sessions[2].date
    at_last = [a for a in found.alerts
               if a.note == sessions[2].path and a.rule == "flagged-word-reused"]
    assert len(at_last) == 20 and [a.message for a in at_last if a.message.endswith(
        "(and 5 more like it at this session, not listed one by one)")]


def test_a_client_has_at_most_100_gaps_of_a_rule_open_the_last_saying_how_many_more():
    """Each gap lists the notes of its run: thousands of held requests never taken up,
    over thousands of notes, would list millions."""
    sessions = [session(n, items=[FeedbackItem(f"theme{n}", response="pending")])
                for n in range(130)] + [session(n) for n in range(130, 135)]
    found = [g for g in practice(sessions).gaps if g.rule == "pending-feedback"]
    assert len(found) == 100
    assert {g.opened for g in found} == {s.date for s in sessions[2:102]}  # longest open
    assert [g for g in found if g.message.endswith(
        "(and 30 more gaps like it, not listed one by one)")]


def test_a_gap_opened_long_before_the_alert_window_is_found_whole():
    """Holdings are first asked for from the alert window on: a run reaching further
    back is still found from its first session."""
    flagged = FeedbackItem("words", "acting-out", phrase="acting out")
    sessions = [session(0, items=[flagged]),
                *(session(n, text="acting out") for n in range(1, 40))]
    found = practice(sessions, since=sessions[-2].date)
    gap = next(g for g in found.gaps if g.rule == "flagged-word-reused")
    assert (gap.opened, len(gap.notes)) == (sessions[1].date, 39)
    assert [a.date for a in found.alerts if a.rule == "flagged-word-reused"] == [
        sessions[-2].date, sessions[-1].date]


# A plugin's rule: a condition gives both, a check alone keeps working (no gaps)


class ConditionPlugin:
    @staticmethod
    def condition(client, sessions, settings, first):
        for s in sessions[first:]:
            if s.srs_total is not None and s.srs_total >= 39:
                yield Holding(s, None, "info", "a top rating", (s.path,))

    @hookimpl
    def mutuality_rules(self):
        return [Rule("top-rating", condition=self.condition),
                Rule("old-style", lambda client, sessions, settings, since: [])]


def test_a_plugin_rule_stating_its_condition_gets_alerts_and_gaps_for_free():
    plugins = get_plugin_manager(load_entry_points=False)
    plugins.register(ConditionPlugin(), name="top")
    sessions = [session(0, srs=39), session(1, srs=40), session(2, srs=35), session(3, srs=39.5)]
    found = practice(sessions, plugins=plugins)
    assert [a.date for a in found.alerts if a.rule == "top-rating"] == [
        sessions[0].date, sessions[3].date]  # once per run
    assert [(g.opened, g.notes) for g in found.gaps if g.rule == "top-rating"] == [
        (sessions[3].date, (sessions[3].path,))]
    assert not plugins.guard.failures


# SPEC section 8 spelled out: the condition of each rule at each session, by brute force


def phrase_in(phrase, text):
    words = r"[\s-]+".join(re.escape(word) for word in phrase.split())
    return re.search(rf"(?<![\w]){words}(?![\w])", text.lower()) is not None


def holds_at(rule, sessions, s):
    """The details for which the rule's condition holds at session index ``s``."""
    here = sessions[s]
    if rule in ("uninvited-streak", "silent-client"):
        belongs = (lambda x: not x.invited) if rule == "uninvited-streak" else (
            lambda x: x.invited and not x.items)
        length = 0
        while length <= s and belongs(sessions[s - length]):
            length += 1
        return {None} if length >= 3 else set()
    if rule == "recurring-signal":
        window = sessions[max(0, s - 2):s + 1]
        keys = {item.label for x in window for item in x.items}
        return {key for key in keys
                if sum(key in {i.label for i in x.items} for x in window) >= 2}
    if rule == "flagged-word-reused":
        earlier = {" ".join(i.phrase.split()) for x in sessions[:s] for i in x.items
                   if i.theme == "words" and i.phrase}
        own = {" ".join(i.phrase.split()) for i in here.items if i.theme == "words" and i.phrase}
        return {p for p in earlier - own if phrase_in(p, here.text)}
    if rule == "pending-feedback":
        found = set()
        for h in range(s):
            for item in sessions[h].items:
                answered = any(i.theme == item.theme for x in sessions[h + 1:s + 1]
                               for i in x.items)
                if item.response == "pending" and s - h >= 2 and not answered:
                    found.add(item.label)
        return found
    raise AssertionError(rule)


def expected_gaps(rule, sessions):
    if rule == "alliance-low":
        rated = [x for x in sessions if x.srs_total is not None]

        def detail(r):
            total = rated[r].srs_total
            if total < 36:
                return "below-cutoff"
            if r and round(rated[r - 1].srs_total - total, 1) >= 3:
                return "dropped"
            return None

        if not rated or detail(len(rated) - 1) is None:
            return set()
        last = len(rated) - 1
        first = last
        while first > 0 and detail(first - 1) == detail(last):
            first -= 1
        return {(detail(last), rated[first].date, tuple(x.path for x in rated[first:]))}
    last = len(sessions) - 1
    found = set()
    for d in holds_at(rule, sessions, last):
        first = last
        while first > 0 and d in holds_at(rule, sessions, first - 1):
            first -= 1
        found.add((d, sessions[first].date, tuple(x.path for x in sessions[first:])))
    return found


ITEMS = [FeedbackItem("pacing", "too-fast"), FeedbackItem("pacing", "too-fast", response="pending"),
         FeedbackItem("topic", "not-now", response="pending"), FeedbackItem("topic", "drifted"),
         FeedbackItem("words", "acting-out", phrase="acting out")]
a_session = st.fixed_dictionaries({
    "invited": st.booleans(),
    "items": st.lists(st.sampled_from(ITEMS), max_size=3, unique_by=lambda i: i.key),
    "srs": st.sampled_from([None, None, 30, 34, 37, 39.5]),
    "text": st.sampled_from(["", "We spoke of acting-out.", "Acting\nout, again", "calm"]),
})


@settings(max_examples=300)
@given(st.lists(a_session, min_size=1, max_size=12), st.integers(0, 11))
def test_gaps_are_the_rules_conditions_at_the_latest_session_as_the_spec_says(specs, window):
    sessions = [session(n, **spec) for n, spec in enumerate(specs)]
    since = sessions[min(window, len(sessions) - 1)].date  # the alert window moves nothing
    found = practice(sessions, since=since).gaps
    for rule in ("uninvited-streak", "silent-client", "recurring-signal",
                 "flagged-word-reused", "pending-feedback", "alliance-low"):
        assert {(g.detail, g.opened, g.notes) for g in found if g.rule == rule} == \
            expected_gaps(rule, sessions), rule


@settings(max_examples=200)
@given(st.lists(a_session, min_size=1, max_size=12), st.integers(0, 11), st.integers(0, 11))
def test_the_gaps_of_an_earlier_day_are_those_of_the_sessions_up_to_it(specs, window, back):
    """The digest asks for the gaps of past days from the practice of today: they are
    the gaps of a practice made on that day."""
    sessions = [session(n, **spec) for n, spec in enumerate(specs)]
    today = sessions[-1].date
    now = practice(sessions, since=sessions[min(window, len(sessions) - 1)].date)
    day = today - dt.timedelta(weeks=back)
    then = [s for s in sessions if s.date <= day]
    expected = practice(then, today=day).gaps if then else ()
    assert now.gaps_on(day) == expected


def test_gap_json_has_what_the_spec_names():
    gap = practice([session(n) for n in range(3)]).gaps[0]
    shown = gap.as_json(dismissed=True)
    assert set(shown) >= {"id", "rule", "client", "detail", "opened", "latest", "severity",
                          "message", "dismissed", "notes"}
    assert shown["opened"] == shown["latest"] == str(session(2).date)
    assert shown["dismissed"] is True and shown["detail"] is None


def test_inactive_and_closed_clients_leave_the_default_list():
    sessions = [session(n, "A") for n in range(3)] + [session(n, "B") for n in range(3)]
    late = sessions[2].date + dt.timedelta(days=57)
    found = practice(sessions, today=late)
    assert found.statuses == {"A": "inactive", "B": "inactive"}
    assert found.listed_gaps() == [] and len(found.listed_gaps(all_clients=True)) == 2
    on_time = practice(sessions, today=sessions[2].date + dt.timedelta(days=56))
    assert len(on_time.listed_gaps()) == 2
    closed = dataclasses.replace(on_time.scan, client_notes=(
        ClientNote("Clients/A.md", "A", " Discharged "),))
    builder = PracticeBuilder(Path("vault"), BUILT_IN, Settings())
    with_note = builder.build(closed, on_time.today)
    assert with_note.statuses["A"] == "closed"
    assert [g.client for g in with_note.listed_gaps()] == ["B"]


@given(st.lists(st.tuples(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                          st.lists(st.sampled_from("ABCD"), min_size=1, max_size=2,
                                   unique=True)), max_size=30),
       st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), st.sets(st.sampled_from("ABCD")))
def test_a_clients_status_on_a_day_is_told_by_their_latest_session_up_to_it(written, day,
                                                                             closed):
    """Also on a day before later sessions (a digest of an earlier week, gaps --as-of)."""
    sessions = [(f"{number}.md", Session(f"{number}.md", date, tuple(clients)))
                for number, (date, clients) in enumerate(written)]
    notes = [(f"{client}.md", ClientNote(f"{client}.md", client, "closed")) for client in closed]
    scan = ScanResult.of([*sessions, *notes])
    latest: dict[str, dt.date] = {}
    for _, read in sessions:
        for client in read.clients:
            if read.date <= day:
                latest[client] = max(read.date, latest.get(client, read.date))
    active_since = day - dt.timedelta(days=Settings().inactive_after_days)

    assert list(client_statuses(scan, day, Settings()).items()) == [
        (client, "closed" if client in closed else "active" if latest[client] >= active_since
         else "inactive") for client in sorted(latest)]
