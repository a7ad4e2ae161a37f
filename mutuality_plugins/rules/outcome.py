"""The outcome rules (SPEC section 9), each run once for every measure (or risk item)
over the sessions that record it:

- outcome-deteriorated: the change from intake is a reliable deterioration (raised
  where it first is; open while it is).
- not-on-track: by the N-th recorded session the change from intake is not a reliable
  improvement (raised at the N-th; open at every later one where it still is not):
  the clients for whom feedback pays off most.
- risk-item: a risk item above 0 (raised at each; open until it is recorded at 0).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..hookspecs import hookimpl
from ..measures.outcome import IMPROVED, RELIABLY_DETERIORATED, change, class_of
from ..measures.reading import score_text
from ..model import (
    EACH_MEASURE,
    EACH_RISK_ITEM,
    RAISED_EVERY,
    RISK_ITEM,
    Holding,
    Measure,
    RiskItem,
    Rule,
    Session,
)


def _class_at(measure: Measure, sessions: Sequence[Session], index: int) -> str | None:
    """The class of the course from intake to session ``index``."""
    return class_of(measure, sessions[0].scores[measure.name],
                    sessions[index].scores[measure.name], index + 1)


def _course(measure: Measure, sessions: Sequence[Session], index: int) -> str:
    """The course from intake to session ``index``, as the therapist reads it."""
    intake, total = (sessions[at].scores[measure.name] for at in (0, index))
    moved = change(intake, total)
    how = f"{'up' if moved > 0 else 'down'} {score_text(abs(moved))} from" if moved else "as at"
    return (f"{measure.label} {score_text(total)} at its {_ordinal(index + 1)} score, {how} "
            f"{score_text(intake)} at intake ({sessions[0].date})")


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"


def deteriorated(client: str, sessions: Sequence[Session], settings: Mapping[str, Any],
                 first: int) -> Iterator[Holding]:
    measure: Measure = settings["measure"]
    reliable = score_text(measure.reliable_change or 0)
    for index in range(max(first, 1), len(sessions)):
        if _class_at(measure, sessions, index) == RELIABLY_DETERIORATED:
            yield Holding(sessions[index], measure.name, "alert",
                          f"{_course(measure, sessions, index)}: reliably worse (by "
                          f"{reliable} or more); ask the client what has been getting worse",
                          (sessions[0].path, sessions[index].path))


def not_on_track(client: str, sessions: Sequence[Session], settings: Mapping[str, Any],
                 first: int) -> Iterator[Holding]:
    measure: Measure = settings["measure"]
    needed = settings["sessions"]
    reliable = score_text(measure.reliable_change or 0)
    for index in range(max(first, needed - 1), len(sessions)):
        if _class_at(measure, sessions, index) not in IMPROVED:
            yield Holding(sessions[index], measure.name, "warning",
                          f"not on track: {_course(measure, sessions, index)}, short of a "
                          f"reliable improvement ({reliable}); ask the client what could help "
                          "more", (sessions[0].path, sessions[index].path),
                          raises=index == needed - 1)


def risk_item(client: str, sessions: Sequence[Session], settings: Mapping[str, Any],
              first: int) -> Iterator[Holding]:
    risk: RiskItem = settings["risk_item"]
    for session in sessions[max(first, 0):]:
        score = session.risks[risk.name]
        if score > 0:
            yield Holding(session, risk.name, "alert",
                          f"{risk.label or risk.name} answered {score_text(score)} of "
                          f"{risk.highest}: a risk item above 0; follow it up with the client",
                          (session.path,))


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [
        Rule("outcome-deteriorated", condition=deteriorated, each=EACH_MEASURE,
             description="an outcome measure reliably worse than at intake"),
        Rule("not-on-track", settings={"sessions": 4}, condition=not_on_track,
             each=EACH_MEASURE,
             description="no reliable improvement on an outcome measure by the N-th session"),
        Rule(RISK_ITEM, condition=risk_item, each=EACH_RISK_ITEM, raised=RAISED_EVERY,
             description="a risk item answered above 0"),
    ]
