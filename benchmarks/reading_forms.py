"""What the forms Obsidian and its plugins write cost to read, next to plain notes.

The same 2,000 sessions are written twice: plainly (front-matter with lowercase names)
and the ways therapists' vaults hold them (Dataview inline fields and no front-matter,
capitalised property names, a daily-note link for the date, a template's hint comment,
numbers with leading zeros). Each set is read note by note as a scan reads it, five
times; the medians are printed side by side with their ratio (the machine is noisy:
read the ratio).

Usage::

    python benchmarks/reading_forms.py [--notes 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from mutuality_plugins.config import Settings
from mutuality_plugins.errors import NoteProblem
from mutuality_plugins.model import Session
from mutuality_plugins.plugins import get_plugin_manager
from mutuality_plugins.reading.note import read_session
from mutuality_plugins.vault import _extractors

PROSE = ("We went back over the week and what felt hardest. She described the argument "
         "with her sister in some detail; we worked on the timeline of the move.\n") * 12


def plain(number: int, day: dt.date, score: int) -> str:
    return (f"---\nclient: C-{number % 40:03}\ndate: {day}\nfeedback_invited: yes\n"
            f"tags: [session]\nsrs_total: {score}\nfeedback:\n  - pacing/too-fast: slow down\n"
            f"---\n# Session\n{PROSE}#feedback/topic/not-now\n")


def as_obsidian_writes(number: int, day: dt.date, score: int) -> str:
    client = f"C-{number % 40:03}"
    form = number % 3
    if form == 0:  # Dataview: no front-matter at all
        return (f"# Session\nclient:: [[{client}]]\ndate:: {day}\nfeedback_invited:: yes\n"
                f"Rating: [srs_total:: {score:03}]\n- feedback:: pacing/too-fast: slow down\n"
                f"%% tag #feedback/invited when you asked %%\n{PROSE}#feedback/topic/not-now\n")
    if form == 1:  # capitalised names, as an older template wrote them
        return (f"---\nClient: \"[[Clients/{client}|{client}]]\"\nDate: {day}\n"
                f"Feedback_Invited: yes\nTags: [session]\nSRS_Total: {score:03}\n"
                f"Feedback:\n  - pacing/too-fast: slow down\n---\n# Session\n<!-- hint -->\n"
                f"{PROSE}#feedback/topic/not-now\n")
    return (f"---\nclient: \"[[{client}]]\"\ndate: \"[[Daily/{day}|{day:%a}]]\"\n"
            f"feedback_invited: yes\ntags: [session]\nsrs_total: {score}\nfeedback:\n"
            f"  - pacing/too-fast: slow down\n---\n# Session\n{PROSE}#feedback/topic/not-now\n")


def read_all(notes: list[tuple[str, bytes]], extract: object) -> float:
    started = time.perf_counter()
    for path, raw in notes:
        try:
            reading = read_session(raw, path, extract, Settings())  # type: ignore[arg-type]
        except NoteProblem as problem:
            raise SystemExit(f"{path}: {problem}") from None
        assert isinstance(reading, Session), path
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=2000)
    count = parser.parse_args().notes
    rng = random.Random(12)
    first = dt.date(2025, 1, 6)
    sessions = [(n, first + dt.timedelta(days=n // 40 * 7), rng.randint(30, 40))
                for n in range(count)]
    sets = {
        "plain": [(f"{d} {n}.md", plain(n, d, s).encode()) for n, d, s in sessions],
        "Obsidian's forms": [(f"{d} {n}.md", as_obsidian_writes(n, d, s).encode())
                             for n, d, s in sessions],
    }
    extract = _extractors(get_plugin_manager(load_entry_points=False), Settings())
    times: dict[str, list[float]] = {name: [] for name in sets}
    for _ in range(5):  # in turn, so that a drift of the machine's speed hits both
        for name, notes in sets.items():
            times[name].append(read_all(notes, extract))
    medians = {name: statistics.median(each) for name, each in times.items()}
    for name, median in medians.items():
        print(f"{name:>17}: {median * 1000:7.1f} ms for {count} notes "
              f"({median / count * 1e6:5.1f} us a note, median of 5)")
    print(f"{'ratio':>17}: {medians[list(sets)[1]] / medians['plain']:.2f} x plain")


if __name__ == "__main__":
    main()
