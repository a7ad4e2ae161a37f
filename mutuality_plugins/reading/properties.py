"""Properties as Obsidian and Dataview show them: names in any case, and Dataview's
inline fields in the body (SPEC section 2).

- ``Client:`` and ``client:`` are one property. When several spellings are present, the
  all-lowercase one wins unless its value is absent; among the others the last one wins.
- A body line ``KEY:: VALUE`` (after an optional ``- ``, ``* `` or ``> ``; the key may
  be in ``**``), or ``[KEY:: VALUE]`` / ``(KEY:: VALUE)`` anywhere in a line, gives KEY
  when the front-matter lacks it. Values separated by commas, or a key given on several
  lines, make a list (two ``client::`` lines are a joint session).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .values import is_absent

# What a line holds before a field on it: list markers and quote marks.
# A name is short (bounded, so that a long line of spaces costs no more than its length).
_NAME = r"(\*\*)?(\w[\w .\-/]{0,63}?)(?(%d)\*\*)[ \t]*::"
_LINE_FIELD = re.compile(r"[ \t]*(?:(?:[-*+]|>)[ \t]+|>)*" + _NAME % 1 + "(.*)")
_BRACKET_FIELD = re.compile(r"([\[(])[ \t]*" + _NAME % 2)
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})")
# No field is read from a longer line (no one writes one so long).
LONGEST_LINE = 20_000
# A note with more inline fields than this is not a session note's way of writing
# them (each value is read as YAML): the rest are not read.
MOST_FIELDS = 200


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
    fields: dict[str, list[Any]] = {}
    for name, written in inline_fields(body):
        if is_absent(properties.get(name)):
            values = [read_value(part) for part in _parts(written)]
            fields.setdefault(name, []).extend(v for v in values if not is_absent(v))
    if not fields:
        return properties
    merged = dict(properties)
    for name, values in fields.items():
        if values:
            merged[name] = values[0] if len(values) == 1 else values
    return merged


def inline_fields(body: str) -> Iterator[tuple[str, str]]:
    """(name lowercased, value as written) of each inline field outside code, in order."""
    found = 0
    fence = ""
    for line in body.split("\n"):
        if fence:  # inside fenced code, until its closing fence
            stripped = line.strip()
            if stripped.startswith(fence) and stripped == fence[0] * len(stripped):
                fence = ""
            continue
        opening = _FENCE_OPEN.match(line)
        if opening and not (opening.group(1)[0] == "`" and "`" in line[opening.end():]):
            fence = opening.group(1)
            continue
        if "::" not in line or len(line) > LONGEST_LINE:
            continue
        if line.count("`") > 1:  # code spans: what is between two backticks
            pieces = line.split("`")
            line = " ".join(piece for number, piece in enumerate(pieces)
                            if number % 2 == 0 or number == len(pieces) - 1)
        for name, value in _fields_in_line(line):
            found += 1
            if found > MOST_FIELDS:
                return
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
    """The value split at commas outside brackets and quotes, each part trimmed."""
    value = value.strip()
    if "," not in value:
        return [value]
    parts: list[str] = []
    depth = 0
    quote = ""
    start = 0
    for position, character in enumerate(value):
        if quote:
            if character == quote:
                quote = ""
        elif character in "\"'" and not value[start:position].strip():
            quote = character
        elif character in "[({":
            depth += 1
        elif character in "])}":
            depth = max(depth - 1, 0)
        elif character == "," and depth == 0:
            parts.append(value[start:position].strip())
            start = position + 1
    parts.append(value[start:].strip())
    return [part for part in parts if part]
