"""Whether the help is helping, as reports show it: each client's course on each measure
(intake, previous, latest, class), a chart of it beside its numbers, and the practice's
line of classes (SPEC section 9)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from ..measures.outcome import CLASSES, Outcome, outcomes
from ..measures.reading import score_text
from ..model import Measure, Session
from .markdown import Markup, mermaid_label, table, wikilink, words

# The sessions a chart shows, at most: the latest ones (a chart of years is unreadable).
CHARTED = 20


def outcome_data(by_client: Mapping[str, Sequence[Session]], measures: Iterable[Measure],
                 until: date) -> dict[str, Any]:
    """Each client's outcomes over the sessions on or before ``until``, and the
    practice's classes of each measure (clients, in the order given)."""
    found = outcomes({client: [session for session in sessions if session.date <= until]
                      for client, sessions in by_client.items()}, measures)
    classes: dict[str, Counter[str]] = {}
    for courses in found.values():
        for course in courses:
            if course.kind is not None:
                classes.setdefault(course.measure.name, Counter())[course.kind] += 1
    return {
        "by_client": {client: [course.as_json() | {"in_words": course.in_words,
                                                   "scores": _scores(course)}
                               for course in courses]
                      for client, courses in found.items()},
        "practice": {measure: {kind: counted[kind] for kind in CLASSES if counted[kind]}
                     for measure, counted in classes.items()},
    }


def _scores(course: Outcome) -> list[dict[str, Any]]:
    return [{"date": session.date.isoformat(), "note": session.path,
             "total": course.total(session)} for session in course.sessions]


def practice_lines(data: Mapping[str, Any], measures: Iterable[Measure]) -> list[str]:
    """One line a measure: how many clients are improved, recovered, unchanged,
    deteriorated."""
    lines = []
    for measure in measures:
        counted = data["practice"].get(measure.name)
        if counted:
            clients = sum(counted.values())
            said = ", ".join(f"{number} {kind.replace('-', ' ')}" for kind, number in
                             counted.items())
            lines.append(f"- **{words(measure.label)}**, {clients} client"
                         f"{'s' if clients != 1 else ''}: {said}.")
    return lines


def client_section(courses: Sequence[Mapping[str, Any]], measures: Mapping[str, Measure],
                   heading: str) -> str:
    """A client's measures: one line each (intake, previous, latest, class), a chart of
    each with two scores or more, and all the scores in one table beside them."""
    lines = [heading]
    for course in courses:
        measure = measures[course["measure"]]
        intake, latest = (score_text(course[which]) for which in ("intake", "latest"))
        previous = "" if course["previous"] is None else \
            f", previous {score_text(course['previous'])}"
        lines.append(f"- **{words(measure.label)}**: intake {intake} "
                     f"({course['intake_date']}){previous}, latest {latest} "
                     f"({course['latest_date']}): {course['in_words']}.")
    parts = ["\n".join(lines)]
    parts += [chart(measures[course["measure"]], course["scores"]) for course in courses
              if len(course["scores"]) > 1]
    parts.append(scores_table(courses, measures))
    return "\n\n".join(parts)


def chart(measure: Measure, scores: Sequence[Mapping[str, Any]]) -> str:
    """A Mermaid line of the measure's latest totals (the cutoff as a second line): not
    every Obsidian draws every chart, so the numbers are in a table beside it."""
    shown = scores[-CHARTED:]
    labels = ", ".join(f'"{label}"' for label in _day_labels([s["date"] for s in shown]))
    lines = [f"    line {_list([score_text(score['total']) for score in shown])}"]
    said = f"{measure.label}, {measure.better} is better"
    if measure.cutoff is not None:
        lines.append(f"    line {_list([score_text(measure.cutoff)] * len(shown))}")
        said += f", second line the cutoff {score_text(measure.cutoff)}"
    if len(shown) < len(scores):
        said += f", the latest {len(shown)} of {len(scores)}"
    return "\n".join([
        "```mermaid", "xychart-beta",
        f'    title "{mermaid_label(said)}"',
        f"    x-axis [{labels}]",
        f'    y-axis "{mermaid_label(measure.label)}" {score_text(measure.lowest)} --> '
        f"{score_text(measure.highest)}",
        *lines, "```"])


def scores_table(courses: Sequence[Mapping[str, Any]], measures: Mapping[str, Measure]) -> str:
    """The scores of the client's measures at the sessions the charts show (the latest
    :data:`CHARTED` of each), a row a session, linked to its note."""
    dates: dict[str, str] = {}
    cells: dict[tuple[str, int], str] = {}  # (note, column) -> the score
    for column, course in enumerate(courses):
        for score in course["scores"][-CHARTED:]:
            dates[score["note"]] = score["date"]
            cells[score["note"], column] = score_text(score["total"])
    notes = sorted(dates, key=lambda note: (dates[note], note))
    return table(["date", *(measures[course["measure"]].label for course in courses), "note"],
                 [[dates[note], *(cells.get((note, column), "") for column in range(len(courses))),
                   Markup(wikilink(note))] for note in notes])


def _day_labels(days: Sequence[str]) -> list[str]:
    """One label a session, each different (a chart puts equal labels at one place):
    ``11-20`` within one year, ``2026-11-20`` across years, a second session of a day
    numbered."""
    short = len({day[:4] for day in days}) == 1
    seen: Counter[str] = Counter()
    labels = []
    for day in days:
        label = day[5:] if short else day
        seen[label] += 1
        labels.append(label if seen[label] == 1 else f"{label} {seen[label]}")
    return labels


def _list(values: Sequence[str]) -> str:
    return "[" + ", ".join(values) + "]"
