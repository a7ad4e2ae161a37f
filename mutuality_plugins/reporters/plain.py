"""Text for a terminal or a log, where what a note holds must not steer the terminal
or reach people who do not keep the notes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ..urgency import urgency
from .markdown import note_name

if TYPE_CHECKING:
    from ..model import Alert


class _OfAClient(Protocol):
    """An alert or a gap: of a rule and a client, of a severity."""

    @property
    def rule(self) -> str: ...

    @property
    def client(self) -> str: ...

    @property
    def severity(self) -> str: ...


T = TypeVar("T", bound=_OfAClient)

# Control characters (an escape sequence starts with one), the marks that reorder
# text on screen and the separators that break a line: shown as \x.. / \u.... instead.
_STEERING = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNPRINTABLE = re.compile(f"[\x00-\x1f{_STEERING}]")
_UNPRINTABLE_IN_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{_STEERING}]")
_STEERING_IN_JSON = re.compile(f"[{_STEERING}]")  # JSON escapes the rest itself


def printable(text: str) -> str:
    """``text`` with control characters shown as escapes: a client id or a file name
    cannot move the cursor, recolour the terminal, retitle its window or start a line."""
    return _UNPRINTABLE.sub(_escaped, text)


def printable_lines(text: str) -> str:
    """Like :func:`printable`, for a whole report: its lines and tabs stay."""
    return _UNPRINTABLE_IN_LINES.sub(_escaped, text)


def as_json(value: Any, indent: int | None = 2) -> str:
    """``value`` as JSON that keeps its words readable (not ``\\u`` escaped) yet
    cannot steer a terminal it is printed on: the steering marks come escaped."""
    import json  # only a report needs it: not `mutuality --help`

    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return _STEERING_IN_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _escaped(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def quiet_line(alert: Alert) -> str:
    """One alert for a log or a notification: the rule, the client, the date and the
    note, never a phrase, a quote or a signal the client's words made."""
    return printable(f"[{alert.severity}] {alert.client}, {alert.date}: {alert.rule} "
                     f"(note: {note_name(alert.note)})")


def count(number: int, what: str) -> str:
    """``1 gap``, ``3 gaps``: a number of things, in words."""
    return f"{number} {what}{'' if number == 1 else 's'}"


def most_urgent_first(item: _OfAClient) -> tuple[int, int]:
    """Risk items first, then the most severe."""
    return urgency(item.rule, item.severity)


def by_client(items: Iterable[T], order: Callable[[T], Any]) -> list[tuple[str, list[T]]]:
    """Alerts or gaps by client, each client's most urgent first (then by ``order``),
    the client with the most urgent first: a risk item before everything."""
    grouped: dict[str, list[T]] = {}
    for item in items:
        grouped.setdefault(item.client, []).append(item)
    for client_items in grouped.values():
        client_items.sort(key=lambda item: (most_urgent_first(item), order(item)))
    return sorted(grouped.items(), key=lambda pair: (most_urgent_first(pair[1][0]), pair[0]))
