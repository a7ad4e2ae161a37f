"""The plain data in the middle: notes, feedback items, sessions, problems.

Parsing happens at the edge (``reading/``), rendering at the other edge; what passes
between them is these small frozen dataclasses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Who raised an item: the client unprompted, or in answer to an invitation.
BY_CLIENT = "client"
BY_INVITED = "invited"


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
    :ivar srs_total: the Session Rating Scale total (0 to 40), if recorded.
    """

    items: tuple[FeedbackItem, ...] = ()
    invited: bool = False
    srs_total: float | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """A session note, read: who, when, and the feedback in it."""

    path: str
    date: date
    clients: tuple[str, ...]
    invited: bool = False
    items: tuple[FeedbackItem, ...] = ()
    srs_total: float | None = None
    text: str = field(default="", repr=False)

    @property
    def order(self) -> tuple[date, str]:
        """A client's sessions are ordered by (date, vault-relative path)."""
        return (self.date, self.path)


@dataclass(frozen=True, slots=True)
class Problem:
    """A note that could not be used, with the plain reason why."""

    path: str
    message: str


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything read from a vault in one scan."""

    notes: int
    sessions: tuple[Session, ...]
    problems: tuple[Problem, ...]

    @property
    def clients(self) -> list[str]:
        return sorted({client for session in self.sessions for client in session.clients})

    def sessions_by_client(self) -> dict[str, list[Session]]:
        """Each client's sessions in order; a joint session counts for each client."""
        by_client: dict[str, list[Session]] = {}
        for session in sorted(self.sessions, key=lambda s: s.order):
            for client in session.clients:
                by_client.setdefault(client, []).append(session)
        return dict(sorted(by_client.items()))
