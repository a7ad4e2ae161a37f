"""Text for a terminal or a log, where what a note holds must not steer the terminal
or reach people who do not keep the notes."""

from __future__ import annotations

import re

from ..model import Alert
from .markdown import note_name

# Control characters (an escape sequence starts with one) and the marks that reorder
# text on screen: shown as \x.. / \u.... instead.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control characters shown as escapes: a client id or a file name
    cannot move the cursor, recolour the terminal or retitle its window."""
    return _UNPRINTABLE.sub(_escaped, text)


def _escaped(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def quiet_line(alert: Alert) -> str:
    """One alert for a log or a notification: the rule, the client, the date and the
    note, never a phrase, a quote or a signal the client's words made."""
    return printable(f"[{alert.severity}] {alert.client}, {alert.date}: {alert.rule} "
                     f"(note: {note_name(alert.note)})")
