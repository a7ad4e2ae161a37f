"""Properties as Obsidian and Dataview show them: names in any case, and Dataview's
inline fields in the body (SPEC section 2).

- ``Client:`` and ``client:`` are one property. When several spellings are present, the
  all-lowercase one wins unless its value is absent; among the others the last one wins.
- A body line ``KEY:: VALUE`` (after an optional ``- ``, ``* `` or ``> ``; the key may
  be in ``**``), or ``[KEY:: VALUE]`` / ``(KEY:: VALUE)`` anywhere in a line, gives KEY
  when the front-matter lacks it. Values separated by commas (each a link, a quoted
  text, an id or a number; not prose), a YAML list, or a key given on several lines,
  make a list (two ``client::`` lines are a joint session); a date, an invitation, a
  status or a score is one value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..measures.builtin import BUILT_IN_MEASURES
from .body import CODE_MARK
from .values import is_absent, without_placeholders

# A field's name, perhaps in bold, and its ``::``. A name is short, so that looking for
# one costs no more than a few dozen characters whatever a line holds.
_NAME = r"(\*\*)?(\w[\w .\-/]{0,63}?)(?(%d)\*\*)::"
# A line that is a field: after list markers and quote marks, if any.
_LINE_FIELD = re.compile(r"[ \t]*(?:(?:[-*+]|>)[ \t]+|>)*" + _NAME % 1 + "(.*)")
# A bracketed field's opening, just before its ``::``; its value runs to the bracket that
# closes it, holding brackets of its own in pairs, two deep (``[client:: [[RM-07]]]``).
_BRACKET_OPENING = re.compile(r"([\[(])[ \t]*" + _NAME % 2 + r"\Z")
_LOOK_BACK = 72
_VALUE_TO = {
    "[": re.compile(r"(?:[^\[\]]|\[(?:[^\[\]]|\[[^\[\]]*\])*\])*\]"),
    "(": re.compile(r"(?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)"),
}
# Bounds on what one note's inline fields cost, whatever it holds (each value is read
# as YAML): lines with fields, bracketed fields of a line, names (the Tasks plugin's
# ``[due:: ...]`` is one name, however many tasks), values of a name, and values of
# other names than mutuality's own read as YAML (the rest are kept as written).
MOST_LINES = 10_000
MOST_IN_A_LINE = 20
MOST_LOOKED_AT = 200  # places of ``::`` in a line
MOST_NAMES = 200
MOST_VALUES = 100
MOST_READ = 1000
# The names whose value is one, never a list: a comma in it is part of it
# (``date:: 2026-11-20, 10:00``).
ONE_VALUE_NAMES = frozenset({"date", "feedback_invited", "status", *(
    name for measure in BUILT_IN_MEASURES for name in measure.properties
    if name != measure.item_list)})
# The names mutuality reads itself: read whatever else the note holds.
OWN_NAMES = frozenset({"client", "date", "feedback_invited", "feedback", "tags", "status",
                       *(name for measure in BUILT_IN_MEASURES for name in measure.properties)})
# A value of its own in a list: a link, a quoted text, or a word that holds a digit or
# one of - / _ . (an id, a number, a date, theme/signal): ``DS-21, EO-22`` is a list,
# ``slow down, please`` prose.
_ONE_VALUE = re.compile(r"\[\[[^\[\]]*\]\]|\"[^\"]*\"|'[^']*'"
                        r"|[^\s,\[\]\"']*[\d\-/_.][^\s,\[\]\"']*")
_LIST = re.compile(rf"(?:{_ONE_VALUE.pattern})(?:\s*,\s*(?:{_ONE_VALUE.pattern}))+")


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


def with_inline_fields(properties: dict[Any, Any], shown: str,
                       read_value: Callable[[str], Any]) -> dict[Any, Any]:
    """The properties, with each inline field of the body whose name they lack.

    :param shown: the body as :func:`~.body.visible` gives it (code and comments
        blanked: no field there).
    :param read_value: reads one value as the YAML scalar it spells.
    """
    shown = without_placeholders(shown)  # a Templater command may span lines
    # name -> spelling -> values; of several spellings, as for the front-matter
    fields: dict[str, dict[str, list[Any]]] = {}
    read = 0
    for spelling, written in inline_fields(shown):
        name = spelling.lower()
        written = written.replace(CODE_MARK, " ")  # a code span in a value shows nothing
        if not is_absent(properties.get(name)):
            continue
        spellings = fields.get(name)
        if spellings is None:
            if len(fields) >= MOST_NAMES and name not in OWN_NAMES:
                continue
            spellings = fields[name] = {}
        values = spellings.setdefault(spelling, [])
        if len(values) >= MOST_VALUES:
            continue
        own = name in OWN_NAMES
        parts = [written.strip()] if name in ONE_VALUE_NAMES else _parts(written)
        for part in parts[:MOST_VALUES - len(values)]:
            value = read_value(part) if own or read < MOST_READ else part
            read += not own
            # A YAML list written inline (``[DS-21, EO-22]``) is values of its own.
            values += [v for v in (value if isinstance(value, list) else [value])
                       if not is_absent(v)]
    merged = dict(properties)
    for name, spellings in fields.items():
        values = by_lowercase_name(spellings).get(name) or []
        if values:
            merged[name] = values[0] if len(values) == 1 else values
    return merged


def inline_fields(shown: str) -> Iterator[tuple[str, str]]:
    """(name as spelled, value as written) of each inline field, in order (of the
    first lines that hold ``::``, as many as a note of fields has)."""
    lines = 0
    for line in shown.split("\n"):
        if "::" in line:
            yield from _fields_in_line(line)
            lines += 1
            if lines >= MOST_LINES:
                return


def _fields_in_line(line: str) -> Iterator[tuple[str, str]]:
    """The bracketed fields of the line, then the line as one field if, without them,
    it is one (``client:: RM-07 [date:: 2026-11-20]`` gives both)."""
    outside: list[str] = []  # the line without its bracketed fields
    last = found = looked = 0
    at = line.find("::")
    while at >= 0 and found < MOST_IN_A_LINE and looked < MOST_LOOKED_AT:
        looked += 1
        # A name holds no bracket: its opening is the last one before the ``::``.
        bracket = max(line.rfind("[", max(0, at - _LOOK_BACK), at),
                      line.rfind("(", max(0, at - _LOOK_BACK), at))
        opening = None if bracket < 0 else _BRACKET_OPENING.match(line, bracket, at + 2)
        value = None if opening is None else _VALUE_TO[opening.group(1)].match(line, at + 2)
        if opening is not None and value is not None:
            found += 1
            yield opening.group(3).strip(), line[at + 2:value.end() - 1]
            outside.append(line[last:bracket])
            last = value.end()
            at = line.find("::", last)
        else:
            at = line.find("::", at + 2)
    rest = "".join([*outside, line[last:]]) if found else line
    whole = _LINE_FIELD.fullmatch(rest) if "::" in rest else None
    if whole is not None:
        yield whole.group(2).strip(), whole.group(3)


def _parts(value: str) -> list[str]:
    """The value, trimmed, as a list of its parts: split at commas when each part is a
    value of its own (a link, a quoted text, an id or a number), as Dataview does; one
    part when any is prose (``pacing/too-fast: slow down, please`` is one value)."""
    value = value.strip()
    if "," in value and _LIST.fullmatch(value):
        return _ONE_VALUE.findall(value)[:MOST_VALUES]
    return [value]
