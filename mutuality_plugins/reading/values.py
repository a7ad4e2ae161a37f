"""Values as mutuality reads them: what counts as an absent property value (null, an
empty string or list, or text holding a template placeholder), a scalar as text, and
text that can be written out."""

from __future__ import annotations

import re
from typing import Any

from ..errors import NoteProblem

# Obsidian's core Templates write ``{{date}}``; the Templater plugin writes ``<% ... %>``.
# A placeholder stays on one line and holds no other opening, which also keeps the
# search linear on hostile text such as ``{{{{{{...``.
TEMPLATE_PLACEHOLDER = re.compile(r"\{\{[^{}\n]*\}\}|<%(?:[^%<\n]|%(?!>)|<(?!%))*%>")

# An unquoted placeholder is not valid YAML (``date: {{date}}`` reads as a mapping
# with a mapping for a key). Before loading, placeholders become this plain token,
# which reads as an ordinary string and then counts as absent.
PLACEHOLDER_TOKEN = "MUTUALITY-TEMPLATE-PLACEHOLDER"


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
    if value.isascii():  # most text, told at once
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def as_text(value: Any) -> str:
    """A scalar property value read as text: ``1042`` -> ``"1042"``, ``yes`` -> ``"yes"``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        return str(value)
    except ValueError:  # Python refuses to print an integer of thousands of digits
        raise NoteProblem("a number in the properties has too many digits") from None
