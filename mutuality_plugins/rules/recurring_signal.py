"""recurring-signal: the same feedback coming back within a few sessions."""

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from ..hookspecs import hookimpl
from ..model import Alert, Rule, Session
from .sequence import leading_up_to

NAME = "recurring-signal"


def check(client: str, sessions: Sequence[Session], settings: Mapping[str, Any],
          since: date | None) -> Iterator[Alert]:
    times, window = settings["times"], settings["window"]
    # An alert at a session depends on it and the window before it.
    sessions = leading_up_to(sessions, since, window)
    keys = [{item.key: item for item in session.items} for session in sessions]
    # sessions holding each key among the window's earlier sessions
    counts: dict[tuple[str, str], int] = {}
    for index, session in enumerate(sessions):
        dropped = keys[index - window] if index >= window else {}
        for key in dropped:
            counts[key] -= 1
        for key, item in keys[index].items():
            earlier = counts.get(key, 0)
            counts[key] = now = earlier + 1
            before = earlier + (key in dropped)  # the window of the session before
            # Raised when the count reaches K here, not while it stays there.
            if now >= times > before:
                first = max(0, index - window + 1)
                yield Alert(
                    NAME, client, session.date, session.path, "warning", item.label,
                    f"the same feedback came back: {item.label} in {now} "
                    f"of the last {index + 1 - first} sessions" if index > first else
                    f"the same feedback came up: {item.label}",
                    tuple(s.path for s, held in zip(sessions[first:index + 1],
                                                    keys[first:index + 1], strict=True)
                          if key in held),
                )


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [Rule(NAME, check, {"times": 2, "window": 3}, "the same feedback coming back")]
