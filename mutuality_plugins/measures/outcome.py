"""Each client's course on a measure (SPEC section 9): intake, previous and latest
totals, the change, and its class."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Measure, Session

INTAKE_ONLY = "intake-only"
RELIABLY_IMPROVED = "reliably-improved"
RECOVERED = "recovered"
RELIABLY_DETERIORATED = "reliably-deteriorated"
NO_RELIABLE_CHANGE = "no-reliable-change"
CLASSES = (RECOVERED, RELIABLY_IMPROVED, NO_RELIABLE_CHANGE, RELIABLY_DETERIORATED, INTAKE_ONLY)
# A reliable improvement, for the rules: either kind.
IMPROVED = frozenset({RELIABLY_IMPROVED, RECOVERED})


def change(intake: float, total: float) -> float:
    """``total - intake``, rounded as every difference of totals is (SPEC section 3).
    Totals are kept rounded to one decimal, so in tenths the difference is exact."""
    return (round(total * 10) - round(intake * 10)) / 10 + 0.0


def class_of(measure: Measure, intake: float, total: float, count: int = 2) -> str | None:
    """The class of a course from ``intake`` to ``total`` over ``count`` recorded
    sessions; None for a measure with no reliable-change value."""
    reliable = measure.reliable_change
    if reliable is None:
        return None
    if count <= 1:
        return INTAKE_ONLY
    better = measure.improvement(change(intake, total))
    if better >= reliable:
        recovered = measure.in_clinical_range(intake) and not measure.in_clinical_range(total)
        return RECOVERED if recovered else RELIABLY_IMPROVED
    return RELIABLY_DETERIORATED if -better >= reliable else NO_RELIABLE_CHANGE


def recorded(sessions: Iterable[Session], measure: Measure) -> list[Session]:
    """The sessions that record the measure's total, in the order given."""
    return [session for session in sessions if measure.name in session.scores]


@dataclass(frozen=True)
class Outcome:
    """One client's course on one measure, over the sessions that record it.

    :ivar sessions: those sessions, in order (at least one).
    """

    client: str
    measure: Measure
    sessions: tuple[Session, ...]

    def total(self, session: Session) -> float:
        return session.scores[self.measure.name]

    @property
    def intake(self) -> float:
        return self.total(self.sessions[0])

    @property
    def latest(self) -> float:
        return self.total(self.sessions[-1])

    @property
    def previous(self) -> float | None:
        return self.total(self.sessions[-2]) if len(self.sessions) > 1 else None

    @property
    def change(self) -> float:
        return change(self.intake, self.latest)

    @property
    def kind(self) -> str | None:
        """Its class; None for a measure without one (the Session Rating Scale)."""
        return class_of(self.measure, self.intake, self.latest, len(self.sessions))

    @property
    def in_words(self) -> str:
        """The class as a therapist says it ("no reliable change after 6 sessions")."""
        count = len(self.sessions)
        kind = self.kind
        if kind is None:
            return f"rated at {count} session{'s' if count != 1 else ''}"
        if kind == INTAKE_ONLY:
            return "intake only: one score so far"
        said = f"{kind.replace('-', ' ')} after {count} sessions"
        return f"{said} (reliably improved, and out of the clinical range)" \
            if kind == RECOVERED else said

    def as_json(self) -> dict[str, Any]:
        previous = self.previous
        return {
            "measure": self.measure.name,
            "intake": self.intake,
            "previous": previous,
            "latest": self.latest,
            "change": self.change,
            "class": self.kind,
            "sessions": len(self.sessions),
            "intake_date": self.sessions[0].date.isoformat(),
            "latest_date": self.sessions[-1].date.isoformat(),
        }


def outcomes(by_client: Mapping[str, Sequence[Session]],
             measures: Iterable[Measure]) -> dict[str, list[Outcome]]:
    """Each client's course on each measure they have a total of (clients and
    measures in the order given)."""
    measures = list(measures)
    found: dict[str, list[Outcome]] = {}
    for client, sessions in by_client.items():
        for measure in measures:
            scored = recorded(sessions, measure)
            if scored:
                found.setdefault(client, []).append(Outcome(client, measure, tuple(scored)))
    return found
