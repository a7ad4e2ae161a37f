"""recurring-signal: the same feedback coming back within a few sessions.

The condition holds at a session for each (theme, signal) in at least K of the W
sessions ending there (it need not be in that session itself): raised where that
begins, open while the feedback keeps coming back.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..hookspecs import hookimpl
from ..model import FeedbackItem, Holding, Rule, Session

NAME = "recurring-signal"


def condition(client: str, sessions: Sequence[Session], settings: Mapping[str, Any],
              first: int) -> Iterator[Holding]:
    times, window = settings["times"], settings["window"]
    # What holds at a session depends on it and the window before it.
    start = max(0, first - window)
    keys = [{item.key: item for item in session.items} for session in sessions]
    # sessions holding each key in the window, and the key's item as last written
    counts: dict[tuple[str, str], int] = {}
    items: dict[tuple[str, str], FeedbackItem] = {}
    often: set[tuple[str, str]] = set()  # the keys counted at least K times
    for index in range(start, len(sessions)):
        if index >= start + window:
            for key in keys[index - window]:
                counts[key] -= 1
                if counts[key] < times:
                    often.discard(key)
        for key, item in keys[index].items():
            counts[key] = counts.get(key, 0) + 1
            items[key] = item
            if counts[key] >= times:
                often.add(key)
        if index < first:
            continue
        begun = max(0, index - window + 1)
        for key in sorted(often):
            label, count = items[key].label, counts[key]
            yield Holding(
                sessions[index], label, "warning",
                f"the same feedback came back: {label} in {count} "
                f"of the last {index + 1 - begun} sessions" if index > begun else
                f"the same feedback came up: {label}",
                tuple(s.path for s, held in zip(sessions[begun:index + 1],
                                                keys[begun:index + 1], strict=True)
                      if key in held),
            )


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [Rule(NAME, settings={"times": 2, "window": 3},
                 description="the same feedback coming back", condition=condition)]
