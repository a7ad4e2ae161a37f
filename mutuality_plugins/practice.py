"""A practice: everything read from a vault, with the alerts its sessions raise.

One builder assembles it, for a command and for the watcher alike: it runs the
enabled rules for each client, and for the watcher again only for the clients whose
sessions changed since the last build.
"""

from __future__ import annotations

import operator
from bisect import bisect_right, insort
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache, partial
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from .conditions import (
    MOST_OPEN,
    Hold,
    Runs,
    at_most_a_session,
    every_run,
    first_on,
    holdings_at,
    positions,
    runs_of,
    runs_until,
)
from .config import Settings, rule_settings
from .contracts import EACH_ALERT
from .model import (
    ACTIVE,
    CLOSED,
    EACH_MEASURE,
    EACH_RISK_ITEM,
    INACTIVE,
    MOST_A_SESSION,
    RISK_ITEM,
    Alert,
    Gap,
    Holding,
    Rule,
    ScanResult,
    Session,
    first_and_last,
)
from .plugin_calls import FAILED, PluginGuard
from .plugins import PluginManager

# ``since`` for a practice that needs no alerts (the gaps only).
NO_ALERTS = date.max


@dataclass(frozen=True)
class Practice:
    """What reporters receive.

    :ivar scan: the notes read, the sessions and the problem notes.
    :ivar alerts: the alerts of the enabled rules raised at sessions on or after
        ``alerts_since`` (all of them when it is None), sorted by (date, client,
        rule, detail, note).
    :ivar today: the day the report is made; reports' default periods count from it.
        Sessions dated after it are not in ``scan``: they have not happened yet.
    :ivar client: the one client the practice is made for (``--client``), if any:
        ``scan`` holds that client's sessions, ``alerts`` that client's alerts.
    :ivar gaps: every gap open today, of every client whatever the status, dismissed
        or not (but at most 100 not dismissed of a rule for a client, the last saying
        how many more), sorted by (client, rule, detail, opened); :meth:`listed_gaps`
        gives those to show.
    :ivar statuses: each client's status today: ``active``, ``inactive`` or ``closed``.
    :ivar dismissed: the ids of the gaps the therapist dismissed.
    :ivar unrecorded_ticks: the ids of gaps ticked in ``Alerts.md`` that could not be
        recorded as dismissed (the note of dismissals cannot be read or written now):
        they stay ticked there.
    :ivar dismissals_trouble: why the note of dismissals cannot be read, if it cannot:
        no note showing gaps is written then (it would show the dismissed ones).
    :ivar seen: notes of the output folder as read when the practice was made, by
        name: one changed since is not written over (a tick may have come meanwhile).
    :ivar read: the whole vault as read, sessions after ``today`` (and of other
        clients than ``client``) included: what a command says it leaves out.
    """

    vault: Path
    scan: ScanResult
    alerts: tuple[Alert, ...]
    settings: Settings
    today: date
    alerts_since: date | None = None
    client: str | None = None
    gaps: tuple[Gap, ...] = ()
    statuses: Mapping[str, str] = field(default_factory=dict)
    dismissed: frozenset[str] = frozenset()
    unrecorded_ticks: frozenset[str] = frozenset()
    dismissals_trouble: str | None = None
    seen: Mapping[str, str] = field(default_factory=dict)
    read: ScanResult | None = None
    _gaps_on: Callable[[date], tuple[Gap, ...]] | None = field(
        default=None, repr=False, compare=False)
    _gap_history: Callable[[], tuple[GapRun, ...]] | None = field(
        default=None, repr=False, compare=False)

    @property
    def vault_as_read(self) -> ScanResult:
        """The whole vault as read (:attr:`read`, or :attr:`scan` when not given)."""
        return self.scan if self.read is None else self.read

    def listed_gaps(self, *, all_clients: bool = False,
                    include_dismissed: bool = False) -> list[Gap]:
        """The open gaps to show: of active clients (or all, with ``all_clients``), not
        dismissed (or all, with ``include_dismissed``); a risk item always."""
        return listed(self.gaps, self.statuses, self.dismissed, all_clients=all_clients,
                      include_dismissed=include_dismissed)

    def is_dismissed(self, gap: Gap) -> bool:
        """Whether the therapist dismissed the gap: a risk item never is (SPEC 9)."""
        return gap.rule != RISK_ITEM and gap.id in self.dismissed

    def gaps_on(self, day: date) -> tuple[Gap, ...]:
        """Every gap open as of ``day`` (no later than today), as :attr:`gaps` is today."""
        if day >= self.today:
            return self.gaps
        if self._gaps_on is None:
            raise ValueError("a practice made without its builder knows only today's gaps")
        return self._gaps_on(day)

    def gap_history(self) -> tuple[GapRun, ...]:
        """Every gap that opened up to today, put right since or still open."""
        if self._gap_history is None:
            raise ValueError("a practice made without its builder knows only today's gaps")
        return self._gap_history()

    def listed_gaps_on(self, day: date) -> list[Gap]:
        """The gaps ``mutuality gaps --as-of DAY`` lists."""
        if day >= self.today:
            return self.listed_gaps()
        return listed(self.gaps_on(day), client_statuses(self.scan, day, self.settings),
                      self.dismissed)


def listed(gaps: Sequence[Gap], statuses: Mapping[str, str], dismissed: frozenset[str], *,
           all_clients: bool = False, include_dismissed: bool = False) -> list[Gap]:
    return [gap for gap in gaps
            if gap.rule == RISK_ITEM  # never held back
            or ((all_clients or statuses.get(gap.client, ACTIVE) == ACTIVE)
                and (include_dismissed or gap.id not in dismissed))]


def client_statuses(scan: ScanResult, today: date, settings: Settings) -> dict[str, str]:
    """Each client's status as of ``today``: ``closed`` when a client note says the
    work ended, ``inactive`` when the latest session on or before today is more than
    ``inactive_after_days`` before it, else ``active``."""
    latest: dict[str, date] = {}
    for client, sessions in scan.sessions_by_client().items():  # each in order of date
        up_to_today = bisect_right(sessions, today, key=_DATE)
        if up_to_today:
            latest[client] = sessions[up_to_today - 1].date
    closed = {note.client for note in scan.client_notes if note.closes}
    oldest_active = today - timedelta(days=min(settings.inactive_after_days,
                                               today.toordinal() - 1))
    return {client: CLOSED if client in closed else ACTIVE if day >= oldest_active
            else INACTIVE for client, day in latest.items()}


_DATE = attrgetter("date")


class PracticeBuilder:
    """Turns what was read from a vault into a :class:`Practice`.

    The rules and their settings are taken once (a mistake in ``[rules.NAME]`` stops
    here, before any note is read). A rule that fails is named by the guard; its
    alerts and gaps for that client are left out, the other rules and clients go on,
    and that client's rules run again at the next build (the failure may have passed).
    """

    def __init__(self, vault: Path, plugins: PluginManager, settings: Settings):
        self.vault = Path(vault)
        self.settings = settings
        self.guard = plugins.guard
        self.rules = plugins.rules()
        self.built_in = plugins.built_in()  # rules whose answers need no checking
        self.enabled = rule_settings(settings, [rule for _, rule in self.rules])
        # What each rule's condition runs over, once each (Rule.each): the rules of one
        # measure share its filter, so a client's sessions are filtered once a measure.
        filters: dict[str, Counted] = {}
        self._each = {rule.name: self._each_of(rule, self.enabled[rule.name], filters)
                      for _, rule in self.rules if rule.name in self.enabled}
        # client -> (the sessions, ``since``, their alerts and gaps) of the last build
        # where no rule failed for that client
        self._known: dict[str, tuple[list[Session], date | None, Found]] = {}
        self._alerts = _AlertsInOrder()
        self.unsettled = False  # a rule failed at the last build: worth building again
        # The gaps of a rule a client may have open, not dismissed, in a practice (None:
        # all of them, to dismiss any).
        self.most_open: int | None = MOST_OPEN

    def build(self, scan: ScanResult, today: date, since: date | None = None,
              only: str | None = None, dismissed: frozenset[str] = frozenset()) -> Practice:
        """The practice of ``scan`` as of ``today`` (later sessions have not happened
        yet), with the alerts raised on or after ``since``; of the client ``only``,
        when given. ``dismissed``: the ids of the gaps the therapist dismissed (they do
        not count in the 100 gaps of a rule a client may have open)."""
        read = scan
        if only is not None or any(session.date > today for session in scan.sessions):
            scan = replace(scan, sessions=tuple(
                session for session in scan.sessions if session.date <= today
                and (only is None or only in session.clients)))
        known = {}
        gaps: list[Gap] = []
        founds: dict[str, Found] = {}
        by_client = scan.sessions_by_client()
        if only is not None:
            by_client = {only: by_client.get(only, [])}
        for client, sessions in by_client.items():
            before = self._known.get(client)
            # Unchanged sessions are the very same objects: a note read again, even with
            # only its prose changed, is another (its prose is read when asked).
            if before is not None and before[1] == since and len(before[0]) == len(sessions) \
                    and all(map(operator.is_, before[0], sessions)):
                found = before[2]
                known[client] = before
            else:
                failed_before = len(self.guard.failures)
                found = self._found(client, sessions, since)
                if len(self.guard.failures) == failed_before:
                    known[client] = (sessions, since, found)
            gaps += found.gaps(dismissed, self.most_open)
            founds[client] = found
        self._known = known
        self.unsettled = len(known) < len(by_client)
        alerts = self._alerts.of(founds)

        @cache  # the digest asks for one day twice
        def gaps_on(day: date) -> tuple[Gap, ...]:
            """The gaps open as of an earlier day: the runs over the sessions up to it."""
            found = []
            for runs, hold in (pair for each in founds.values() for pair in each.runs):
                count = bisect_right(runs.sessions, day, key=_DATE)
                earlier = runs_until(runs, count, hold)
                if earlier is not None:
                    found += earlier.gaps(dismissed, self.most_open)
            return _in_order(found)

        @cache
        def gap_history() -> tuple[GapRun, ...]:
            """Every run of every condition: a gap, from the session it opened at to
            the one that put it right (if one did)."""
            found = []
            for runs, hold in (pair for each in founds.values() for pair in each.runs):
                holdings = runs.holdings if runs.first == 0 else hold(0)
                if holdings is None:  # the rule failed this time
                    continue
                counted = runs.sessions
                for begun, end in every_run(holdings, runs.position, len(counted)):
                    closed = counted[end + 1].date if end + 1 < len(counted) else None
                    found.append(GapRun(runs.rule.name, runs.client, counted[begun].date,
                                        closed))
            return tuple(found)

        return Practice(self.vault, scan, tuple(alerts), self.settings, today, since, only,
                        _in_order(gaps), client_statuses(scan, today, self.settings),
                        dismissed, read=read, _gaps_on=gaps_on, _gap_history=gap_history)

    def _found(self, client: str, sessions: Sequence[Session], since: date | None) -> Found:
        """The alerts (raised on or after ``since``) and the open gaps of the client's
        sessions."""
        found = Found([], [])
        # The sessions each filter counts, made once for the rules that share it.
        subsets: dict[Counted, tuple[list[Session], dict[str, int]] | None] = {}
        for plugin, rule in self.rules:
            if rule.name not in self.enabled:
                continue
            settings = self.enabled[rule.name]
            if rule.condition is not None:
                for counts, each_settings in self._each[rule.name]:
                    if counts not in subsets:
                        subsets[counts] = self._counted(plugin, rule, sessions, counts)
                    subset = subsets[counts]
                    if subset is None:  # the rule's own filter failed
                        continue
                    made = self._runs(plugin, rule, client, *subset, each_settings, since)
                    if made is not None:
                        found.alerts += capped(made[0].alerts, made[0].more)
                        found.runs.append(made)
            elif rule.check is not None:
                # A copy: the client's own list lives on in a watcher's next practice,
                # and a rule that changed it would change what every later one sees.
                raised = self.guard.call(
                    plugin, f"rule {rule.name}", rule.check, client, list(sessions),
                    settings, since, contract=lambda answer: alerts_at(answer, client, sessions))
                if raised is not FAILED and raised is not None:
                    found.alerts += capped(alert for alert in raised
                                           if since is None or alert.date >= since)
        return found

    def _each_of(self, rule: Rule, settings: Mapping[str, Any],
                 filters: dict[str, Counted]) -> list[tuple[Counted, Mapping[str, Any]]]:
        """What the rule's condition runs over, once each: which sessions it counts,
        and its settings there (see :attr:`Rule.each`); ``filters``: the measures' and
        risk items' filters made so far, by name."""
        measures = self.settings.measures
        if rule.each == EACH_MEASURE:
            return [(filters.setdefault(measure.name, partial(_records, measure.name)),
                     {**settings, "measure": measure})
                    for measure in measures if measure.reliable_change is not None]
        if rule.each == EACH_RISK_ITEM:
            return [(filters.setdefault(risk.name, partial(_records_risk, risk.name)),
                     {**settings, "measure": measure, "risk_item": risk})
                    for measure in measures for risk in measure.risk_items]
        return [(rule.counted, settings)]

    def _counted(self, plugin: str, rule: Rule, sessions: Sequence[Session],
                 counts: Counted) -> tuple[list[Session], dict[str, int]] | None:
        """The sessions a rule's condition ``counts`` (all of them when None), with each
        one's index by its path; None when the rule's own filter failed."""
        if counts is None:
            return list(sessions), positions(sessions)
        counted = self.guard.call(plugin, f"rule {rule.name}", lambda: [
            session for session in sessions if counts(session)])
        return None if counted is FAILED else (counted, positions(counted))

    def _runs(self, plugin: str, rule: Rule, client: str, sessions: Sequence[Session],
              position: Mapping[str, int], settings: Mapping[str, Any],
              since: date | None) -> tuple[Runs, Hold] | None:
        """The runs of a rule's condition over ``sessions`` (its alerts on or after
        ``since``), and how to ask it for its holdings again; None when the rule failed.
        ``position``: each session's index, by its path."""
        hold = _Asked(self.guard, plugin, plugin in self.built_in, rule, client, sessions,
                      settings)
        runs = runs_of(rule, client, sessions, first_on(sessions, since), hold, position)
        return None if runs is None else (runs, hold)


@dataclass(slots=True)
class _Asked:
    """A rule's condition asked for one client's holdings from session ``first`` on
    (:data:`~.conditions.Hold`); None when it failed. One is kept for each rule and
    client, to ask again for the gaps of an earlier day: a closure would be ten times
    its size."""

    guard: PluginGuard
    plugin: str
    trusted: bool  # mutuality's own: its answers need no checking
    rule: Rule
    client: str
    sessions: Sequence[Session]
    settings: Mapping[str, Any]

    def __call__(self, first: int) -> list[Holding] | None:
        sessions = self.sessions
        assert self.rule.condition is not None
        answer = self.guard.call(
            self.plugin, f"rule {self.rule.name}", self.rule.condition, self.client, sessions,
            self.settings, first,
            contract=list if self.trusted else lambda answer: holdings_at(answer, sessions))
        return None if answer is FAILED else answer


Counted = Callable[[Session], bool] | None
"""Which sessions a rule's condition looks at (None: all)."""


def _records(measure: str, session: Session) -> bool:
    return measure in session.scores


def _records_risk(risk_item: str, session: Session) -> bool:
    return risk_item in session.risks


class GapRun(NamedTuple):
    """A gap's life: its rule and client, the day of the session it opened at, and of
    the one that put it right (None: open still)."""

    rule: str
    client: str
    opened: date
    closed: date | None


@dataclass(slots=True)
class Found:
    """What the rules found for one client: alerts, and the runs of each condition (its
    gaps) with how to ask it again (for the gaps of an earlier day)."""

    alerts: list[Alert]
    runs: list[tuple[Runs, Hold]]
    # The gaps open, by (the gaps dismissed, how many a rule may list): a watcher asks
    # again at each save for every client, most of them unchanged.
    _gaps: dict[tuple[frozenset[str], int | None], list[Gap]] = field(default_factory=dict)

    def gaps(self, dismissed: frozenset[str], most_open: int | None) -> list[Gap]:
        key = (dismissed, most_open)
        if key not in self._gaps:
            self._gaps = {key: [gap for runs, _ in self.runs
                                for gap in runs.gaps(dismissed, most_open)]}
        return self._gaps[key]


class _AlertsInOrder:
    """The alerts of every client, each listed once, in order (:attr:`Alert.order`):
    made again only for the clients whose findings changed since the last time (a
    watcher's save changes one client's, of a thousand)."""

    def __init__(self) -> None:
        self._founds: dict[str, Found] = {}
        self._alerts: list[Alert] = []

    def of(self, founds: dict[str, Found]) -> list[Alert]:
        before = self._founds
        changed = {client for client, found in founds.items() if before.get(client) is not found}
        changed |= before.keys() - founds.keys()
        if len(changed) > len(founds) // 2:
            alerts = sorted(_listed(founds.values()), key=_ORDER)
        else:  # the others' alerts are where they were
            alerts = [alert for alert in self._alerts if alert.client not in changed]
            for alert in _listed(founds[client] for client in changed if client in founds):
                insort(alerts, alert, key=_ORDER)  # after its equals, as a stable sort
        self._founds, self._alerts = founds, alerts
        return alerts


def _listed(founds: Iterable[Found]) -> Iterable[Alert]:
    """The alerts found, the same alert raised twice listed once (two notes of one date
    can each raise one)."""
    listed: dict[tuple[Any, ...], Alert] = {}
    for found in founds:
        for alert in found.alerts:
            listed.setdefault(alert.listed_as, alert)
    return listed.values()


_ORDER = attrgetter("order")


def _in_order(gaps: Iterable[Gap]) -> tuple[Gap, ...]:
    return tuple(sorted(gaps, key=attrgetter("order")))


def alerts_at(answer: Any, client: str, sessions: Sequence[Session]) -> list[Alert]:
    """A check's answer, checked (the contract of a rule's check): each alert is the
    client's, at one of the sessions."""
    return list(at_most_a_session(
        answer, EACH_ALERT, lambda alert: alert.note if alert.client == client else None,
        sessions, "Alert"))


def capped(alerts: Iterable[Alert], more: Mapping[str, int] | None = None) -> list[Alert]:
    """At most :data:`MOST_A_SESSION` alerts of one rule for a client at a session (the
    first ones, the last saying how many more, with the ``more`` of that note the rule
    did not state), each with its first and last notes of evidence when there are many."""
    kept: dict[str, list[Alert]] = {}
    unlisted: Counter[str] = Counter(more or {})
    for alert in alerts:
        at_session = kept.setdefault(alert.note, [])
        if len(at_session) < MOST_A_SESSION:
            at_session.append(_evidence_cut(alert))
        else:
            unlisted[alert.note] += 1
    for note, count in unlisted.items():
        if count > 0 and note in kept:
            kept[note][-1] = kept[note][-1].with_more(count)
    return [alert for at_session in kept.values() for alert in at_session]


def _evidence_cut(alert: Alert) -> Alert:
    """The alert with its first and last notes of evidence, when there are many."""
    linked, left_out = first_and_last(alert.evidence)
    return replace(alert, evidence=linked, message=f"{alert.message} {left_out}") \
        if left_out else alert
