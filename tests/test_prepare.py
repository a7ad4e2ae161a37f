"""``mutuality prepare``: the brief before the next session with one client (SPEC
section 10), as the therapist reads it."""

from __future__ import annotations

import json

from support import TODAY, ok, run


def brief(vault, client="A", *options, today=TODAY):
    return json.loads(ok(run("prepare", vault, client, "--format", "json", *options,
                             today=today)))


def sessions(vault, client, *notes):
    """Weekly sessions of ``client`` from 2 November: each ``(front_matter, body)``."""
    days = ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    for day, (front_matter, body) in zip(days, notes, strict=False):
        vault.session(f"Clients/{client}/{day} {client}.md", front_matter, body + "\n",
                      client=client)


def test_words_to_avoid_with_the_day_objected_and_the_last_use(vault):
    sessions(vault, "A",
             ("feedback_invited: yes\nfeedback:\n  - theme: words\n    phrase: Acting  out\n"
              "    quote: I hate that word", "We talked."),
             ("feedback_invited: yes", "Some acting-out at school."),
             ("feedback_invited: yes", "Calm week, ACTING OUT less."),
             ("feedback_invited: yes", "Nothing of it."))
    [avoid] = brief(vault)["avoid"]
    assert avoid == {"phrase": "acting out", "objected": "2026-11-02",
                     "last_used": "2026-11-16"}
    # As of a day before the second use: used once since, on 9 November.
    assert brief(vault, "A", "--as-of", "2026-11-10")["avoid"][0]["last_used"] == "2026-11-09"
    assert brief(vault, "A", "--as-of", "2026-11-03")["avoid"][0]["last_used"] is None
    text = ok(run("prepare", vault, "A"))
    assert '- "acting out": objected to on 2026-11-02; used again on 2026-11-16' in text


def test_held_requests_taken_up_leave_the_brief_and_the_others_stay(vault):
    sessions(vault, "A",
             ("feedback:\n  - theme: topic\n    signal: wants-other\n    quote: my brother\n"
              "    response: pending\n  - theme: pacing\n    signal: not-ready\n"
              "    response: pending", ""),
             ("feedback: [pacing/just-right]", ""))
    [pending] = brief(vault)["pending"]
    assert pending == {"theme": "topic", "signal": "wants-other", "quote": "my brother",
                       "since": "2026-11-02"}
    assert "- topic: wants other \"my brother\" (held on 2026-11-02)" in ok(
        run("prepare", vault, "A"))
    # Before the pacing item came, both were held.
    assert len(brief(vault, "A", "--as-of", "2026-11-05")["pending"]) == 2


def test_measures_status_counts_and_recent_feedback_newest_first(vault):
    sessions(vault, "A",
             ("ors_total: 20\nphq9_total: 15\nsrs_total: 36", ""),
             ("ors_total: 26\nfeedback:\n  - pacing/too-fast\n  - 'topic/drifted: not this'",
              ""),
             ("phq9_total: 8\nfeedback: [topic/unsure]", ""),
             ("feedback: ['words/broken: do not say broken']", ""))
    data = brief(vault)
    assert (data["client"], data["status"], data["sessions"], data["first"], data["last"]) == (
        "A", "active", 4, "2026-11-02", "2026-11-23")
    assert data["measures"] == {
        "ors": {"intake": 20.0, "previous": 20.0, "latest": 26.0, "change": 6.0,
                "class": "recovered"},
        "phq9": {"intake": 15.0, "previous": 15.0, "latest": 8.0, "change": -7.0,
                 "class": "recovered"},
        "srs": {"intake": 36.0, "previous": None, "latest": 36.0, "change": 0.0,
                "class": None}}
    # The last three sessions, newest first; within one, the quoted items first.
    assert [(r["date"], r["theme"], r["signal"]) for r in data["recent"]] == [
        ("2026-11-23", "words", "broken"), ("2026-11-16", "topic", "unsure"),
        ("2026-11-09", "topic", "drifted"), ("2026-11-09", "pacing", "too-fast")]
    text = ok(run("prepare", vault, "A"))
    assert "## Pace\nLast asked for on 2026-11-09: pacing: too fast." in text
    assert "- ORS: intake 20, previous 20, latest 26: recovered" in text


def test_the_open_gaps_are_things_to_do_risk_first_and_dismissed_ones_left_out(vault):
    sessions(vault, "A", ("", ""), ("", ""), ("phq9_item9: 1", ""))
    data = brief(vault)
    assert [gap["rule"] for gap in data["gaps"]] == ["risk-item", "uninvited-streak"]
    text = ok(run("prepare", vault, "A"))
    assert text.index("**Follow up the risk item first**") < text.index(
        "**Invite feedback today**")
    ok(run("dismiss", vault, data["gaps"][1]["id"]))
    assert [gap["rule"] for gap in brief(vault)["gaps"]] == ["risk-item"]


def test_a_closed_client_still_gets_a_brief_with_their_status(vault):
    sessions(vault, "A", ("", ""), ("", ""), ("", ""))
    vault.session("Clients/A/A.md", status="ended")
    data = brief(vault)
    assert data["status"] == "closed" and data["gaps"]  # whatever the status
    assert ok(run("prepare", vault, "A")).startswith("# Before the session with A (closed)")


def test_a_client_id_that_matches_none_names_the_nearest(vault):
    sessions(vault, "RM-07", ("", ""))
    sessions(vault, "RM-08", ("", ""))
    result = run("prepare", vault, "RM07")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "no session note of " f"{vault} names the client RM07; the nearest: RM-07, RM-08")
    assert "lists the clients" in run("prepare", vault, "XYZ").stderr


def test_the_last_use_of_a_word_is_read_from_the_notes_whatever_the_alert_rule_does(vault):
    vault.write("mutuality.toml", "[rules.flagged-word-reused]\nenabled = false\n")
    sessions(vault, "A",
             ("feedback:\n  - theme: words\n    phrase: acting out", "We talked."),
             ("feedback_invited: yes", "Some acting out at school."),
             ("feedback_invited: yes", "Nothing of it."))
    assert brief(vault)["avoid"] == [{"phrase": "acting out", "objected": "2026-11-02",
                                      "last_used": "2026-11-09"}]


def test_a_client_without_a_session_by_the_day_asked_is_said_so(vault):
    sessions(vault, "A", ("feedback_invited: yes", "Notes."))
    result = run("prepare", vault, "A", "--as-of", "2026-11-01")
    assert result.exit_code == 2
    assert result.stderr == ("mutuality: no session with A on or before 2026-11-01: the first "
                             "is on 2026-11-02\n")


def test_an_id_typed_in_other_capitals_or_decomposed_is_found(vault):
    for client in ("rm-07", "RM-08", "RM-17", "RM-70", "RM-71", "Zoë"):
        vault.session(f"S/{client}.md", client=client, date="2026-11-20")
    result = run("prepare", vault, "RM-07")
    assert result.exit_code == 2
    assert "the nearest: rm-07, " in result.stderr  # the one meant first
    assert brief(vault, "Zoe\u0308")["client"] == "Zoë"  # as a Mac may paste it


def test_the_terminal_gets_the_clients_words_as_written_and_the_page_escaped(vault):
    sessions(vault, "A", (
        "feedback_invited: yes\nfeedback:\n  - theme: pacing\n    signal: too-fast\n"
        "    quote: \"Slow down! It's 100% too much #overwhelmed \u202eevil\"", "Notes."))
    text = ok(run("prepare", vault, "A", "--write"))
    assert "pacing: too fast \"Slow down! It's 100% too much #overwhelmed" in text
    page = (vault / "Mutuality/Clients/A.md").read_text()
    assert "pacing: too fast \"Slow down\\! It's 100% too much \\#overwhelmed evil\"" in page


def test_a_thing_to_do_about_this_session_says_which_session_that_is(vault):
    sessions(vault, "A", ("feedback:\n  - theme: words\n    phrase: acting out", "Notes."),
             ("feedback_invited: yes", "Acting out again."), ("", "Notes."), ("", "Notes."))
    text = ok(run("prepare", vault, "A", "--as-of", "2026-11-10"))
    assert ("- [ ] **Do not use the word the client objected to** (\"acting out\", which the "
            "client objected to on 2026-11-02, appears again in this session's note; the "
            "session of 2026-11-09)") in text


def test_feedback_of_a_theme_alone_reads_as_the_theme(vault):
    sessions(vault, "A", ("feedback_invited: yes\ntags: [feedback/pacing]", "Notes."))
    text = ok(run("prepare", vault, "A"))
    assert "Last asked for on 2026-11-02: pacing." in text
