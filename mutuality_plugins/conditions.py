"""From a rule's condition to its alerts (events) and its open gaps (state).

A rule that states its condition, the sessions where it holds (see
:data:`~mutuality_plugins.model.Condition`), gets both without other code:

- an alert where a run of consecutive sessions holding it (with one detail) begins,
  or at every session where it holds, for a rule whose every holding is news;
- a gap while such a run goes on at the client's latest session, ``opened`` at the
  run's first session.

A gap's run may reach back years, but a rule may skip costly work before the first
session wanted: the holdings are asked for from just before the first alert wanted,
and again from the first session only when an open run reaches back that far.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from operator import attrgetter, itemgetter
from typing import Any

from .contracts import EACH_HOLDING
from .errors import PluginFault
from .model import RAISED_EVERY, Alert, Gap, Holding, Rule, Session, severity_rank

Hold = Callable[[int], "list[Holding] | None"]
"""``hold(first)``: a rule's holdings from session ``first`` on; None when it failed."""

# The gaps of one rule a client may have open at once, at most: each lists the notes of
# its run, and a vault someone else wrote could open thousands over thousands of notes.
MOST_OPEN = 100
# What a rule may give in all, a session: enough for the built-in rules' most (one
# alert an item, 100 a session), not for a rule that never stops.
MOST_TAKEN_A_SESSION = 200


def first_on(sessions: Sequence[Session], since: date | None) -> int:
    """The index of the first session on or after ``since`` (0 for None)."""
    return 0 if since is None else bisect_left(sessions, since, key=attrgetter("date"))


def at_most_a_session(answer: Any, checked: Callable[[Any], Iterator[Any]],
                      where: Callable[[Any], str | None], sessions: Sequence[Session],
                      what: str) -> Iterator[Any]:
    """What a rule gives (alerts or holdings), checked as they come, each at one of
    the ``sessions`` (``where`` names the note it is at, or None when it is at none).

    :raises PluginFault: for one at another note, or more than
        :data:`MOST_TAKEN_A_SESSION` a session in all (a rule that never stops).
    """
    notes = {session.path for session in sessions}
    most = MOST_TAKEN_A_SESSION * len(sessions)
    for taken, item in enumerate(checked(answer), start=1):
        if where(item) not in notes:
            raise PluginFault(f"its {what} should be at one of the sessions it was given, "
                              "for the client it was given")
        if taken > most:
            raise PluginFault(f"it gave more than {MOST_TAKEN_A_SESSION} {what.lower()}s a session")
        yield item


def holdings_at(answer: Any, sessions: Sequence[Session]) -> list[Holding]:
    """A condition's answer, checked (the contract of a rule's condition): each at one
    of the ``sessions``, running through one of them no earlier."""
    position = positions(sessions)

    def where(holding: Holding) -> str | None:
        through = holding.through
        if through is not None and position.get(through.path, -1) < position.get(
                holding.session.path, len(sessions)):
            return None
        return holding.session.path

    return list(at_most_a_session(answer, EACH_HOLDING, where, sessions, "Holding"))


@dataclass(slots=True)
class Runs:
    """The runs of a rule's condition over one client's sessions, from ``first`` to
    ``last``.

    :ivar holdings: the rule's holdings they are made of.
    :ivar position: each session's index, by its path.
    :ivar alerts: the alerts raised at sessions from ``wanted`` on.
    :ivar more: note -> how many more alerts like them hold there, not stated.
    :ivar open: detail -> (the first session of its run, the last holding of it), of
        each run going on at the last session.
    """

    rule: Rule
    client: str
    sessions: Sequence[Session]
    holdings: Sequence[Holding]
    position: Mapping[str, int]
    first: int
    last: int
    alerts: list[Alert]
    open: dict[str | None, tuple[int, Holding]]
    more: dict[str, int]

    @classmethod
    def of(cls, rule: Rule, client: str, sessions: Sequence[Session],
           holdings: Sequence[Holding], first: int, wanted: int,
           position: Mapping[str, int], upto: int | None = None) -> Runs:
        """The runs over the sessions up to (not including) ``upto`` (all of them when
        None): what holds at a session depends on it and the sessions before only."""
        count = len(sessions) if upto is None else upto
        every = rule.raised == RAISED_EVERY
        runs: dict[str | None, tuple[int, int]] = {}  # detail -> (first, last) index
        latest: dict[str | None, tuple[int, Holding]] = {}
        alerts = []
        more: dict[str, int] = {}
        for begun, new, end, holding in _growing(holdings, position, first, count):
            detail = holding.detail
            runs[detail] = (begun, end)
            latest[detail] = (begun, holding)
            raised = [] if not holding.raises else range(max(new, wanted), end + 1) \
                if every else [begun] if begun == new and begun >= wanted else []
            for index in raised:
                session = sessions[index]
                alerts.append(Alert(rule.name, client, session.date, session.path,
                                    holding.severity, detail, holding.message,
                                    holding.evidence))
                if holding.more > 0:
                    more[session.path] = more.get(session.path, 0) + holding.more
        last = count - 1
        still = {detail: latest[detail] for detail, (_, end) in runs.items() if end == last}
        return cls(rule, client, sessions, holdings, position, first, last, alerts, still,
                   more)

    @property
    def reaches_back(self) -> bool:
        """Whether an open run may begin before the first session asked about."""
        return self.first > 0 and any(start <= self.first for start, _ in self.open.values())

    def until(self, count: int) -> Runs | None:
        """The runs over the first ``count`` sessions (to find the gaps open on an
        earlier day), from the same holdings; None when these do not tell (they begin
        later, or a run open there may begin before them)."""
        if count - 1 < self.first:
            return None
        runs = Runs.of(self.rule, self.client, self.sessions, self.holdings, self.first,
                       count, self.position, upto=count)
        return None if runs.reaches_back else runs

    def gaps(self, dismissed: frozenset[str] = frozenset(),
             most: int | None = MOST_OPEN) -> list[Gap]:
        """The gaps open at the last session: the dismissed ones, and of the others the
        ``most`` most serious and longest open (all with None), the last saying how
        many more."""
        if self.last < 0 or not self.open:
            return []
        latest = self.sessions[self.last]
        opened = [Gap(self.rule.name, self.client, detail, self.sessions[start].date,
                      latest.date, holding.severity, holding.message, ())
                  for detail, (start, holding) in self.open.items()]
        kept = [gap for gap in opened if gap.id in dismissed]
        ranked = sorted((gap for gap in opened if gap.id not in dismissed),
                        key=lambda gap: (severity_rank(gap.severity), gap.opened, gap.order))
        most = len(ranked) if most is None else most
        kept += ranked[:most]
        if len(ranked) > most:
            more = len(ranked) - most
            said = f"{kept[-1].message} (and {more} more gaps like it, not listed one by one)"
            kept[-1] = replace(kept[-1], more=more, message=said)
        start = {detail: first for detail, (first, _) in self.open.items()}
        return [replace(gap, notes=tuple(session.path for session in
                                         self.sessions[start[gap.detail]:self.last + 1]))
                for gap in kept]


def _growing(holdings: Sequence[Holding], position: Mapping[str, int], first: int,
             count: int) -> Iterator[tuple[int, int, int, Holding]]:
    """The runs of the holdings over the sessions ``first`` to ``count`` - 1, as they
    grow, in session order: (the run's first session, the first session this holding
    adds to it, its last session so far, the holding). A run is a detail holding at
    sessions one after another; at one session twice, the first holding counts."""
    spans = []  # (first session, last session, holding)
    for holding in holdings:
        end = start = position[holding.session.path]
        if holding.through is not None:
            end = min(position[holding.through.path], count - 1)
        if end >= first and start < count:
            spans.append((start, end, holding))
    spans.sort(key=itemgetter(0))
    runs: dict[str | None, tuple[int, int]] = {}  # detail -> (first, last) index
    for start, end, holding in spans:
        run = runs.get(holding.detail)
        if run is not None and start <= run[1] + 1:  # it goes on
            if end <= run[1]:
                continue
            begun, new = run[0], run[1] + 1
        else:
            begun = new = start
        runs[holding.detail] = (begun, end)
        yield begun, new, end, holding


def every_run(holdings: Sequence[Holding], position: Mapping[str, int], count: int
              ) -> list[tuple[int, int]]:
    """Every run of the holdings over ``count`` sessions, ended or not: (first, last
    session index), in the order they began (a gap each, from its opening to the
    session that put it right, if any)."""
    runs: dict[tuple[str | None, int], int] = {}  # (detail, first) -> last
    for begun, _, end, holding in _growing(holdings, position, 0, count):
        runs[(holding.detail, begun)] = end
    return sorted((begun, end) for (_, begun), end in runs.items())


def positions(sessions: Sequence[Session]) -> dict[str, int]:
    """Each session's index, by its path."""
    return {session.path: index for index, session in enumerate(sessions)}


def runs_of(rule: Rule, client: str, sessions: Sequence[Session], wanted: int,
            hold: Hold, position: Mapping[str, int] | None = None) -> Runs | None:
    """The runs of the rule's condition, its alerts from ``wanted`` on; None when the
    rule failed. ``hold(first)`` gives the holdings from session ``first`` on;
    ``position``, each session's index by its path (found here when not given)."""
    position = positions(sessions) if position is None else position
    # From the session before the first wanted: an alert there needs to know whether
    # the run began before it.
    first = max(0, min(wanted, len(sessions)) - 1)
    holdings = hold(first)
    if holdings is None:
        return None
    runs = Runs.of(rule, client, sessions, holdings, first, wanted, position)
    return runs_until(runs, len(sessions), hold, wanted) if runs.reaches_back else runs


def runs_until(runs: Runs, count: int, hold: Hold, wanted: int | None = None) -> Runs | None:
    """The runs over the first ``count`` of the sessions of ``runs`` (to find the gaps
    open on an earlier day), with the alerts from ``wanted`` on (none by default): from
    the holdings at hand, else asked for again from the first session with ``hold``;
    None when the rule failed."""
    earlier = runs.until(count)
    if earlier is not None and wanted is None:
        return earlier
    holdings = hold(0)
    if holdings is None:
        return None
    return Runs.of(runs.rule, runs.client, runs.sessions, holdings, 0,
                   count if wanted is None else wanted, runs.position, upto=count)
