"""Values as mutuality reads them: what counts as an absent property value (null, an
empty string or list, or text holding a template placeholder), a scalar as text (as
written in the file), and text that can be written out."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..errors import NoteProblem

# Obsidian's core Templates write ``{{date}}``; the Templater plugin writes ``<% ... %>``
# (a command may span lines: ``<%* ... %>``). A placeholder holds no other opening and
# is a few thousand characters at most, which keeps the search linear on hostile text
# such as ``{{{{{{...`` or one ``<%`` never closed.
TEMPLATE_PLACEHOLDER = re.compile(r"\{\{[^{}\n]*\}\}|<%(?:[^%<]|%(?!>)|<(?!%)){0,4096}%>")

# An unquoted placeholder is not valid YAML (``date: {{date}}`` reads as a mapping
# with a mapping for a key). Before loading, placeholders become this plain token,
# which reads as an ordinary string and then counts as absent.
PLACEHOLDER_TOKEN = "mutuality-template-placeholder"  # lowercase: names are lowercased


def without_placeholders(text: str) -> str:
    """The text with each placeholder a plain token that counts as absent (YAML reads
    an unquoted ``{{date}}`` as a mapping; a Templater command may span lines)."""
    if "{{" in text or "<%" in text:
        return TEMPLATE_PLACEHOLDER.sub(PLACEHOLDER_TOKEN, text)
    return text


def has_placeholder(text: str) -> bool:
    return ("{{" in text or "<%" in text) and TEMPLATE_PLACEHOLDER.search(text) is not None


def is_absent(value: Any) -> bool:
    """Null, an empty string or list, or a string holding a template placeholder."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip() or PLACEHOLDER_TOKEN in value or has_placeholder(value)
    if isinstance(value, list):
        return not value
    return False


def is_utf8(value: object) -> bool:
    """Text that can be written out as UTF-8: no lone surrogate (what Python makes of
    a file name's bytes that are not UTF-8, or what a plugin may hand over)."""
    if not isinstance(value, str):
        return False
    # Most text is told at once; the rest is searched rather than encoded (a report of a
    # thousand clients would be copied whole).
    return value.isascii() or _LONE_SURROGATE.search(value) is None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


# YAML 1.1 reads a plain ``0042`` as the number 34, ``12:30`` as 750 and ``2026-11-20``
# as a date. Such values are numbers and dates still (a score is a number), but they
# keep the text they were written as, for every use as text: a client id, a tag, a
# quote (SPEC section 2).


class WrittenInt(int):
    """An integer, with the text it was written as (``0042``, ``1_000``, ``12:30``)."""

    written: str


class WrittenFloat(float):
    """A float, with the text it was written as (``12.50``, ``.5``, ``1e3``)."""

    written: str


class WrittenDate(dt.date):
    """A date, with the text it was written as."""

    written: str

    def __repr__(self) -> str:  # as a plain date's, for a plugin author printing it
        return repr(dt.date(self.year, self.month, self.day))


class WrittenDatetime(dt.datetime):
    """A date and time, with the text it was written as."""

    written: str

    def __repr__(self) -> str:
        return repr(dt.datetime(self.year, self.month, self.day, self.hour, self.minute,
                                self.second, self.microsecond, self.tzinfo, fold=self.fold))


def keeping_text(value: Any, text: str) -> Any:
    """``value`` (a number, a date, anything else as it is), keeping ``text``."""
    kind = type(value)
    if kind is int:
        kept: Any = WrittenInt(value)
    elif kind is float:
        kept = WrittenFloat(value)
    elif kind is dt.datetime:
        kept = WrittenDatetime(value.year, value.month, value.day, value.hour, value.minute,
                               value.second, value.microsecond, value.tzinfo)
    elif kind is dt.date:
        kept = WrittenDate(value.year, value.month, value.day)
    else:
        return value
    kept.written = text
    return kept


def as_text(value: Any) -> str:
    """A scalar property value read as text, as written: ``0042`` -> ``"0042"``,
    ``yes`` -> ``"yes"``."""
    text = getattr(value, "written", None)
    if isinstance(text, str):
        return text
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        return str(value)
    except ValueError:  # Python refuses to print an integer of thousands of digits
        raise NoteProblem("a number in the properties has too many digits") from None
