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


def courses_until(by_client: Mapping[str, Sequence[Session]], measures: Iterable[Measure],
                  until: date) -> dict[str, list[Outcome]]:
    """Each client's course on each measure over the sessions on or before ``until``
    (clients in the order given)."""
    return outcomes({client: [session for session in sessions if session.date <= until]
                     for client, sessions in by_client.items()}, measures)


def classes_of(courses: Mapping[str, Sequence[Outcome]]) -> dict[str, dict[str, int]]:
    """The practice's classes of each measure: how many clients are of each."""
    classes: dict[str, Counter[str]] = {}
    for found in courses.values():
        for course in found:
            if course.kind is not None:
                classes.setdefault(course.measure.name, Counter())[course.kind] += 1
    return {measure: {kind: counted[kind] for kind in CLASSES if counted[kind]}
            for measure, counted in classes.items()}


def course_json(course: Outcome) -> dict[str, Any]:
    """A course as reports give it in JSON: with its class in words and every score.
    Made a client at a time: over a thousand clients' years of scores, these are the
    largest part of a report."""
    return course.as_json() | {"in_words": course.in_words, "scores": _scores(course)}


def _scores(course: Outcome, latest: int | None = None) -> list[dict[str, Any]]:
    shown = course.sessions if latest is None else course.sessions[-latest:]
    return [{"date": session.date.isoformat(), "note": session.path,
             "total": course.total(session)} for session in shown]


def practice_lines(classes: Mapping[str, Mapping[str, int]],
                   measures: Iterable[Measure]) -> list[str]:
    """One line a measure: how many clients are improved, recovered, unchanged,
    deteriorated (``classes``: from :func:`classes_of`)."""
    lines = []
    for measure in measures:
        counted = classes.get(measure.name)
        if counted:
            clients = sum(counted.values())
            said = ", ".join(f"{number} {kind.replace('-', ' ')}" for kind, number in
                             counted.items())
            lines.append(f"- **{words(measure.label)}**, {clients} client"
                         f"{'s' if clients != 1 else ''}: {said}.")
    return lines


def client_section(courses: Sequence[Outcome], measures: Mapping[str, Measure],
                   heading: str) -> str:
    """A client's measures: one line each (intake, previous, latest, class), a chart of
    each with two scores or more, and the latest scores in one table beside them.
    ``measures``: by name, as the report draws them."""
    lines = [heading]
    for course in courses:
        measure = measures[course.measure.name]
        previous = "" if course.previous is None else \
            f", previous {score_text(course.previous)}"
        lines.append(f"- **{words(measure.label)}**: intake {score_text(course.intake)} "
                     f"({course.sessions[0].date.isoformat()}){previous}, latest "
                     f"{score_text(course.latest)} ({course.sessions[-1].date.isoformat()}): "
                     f"{course.in_words}.")
    parts = ["\n".join(lines)]
    parts += [chart(measures[course.measure.name], _scores(course, CHARTED),
                    len(course.sessions)) for course in courses if len(course.sessions) > 1]
    parts.append(scores_table(courses, measures))
    return "\n\n".join(parts)


def chart(measure: Measure, scores: Sequence[Mapping[str, Any]],
          recorded: int | None = None) -> str:
    """A Mermaid line of the measure's latest totals (the cutoff as a second line): not
    every Obsidian draws every chart, so the numbers are in a table beside it.
    ``recorded``: how many scores there are in all (``scores`` may be the latest only)."""
    recorded = len(scores) if recorded is None else recorded
    shown = scores[-CHARTED:]
    labels = ", ".join(f'"{label}"' for label in _day_labels([s["date"] for s in shown]))
    lines = [f"    line {_list([score_text(score['total']) for score in shown])}"]
    said = f"{measure.label}, {measure.better} is better"
    if measure.cutoff is not None:
        lines.append(f"    line {_list([score_text(measure.cutoff)] * len(shown))}")
        said += f", second line the cutoff {score_text(measure.cutoff)}"
    if len(shown) < recorded:
        said += f", the latest {len(shown)} of {recorded}"
    return "\n".join([
        "```mermaid", "xychart-beta",
        f'    title "{mermaid_label(said)}"',
        f"    x-axis [{labels}]",
        f'    y-axis "{mermaid_label(measure.label)}" {score_text(measure.lowest)} --> '
        f"{score_text(measure.highest)}",
        *lines, "```"])


def scores_table(courses: Sequence[Outcome], measures: Mapping[str, Measure]) -> str:
    """The scores of the client's measures at the sessions the charts show (the latest
    :data:`CHARTED` of each), a row a session, linked to its note."""
    dates: dict[str, str] = {}
    cells: dict[tuple[str, int], str] = {}  # (note, column) -> the score
    for column, course in enumerate(courses):
        for session in course.sessions[-CHARTED:]:
            dates[session.path] = session.date.isoformat()
            cells[session.path, column] = score_text(course.total(session))
    notes = sorted(dates, key=lambda note: (dates[note], note))
    return table(["date", *(measures[course.measure.name].label for course in courses), "note"],
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
