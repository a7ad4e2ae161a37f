"""alliance-low: a low Session Rating Scale total, or a drop from the last one."""

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from ..hookspecs import hookimpl
from ..model import Alert, Rule, Session
from .sequence import leading_up_to

NAME = "alliance-low"


def check(client: str, sessions: Sequence[Session], settings: Mapping[str, Any],
          since: date | None) -> Iterator[Alert]:
    cutoff, drop = settings["cutoff"], settings["drop"]
    wanted = leading_up_to(sessions, since, 0)
    earlier = sessions[: len(sessions) - len(wanted)]
    # The client's last session with a total, before the first one checked.
    previous = next((s for s in reversed(earlier) if s.srs_total is not None), None)
    for session in wanted:
        total = session.srs_total
        if total is None:
            continue
        if total < cutoff:
            yield Alert(
                NAME, client, session.date, session.path, "alert", "below-cutoff",
                f"session rating {total:g} of 40 is below {cutoff:g}", (session.path,),
            )
        elif (previous is not None and previous.srs_total is not None
              and round(previous.srs_total - total, 1) >= drop):
            yield Alert(
                NAME, client, session.date, session.path, "warning", "dropped",
                f"session rating fell from {previous.srs_total:g} to {total:g}",
                (previous.path, session.path),
            )
        previous = session


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [
        Rule(NAME, check, {"cutoff": 36.0, "drop": 3.0}, "a low or falling session rating")
    ]
