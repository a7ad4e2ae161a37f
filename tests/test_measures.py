"""Outcome measures (SPEC section 9): reading ORS, PHQ-9, GAD-7 and CORE-10 as the
therapist records them, each client's class at its boundaries, and the rules
outcome-deteriorated, not-on-track and risk-item as alerts and as gaps."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutuality_plugins.config import ConfigError, Settings, load_settings, with_measures
from mutuality_plugins.measures.builtin import (
    BUILT_IN_MEASURES,
    CORE10,
    GAD7,
    OUTCOME_RATING_SCALE,
    PHQ9,
)
from mutuality_plugins.measures.outcome import (
    INTAKE_ONLY,
    NO_RELIABLE_CHANGE,
    RECOVERED,
    RELIABLY_DETERIORATED,
    RELIABLY_IMPROVED,
    class_of,
)
from mutuality_plugins.model import NoteWarning, Session

from support import TODAY, note, ok, read_note, run

ORS_ITEMS = ("ors_individual", "ors_interpersonal", "ors_social", "ors_overall")


def scores_of(front_matter: str) -> tuple[dict, dict] | str:
    """The totals and risk items a session note records, or its problem."""
    read = read_note(note(f"client: RM-07\ndate: 2026-11-20\n{front_matter}"))
    if isinstance(read, Session):
        return dict(read.scores), dict(read.risks)
    return f"problem: {read}"


# Reading


def test_the_ors_is_four_items_or_a_total():
    assert scores_of("ors_individual: 5.2\nors_interpersonal: 6\nors_social: 4.4\n"
                     "ors_overall: 5.1") == ({"ors": 20.7}, {})
    assert scores_of("ors_total: 23.45") == ({"ors": 23.5}, {})  # rounded half up
    assert scores_of("ors_total: 0") == ({"ors": 0.0}, {})


def test_some_ors_items_only_are_a_problem_naming_the_missing_ones():
    assert scores_of("ors_individual: 5\nors_social: 4\nors_total: 20") == (
        "problem: the Outcome Rating Scale has 2 of its 4 items: ors_interpersonal and "
        "ors_overall are missing; write all four, or only ors_total")


def test_items_that_disagree_with_the_total_are_a_problem_saying_both():
    assert scores_of("ors_individual: 5\nors_interpersonal: 5\nors_social: 5\n"
                     "ors_overall: 5\nors_total: 21") == (
        "problem: the four Outcome Rating Scale items add up to 20, but ors_total is 21: "
        "correct one of them, or leave ors_total out")
    assert scores_of("phq9_items: [1, 1, 1, 1, 1, 1, 1, 1, 0]\nphq9_total: 9") == (
        "problem: the nine PHQ-9 items add up to 8, but phq9_total is 9: correct one of "
        "them, or leave phq9_total out")
    # Agreeing once rounded is agreeing.
    assert scores_of("ors_individual: 5.05\nors_interpersonal: 5\nors_social: 5\n"
                     "ors_overall: 5\nors_total: 20.05") == ({"ors": 20.1}, {})


@pytest.mark.parametrize("written, problem", [
    ("ors_total: 41", "ors_total should be a number from 0 to 40"),
    ("ors_total: -1", "ors_total should be a number from 0 to 40"),
    ("ors_total: \"23\"", "ors_total should be a number from 0 to 40, written without quotes"),
    ("ors_total: yes", "ors_total should be a number from 0 to 40"),
    ("ors_overall: 10.5\nors_individual: 1\nors_social: 1\nors_interpersonal: 1",
     "ors_overall should be a number from 0 to 10"),
    ("phq9_total: 28", "phq9_total should be a number from 0 to 27"),
    ("gad7_total: 22", "gad7_total should be a number from 0 to 21"),
    ("core10_total: 41", "core10_total should be a number from 0 to 40"),
    ("core10_risk: 5", "core10_risk should be a whole number from 0 to 4"),
    ("phq9_item9: 4", "phq9_item9 should be a whole number from 0 to 3"),
    ("phq9_item9: 1.5", "phq9_item9 should be a whole number from 0 to 3"),  # never rounded
    ("ors_total: 23,5", "ors_total should be a number from 0 to 40, with a decimal point: 23.5"),
    ("phq9_item9: 2,0", "phq9_item9 should be a whole number from 0 to 3"),
])
def test_a_score_out_of_range_or_not_a_number_is_a_problem(written, problem):
    assert scores_of(written) == f"problem: {problem}"


@pytest.mark.parametrize("items, why", [
    ("[1, 1, 1, 1, 1, 1, 1, 1]", " (it has 8)"),
    ("[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]", " (it has 10)"),
    ("[1, 1, 2.0, 1, 1, 1, 1, 1, 1]", " (item 3 is not)"),  # a float, even a whole one
    ("[1, 1, 1, true, 1, 1, 1, 1, 1]", " (item 4 is not)"),  # a boolean
    ("[1, 1, 1, 1, 4, 1, 1, 1, 1]", " (item 5 is not)"),  # out of range
    ("[1, 1, 1, 1, 1, \"2\", 1, 1, 1]", " (item 6 is not)"),  # text
    ("12", ""),  # not a list
])
def test_phq9_items_are_a_list_of_nine_whole_numbers_from_0_to_3(items, why):
    assert scores_of(f"phq9_items: {items}") == (
        "problem: phq9_items should be a list of 9 whole numbers from 0 to 3, like "
        f"[0, 0, 0, 0, 0, 0, 0, 0, 0]{why}")


def test_gad7_items_are_seven():
    assert scores_of("gad7_items: [3, 3, 3, 3, 3, 3, 3]") == ({"gad7": 21.0}, {})
    assert scores_of("gad7_items: [3, 3, 3, 3, 3, 3]").startswith(
        "problem: gad7_items should be a list of 7 whole numbers from 0 to 3")


def test_phq9_item9_is_the_ninth_item_or_recorded_alone():
    assert scores_of("phq9_items: [2, 2, 2, 1, 1, 1, 0, 0, 2]") == (
        {"phq9": 11.0}, {"phq9-item9": 2.0})
    assert scores_of("phq9_items: [2, 2, 2, 1, 1, 1, 0, 0, 2]\nphq9_item9: 2") == (
        {"phq9": 11.0}, {"phq9-item9": 2.0})
    assert scores_of("phq9_items: [2, 2, 2, 1, 1, 1, 0, 0, 2]\nphq9_item9: 1") == (
        "problem: phq9_item9 is 1, but item 9 of phq9_items is 2: correct one of them, or "
        "leave phq9_item9 out")
    # Alone, it records the risk item only; with a total only, no risk item.
    assert scores_of("phq9_item9: 1") == ({}, {"phq9-item9": 1.0})
    assert scores_of("phq9_total: 14\nphq9_item9: 0") == ({"phq9": 14.0}, {"phq9-item9": 0.0})
    assert scores_of("phq9_total: 14") == ({"phq9": 14.0}, {})


def test_core10_is_a_total_and_a_risk_item():
    assert scores_of("core10_total: 18\ncore10_risk: 2") == (
        {"core10": 18.0}, {"core10-risk": 2.0})
    assert scores_of("core10_risk: 0") == ({}, {"core10-risk": 0.0})


def test_every_measure_in_one_note_and_inline_fields_read_alike():
    assert scores_of("srs_total: 37\nors_total: 24\nphq9_total: 9\ngad7_total: 7\n"
                     "core10_total: 12") == (
        {"srs": 37.0, "ors": 24.0, "phq9": 9.0, "gad7": 7.0, "core10": 12.0}, {})
    read = read_note("client:: RM-07\ndate:: 2026-11-20\nors_total:: 23.5\n"
                     "phq9_items:: [1, 1, 1, 1, 1, 1, 1, 1, 1]\n")
    assert isinstance(read, Session)
    assert dict(read.scores) == {"ors": 23.5, "phq9": 9.0}
    assert dict(read.risks) == {"phq9-item9": 1.0}


def test_a_score_alone_makes_a_clientless_note_look_like_a_session():
    read = read_note(note("date: 2026-11-20\nphq9_total: 12"))
    assert isinstance(read, NoteWarning)


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9), st.booleans())
def test_any_nine_items_give_their_sum_with_or_without_a_total(items, with_total):
    total = f"\nphq9_total: {sum(items)}" if with_total else ""
    assert scores_of(f"phq9_items: {items}{total}") == (
        {"phq9": float(sum(items))}, {"phq9-item9": float(items[8])})


@given(st.lists(st.decimals(0, 10, places=1), min_size=4, max_size=4))
def test_any_four_ors_items_give_their_sum_to_one_decimal(items):
    written = "\n".join(f"{name}: {value}" for name, value in zip(ORS_ITEMS, items, strict=True))
    assert scores_of(written) == ({"ors": float(sum(items))}, {})


# Classes, at their boundaries


@pytest.mark.parametrize("measure, intake, latest, expected", [
    # ORS: higher is better, clinical below 25, reliable change 5.
    (OUTCOME_RATING_SCALE, 20, 25, RECOVERED),  # change exactly 5, out of the range
    (OUTCOME_RATING_SCALE, 20, 24.9, NO_RELIABLE_CHANGE),  # 4.9: not reliable
    (OUTCOME_RATING_SCALE, 25, 30, RELIABLY_IMPROVED),  # intake 25 is not clinical
    (OUTCOME_RATING_SCALE, 24.9, 29.9, RECOVERED),
    (OUTCOME_RATING_SCALE, 10, 15, RELIABLY_IMPROVED),  # still in the clinical range
    (OUTCOME_RATING_SCALE, 30, 25, RELIABLY_DETERIORATED),  # exactly 5 worse
    (OUTCOME_RATING_SCALE, 30, 25.1, NO_RELIABLE_CHANGE),
    (OUTCOME_RATING_SCALE, 20.4, 15.4, RELIABLY_DETERIORATED),  # decimal arithmetic
    # PHQ-9: lower is better, clinical at 10 and above, reliable change 6.
    (PHQ9, 10, 4, RECOVERED),  # intake exactly at the cutoff is clinical
    (PHQ9, 9, 3, RELIABLY_IMPROVED),  # intake below it is not
    (PHQ9, 15, 10, NO_RELIABLE_CHANGE),
    (PHQ9, 16, 10, RELIABLY_IMPROVED),  # 10 is still clinical: improved, not recovered
    (PHQ9, 16, 9, RECOVERED),
    (PHQ9, 4, 10, RELIABLY_DETERIORATED),
    (PHQ9, 4, 9, NO_RELIABLE_CHANGE),
    (GAD7, 8, 4, RECOVERED),
    (GAD7, 8, 5, NO_RELIABLE_CHANGE),
    (CORE10, 11, 5, RECOVERED),
    (CORE10, 11, 17, RELIABLY_DETERIORATED),
])
def test_each_class_at_its_boundaries(measure, intake, latest, expected):
    assert class_of(measure, intake, latest) == expected


def test_one_total_is_intake_only_and_the_srs_has_no_class():
    assert class_of(PHQ9, 20, 20, count=1) == INTAKE_ONLY
    assert class_of(BUILT_IN_MEASURES[0], 30, 40) is None


# The rules, over the command line


def weekly(vault, client, values, start=dt.date(2026, 9, 7), **more):
    """One session a week from ``start``, each recording the next of ``values`` as
    ``PROPERTY: VALUE`` lines (a string, or None for a session without a score)."""
    paths = []
    for week, written in enumerate(values):
        day = start + dt.timedelta(weeks=week)
        lines = [written] if written else []
        paths.append(vault.session(f"Clients/{client}/{day} {client}.md", "\n".join(lines),
                                   client=client, feedback_invited="yes",
                                   feedback="[pacing/just-right]", **more))
    return paths


def alerts(vault, *options, today=TODAY):
    return json.loads(ok(run("alerts", vault, "--all", "--format", "json", *options,
                             today=today)))


def gaps(vault, *options, today=TODAY):
    return json.loads(ok(run("gaps", vault, "--format", "json", *options, today=today)))


def of_rule(found, rule):
    return [(item["date" if "date" in item else "opened"], item["detail"]) for item in found
            if item["rule"] == rule]


def ors(*totals):
    return [None if total is None else f"ors_total: {total}" for total in totals]


@pytest.mark.parametrize("recorded, raised", [(3, False), (4, True), (5, True)])
def test_not_on_track_is_raised_at_the_fourth_recorded_session(vault, recorded, raised):
    """N - 1, N and N + 1 sessions without a reliable improvement (4.9 is not one)."""
    weekly(vault, "A", ors(20, None, 22, *[24.9] * (recorded - 2)))
    fourth = str(dt.date(2026, 9, 7) + dt.timedelta(weeks=4))  # a session without ORS between
    assert of_rule(alerts(vault), "not-on-track") == ([(fourth, "ors")] if raised else [])
    assert of_rule(gaps(vault), "not-on-track") == ([(fourth, "ors")] if raised else [])


def test_not_on_track_is_not_raised_after_an_improvement_at_the_fourth_session(vault):
    """The alert is at the N-th session only; the gap opens whenever the change is not
    (any more) a reliable improvement from the N-th on, and closes when it is."""
    weekly(vault, "A", ors(20, 21, 22, 25, 22))
    assert of_rule(alerts(vault), "not-on-track") == []
    assert of_rule(gaps(vault), "not-on-track") == [("2026-10-05", "ors")]
    weekly(vault, "B", ors(20, 21, 22, 23, 25))
    assert ("2026-09-28", "ors") in of_rule(alerts(vault), "not-on-track")
    assert of_rule([gap for gap in gaps(vault) if gap["client"] == "B"], "not-on-track") == []


def test_not_on_track_counts_n_from_the_settings(vault):
    weekly(vault, "A", ors(20, 21, 22, 22, 22))
    vault.write("mutuality.toml", "[rules.not-on-track]\nsessions = 5\n")
    assert of_rule(alerts(vault), "not-on-track") == [("2026-10-05", "ors")]


def test_outcome_deteriorated_is_raised_where_the_change_first_becomes_reliable(vault):
    weekly(vault, "A", ors(30, 27, 25, 24, 26, 25))
    assert of_rule(alerts(vault), "outcome-deteriorated") == [
        ("2026-09-21", "ors"), ("2026-10-12", "ors")]  # again after a recovery
    [gap] = [gap for gap in gaps(vault) if gap["rule"] == "outcome-deteriorated"]
    assert (gap["opened"], gap["latest"], gap["severity"]) == (
        "2026-10-12", "2026-10-12", "alert")
    assert "ORS 25 at its 6th score, down 5 from 30 at intake (2026-09-07)" in gap["message"]


def test_a_measure_rule_looks_only_at_the_sessions_recording_it(vault):
    """Sessions without a PHQ-9 neither break the gap's run nor become its latest."""
    weekly(vault, "A", ["phq9_total: 8", None, "phq9_total: 15", None, None])
    [gap] = [gap for gap in gaps(vault) if gap["rule"] == "outcome-deteriorated"]
    assert (gap["detail"], gap["opened"], gap["latest"]) == ("phq9", "2026-09-21", "2026-09-21")
    assert gap["notes"] == ["Clients/A/2026-09-21 A.md"]


def test_a_risk_item_is_raised_each_time_and_open_until_recorded_at_0(vault):
    weekly(vault, "A", ["phq9_items: [1, 1, 1, 1, 1, 1, 1, 1, 1]", "phq9_item9: 0",
                        "phq9_item9: 2", "ors_total: 30", "phq9_total: 12",
                        "core10_risk: 1"])
    assert of_rule(alerts(vault), "risk-item") == [
        ("2026-09-07", "phq9-item9"), ("2026-09-21", "phq9-item9"),
        ("2026-10-12", "core10-risk")]
    # A PHQ-9 total without item 9 does not close it: only item 9 at 0 does.
    assert of_rule(gaps(vault), "risk-item") == [
        ("2026-10-12", "core10-risk"), ("2026-09-21", "phq9-item9")]
    weekly(vault, "A", ["phq9_item9: 0"], start=dt.date(2026, 10, 19))
    assert of_rule(gaps(vault), "risk-item") == [("2026-10-12", "core10-risk")]


def test_a_risk_item_comes_first_and_is_listed_whatever_the_clients_status(vault):
    vault.streak("AA")  # an uninvited streak: a warning
    vault.session("Clients/ZZ/2026-09-01 ZZ.md", client="ZZ", srs_total=20,
                  core10_risk=1)  # an alert and a risk item, long ago: inactive
    vault.session("Clients/MM/2026-11-20 MM.md", client="MM", srs_total=20)
    text = ok(run("gaps", vault))
    assert text.index("ZZ") < text.index("MM") < text.index("AA")
    assert [gap["rule"] for gap in gaps(vault) if gap["client"] == "ZZ"] == ["risk-item"]
    lines = ok(run("alerts", vault, "--all")).splitlines()
    assert "risk item above 0" in lines[2]  # the first alert listed


def test_the_outcome_rules_can_be_turned_off_and_measures_changed_in_the_settings(vault):
    weekly(vault, "A", ["phq9_total: 16", "phq9_total: 11"])
    assert class_of(PHQ9, 16, 11) == NO_RELIABLE_CHANGE
    vault.write("mutuality.toml", "[measures.phq9]\nreliable_change = 5\ncutoff = 12\n"
                                  "[rules.risk-item]\nenabled = false\n")
    settings = with_measures(load_settings(vault.root), BUILT_IN_MEASURES)
    phq9 = settings.measure("phq9")
    assert phq9 is not None and class_of(phq9, 16, 11) == RECOVERED
    assert settings.measure("ors") == OUTCOME_RATING_SCALE  # the others as published


@pytest.mark.parametrize("written, says", [
    ("[measures.phq9]\nreliable_change = 0\n", "reliable_change` should be a number above 0"),
    ("[measures.srs]\nreliable_change = 5\n", "Session Rating Scale has no reliable change"),
    ("[measures.srs]\ncutoff = 34\n", "the session rating's cutoff is alliance-low's"),
    ("[measures.ors]\ncutoff = 45\n", "should be a total Outcome Rating Scale can have, from "
                                       "0 to 40"),
    ("[measures.k10]\ncutoff = 20\n", "`measures.k10` is not a measure mutuality knows"),
    ("[measures.phq9]\nreliable = 5\n", "`measures.phq9.reliable` is not a setting of a measure"),
    ("[measures.phq9]\ncutoff = \"ten\"\n", "`measures.phq9.cutoff` should be a number"),
    ("[measures.phq9]\ncutoff = -1\n", "`measures.phq9.cutoff` should be a number of at least 0"),
])
def test_a_wrong_measure_setting_is_one_line_naming_it(vault, written, says):
    vault.write("mutuality.toml", written)
    with pytest.raises(ConfigError, match=re.escape(says)):
        with_measures(load_settings(vault.root), BUILT_IN_MEASURES)
    result = run("alerts", vault)
    assert result.exit_code == 2 and says in result.stderr


def test_settings_default_to_the_built_in_measures():
    assert [measure.name for measure in Settings().measures] == [
        "srs", "ors", "phq9", "gad7", "core10"]


# What the therapist sees


def test_the_readme_example_note_records_what_the_readme_says():
    from support import ROOT

    readme = (ROOT / "README.md").read_text()
    example = readme.split("```markdown\n", 1)[1].split("```", 1)[0]
    read = read_note(example)
    assert isinstance(read, Session)
    assert dict(read.scores) == {"srs": 32.5, "ors": 23.5, "phq9": 9.0}
    assert dict(read.risks) == {"phq9-item9": 0.0}


def test_the_example_vault_tells_its_four_outcome_stories():
    from support import EXAMPLE

    gaps_now = {(g["client"], g["rule"], g["detail"]) for g in gaps(EXAMPLE)}
    assert {("RM-07", "risk-item", "phq9-item9"), ("JK-03", "not-on-track", "ors"),
            ("AB-04", "outcome-deteriorated", "ors"),
            ("AB-04", "outcome-deteriorated", "phq9")} <= gaps_now
    assert not {gap for gap in gaps_now if gap[0] == "LP-12" and gap[1] in (
        "not-on-track", "outcome-deteriorated", "risk-item")}
    assert ok(run("gaps", EXAMPLE)).splitlines()[2] == "RM-07"  # the risk item first
    digest = json.loads(ok(run("digest", EXAMPLE, "--format", "json")))
    classes = {client: {c["measure"]: c["class"] for c in courses}
               for client, courses in digest["outcomes"].items()}
    assert classes["LP-12"] == {"ors": RECOVERED, "phq9": RECOVERED, "srs": None}
    assert classes["JK-03"]["ors"] == NO_RELIABLE_CHANGE
    assert classes["AB-04"]["ors"] == classes["AB-04"]["phq9"] == RELIABLY_DETERIORATED
    note = ok(run("digest", EXAMPLE))
    assert note.index("## Open gaps") < note.index("PHQ-9 item 9 answered 1 of 3") < note.index(
        "**AB-04**")  # the risk item first among the open gaps
    assert "- **ORS**, 8 clients: 4 recovered, 1 reliably improved, 2 no reliable change, " \
           "1 reliably deteriorated." in note


def test_the_digest_shows_each_clients_course_as_of_the_weeks_end(vault):
    weekly(vault, "A", ors(20, 22, 26.5, 27) + ["ors_total: 10"])  # the last is after W39
    weekly(vault, "B", ["phq9_total: 12"], start=dt.date(2026, 9, 22))
    weekly(vault, "C", ors(30), start=dt.date(2026, 5, 4))  # not seen since May: inactive
    digest = json.loads(ok(run("digest", vault, "--week", "2026-W39", "--format", "json")))
    [course] = digest["outcomes"]["A"]
    assert {key: course[key] for key in ("intake", "previous", "latest", "change", "class",
                                         "sessions", "intake_date", "latest_date")} == {
        "intake": 20.0, "previous": 22.0, "latest": 26.5, "change": 6.5, "class": RECOVERED,
        "sessions": 3, "intake_date": "2026-09-07", "latest_date": "2026-09-21"}
    assert [s["note"] for s in course["scores"]] == [
        f"Clients/A/2026-09-{day:02} A.md" for day in (7, 14, 21)]
    assert digest["outcomes"]["B"][0]["class"] == INTAKE_ONLY
    assert "C" not in digest["outcomes"]
    assert digest["outcome_classes"] == {"ors": {RECOVERED: 1}, "phq9": {INTAKE_ONLY: 1}}
    note = ok(run("digest", vault, "--week", "2026-W39"))
    assert ("- **ORS**: intake 20 (2026-09-07), previous 22, latest 26.5 (2026-09-21): "
            "recovered after 3 sessions (reliably improved, and out of the clinical range)."
            in note)
    assert "- **PHQ-9**: intake 12 (2026-09-22), latest 12 (2026-09-22): intake only" in note
    assert ('    title "ORS, higher is better, second line the cutoff 25"\n'
            '    x-axis ["09-07", "09-14", "09-21"]\n'
            '    y-axis "ORS" 0 --> 40\n'
            "    line [20, 22, 26.5]\n"
            "    line [25, 25, 25]\n```") in note
    assert "| 2026-09-21 | 26.5 | [[Clients/A/2026-09-21 A\\|2026-09-21 A]] |" in note
    assert "- **ORS**, 1 client: 1 recovered." in note


def test_watch_hands_a_risk_item_on_before_any_other_alert(vault):
    from support import Watching

    """First, and however old, while it is open: other alerts older than the 28 days
    `alerts` shows are counted as handed on without a word when watch first starts."""
    vault.streak("A")  # an uninvited streak on 2026-11-18: a warning
    vault.session("2026-08-03 Z.md", client="Z", srs_total=20, phq9_item9=2)
    vault.session("2026-08-03 Y.md", client="Y", srs_total=20, phq9_item9=2)
    vault.session("2026-08-10 Y.md", client="Y", phq9_item9=0)  # closed: left in the past
    vault.session("2026-08-17 Y.md", client="Y", phq9_item9=1)  # open again since then
    with Watching(vault) as watching:
        first, second = watching.next_alert(), watching.next_alert()
        assert {(first.rule, first.client, str(first.date)),
                (second.rule, second.client, str(second.date))} == {
            ("risk-item", "Y", "2026-08-17"), ("risk-item", "Z", "2026-08-03")}
        assert watching.next_alert().rule == "uninvited-streak"
        watching.no_alert_for()


@given(st.decimals(0, 50, places=1), st.decimals(0, 50, places=1))
def test_a_change_is_the_exact_difference_of_totals_to_one_decimal(intake, total):
    from mutuality_plugins.measures.outcome import change

    assert change(float(intake), float(total)) == float(total - intake)


def test_a_risk_item_is_never_dismissed(vault):
    weekly(vault, "A", ["phq9_item9: 2", "phq9_item9: 1"])
    [gap] = [gap for gap in gaps(vault) if gap["rule"] == "risk-item"]
    result = run("dismiss", vault, gap["id"])
    assert result.exit_code == 2
    assert "is a risk item, which is never dismissed: it closes when a later session " \
           "records that item at 0" in result.stderr
    # Written in the note of dismissals by hand (or ticked in Alerts.md), it still shows.
    from mutuality_plugins.dismissals import read_dismissals, write_dismissals

    recorded = read_dismissals(vault.root, "Mutuality")
    recorded.add(gap["id"], TODAY, "A", "risk")
    write_dismissals(vault.root, "Mutuality", recorded, None)
    [still] = [g for g in gaps(vault) if g["rule"] == "risk-item"]
    assert (still["id"], still["dismissed"]) == (gap["id"], False)
    assert "(dismissed)" not in ok(run("gaps", vault))
    # Ticked in Alerts.md: not recorded, said so, and unticked when it is written again.
    ok(run("alerts", vault, "--write"))
    alerts_md = vault / "Mutuality" / "Alerts.md"
    alerts_md.write_text(alerts_md.read_text().replace("- [ ]", "- [x]"))
    before = (vault / "Mutuality" / "Dismissed gaps.md").read_text()
    result = run("alerts", vault, "--write")
    assert "1 risk item ticked in Alerts.md is not dismissed" in result.stderr
    assert (vault / "Mutuality" / "Dismissed gaps.md").read_text() == before
    assert "- [ ]" in alerts_md.read_text() and "- [x]" not in alerts_md.read_text()


def test_a_closed_clients_risk_item_is_listed_and_the_rest_said_left_out(vault):
    weekly(vault, "A", [None, None, "phq9_item9: 1"])
    vault.session("Clients/A/A.md", status="closed")
    text = ok(run("gaps", vault, "--client", "A"))
    assert "PHQ-9 item 9 answered 1 of 3" in text
    assert "A is closed (a client note says the work has ended), so their other gaps are " \
           "not listed" in text
    # The other one (the same feedback coming back) is left out, and said to be.
    assert "Not listed: 1 gap of 1 client not seen any more" in ok(run("gaps", vault))


def test_a_client_note_holding_a_score_is_warned_about(vault):
    vault.session("Clients/A/A.md", status="active", date="2026-09-01", phq9_item9=2)
    vault.session("Clients/A/2026-11-20 A.md", client="A")
    scanned = json.loads(ok(run("scan", vault, "--format", "json")))
    assert [w["path"] for w in scanned["warnings"]] == ["Clients/A/A.md"]
    assert "which mutuality reads only in session notes" in scanned["warnings"][0]["message"]


def test_the_template_fills_in_no_score_until_one_is_written(vault):
    from mutuality_plugins.vault_setup import SESSION_TEMPLATE

    uncommented = SESSION_TEMPLATE.replace("# phq9_items: ", "phq9_items: ").replace(
        "# ors_individual: ", "ors_individual: ").replace("client: ", "client: A", 1).replace(
        "{{date}}", "2026-11-20")
    read = read_note(uncommented)
    assert isinstance(read, Session) and dict(read.scores) == {} and dict(read.risks) == {}


def test_charts_label_each_session_apart_and_write_numbers_plainly(vault):
    from mutuality_plugins.reporters.outcomes import chart

    scores = [{"date": day, "total": total, "note": f"{day}.md"} for day, total in (
        ("2025-11-20", 1234567.0), ("2026-11-20", 20.5), ("2026-11-20", 21.0))]
    drawn = chart(OUTCOME_RATING_SCALE, scores)
    assert '    x-axis ["2025-11-20", "2026-11-20", "2026-11-20 2"]' in drawn
    assert "    line [1234567, 20.5, 21]" in drawn
    assert "e+" not in drawn


def test_a_past_weeks_digest_gives_each_client_their_status_in_that_week(vault):
    weekly(vault, "A", ["phq9_item9: 1", None])  # 7 and 14 September, then no session
    digest = json.loads(ok(run("digest", vault, "--week", "2026-W38", "--format", "json")))
    [risk] = [gap for gap in digest["gaps_open"] if gap["rule"] == "risk-item"]
    assert risk["client_status"] == "active"  # inactive today, not in that week
    assert "(inactive)" not in ok(run("digest", vault, "--week", "2026-W38"))
    now = json.loads(ok(run("digest", vault, "--format", "json")))
    assert [gap["client_status"] for gap in now["gaps_open"]
            if gap["rule"] == "risk-item"] == ["inactive"]


def test_the_srs_chart_draws_alliance_lows_cutoff(vault):
    weekly(vault, "A", ["srs_total: 35", "srs_total: 37"])
    vault.write("mutuality.toml", "[rules.alliance-low]\ncutoff = 34\n")
    note = ok(run("digest", vault, "--week", "2026-W38"))
    assert "    line [34, 34]" in note and "the cutoff 34" in note


def test_a_long_course_is_charted_by_its_latest_scores_and_given_whole_in_json(vault):
    # 25 weekly ORS totals, 10 to 34, the last in the week of 2026-W47.
    weekly(vault, "A", [f"ors_total: {10 + week}" for week in range(25)],
           start=dt.date(2026, 6, 1))
    note = ok(run("digest", vault, "--week", "2026-W47"))
    assert "the latest 20 of 25" in note
    assert "    line [15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, " \
           "33, 34]" in note
    table_rows = [line for line in note.splitlines()
                  if re.match(r"\| 2026-\d\d-\d\d \| \d+ \| \[\[Clients/A/", line)]
    assert len(table_rows) == 20 and table_rows[0].startswith("| 2026-07-06 | 15 |")
    assert "- **ORS**: intake 10 (2026-06-01), previous 33, latest 34 (2026-11-16)" in note
    digest = json.loads(ok(run("digest", vault, "--week", "2026-W47", "--format", "json")))
    [course] = digest["outcomes"]["A"]
    assert [score["total"] for score in course["scores"]] == [10.0 + week for week in range(25)]
    assert course["sessions"] == 25 and course["intake_date"] == "2026-06-01"


def test_settings_are_written_with_every_digit():
    from mutuality_plugins.measures.reading import score_text

    assert [score_text(value) for value in (4.25, 0.35, 40.0, -0.0, 1234567.0, -0.5)] == [
        "4.25", "0.35", "40", "0", "1234567", "-0.5"]


def test_watch_hands_on_an_old_risk_item_when_its_gap_opens_again(vault):
    """Closed when the watcher started, it was not announced; the note that closed it
    deleted (a score of 0 written in the wrong client's note, say), it is open again,
    and never held back."""
    from support import Watching

    vault.session("2026-08-03 Y.md", client="Y", phq9_item9=2)
    closing = vault.session("2026-08-10 Y.md", client="Y", phq9_item9=0)
    vault.streak("A")
    with Watching(vault) as watching:
        assert watching.next_alert().client == "A"  # the risk item's gap is closed
        watching.no_alert_for(1.0)
        closing.unlink()
        alert = watching.next_alert()
        assert (alert.rule, alert.client, str(alert.date)) == ("risk-item", "Y", "2026-08-03")
