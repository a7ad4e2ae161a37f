"""alliance-low: a low Session Rating Scale total, or a drop from the last one.

Only the sessions with a total count: the condition holds at a rated session below the
cutoff, or at least D below the rated session before it. Each low rating is news, so
it is raised at every such session; the gap shows that it goes on.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..hookspecs import hookimpl
from ..model import RAISED_EVERY, Holding, Rule, Session

NAME = "alliance-low"


def rated(session: Session) -> bool:
    return session.srs_total is not None


def condition(client: str, sessions: Sequence[Session], settings: Mapping[str, Any],
              first: int) -> Iterator[Holding]:
    cutoff, drop = settings["cutoff"], settings["drop"]
    for index in range(max(first, 0), len(sessions)):
        session = sessions[index]
        total = session.srs_total
        assert total is not None  # only rated sessions are counted
        previous = sessions[index - 1] if index > 0 else None
        if total < cutoff:
            yield Holding(session, "below-cutoff", "alert",
                          f"session rating {total:g} of 40 is below {cutoff:g}",
                          (session.path,))
        elif (previous is not None and previous.srs_total is not None
              and round(previous.srs_total - total, 1) >= drop):
            yield Holding(session, "dropped", "warning",
                          f"session rating fell from {previous.srs_total:g} to {total:g}",
                          (previous.path, session.path))


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [Rule(NAME, settings={"cutoff": 36.0, "drop": 3.0},
                 description="a low or falling session rating", condition=condition,
                 raised=RAISED_EVERY, counted=rated)]
