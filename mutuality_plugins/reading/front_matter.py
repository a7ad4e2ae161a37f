"""Split a note into front-matter and body, and load the front-matter safely.

python-frontmatter is not used here, on purpose: it ignores a block after a BOM
unless the text is decoded as utf-8-sig, returns ``{}`` for a block never closed,
raises TypeError for a key named ``content``, accepts ``----`` as a fence and loads
with the pure-Python YAML loader, about 8 times slower than libyaml's. The rules
here: the block opens with ``---`` on the first line (trailing spaces allowed) and
closes at the next line that is ``---``; it is read as PyYAML's safe loader reads
it; an empty block is an empty mapping.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode, SequenceNode

from ..errors import NoteProblem
from .values import keeping_text, without_placeholders

MAX_FRONT_MATTER_BYTES = 64 * 1024
# Honest front-matter holds a few dozen values; YAML anchors and aliases can make a
# few hundred bytes stand for billions of them (or for one long text repeated),
# which load instantly but never finish when walked.
MAX_VALUES = 10_000
MAX_EXPANDED_CHARACTERS = 1024 * 1024

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, reading a date that is not a real day (``2026-13-45``) as
    text: PyYAML would give up on the whole note, even one that is not a session
    note; for a session's ``date`` the text is then a problem of its own."""

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return SafeConstructor.construct_yaml_timestamp(self, node)
        except ValueError:
            return node.value


Construct = Callable[[Any, ScalarNode], Any]


def _with_text(construct: Construct) -> Construct:
    """The scalar constructor, its number or date keeping the text it was written as
    when that is not the text Python would give it (``0042``, not ``7``)."""

    def construct_keeping_text(loader: Any, node: ScalarNode) -> Any:
        value = construct(loader, node)
        try:
            if str(value) == node.value:
                return value
        except ValueError:  # too many digits to make text of
            pass
        return keeping_text(value, node.value)

    return construct_keeping_text


_NUMBERS_AND_DATES = {
    "tag:yaml.org,2002:int": _with_text(SafeConstructor.construct_yaml_int),
    "tag:yaml.org,2002:float": _with_text(SafeConstructor.construct_yaml_float),
    "tag:yaml.org,2002:timestamp": _with_text(_Loader.construct_yaml_timestamp),
}
for _tag, _construct in _NUMBERS_AND_DATES.items():
    _Loader.add_constructor(_tag, _construct)

_YAML = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _YAML + "str", _YAML + "seq", _YAML + "map"

# A number written with leading zeros (``036``, ``09``) is the decimal number a person
# wrote, not YAML 1.1's octal 30 or the text "09": its pattern comes first.
_DECIMAL = "tag:mutuality:decimal"
_LEADING_ZEROS = (_DECIMAL, re.compile(r"^[-+]?0[0-9]+$"))


def _construct_decimal(loader: Any, node: ScalarNode) -> Any:
    return keeping_text(int(node.value, 10), node.value)


_Loader.add_constructor(_DECIMAL, _construct_decimal)

# PyYAML's resolver, called from C for every scalar, rebuilds its list of candidate
# patterns on each call and checks for path resolvers the safe loader never has.
# The same patterns, in the same order, looked up once per first character:
_ANY_START = tuple(_Loader.yaml_implicit_resolvers.get(None, []))
_BY_FIRST_CHARACTER = {
    first: (_LEADING_ZEROS,) * (first in "0+-") + tuple(resolvers) + _ANY_START
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
    if first is not None
}


def _resolve(self: Any, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    if kind is ScalarNode:
        if implicit[0]:  # a plain scalar: 12, yes, 2026-11-20, ~ ...
            for tag, pattern in _BY_FIRST_CHARACTER.get(value[:1], _ANY_START):
                if pattern.match(value):
                    return str(tag)
        return _STR
    return _SEQ if kind is SequenceNode else _MAP


_Loader.resolve = _resolve
_SCALARS = {
    _DECIMAL: _construct_decimal,
    _YAML + "null": SafeConstructor.construct_yaml_null,
    _YAML + "bool": SafeConstructor.construct_yaml_bool,
    **_NUMBERS_AND_DATES,
}


class _NotPlain(Exception):
    """The document needs PyYAML's full constructor."""


def _load_yaml(text: str) -> Any:
    """``yaml.load(text, _Loader)``, about twice as fast for plain front-matter.

    Half the time of loading goes to PyYAML's general constructor. Front-matter
    without anchors, merge keys or unusual tags is built here directly from the
    parsed nodes, with PyYAML's own scalar constructors so values are the same; any
    other document is handed to the full constructor.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "&" not in text:  # without anchors no node is shared, so a plain walk is safe
            try:
                return _plain_value(node, loader)
            except (_NotPlain, RecursionError):
                pass
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _plain_value(node: Any, loader: Any) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _MAP:
        mapping = {}
        for key_node, value_node in node.value:
            if key_node.id != "scalar":
                raise _NotPlain  # PyYAML's own message for a key it cannot hash
            mapping[_plain_value(key_node, loader)] = _plain_value(value_node, loader)
        return mapping
    if tag == _SEQ:
        return [_plain_value(child, loader) for child in node.value]
    construct = _SCALARS.get(tag)
    if construct is None or node.id != "scalar":
        raise _NotPlain
    return construct(loader, node)


def split_front_matter(text: str) -> tuple[str | None, str]:
    """Return (front-matter, body); the front-matter is None when the note has none.

    ``text`` has ``\\n`` line endings and no BOM.
    """
    if not text.startswith("---"):
        return None, text
    first_line_end = text.find("\n")
    first_line = text if first_line_end < 0 else text[:first_line_end]
    if first_line.rstrip(" \t") != "---":
        return None, text
    if first_line_end < 0:
        raise NoteProblem(_NEVER_CLOSED)
    start = first_line_end + 1
    line_start = start
    while True:  # find() is much faster than a multi-line regular expression here
        if text.startswith("---", line_start):
            line_end = text.find("\n", line_start)
            line_end = len(text) if line_end < 0 else line_end
            if text[line_start:line_end].rstrip(" \t") == "---":
                return text[start:line_start], text[line_end + 1 :]
        line_start = text.find("\n---", line_start) + 1
        if line_start == 0:
            raise NoteProblem(_NEVER_CLOSED)


_NEVER_CLOSED = (
    "the properties block at the top is never closed: "
    "add a line with only --- after the last property"
)


def load_properties(front_matter: str) -> dict[str, Any]:
    """Load front-matter as a mapping of properties, or raise NoteProblem."""
    if len(front_matter.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise NoteProblem(
            f"the properties block is larger than {MAX_FRONT_MATTER_BYTES // 1024} KiB; "
            "mutuality does not read a block this big"
        )
    front_matter = without_placeholders(front_matter)
    try:
        properties = _load_yaml(front_matter)
    except yaml.YAMLError as error:
        raise NoteProblem(_yaml_reason(error)) from None
    except RecursionError:
        raise NoteProblem(_TOO_DEEP) from None
    except (ValueError, TypeError, OverflowError):
        raise NoteProblem(
            "the properties block holds a value YAML cannot read; "
            "put quotes around unusual values"
        ) from None
    if properties is None:
        return {}
    if not isinstance(properties, dict):
        raise NoteProblem(
            "the properties block at the top is not a list of `name: value` lines"
        )
    if "&" in front_matter:
        _check_size(properties)
    return properties


_TOO_DEEP = "the properties block is nested too deeply to read"


def read_inline_value(written: str) -> Any:
    """An inline field's value (``7``, ``yes``, ``2026-11-20``, ``[[RM-07]]``) as the
    YAML scalar it spells, keeping its text; text when YAML reads it as anything
    else (``slow down: please`` is no mapping here) or not at all."""
    written = written.strip()
    if not written or (written.startswith("[[") and written.endswith("]]")):
        return written
    if _PLAIN_WORD.fullmatch(written):  # most values (7, yes, 2026-11-20): no parser
        return _plain_scalar(written)
    try:
        value = _load_yaml(written)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
        return written
    if value is None and written not in _NULLS:  # ``#12`` is no YAML comment here
        return written
    if isinstance(value, list) and all(_is_scalar(entry) for entry in value):
        return value  # ``[DS-21, EO-22]``: a list written the YAML way
    return written if isinstance(value, (dict, list)) else value


# A plain scalar that YAML reads as the resolver says, on its own: no quote, flow,
# comment, anchor, tag, block or mapping mark.
_PLAIN_WORD = re.compile(r"[\w+.][\w+.\-:/ ]*")
_SHARED_LOADER = _Loader("")  # the scalar constructors use it for nothing but the node


def _plain_scalar(written: str) -> Any:
    tag = _resolve(_SHARED_LOADER, ScalarNode, written, (True, False))
    construct = _SCALARS.get(tag)
    if construct is None:  # text
        return written
    try:
        return construct(_SHARED_LOADER, ScalarNode(tag, written))
    except (ValueError, TypeError, OverflowError):
        return written


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list)) and value is not None


_NULLS = frozenset({"~", "null", "Null", "NULL"})


def _yaml_reason(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    where = f" (line {mark.line + 2})" if mark is not None else ""
    if "maximum nesting depth" in str(error):
        return _TOO_DEEP
    return (
        f"the properties block is not valid YAML{where}: "
        "check for a missing colon or quote, or a value starting with * or &"
    )


def _check_size(properties: dict[str, Any]) -> None:
    """Walk the values, giving up past the budgets (aliases repeat shared values)."""
    values, characters = MAX_VALUES, MAX_EXPANDED_CHARACTERS
    pending: list[Any] = [properties]
    while pending:
        value = pending.pop()
        values -= 1
        if isinstance(value, str):
            characters -= len(value)
        if values < 0 or characters < 0:
            raise NoteProblem(
                "the properties block expands to too many values "
                "(YAML anchors and aliases); write the values out plainly"
            )
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
