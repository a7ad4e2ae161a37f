"""The plain data in the middle: notes, feedback items, sessions, problems, alerts.

Parsing happens at the edge (``reading/``), rendering at the other edge; what passes
between them is these small frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property, lru_cache
from operator import attrgetter, itemgetter
from typing import Any, Protocol

# Names of the model too, as plugins and the reports import them from here.
from .urgency import RISK_ITEM as RISK_ITEM
from .urgency import SEVERITIES as SEVERITIES
from .urgency import severity_rank as severity_rank
from .urgency import urgency as urgency

# Who raised an item: the client unprompted, or in answer to an invitation.
BY_CLIENT = "client"
BY_INVITED = "invited"

def known_by(by: str | None) -> str | None:
    """Who raised an item as written (``by``), if it is one mutuality knows (compared
    lowercased): :data:`BY_CLIENT` or :data:`BY_INVITED`; None for any other."""
    lowered = by.strip().lower() if by else None
    return lowered if lowered in (BY_CLIENT, BY_INVITED) else None


def raised_by(by: str | None, invited: bool) -> str:
    """Who raised an item (SPEC section 3): ``by`` when mutuality knows it, else
    :data:`BY_INVITED` in an invited session and :data:`BY_CLIENT` otherwise."""
    return known_by(by) or (BY_INVITED if invited else BY_CLIENT)


# What the essay names (SPEC section 3): other themes, signals of words and responses
# are kept, but a pacing or topic signal, a response or a `by` outside these, or a
# theme that is a likely typo of one, is worth a warning.
KNOWN_SIGNALS = {
    "pacing": ("too-fast", "too-slow", "not-ready", "enough", "show-again", "just-right"),
    "words": (),
    "topic": ("drifted", "not-now", "wants-other", "unsure"),
}
RESPONSES = ("adjusted", "explored", "declined", "pending")

# The Session Rating Scale's properties: its four items (0 to 10 each), and its total.
SRS_ITEMS = ("srs_relationship", "srs_goals", "srs_approach", "srs_overall")
SRS_TOTAL = "srs_total"
SRS = "srs"  # its name among the measures


def normalize_theme(theme: str) -> str:
    return theme.strip().lower()


def normalize_signal(signal: str) -> str:
    """Lowercase and trim; a run of white space inside becomes one ``-``."""
    return "-".join(signal.lower().split())


@dataclass(frozen=True, slots=True)
class Note:
    """A Markdown file with front-matter, as an extractor sees it.

    :ivar path: vault-relative POSIX path, e.g. ``Clients/RM-07/2026-11-20 RM-07.md``.
    :ivar properties: the front-matter, as PyYAML's safe loader reads it.
    :ivar body: the Markdown after the front-matter (line endings are ``\\n``).
    :ivar inline_tags: tags written in the body (``#feedback/pacing``), lowercased,
        without ``#``, in order; tags inside code are not tags.
    :ivar text: the body with fenced code, inline code and tags blanked out: the
        therapist's own prose, for matching words and phrases.
    """

    path: str
    properties: Mapping[str, Any]
    body: str
    inline_tags: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    """One piece of feedback from the client: a theme and a signal.

    Extractors may return items as written; mutuality normalizes them (``theme``
    and ``signal`` lowercased and trimmed, white space in a signal becomes ``-``).
    A field left ``None`` is absent.
    """

    theme: str
    signal: str = ""
    quote: str | None = None
    phrase: str | None = None
    response: str | None = None
    by: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Items with the same key in one note are one item."""
        return (self.theme, self.signal)

    @property
    def label(self) -> str:
        """``THEME/SIGNAL``, or ``THEME`` when the signal is empty."""
        return f"{self.theme}/{self.signal}" if self.signal else self.theme

    # Both below build the item directly: dataclasses.replace is several times
    # slower, and every item of every note passes through here.

    def normalized(self) -> FeedbackItem:
        theme = normalize_theme(self.theme)
        signal = normalize_signal(self.signal)
        if theme == "words" and not signal and self.phrase:
            signal = normalize_signal(self.phrase)
        response = (self.response or "").strip().lower() or None
        if (theme, signal, response) == (self.theme, self.signal, self.response):
            return self
        return FeedbackItem(theme, signal, self.quote, self.phrase, response, self.by)

    def filled_from(self, other: FeedbackItem) -> FeedbackItem:
        """This item, with its absent fields taken from ``other``."""
        return FeedbackItem(
            self.theme,
            self.signal,
            self.quote if self.quote is not None else other.quote,
            self.phrase if self.phrase is not None else other.phrase,
            self.response if self.response is not None else other.response,
            self.by if self.by is not None else other.by,
        )


@dataclass(frozen=True, slots=True)
class Feedback:
    """What one source of feedback found in one note (an extractor's answer).

    :ivar items: feedback items, in the order written.
    :ivar invited: the therapist invited feedback in this session.
    :ivar srs_total: the Session Rating Scale total (0 to 40), if recorded: the same
        as ``scores={"srs": total}``.
    :ivar scores: measure name -> the total recorded (``{"ors": 23.5}``), for the
        measures declared (:class:`Measure`); each within the measure's range.
    :ivar risks: risk item name -> the score recorded (``{"phq9-item9": 1}``).
    """

    items: tuple[FeedbackItem, ...] = ()
    invited: bool = False
    srs_total: float | None = None
    scores: Mapping[str, float] = field(default_factory=dict)
    risks: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Session:
    """A session note, read: who, when, and the feedback in it.

    :ivar text: the note's prose, with code and tags blanked out (as
        :attr:`Note.text`), for matching words and phrases; for a very long note, a
        :class:`LongProse` that reads it again when asked (:attr:`prose` does).
    :ivar warnings: what looks wrong in the note, though it is read (an unknown
        ``response``, say); see :mod:`.reading.warnings`.
    :ivar scores: measure name -> the total this session records, rounded to one
        decimal (``{"srs": 37.0, "ors": 23.5}``); see :class:`Measure`.
    :ivar risks: risk item name -> the score this session records for it
        (``{"phq9-item9": 1}``); see :class:`RiskItem`.
    """

    path: str
    date: date
    clients: tuple[str, ...]
    invited: bool = False
    items: tuple[FeedbackItem, ...] = ()
    scores: Mapping[str, float] = field(default_factory=dict)
    text: str | LongProse = field(default="", repr=False)
    warnings: tuple[str, ...] = ()
    risks: Mapping[str, float] = field(default_factory=dict)

    @property
    def srs_total(self) -> float | None:
        """The Session Rating Scale total (0 to 40), if recorded."""
        return self.scores.get(SRS)

    @property
    def order(self) -> tuple[dt.date, str]:
        """A client's sessions are ordered by (date, vault-relative path)."""
        return (self.date, self.path)

    @property
    def prose(self) -> str:
        """The note's prose (see :attr:`text`), read again if it was too long to keep."""
        return self.text if isinstance(self.text, str) else self.text.read()


class LongProse(Protocol):
    """The prose of a note too long to keep in memory: read again when needed (a vault
    of notes near the size cap would otherwise fill the memory)."""

    def read(self) -> str:
        """The prose, as the note says it now ("" when it cannot be read)."""


# Which way a measure's total is better.
HIGHER, LOWER = "higher", "lower"


@dataclass(frozen=True)
class RiskItem:
    """An item of a measure that asks about risk (thoughts of harm): any score above 0
    is raised as ``risk-item`` (never held back), and its gap stays open until a later
    session records it at 0.

    :ivar name: its name in alerts and gaps (``phq9-item9``).
    :ivar property: the property that records it alone (``phq9_item9``).
    :ivar highest: its highest score (from 0).
    :ivar item: its place among the measure's items (from 1), when the measure has
        them: given with the items, it is that item (and must equal it when also given
        on its own).
    :ivar label: how the therapist knows it (``PHQ-9 item 9``).
    """

    name: str
    property: str
    highest: int
    item: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Measure:
    """A questionnaire whose scores the therapist records in session notes (SPEC section
    9), as a plugin declares it: mutuality reads and checks it, and derives its class,
    its chart and its rules, from these fields alone. Never its wording: the forms are
    copyrighted, and the tool reads only the scores.

    The items are given one property each (``items``: numbers, like a 10 cm line
    measured to the mm) or as one list (``item_list``: ``item_count`` whole numbers);
    either way all of them, or only the total, never some.

    :ivar name: its name in alerts, settings (``[measures.NAME]``) and JSON (``phq9``).
    :ivar label: its short name for the therapist (``PHQ-9``).
    :ivar total: the property of its total (``phq9_total``).
    :ivar lowest, highest: the range of its total.
    :ivar item_lowest, item_highest: the range of each item.
    :ivar better: :data:`HIGHER` or :data:`LOWER`: which way the total is better.
    :ivar cutoff: the clinical cutoff: the clinical range is below it where higher is
        better, at or above it where lower is better; None for none.
    :ivar reliable_change: the smallest change of the total that is more than the
        measure's error; None for a measure that has no class and none of the outcome
        rules (the Session Rating Scale).
    :ivar risk_items: its items that ask about risk.
    :ivar title: its full name (``Outcome Rating Scale``), for messages.
    """

    name: str
    label: str
    total: str
    highest: float
    lowest: float = 0
    items: tuple[str, ...] = ()
    item_list: str | None = None
    item_count: int = 0
    item_lowest: int = 0
    item_highest: int = 10
    better: str = HIGHER
    cutoff: float | None = None
    reliable_change: float | None = None
    risk_items: tuple[RiskItem, ...] = ()
    title: str = ""

    def __hash__(self) -> int:
        # Cheap, for the readers that key what they work out once on the measures in
        # force (hashing every field, for every note, would not be).
        return hash((self.name, self.total))

    @cached_property
    def properties(self) -> tuple[str, ...]:
        """Every property that records some of it."""
        listed = (self.item_list,) if self.item_list else ()
        return (*self.items, *listed, self.total,
                *(risk.property for risk in self.risk_items))

    @property
    def called(self) -> str:
        """Its name for the therapist in messages."""
        return self.title or self.label or self.name

    @property
    def number_of_items(self) -> int:
        return len(self.items) if self.items else self.item_count

    def improvement(self, change: float) -> float:
        """A change of the total, positive when it is better."""
        return change if self.better == HIGHER else -change

    def in_clinical_range(self, total: float) -> bool:
        if self.cutoff is None:
            return False
        return total < self.cutoff if self.better == HIGHER else total >= self.cutoff


@dataclass(frozen=True, slots=True)
class Problem:
    """A note that could not be used, with the plain reason why.

    :ivar passing: the cause may pass without the note changing (it could not be
        opened: a permission, a lock): it is read again next time, never kept.
    """

    path: str
    message: str
    passing: bool = False


@dataclass(frozen=True, slots=True)
class NoteWarning:
    """A note that is read but looks wrong (SPEC section 2), with the plain reason; as
    a note's reading, one that is not a session note but looks like one."""

    path: str
    message: str


@dataclass(frozen=True, slots=True)
class ClientNote:
    """A note that describes a client rather than a session: named for the client
    (``RM-07.md``) and holding a ``status`` property.

    :ivar client: the file name without ``.md``: the client it describes, if any
        session names that client.
    :ivar status: the ``status`` property as written, trimmed.
    :ivar warning: what looks wrong in it ("" for nothing): scores or feedback, which
        only a session note's are read.
    """

    path: str
    client: str
    status: str
    warning: str = ""

    @property
    def closes(self) -> bool:
        """Whether the status says the work with the client has ended."""
        return self.status.strip().lower() in CLOSED_STATUSES


# A client's status: seen still, not seen for a while, or the work has ended.
ACTIVE, INACTIVE, CLOSED = "active", "inactive", "closed"

# A client note's status saying the work has ended (compared lowercased).
CLOSED_STATUSES = frozenset({"closed", "ended", "discharged", "inactive"})


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything read from a vault in one scan.

    :ivar client_notes: the notes that may describe a client (see
        :class:`ClientNote`), by path.
    :ivar note_warnings: the notes that are not session notes but look like one;
        every warning of the scan is :func:`~.reading.warnings.vault_warnings`.
    :ivar other_notes: the paths of the notes that are none of those (a client's
        note without a status among them: what a link ``[[RM-07]]`` may lead to).
    """

    notes: int
    sessions: tuple[Session, ...]
    problems: tuple[Problem, ...]
    client_notes: tuple[ClientNote, ...] = ()
    note_warnings: tuple[NoteWarning, ...] = ()
    other_notes: tuple[str, ...] = ()
    # Made once when first asked (a watcher's save asks several times, of 100,000 notes).
    _by_client: dict[str, list[Session]] | None = field(
        default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, readings: Iterable[tuple[str, Reading]],
           folder_problems: Sequence[Problem] = ()) -> ScanResult:
        """The result of a vault whose notes gave ``readings`` ((path, reading) pairs,
        each path once) and whose folders could not be read for ``folder_problems``."""
        by_path = sorted(readings, key=_FIRST)
        read = [reading for _, reading in by_path]
        problems = [*folder_problems, *(r for r in read if isinstance(r, Problem))]
        return cls(
            notes=len(by_path),
            sessions=tuple(r for r in read if isinstance(r, Session)),
            problems=tuple(sorted(problems, key=_BY_PATH)),
            client_notes=tuple(r for r in read if isinstance(r, ClientNote)),
            note_warnings=tuple(r for r in read if isinstance(r, NoteWarning)),
            other_notes=tuple(path for path, reading in by_path if reading is None),
        )

    @property
    def clients(self) -> list[str]:
        return list(self._sessions_by_client())

    def sessions_by_client(self) -> dict[str, list[Session]]:
        """Each client's sessions in order; a joint session counts for each client.
        (The lists are the scan's own: not to be changed.)"""
        return dict(self._sessions_by_client())

    def _sessions_by_client(self) -> dict[str, list[Session]]:
        if self._by_client is None:
            by_client: dict[str, list[Session]] = {}
            for session in sorted(self.sessions, key=_IN_ORDER):
                for client in session.clients:
                    by_client.setdefault(client, []).append(session)
            object.__setattr__(self, "_by_client", dict(sorted(by_client.items())))
        assert self._by_client is not None
        return self._by_client

    def updated(self, notes: int, read_again: Mapping[str, Reading | Gone],
                folder_problems: Sequence[Problem] = ()) -> ScanResult:
        """This result with some notes read again (path -> reading, or :data:`GONE`),
        equal to one made from every note anew, and far quicker for a few of many (a
        watcher's save of one note, of 100,000). ``notes``: how many there are now;
        ``folder_problems``: those of the folders, which stay (only a whole scan
        looks at the folders again).

        The sessions of the clients a change leaves alone are the very lists of this
        result, in :meth:`sessions_by_client`: whatever was made of them stays true.
        """
        sessions, problems = list(self.sessions), list(self.problems)
        client_notes, note_warnings = list(self.client_notes), list(self.note_warnings)
        other_notes = list(self.other_notes)
        gone: list[Session] = []
        for path in read_again:
            gone += _take_out(sessions, path)
            _take_out(client_notes, path)
            _take_out(note_warnings, path)
            _take_out(problems, path, folder_problems)
            _take_out_path(other_notes, path)
        added: list[Session] = []
        for path, reading in read_again.items():
            if isinstance(reading, Session):
                insort(sessions, reading, key=_BY_PATH)
                added.append(reading)
            elif isinstance(reading, ClientNote):
                insort(client_notes, reading, key=_BY_PATH)
            elif isinstance(reading, NoteWarning):
                insort(note_warnings, reading, key=_BY_PATH)
            elif isinstance(reading, Problem):  # after a folder's of the same name
                insort(problems, reading, key=_BY_PATH)
            elif reading is None:
                insort(other_notes, path)
        result = ScanResult(notes, tuple(sessions), tuple(problems), tuple(client_notes),
                            tuple(note_warnings), tuple(other_notes))
        if self._by_client is not None:
            object.__setattr__(result, "_by_client",
                               _regrouped(self._by_client, gone, added))
        return result


class Gone:
    """What a note read again gives when it is not there any more."""


GONE = Gone()
Reading = Session | ClientNote | Problem | NoteWarning | None
"""What a note gave: a session, a client note, a problem, a warning (a note that looks
like a session note but is not one), or nothing (another note)."""

_BY_PATH = attrgetter("path")
_FIRST = itemgetter(0)
_IN_ORDER = attrgetter("date", "path")  # Session.order


def _take_out(items: list[Any], path: str, staying: Sequence[Any] = ()) -> list[Any]:
    """Take the items of ``path`` out of ``items`` (in order of path), but those
    ``staying``; return them."""
    first = bisect_left(items, path, key=_BY_PATH)
    end = bisect_right(items, path, lo=first, key=_BY_PATH)
    taken: list[Any] = []
    kept: list[Any] = []
    for item in items[first:end]:
        (kept if any(item is stays for stays in staying) else taken).append(item)
    items[first:end] = kept
    return taken


def _take_out_path(paths: list[str], path: str) -> None:
    at = bisect_left(paths, path)
    if at < len(paths) and paths[at] == path:
        del paths[at]


def _regrouped(by_client: dict[str, list[Session]], gone: Sequence[Session],
               added: Sequence[Session]) -> dict[str, list[Session]]:
    """Each client's sessions in order, as ``by_client`` was, with the sessions ``gone``
    and ``added``: only the lists of their clients are made again."""
    regrouped = dict(by_client)
    gone_ids = {id(session) for session in gone}
    clients = {client for session in (*gone, *added) for client in session.clients}
    for client in clients:
        kept = [session for session in regrouped.get(client, ())
                if id(session) not in gone_ids]
        kept += (session for session in added if client in session.clients)
        kept.sort(key=_IN_ORDER)
        if kept:
            regrouped[client] = kept
        else:
            regrouped.pop(client, None)
    if regrouped.keys() != by_client.keys():
        regrouped = dict(sorted(regrouped.items()))
    return regrouped


# The notes an alert or a gap links to: a streak or a held request may span a thousand
# sessions (a vault's settings choose how many), and every one would list them all.
MOST_LINKED = 10


def first_and_last(notes: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """The notes to link (the first and last five of many), and what to say when some
    are left out ("" when none is)."""
    if len(notes) <= MOST_LINKED:
        return tuple(notes), ""
    half = MOST_LINKED // 2
    return ((*notes[:half], *notes[-half:]),
            f"({len(notes)} notes; the first and last {half} are linked)")


# The alerts one rule may raise at one session of a client: beyond this many, the last
# says how many more. One note, however written, then raises a bounded number of
# alerts: phrases each inside the next (x, x x, x x x...) or hundreds of items, all
# coming back in every later note, would otherwise raise thousands in each, a list no
# one reads and, over a vault, more memory than the machine has.
MOST_A_SESSION = 20


def more_like_it(message: str, more: int) -> str:
    """The message, saying that ``more`` like it at its session are not listed."""
    return f"{message} (and {more} more like it at this session, not listed one by one)"


@dataclass(frozen=True, slots=True)
class Alert:
    """An event: a rule raised at one session of one client.

    :ivar message: one plain sentence for the therapist, without the client's id
        (the reports show it beside the message).
    :ivar evidence: the vault-relative paths of the notes that show it, in order.
    """

    rule: str
    client: str
    date: date
    note: str
    severity: str
    detail: str | None
    message: str
    evidence: tuple[str, ...] = ()

    def with_more(self, more: int) -> Alert:
        """This alert, saying that ``more`` like it at its session are not listed."""
        return replace(self, message=more_like_it(self.message, more))

    @property
    def identity(self) -> tuple[str, str, dt.date, str | None]:
        """What decides whether an alert was handed on already: renaming or moving its
        note, or a whole client folder, never makes it new."""
        return (self.rule, self.client, self.date, self.detail)

    @property
    def listed_as(self) -> tuple[str, str, str, str | None]:
        """The same alert raised twice is listed once (two notes of one date can each
        raise one)."""
        return (self.rule, self.client, self.note, self.detail)

    @property
    def order(self) -> tuple[dt.date, str, str, str, str]:
        return (self.date, self.client, self.rule, self.detail or "", self.note)

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "client": self.client,
            "date": self.date.isoformat(),
            "note": self.note,
            "severity": self.severity,
            "detail": self.detail,
            "message": self.message,
            "evidence": list(self.evidence),
        }


Check = Callable[[str, Sequence[Session], Mapping[str, Any], date | None], Iterable[Alert]]
"""``check(client, sessions, settings, since)``: the alerts of one client's ordered
sessions. Alerts raised before ``since`` (when it is not None) are not wanted: a rule
may skip costly work for those sessions, and the ones it yields are dropped."""


@dataclass(frozen=True, slots=True)
class Holding:
    """A rule's condition holding at one session of a client, with one detail.

    :ivar session: the session it holds at (one of those the condition was given).
    :ivar detail: what holds there (a phrase, a theme and signal), or None.
    :ivar severity: ``info``, ``warning`` or ``alert``: of the alert raised there, and
        of the gap while it stays open.
    :ivar message: one plain sentence for the therapist, without the client's id: the
        alert's, at the session where it is raised, and the open gap's, at the latest
        session (so it may say how long the run is: "not invited for 14 sessions").
    :ivar evidence: the vault-relative paths of the notes that show it, in order.
    :ivar through: when given, it holds the same way at every session from
        ``session`` through this later one (a long run stated at once).
    :ivar more: how many more details like this one hold at this session that the rule
        does not state one by one (a note holding thousands of objected phrases): the
        alerts there say so.
    :ivar raises: whether an alert is raised where this holding would raise one; False
        for a condition that is a gap only there (not-on-track is raised at the N-th
        session alone, and open as a gap after it).
    """

    session: Session
    detail: str | None
    severity: str
    message: str
    evidence: tuple[str, ...] = ()
    through: Session | None = None
    more: int = 0
    raises: bool = True


Condition = Callable[[str, Sequence[Session], Mapping[str, Any], int], Iterable[Holding]]
"""``condition(client, sessions, settings, first)``: where the rule's condition holds
among one client's ordered sessions, as :class:`Holding` s, in any order. What holds at
a session may depend on that session and those before it, never on later ones.
Holdings at sessions before ``sessions[first]`` are not wanted: a rule may skip costly
work for them (the sessions before still count: a streak starts there)."""


# What a rule runs over, once each (Rule.each).
EACH_MEASURE = "measure"
EACH_RISK_ITEM = "risk item"

# How a rule's alerts follow from its condition.
RAISED_FIRST = "first"  # at the first session of each unbroken run where it holds
RAISED_EVERY = "every"  # at every session where it holds


@dataclass(frozen=True)
class Rule:
    """An alert rule, as a plugin contributes it.

    A rule gives either a ``condition``, from which mutuality derives both its alerts
    (events) and its open gaps (state), or a ``check`` that gives its alerts alone
    (a rule with no gaps; the hook as it was first written).

    :ivar name: the rule's name in alerts and in ``[rules.NAME]`` of the config.
    :ivar check: ``check(client, sessions, settings, since)``, a pure function of one
        client's sessions, ordered by (date, path), and the rule's settings; see
        :data:`Check` for ``since``.
    :ivar settings: the settings and their defaults; the config may override each with
        a value of the same type, and ``enabled = false`` turns the rule off.
    :ivar condition: ``condition(client, sessions, settings, first)``: see
        :data:`Condition`.
    :ivar raised: with a condition, where its alerts are raised: :data:`RAISED_FIRST`
        (``"first"``, once per run, at its first session) or :data:`RAISED_EVERY`
        (``"every"``, at each session where it holds: each one is news).
    :ivar counted: with a condition, which sessions it looks at (a measure's rule: the
        sessions that record the measure); None for all. A run is unbroken across the
        sessions it does not count.
    :ivar each: with a condition, :data:`EACH_MEASURE` to run it once for every measure
        with a reliable-change value, over the sessions that record its total, or
        :data:`EACH_RISK_ITEM` once for every risk item, over the sessions that record
        it; its settings then hold the ``measure`` (and the ``risk_item``), and the
        detail of what it finds is their name. None: once, over every session.
    """

    name: str
    check: Check | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    condition: Condition | None = None
    raised: str = RAISED_FIRST
    counted: Callable[[Session], bool] | None = None
    each: str | None = None


@dataclass(frozen=True, slots=True)
class Gap:
    """What is wrong for a client now: a rule's condition that holds at the client's
    latest session, since the first session of its unbroken run (``opened``).

    :ivar notes: the vault-relative paths of the sessions from ``opened`` to
        ``latest``, in order.
    :ivar more: how many more gaps like it (of its rule and client) are open and not
        listed one by one (its message says so too).
    """

    rule: str
    client: str
    detail: str | None
    opened: date
    latest: date
    severity: str
    message: str
    notes: tuple[str, ...]
    more: int = 0

    @property
    def id(self) -> str:
        """The gap's id: the same gap keeps it, one that closes and returns gets a new
        one (its ``opened`` differs)."""
        return gap_id(self.rule, self.client, self.opened, self.detail)

    @property
    def order(self) -> tuple[str, str, str, dt.date]:
        return (self.client, self.rule, self.detail or "", self.opened)

    def as_json(self, dismissed: bool = False) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "client": self.client,
            "detail": self.detail,
            "opened": self.opened.isoformat(),
            "latest": self.latest.isoformat(),
            "severity": self.severity,
            "message": self.message,
            "dismissed": dismissed,
            "notes": list(self.notes),
        }


def open_count(gaps: Iterable[Gap]) -> int:
    """How many gaps are open, those not listed one by one included."""
    return sum(1 + gap.more for gap in gaps)


@lru_cache(maxsize=1 << 16)  # asked of each gap at each save under watch
def gap_id(rule: str, client: str, opened: dt.date, detail: str | None) -> str:
    """The first 12 hex digits of the SHA-256 of the gap's identity."""
    import hashlib  # here: most commands never make a gap (and it is slow to import)

    identity = "\x1f".join((rule, client, opened.isoformat(), detail or ""))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]


def monday_of(day: date) -> date:
    """The Monday of the ISO week holding ``day``."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class Period:
    """The days a report covers; an open end is ``None``."""

    start: date | None = None
    end: date | None = None

    @classmethod
    def iso_week(cls, day: date) -> Period:
        """The ISO week (Monday to Sunday) holding ``day``."""
        monday = monday_of(day)
        return cls(monday, monday + timedelta(days=6))

    def __contains__(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    @property
    def week(self) -> str | None:
        """``2026-W48`` when the period is exactly one ISO week."""
        if self.start and self.end and self == Period.iso_week(self.start):
            return self.start.strftime("%G-W%V")
        return None


@dataclass(frozen=True)
class Reporter:
    """A named output a user can ask for, as a plugin contributes it.

    :ivar formats: ``{format: render}``, the first the default; ``render(practice,
        period)`` returns the text, where ``practice`` is the
        :class:`~mutuality_plugins.practice.Practice` read from the vault.
    :ivar default_period: the period covered when the user names none, from today.
    :ivar note_name: with ``--write``, the name of the note kept in the output
        folder for a period (its ``markdown`` format); ``None`` when it writes none.
    """

    name: str
    formats: Mapping[str, Callable[[Any, Period], str]]
    default_period: Callable[[date], Period]
    note_name: Callable[[Period], str] | None = None
    description: str = ""


@dataclass(frozen=True)
class AlertSink:
    """Somewhere new alerts go, as a plugin contributes it.

    :ivar send: ``send(alerts, settings)``, with the new alerts in order.
    """

    name: str
    send: Callable[[Sequence[Alert], Any], None]
    description: str = ""
