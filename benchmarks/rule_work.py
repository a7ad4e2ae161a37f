"""The work of the two rules a vault can make costly, next to baselines in the same run.

- flagged-word-reused: a client who flagged 8,000 phrases (1 to 3 words each) in one
  session, then six notes of 3 MiB of prose (mixed case, punctuation, line breaks,
  ``-`` between words, some of the phrases in it). The baseline reads each note's text
  once: lowercases it and scans it for one string (as the old rule did for each phrase,
  before a regular expression of its own).
- flagged-word-reused, nested: phrases each inside the next (x, x x, x x x...) and
  many later notes holding them all, where every phrase is in every note: the alerts
  a session raises are capped, so the work and the alerts stay linear.
- pending-feedback, at its worst: every item held for later, and each theme taken up
  again only at the M-th session after it (so none raises an alert, and each held item
  is compared with all the items in between). Two cases: many items a session (M = 2),
  and many sessions with a large M. The baseline looks once at every item.

Medians of several rounds, because this machine is noisy. Each workload is also timed
at half its size: when the work is linear, the full size takes about 2x the half.

Usage::

    python benchmarks/rule_work.py [--rounds 5] [--phrases 8000] [--notes 6] [--mib 3]

Target: linear work, a growth of about 2x (well under 4x) from half to full size.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from random import Random
from typing import Any

from mutuality_plugins.conditions import holdings_at, runs_of
from mutuality_plugins.model import FeedbackItem, Session
from mutuality_plugins.practice import capped
from mutuality_plugins.rules import flagged_word_reused, pending_feedback

START = date(2026, 1, 5)
PUNCTUATION = ["", "", "", "", "", "", ",", ".", ";", "!", "?", ":", "'s", ")"]
SEPARATORS = [" "] * 12 + ["\n", " - ", "-", "  ", "\n\n"]


def session(n: int, items: Sequence[FeedbackItem] = (), text: str = "") -> Session:
    day = START + timedelta(days=n)
    return Session(f"Clients/RM-07/{day} RM-07.md", day, ("RM-07",), items=tuple(items),
                   text=text)


def flagged_words_workload(phrases: int, notes: int, mib: float, seed: int = 1) -> list[Session]:
    """One session flagging ``phrases`` phrases, then ``notes`` notes of ``mib`` MiB."""
    chance = Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = sorted({"".join(chance.choice(letters) for _ in range(chance.randint(2, 10)))
                         for _ in range(20_000)})
    flagged: dict[str, None] = {}
    while len(flagged) < phrases:
        flagged[" ".join(chance.sample(vocabulary, chance.choice([1, 1, 2, 2, 3])))] = None
    chosen = list(flagged)
    items = [FeedbackItem("words", phrase.replace(" ", "-"), phrase=phrase) for phrase in chosen]
    sessions = [session(0, items)]
    size = int(mib * 2**20)
    for n in range(1, notes + 1):
        parts: list[str] = []
        length = 0
        while length < size:
            if chance.random() < 0.002:  # a flagged phrase, written as a therapist might
                words = chance.choice(chosen).split(" ")
                part = chance.choice(SEPARATORS).join(word.capitalize() for word in words)
            else:
                word = chance.choice(vocabulary)
                part = word.capitalize() if chance.random() < 0.1 else word
            part += chance.choice(PUNCTUATION) + chance.choice(SEPARATORS)
            parts.append(part)
            length += len(part)
        sessions.append(session(n, text="".join(parts)))
    return sessions


def nested_words_workload(phrases: int, notes: int) -> list[Session]:
    """One session flagging x, x x, ... (``phrases`` of them), then ``notes`` notes
    holding the longest, so each holds them all."""
    items = [FeedbackItem("words", "-".join(["x"] * n), phrase=" ".join(["x"] * n))
             for n in range(1, phrases + 1)]
    return [session(0, items), *(session(n, text="x " * phrases) for n in range(1, notes + 1))]


def pending_workload(sessions: int, items: int, after: int) -> list[Session]:
    """``sessions`` sessions of ``items`` items, all held for later; a session's themes
    come again exactly ``after`` sessions later."""
    return [session(n, [FeedbackItem(f"t{n % after}-{k}", "s", response="pending")
                        for k in range(items)])
            for n in range(sessions)]


def read_once(sessions: Sequence[Session]) -> int:
    """Baseline: each note's text lowercased and scanned once."""
    return sum(session.text.lower().count("zq") for session in sessions)


def look_at_items(sessions: Sequence[Session]) -> int:
    """Baseline: every item looked at once."""
    return sum(item.response == "pending" for session in sessions for item in session.items)


def run_rule(module: Any, settings: dict[str, Any]) -> Callable[[Sequence[Session]], int]:
    """The rule as a command runs it: its condition's holdings checked, its alerts and
    gaps derived, the alerts taken as the practice takes them (at most 20 a session)."""
    rule = module.mutuality_rules()[0]

    def run(sessions: Sequence[Session]) -> int:
        runs = runs_of(rule, "RM-07", sessions, 0, lambda first: holdings_at(
            rule.condition("RM-07", sessions, settings, first), sessions))
        assert runs is not None
        return len(capped(runs.alerts))

    return run


def median_time(work: Callable[[Sequence[Session]], int], sessions: Sequence[Session],
                rounds: int) -> tuple[float, int]:
    times, result = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        result = work(sessions)
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--phrases", type=int, default=8000)
    parser.add_argument("--notes", type=int, default=6)
    parser.add_argument("--mib", type=float, default=3.0)
    args = parser.parse_args()

    cases = [
        (f"flagged-word-reused, {args.phrases:,} phrases, {args.notes} notes of {args.mib:g} MiB",
         lambda half: flagged_words_workload(args.phrases // half, args.notes, args.mib / half),
         run_rule(flagged_word_reused, {}), "lowercase + scan once", read_once),
        ("flagged-word-reused, nested: 2,000 phrases x, x x, ..., all in 400 notes",
         lambda half: nested_words_workload(2000, 400 // half),
         run_rule(flagged_word_reused, {}), "lowercase + scan once", read_once),
        ("pending-feedback, 100 sessions of 2,000 held items, M = 2",
         lambda half: pending_workload(100, 2000 // half, 2),
         run_rule(pending_feedback, {"sessions": 2}), "each item once", look_at_items),
        ("pending-feedback, 20,000 sessions of 1 held item, M = 2,000",
         lambda half: pending_workload(20_000 // half, 1, 2000 // half),
         run_rule(pending_feedback, {"sessions": 2000}), "each item once", look_at_items),
    ]
    print(f"rounds: {args.rounds} (medians)")
    for title, workload, rule, baseline_name, baseline in cases:
        full, half = workload(1), workload(2)
        base_time, _ = median_time(baseline, full, args.rounds)
        rule_time, alerts = median_time(rule, full, args.rounds)
        half_time, _ = median_time(rule, half, args.rounds)
        print(title)
        print(f"  {baseline_name:<24}{base_time:9.3f} s")
        print(f"  the rule{'':<16}{rule_time:9.3f} s  ({rule_time / base_time:.1f}x the baseline,"
              f" {alerts:,} alerts)")
        print(f"  the rule at half size{'':<3}{half_time:9.3f} s  (growth to full size "
              f"{rule_time / half_time:.2f}x; linear is about 2x)")


if __name__ == "__main__":
    main()
