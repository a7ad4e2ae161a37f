"""Properties as Obsidian and Dataview show them: names in any case, and Dataview's
inline fields in the body (SPEC section 2).

- ``Client:`` and ``client:`` are one property. When several spellings are present, the
  all-lowercase one wins unless its value is absent; among the others the last one wins.
- A body line ``KEY:: VALUE`` (after an optional ``- ``, ``* `` or ``> ``; the key may
  be in ``**``), or ``[KEY:: VALUE]`` / ``(KEY:: VALUE)`` anywhere in a line, gives KEY
  when the front-matter lacks it. Values separated by commas (each a link, a quoted
  text or a word), or a key given on several lines, make a list (two ``client::``
  lines are a joint session).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..extractors.session_rating import SCALES, TOTAL
from .body import blank_comments, blank_fenced_code
from .values import PLACEHOLDER_TOKEN, TEMPLATE_PLACEHOLDER, is_absent

# A field's name, perhaps in bold, and its ``::``. A name is short (bounded, so that a
# long line of spaces costs no more than its length).
_NAME = r"(\*\*)?(\w[\w .\-/]{0,63}?)(?(%d)\*\*)[ \t]*::"
# A line that is a field: after list markers and quote marks, if any.
_LINE_FIELD = re.compile(r"[ \t]*(?:(?:[-*+]|>)[ \t]+|>)*" + _NAME % 1 + "(.*)")
_BRACKET_FIELD = re.compile(r"([\[(])[ \t]*" + _NAME % 2)
# No field is read from a longer line (no one writes one so long).
LONGEST_LINE = 4096
# Bounds on what one note's inline fields cost, whatever it holds (each value is read
# as YAML): names (the Tasks plugin's ``[due:: ...]`` is one name, however many tasks),
# values of a name, and values read as YAML (the rest are kept as written).
MOST_NAMES = 200
# ... beyond which the names mutuality reads itself are read still.
SESSION_NAMES = frozenset({"client", "date", "feedback_invited", "feedback", "tags", "status",
                           *SCALES, TOTAL})
MOST_VALUES = 100
MOST_READ = 1000
# A value of its own in a list: a link, a quoted text, or a word with no quote mark,
# bracket or white space in it.
_ONE_VALUE = re.compile(r"\[\[[^\[\]]*\]\]|\"[^\"]*\"|'[^']*'|[^\s\[\]\"']+")


def by_lowercase_name(properties: Mapping[Any, Any]) -> dict[Any, Any]:
    """The properties under their names lowercased (names that are not text as they
    are); of several spellings of one name, the lowercase one unless it is absent,
    else the last other one."""
    try:
        names = "\n".join(properties)
    except TypeError:  # a name that is not text (``2026:``, ``yes:``)
        names = ""
    if names and names == names.lower():  # most notes: at once
        return properties if isinstance(properties, dict) else dict(properties)
    named: dict[Any, Any] = {}
    lowercase: dict[str, Any] = {}
    others: dict[str, Any] = {}
    for name, value in properties.items():
        if type(name) is not str:
            named[name] = value
            continue
        lowered = name.lower()
        named.setdefault(lowered, None)  # in the order first written
        (lowercase if name == lowered else others)[lowered] = value
    for lowered, value in others.items():
        if lowered not in lowercase or is_absent(lowercase[lowered]):
            named[lowered] = value
    for lowered, value in lowercase.items():
        if lowered not in others or not is_absent(value):
            named[lowered] = value
    return named


def with_inline_fields(properties: dict[Any, Any], body: str,
                       read_value: Callable[[str], Any]) -> dict[Any, Any]:
    """The properties, with each inline field of the body whose name they lack.

    :param read_value: reads one value as the YAML scalar it spells.
    """
    if "::" not in body:  # most notes: at once
        return properties
    if "{{" in body or "<%" in body:  # a template's placeholder may span lines
        body = TEMPLATE_PLACEHOLDER.sub(PLACEHOLDER_TOKEN, body)
    fields: dict[str, list[Any]] = {}
    read = 0
    for name, written in inline_fields(body):
        if not is_absent(properties.get(name)):
            continue
        values = fields.get(name)
        if values is None:
            if len(fields) >= MOST_NAMES and name not in SESSION_NAMES:
                continue
            values = fields[name] = []
        for part in _parts(written)[:MOST_VALUES - len(values)]:
            value = read_value(part) if read < MOST_READ else part
            read += 1
            if not is_absent(value):
                values.append(value)
    if not fields:
        return properties
    merged = dict(properties)
    for name, values in fields.items():
        if values:
            merged[name] = values[0] if len(values) == 1 else values
    return merged


def inline_fields(body: str) -> Iterator[tuple[str, str]]:
    """(name lowercased, value as written) of each inline field outside code and
    comments, in order."""
    for line in blank_comments(blank_fenced_code(body)).split("\n"):
        if "::" not in line or len(line) > LONGEST_LINE:
            continue
        if line.count("`") > 1:  # code spans: what is between two backticks
            pieces = line.split("`")
            line = " ".join(piece for number, piece in enumerate(pieces)
                            if number % 2 == 0 or number == len(pieces) - 1)
        for name, value in _fields_in_line(line):
            yield name.strip().lower(), value


def _fields_in_line(line: str) -> Iterator[tuple[str, str]]:
    whole = _LINE_FIELD.fullmatch(line)
    if whole is not None:
        yield whole.group(2), whole.group(3)
        return
    closing: dict[int, int] | None = None
    for start in _BRACKET_FIELD.finditer(line):
        closing = _closings(line) if closing is None else closing
        end = closing.get(start.start())
        if end is not None:
            yield start.group(3), line[start.end():end]


def _closings(line: str) -> dict[int, int]:
    """Where each bracket of the line closes, by where it opens (each kind on its own)."""
    closing: dict[int, int] = {}
    opened: dict[str, list[int]] = {"[": [], "(": []}
    openers = {"]": "[", ")": "("}
    for position, character in enumerate(line):
        if character in opened:
            opened[character].append(position)
        elif character in openers and opened[openers[character]]:
            closing[opened[openers[character]].pop()] = position
    return closing


def _parts(value: str) -> list[str]:
    """The value, trimmed, as a list of its parts: split at commas when each part is a
    value of its own (a link, a quoted text, a number, a word), as Dataview does; one
    part when any is prose (``pacing/too-fast: slow down, please`` is one value)."""
    value = value.strip()
    if "," not in value:
        return [value]
    parts = [part.strip() for part in value.split(",")]
    if all(_ONE_VALUE.fullmatch(part) for part in parts if part):
        return [part for part in parts if part]
    return [value]
