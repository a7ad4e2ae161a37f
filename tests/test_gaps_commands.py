"""``mutuality gaps`` and ``mutuality dismiss``, the checklist in Alerts.md, clients not
seen any more, the digest's gaps and the watcher keeping Alerts.md true: as a therapist
uses them."""

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from support import TODAY, Watching, note, ok, run, until

ALERTS_MD = Path("Mutuality") / "Alerts.md"
DISMISSED_MD = Path("Mutuality") / "Dismissed gaps.md"


def weekly(vault, client, weeks, *, last=TODAY - dt.timedelta(days=3), **properties):
    """``weeks`` weekly sessions of ``client``, the last on ``last``."""
    days = [last - dt.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    return [vault.session(f"Clients/{client}/{day} {client}.md", client=client, **properties)
            for day in days]


def listed(vault, *options, today=TODAY):
    return json.loads(ok(run("gaps", vault, "--format", "json", *options, today=today)))


def test_a_client_not_invited_for_fourteen_weeks_is_in_view_today(vault):
    """The complaint of the issue: the alerts of the last 28 days are empty, the gap is
    not."""
    sessions = weekly(vault, "RM-07", 14)
    weekly(vault, "JK-03", 1, feedback_invited="yes", feedback="[pacing/just-right]")
    assert "No alerts for sessions since" in ok(run("alerts", vault))
    assert "Still open: 1 gap of 1 client; `mutuality gaps " in ok(run("alerts", vault))
    text = ok(run("gaps", vault))
    assert "not invited to give feedback for 14 sessions in a row" in text
    opened = dt.date.fromisoformat(sessions[2].name[:10])
    assert f"open since {opened.day} {opened:%b} (11 weeks, 12 sessions)" in text
    assert f"latest note {sessions[-1].stem}" in text  # the note to open
    assert "JK-03" not in text  # nothing for a client with no gap
    [gap] = listed(vault)
    assert (gap["rule"], gap["client"], gap["opened"], gap["latest"]) == (
        "uninvited-streak", "RM-07", str(opened), sessions[-1].name[:10])
    assert len(gap["notes"]) == 12 and gap["dismissed"] is False
    assert f"id {gap['id']}" in text


def test_gaps_are_listed_most_serious_first_and_json_sorted_as_the_spec_says(vault):
    weekly(vault, "A", 3)  # a warning
    weekly(vault, "B", 3)
    weekly(vault, "Z", 1, srs_total=20)  # an alert: first in the text
    text = ok(run("gaps", vault))
    assert text.index("\nZ\n") < text.index("\nA\n") < text.index("\nB\n")
    found = listed(vault)
    assert [(g["client"], g["rule"]) for g in found] == [
        ("A", "uninvited-streak"), ("B", "uninvited-streak"), ("Z", "alliance-low")]


def test_as_of_a_day_in_the_middle_of_a_run(vault):
    weekly(vault, "RM-07", 6)
    middle = TODAY - dt.timedelta(days=3, weeks=2)
    [gap] = listed(vault, "--as-of", middle)
    assert gap["latest"] == str(middle) and len(gap["notes"]) == 2
    assert listed(vault, "--as-of", middle - dt.timedelta(weeks=2)) == []


def test_a_client_not_seen_for_56_days_or_closed_in_a_client_note_leaves_the_list(vault):
    weekly(vault, "OLD", 3, last=TODAY - dt.timedelta(days=57))
    weekly(vault, "DONE", 3)
    weekly(vault, "NOW", 3)
    vault.session("Clients/DONE.md", status="Ended")
    assert [g["client"] for g in listed(vault)] == ["NOW"]
    assert sorted(g["client"] for g in listed(vault, "--all-clients")) == ["DONE", "NOW", "OLD"]
    text = ok(run("gaps", vault))
    assert "Not listed: 2 gaps of 2 clients not seen any more" in text
    alone = ok(run("gaps", vault, "--client", " OLD "))  # as typed, spaces and all
    assert ("OLD is inactive (no session in the last 56 days), so their gaps are not listed: "
            "1 gap open; add --all-clients") in alone
    assert [g["client_status"] for g in listed(vault, "--all-clients")] == [
        "closed", "active", "inactive"]
    assert "DONE (closed)" in ok(run("gaps", vault, "--client", "DONE", "--all-clients"))
    vault.write("mutuality.toml", "inactive_after_days = 90\n")
    assert sorted(g["client"] for g in listed(vault)) == ["NOW", "OLD"]


def test_a_client_note_is_not_a_session(vault):
    weekly(vault, "RM-07", 2)
    vault.session("Clients/RM-07.md", client="RM-07", status="active")
    assert listed(vault) == []  # two sessions, not three
    scanned = json.loads(ok(run("scan", vault, "--format", "json")))
    assert scanned["sessions"] == 2


def test_a_session_note_named_for_its_client_with_a_status_is_a_session(vault):
    """A folder a day, a note a client, and a template that adds `status: done`."""
    for day in ("2026-11-09", "2026-11-16", "2026-11-23"):
        vault.session(f"{day}/RM-07.md", client="RM-07", date=day, status="done",
                      feedback_invited="no")
    assert [g["client"] for g in listed(vault)] == ["RM-07"]


@pytest.mark.parametrize("signs", ["srs_total: 30", "tags: [feedback/pacing/too-fast]",
                                   "feedback: [topic/not-now]"])
def test_a_note_named_for_its_client_with_a_status_and_feedback_is_a_session(vault, signs):
    vault.write("2026-11-02/RM-07.md", note(f"client: RM-07\ndate: 2026-11-02\nstatus: done\n"
                                            f"{signs}"))
    assert json.loads(ok(run("scan", vault, "--format", "json")))["sessions"] == 1


def test_a_client_note_with_the_day_of_the_intake_is_a_client_note(vault):
    vault.session("Clients/RM-07.md", client="RM-07", date="2026-01-10", status="closed")
    weekly(vault, "RM-07", 3)
    assert listed(vault) == []  # closed: not listed, and no session dated 2026-01-10
    [gap] = listed(vault, "--all-clients")
    assert gap["opened"] != "2026-01-10"
    assert json.loads(ok(run("scan", vault, "--format", "json")))["sessions"] == 3


def test_as_of_the_first_days_of_the_calendar_is_no_crash(vault):
    weekly(vault, "RM-07", 3)
    assert listed(vault, "--as-of", "0001-02-01") == []


def test_dismiss_by_id_hides_it_keeps_it_in_the_vault_and_a_returning_gap_is_new(vault,
                                                                               tmp_path):
    sessions = weekly(vault, "RM-07", 3)
    [gap] = listed(vault)
    result = run("dismiss", vault, gap["id"].upper())  # ids in any case
    assert result.exit_code == 0 and f"{gap['id']} dismissed" in result.stdout
    assert listed(vault) == []
    assert "Not listed: 1 dismissed gap; add --include-dismissed" in ok(run("gaps", vault))
    [again] = listed(vault, "--include-dismissed")
    assert again["dismissed"] is True and again["id"] == gap["id"]
    kept = (vault / DISMISSED_MD).read_text()
    assert "generated_by: mutuality" in kept and gap["id"] in kept
    # Dismissals are the therapist's data: a lost index (another state folder) keeps them.
    fresh = {"MUTUALITY_STATE_DIR": str(tmp_path / "another-state")}
    assert json.loads(ok(run("gaps", vault, "--format", "json", env=fresh))) == []
    assert json.loads(ok(run("--no-cache", "gaps", vault, "--format", "json"))) == []
    # Put right, then wrong again: a new gap, listed.
    vault.session(sessions[-1].relative_to(vault.root).as_posix(), client="RM-07",
                  feedback_invited="yes")
    weekly(vault, "RM-07", 3, last=TODAY)
    later = TODAY + dt.timedelta(weeks=2)
    for week in (1, 2):
        day = TODAY + dt.timedelta(weeks=week)
        vault.session(f"Clients/RM-07/{day} RM-07.md", client="RM-07")
    [new] = listed(vault, "--as-of", later)
    assert new["id"] != gap["id"]


def test_dismissing_an_id_that_is_not_an_open_gap_exits_2_naming_it(vault):
    weekly(vault, "RM-07", 3)
    result = run("dismiss", vault, "0123456789ab")
    assert result.exit_code == 2
    assert "'0123456789ab' is not the id of a gap open as of 2026-11-26" in result.stderr
    assert not (vault / DISMISSED_MD).exists()


def test_a_gap_ticked_in_alerts_md_is_dismissed_by_the_next_command(vault):
    weekly(vault, "A", 3)
    weekly(vault, "B", 3)
    ok(run("alerts", vault, "--write"))
    text = (vault / ALERTS_MD).read_text()
    [line_a] = [line for line in text.splitlines() if line.startswith("- [ ] **A**")]
    gap_id = re.search(r"\(id ([0-9a-f]{12})\)$", line_a)[1]
    assert "open since" in line_a and "[[Clients/A/" in line_a
    assert text.index("## Open gaps") < text.index("## Recent alerts")
    (vault / ALERTS_MD).write_text(text.replace(line_a, line_a.replace("- [ ]", "- [x]")))
    assert [g["client"] for g in listed(vault)] == ["B"]
    assert gap_id in (vault / DISMISSED_MD).read_text()
    ok(run("alerts", vault, "--write"))
    rewritten = (vault / ALERTS_MD).read_text()
    assert "**A**" not in rewritten and "- [ ] **B**" in rewritten
    assert yaml.safe_load(rewritten.split("---")[1])["open_gaps"] == 1


def test_a_ticked_line_in_a_callout_dismisses_nothing(vault):
    weekly(vault, "A", 3)
    ok(run("alerts", vault, "--write"))
    [gap] = listed(vault)
    text = (vault / ALERTS_MD).read_text()
    (vault / ALERTS_MD).write_text(text + f"\n> - [x] quoted (id {gap['id']})\n"
                                          f"  - [x] indented (id {gap['id']})\n")
    assert [g["id"] for g in listed(vault)] == [gap["id"]]
    assert not (vault / DISMISSED_MD).exists()


def test_a_tick_followed_by_what_a_plugin_adds_or_for_another_day_is_recorded(vault):
    """The Tasks plugin adds a done date after a ticked task; Alerts.md may have been
    written for another day (--as-of) than the command that reads it."""
    sessions = weekly(vault, "A", 4)
    ok(run("alerts", vault, "--write"))
    text = (vault / ALERTS_MD).read_text()
    [line] = [line for line in text.splitlines() if line.startswith("- [ ] **A**")]
    gap_id = re.search(r"\(id ([0-9a-f]{12})\)$", line)[1]
    (vault / ALERTS_MD).write_text(text.replace(line, line.replace("- [ ]", "- [x]").replace(
        gap_id, gap_id.upper()) + " ✅ 2026-11-26"))
    earlier = dt.date.fromisoformat(sessions[2].name[:10])
    assert listed(vault, "--as-of", earlier - dt.timedelta(days=1)) == []  # not open then
    assert listed(vault) == []  # recorded all the same: dismissed now
    assert "Not listed: 1 dismissed gap; add --include-dismissed" in ok(run("gaps", vault))


def test_an_unreadable_note_of_dismissals_is_said_and_never_overwritten(vault):
    weekly(vault, "A", 3)
    (vault / "Mutuality").mkdir()
    broken = "---\ngenerated_by: mutuality\ndismissed: [unclosed\n---\n"
    (vault / DISMISSED_MD).write_text(broken)
    result = run("gaps", vault)
    assert result.exit_code == 0 and "A" in result.stdout
    assert "Dismissed gaps.md: the note of dismissed gaps cannot be read" in result.stderr
    [gap] = listed(vault)
    assert run("dismiss", vault, gap["id"]).exit_code == 2
    assert (vault / DISMISSED_MD).read_text() == broken


def test_hundreds_of_dismissals_are_kept_and_read(vault):
    weekly(vault, "A", 3)
    ok(run("alerts", vault, "--write"))
    rows = "".join(f"| 2026-01-01 | C{n} | typed in | {n:012x} |\n" for n in range(2000))
    (vault / DISMISSED_MD).write_text("---\ngenerated_by: mutuality\n---\n\n"
                                      "| Dismissed on | Client | Gap | Id |\n|---|---|---|---|\n"
                                      + rows)
    text = (vault / ALERTS_MD).read_text()
    (vault / ALERTS_MD).write_text(text.replace("- [ ] **A**", "- [x] **A**"))
    assert listed(vault) == []
    kept = (vault / DISMISSED_MD).read_text()
    assert kept.count("\n| ") == 2002 and f"| {1999:012x} |" in kept  # none lost


def test_ticks_that_cannot_be_recorded_stay_ticked_in_alerts_md(vault):
    weekly(vault, "A", 3)
    ok(run("alerts", vault, "--write"))
    (vault / DISMISSED_MD).write_text("just my notes\n")  # not the tool's: never written
    text = (vault / ALERTS_MD).read_text()
    (vault / ALERTS_MD).write_text(text.replace("- [ ] **A**", "- [x] **A**"))
    result = run("alerts", vault, "--write")
    assert "the note of dismissed gaps cannot be read" in result.stderr
    assert "- [x] **A**" in (vault / ALERTS_MD).read_text()
    assert (vault / DISMISSED_MD).read_text() == "just my notes\n"


def test_dismiss_keeps_alerts_md_true_and_watch_follows_the_note_of_dismissals(vault):
    weekly(vault, "A", 3)
    alerts_md = vault / ALERTS_MD
    with Watching(vault) as watching:
        watching.next_alert()
        until(lambda: alerts_md.exists() and "**A**" in alerts_md.read_text(), "A's gap")
        [gap] = listed(vault)
        ok(run("dismiss", vault, gap["id"]))
        until(lambda: "**A**" not in alerts_md.read_text(), "the dismissed gap left Alerts.md")
        watching.no_alert_for(1.0)  # the watcher has seen the writes of `dismiss`
        kept = (vault / DISMISSED_MD).read_text()
        (vault / DISMISSED_MD).write_text(
            "\n".join(line for line in kept.splitlines() if gap["id"] not in line) + "\n")
        until(lambda: "**A**" in alerts_md.read_text(), "the gap back in Alerts.md")


def test_dismiss_without_watch_keeps_alerts_md_true(vault):
    weekly(vault, "A", 3)
    ok(run("alerts", vault, "--write"))
    [gap] = listed(vault)
    ok(run("dismiss", vault, gap["id"]))
    assert "**A**" not in (vault / ALERTS_MD).read_text()


def one_of_two_dismissed(vault):
    """Two clients' gaps, A's dismissed: (A's gap, B's gap, the note of dismissals, A's
    row in it)."""
    weekly(vault, "A", 3)
    weekly(vault, "B", 3)
    gap_a, gap_b = listed(vault)
    ok(run("dismiss", vault, gap_a["id"]))
    text = (vault / DISMISSED_MD).read_text()
    return gap_a, gap_b, text, next(line for line in text.splitlines() if gap_a["id"] in line)


def test_what_the_therapist_wrote_in_the_note_of_dismissals_stays_as_written(vault):
    gap_a, gap_b, text, row_a = one_of_two_dismissed(vault)
    edited = (text.replace("| Id |", "| Id | Why |").replace("|---|---|---|---|",
                                                            "|---|---|---|---|---|")
              .replace(row_a, row_a + " see [[Supervision\\|notes]] |")
              + "\nTalked this through with my supervisor.\n"
              + "\n2026-01-01 | X | typed in | `0123456789ab`\n")
    (vault / DISMISSED_MD).write_text(edited)
    ok(run("dismiss", vault, gap_b["id"]))
    after = (vault / DISMISSED_MD).read_text()
    [added] = [line for line in after.splitlines() if gap_b["id"] in line]
    assert after.replace(added + "\n", "") == edited  # all of it as written, and a row ...
    assert after.index(added) > after.index("`0123456789ab`")  # ... after the last row
    assert listed(vault) == []
    assert "0123456789ab" in after


def test_a_row_is_added_in_the_columns_the_therapist_arranged_and_counts(vault):
    gap_a, gap_b, text, row_a = one_of_two_dismissed(vault)
    # Id first, no Gap column, and a block of code after the table.
    edited = (text.replace("| Dismissed on | Client | Gap | Id |", "| Id | Client | Dismissed on |")
              .replace("|---|---|---|---|", "|---|---|---|")
              .replace(row_a, f"| {gap_a['id']} | A | 2026-11-26 |")
              + "\n```\n| not | a | row |\n```\n")
    (vault / DISMISSED_MD).write_text(edited)
    ok(run("dismiss", vault, gap_b["id"]))
    after = (vault / DISMISSED_MD).read_text()
    assert f"| {gap_b['id']} | B | {TODAY} |" in after
    assert after.index(gap_b["id"]) < after.index("```")
    assert listed(vault) == []


def test_a_client_has_at_most_100_gaps_of_a_rule_listed_and_any_can_be_dismissed(vault):
    for n in range(110):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=n)
        vault.session(f"Clients/A/{day} A.md", client="A", feedback_invited="yes",
                      feedback=f"[{{theme: t{n}, response: pending}}]")
    vault.session("Clients/A/2026-11-20 A.md", client="A", feedback_invited="yes")
    held = [g for g in listed(vault) if g["rule"] == "pending-feedback"]
    assert len(held) == 100
    assert "Still open: 109 gaps of 1 client" in ok(run("alerts", vault))  # 9 not listed
    everything = json.loads(ok(run("gaps", vault, "--format", "json")))
    shown = {g["id"] for g in everything}
    ok(run("dismiss", vault, *[g["id"] for g in held[:50]]))
    after = [g for g in listed(vault) if g["rule"] == "pending-feedback"]
    assert len(after) == 59  # 109 held, 50 dismissed: the 9 not shown before come into view
    assert {g["id"] for g in held[50:]} < {g["id"] for g in after}
    assert len({g["id"] for g in after} - shown) == 9



def test_a_tick_saved_while_alerts_md_is_being_written_is_not_written_over(vault, monkeypatch):
    from mutuality_plugins import dismissals
    weekly(vault, "A", 3)
    weekly(vault, "B", 3)
    ok(run("alerts", vault, "--write"))
    read = dismissals._read

    def tick_meanwhile(root, relative, unreadable):
        text = read(root, relative, unreadable)
        if relative.endswith("Alerts.md") and text and "- [ ] **B**" in text:
            (vault / ALERTS_MD).write_text(text.replace("- [ ] **B**", "- [x] **B**"))
        return text

    monkeypatch.setattr(dismissals, "_read", tick_meanwhile)
    vault.session("Clients/A/2026-11-24 A.md", client="A", feedback_invited="yes")
    ok(run("alerts", vault, "--write"))
    assert "- [x] **B**" in (vault / ALERTS_MD).read_text()  # the tick is still there
    monkeypatch.undo()
    assert [g["client"] for g in listed(vault)] == []  # and recorded next time


def test_a_tick_undone_by_deleting_its_row_stays_undone(vault):
    weekly(vault, "A", 3)
    ok(run("alerts", vault, "--write"))
    text = (vault / ALERTS_MD).read_text()
    (vault / ALERTS_MD).write_text(text.replace("- [ ] **A**", "- [x] **A**"))
    assert listed(vault) == []
    assert "**A**" not in (vault / ALERTS_MD).read_text()  # Alerts.md shows it no more
    [gap] = listed(vault, "--include-dismissed")
    kept = (vault / DISMISSED_MD).read_text()
    row = next(line for line in kept.splitlines() if gap["id"] in line)
    assert "| A | uninvited-streak: not invited" in row  # what it was, for the therapist
    (vault / DISMISSED_MD).write_text(kept.replace(row + "\n", ""))
    assert [g["id"] for g in listed(vault)] == [gap["id"]]
    assert [g["id"] for g in listed(vault)] == [gap["id"]]


def test_a_tick_recorded_as_of_another_day_is_dismissed_today_and_can_be_undone(vault):
    weekly(vault, "A", 3)
    ok(run("alerts", vault, "--write"))
    text = (vault / ALERTS_MD).read_text()
    (vault / ALERTS_MD).write_text(text.replace("- [ ] **A**", "- [x] **A**"))
    ok(run("gaps", vault, "--as-of", "2026-10-01"))
    kept = (vault / DISMISSED_MD).read_text()
    [row] = [line for line in kept.splitlines() if "| A |" in line]
    assert row.startswith(f"| {TODAY} |")  # the day it was dismissed
    assert "- [x] **A**" not in (vault / ALERTS_MD).read_text()  # Alerts.md, as of today
    (vault / DISMISSED_MD).write_text(kept.replace(row + "\n", ""))
    assert [g["client"] for g in listed(vault)] == ["A"]  # undone, and stays undone
    assert [g["client"] for g in listed(vault)] == ["A"]


def test_a_tick_recorded_by_a_command_about_another_client_names_its_client(vault):
    weekly(vault, "A", 3)
    weekly(vault, "B", 3)
    ok(run("alerts", vault, "--write"))
    text = (vault / ALERTS_MD).read_text()
    (vault / ALERTS_MD).write_text(text.replace("- [ ] **A**", "- [x] **A**"))
    ok(run("gaps", vault, "--client", "B"))
    row = next(line for line in (vault / DISMISSED_MD).read_text().splitlines()
               if line.startswith(f"| {TODAY}"))
    assert row.startswith(f"| {TODAY} | A | not invited to give feedback for 3 ")


def test_while_the_note_of_dismissals_is_broken_no_note_showing_gaps_is_written(vault):
    weekly(vault, "A", 3)
    (vault / "Mutuality").mkdir()
    (vault / DISMISSED_MD).write_text("---\ngenerated_by: [unclosed\n---\n")
    result = run("alerts", vault, "--write")
    assert result.exit_code == 1
    assert "Mutuality/Alerts.md was not written: Mutuality/Dismissed gaps.md" in result.stderr
    assert not (vault / ALERTS_MD).exists()
    assert run("digest", vault, "--write").exit_code == 1
    assert result.stdout  # what it shows still comes


def test_an_inactive_client_asked_for_says_what_is_hidden_dismissed_or_not(vault):
    weekly(vault, "OLD", 3, last=TODAY - dt.timedelta(days=60))
    [gap] = listed(vault, "--all-clients")
    ok(run("dismiss", vault, gap["id"]))
    text = ok(run("gaps", vault, "--client", "OLD"))
    assert "none is open" not in text and "1 gap open" in text


def test_the_digest_has_the_gaps_open_at_the_weeks_end_and_those_closed_in_it(vault):
    # A: uninvited since long before the week, still at its end.
    weekly(vault, "A", 5, last=dt.date(2026, 11, 20))
    # B: uninvited, put right on Wednesday of the week.
    weekly(vault, "B", 4, last=dt.date(2026, 11, 11))
    vault.session("Clients/B/2026-11-18 B.md", client="B", feedback_invited="yes",
                  feedback="[pacing/just-right]")
    # C: opens on the week's Monday and closes within the week: in neither.
    for day in (14, 15, 16):
        vault.session(f"Clients/C/2026-11-{day} C.md", client="C")
    vault.session("Clients/C/2026-11-19 C.md", client="C", feedback_invited="yes",
                  feedback="[pacing/just-right]")
    data = json.loads(ok(run("digest", vault, "--format", "json")))
    assert [(g["client"], g["rule"]) for g in data["gaps_open"]] == [("A", "uninvited-streak")]
    assert [(g["client"], g["rule"]) for g in data["gaps_closed"]] == [("B", "uninvited-streak")]
    note = ok(run("digest", vault))
    assert note.index("## Open gaps") < note.index("## Alerts")
    assert "Put right during the week:\n- **B**" in note


def test_the_trend_lists_every_active_client_and_empty_weeks_are_not_zero(vault):
    vault.session("Clients/A/2026-11-18 A.md", client="A", feedback_invited="yes",
                  feedback="[pacing/too-fast]")
    vault.session("Clients/Q/2026-11-04 Q.md", client="Q")  # active, not seen that week
    data = json.loads(ok(run("digest", vault, "--format", "json")))
    assert sorted(data["trend"]) == ["A", "Q"] and "Q" not in data["by_client"]
    note = ok(run("digest", vault))
    trend = note.split("## Mutuality trend")[1]
    assert "| Q |" in trend
    assert '"W45 none"' not in note and '"W46 none"' in note  # W45 had Q's session


def test_watch_rewrites_alerts_md_when_a_gap_closes_or_is_ticked_and_not_otherwise(vault):
    sessions = weekly(vault, "A", 3)
    weekly(vault, "B", 3)
    alerts_md = vault / ALERTS_MD
    with Watching(vault) as watching:
        assert {watching.next_alert().client, watching.next_alert().client} == {"A", "B"}
        until(lambda: alerts_md.exists() and "- [ ] **A**" in alerts_md.read_text(),
              "A's gap in Alerts.md")
        written = alerts_md.stat().st_mtime_ns
        watching.no_alert_for(1.0)
        assert alerts_md.stat().st_mtime_ns == written  # nothing changed, nothing written
        # A session that invites feedback closes A's gap.
        vault.session(sessions[-1].relative_to(vault.root).as_posix(), client="A",
                      feedback_invited="yes")
        until(lambda: "**A**" not in alerts_md.read_text(), "A's gap left Alerts.md")
        text = alerts_md.read_text()
        [line_b] = [line for line in text.splitlines() if line.startswith("- [ ] **B**")]
        alerts_md.write_text(text.replace(line_b, line_b.replace("- [ ]", "- [x]")))
        until(lambda: "**B**" not in alerts_md.read_text(), "B's ticked gap left Alerts.md")
        assert "No open gaps." in alerts_md.read_text()
        assert (vault / DISMISSED_MD).exists()
        watching.no_alert_for(0.5)


def test_watch_polling_a_synced_vault_sees_a_tick_too(vault):
    weekly(vault, "A", 3)
    alerts_md = vault / ALERTS_MD
    with Watching(vault, poll=True) as watching:
        watching.next_alert()
        until(lambda: alerts_md.exists() and "- [ ] **A**" in alerts_md.read_text(), "A's gap")
        text = alerts_md.read_text()
        alerts_md.write_text(text.replace("- [ ] **A**", "- [x] **A**"))
        until(lambda: "**A**" not in alerts_md.read_text(), "the ticked gap left Alerts.md")


def test_a_renamed_client_folder_keeps_its_gap_and_hands_nothing_on(vault):
    weekly(vault, "A", 3)
    [gap] = listed(vault)
    with Watching(vault) as watching:
        assert watching.next_alert().client == "A"
        shutil.move(str(vault / "Clients" / "A"), str(vault / "Clients" / "Ann"))
        watching.no_alert_for()
    [moved] = listed(vault)
    assert moved["id"] == gap["id"] and moved["notes"][0].startswith("Clients/Ann/")


@pytest.mark.parametrize("setting", ["inactive_after_days = 0", "inactive_after_days = 'x'",
                                     "inactive_after_days = true"])
def test_a_wrong_inactive_after_days_is_one_line(vault, setting):
    vault.write("mutuality.toml", setting + "\n")
    result = run("gaps", vault)
    assert result.exit_code == 2
    assert "`inactive_after_days` should be a whole number of days" in result.stderr
