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
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..errors import NoteProblem
from .values import without_placeholders

if TYPE_CHECKING:
    import yaml

MAX_FRONT_MATTER_BYTES = 64 * 1024
# Honest front-matter holds a few dozen values; YAML anchors and aliases can make a
# few hundred bytes stand for billions of them (or for one long text repeated),
# which load instantly but never finish when walked.
MAX_VALUES = 10_000
MAX_EXPANDED_CHARACTERS = 1024 * 1024

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
    parser = yaml_parser()
    try:
        properties = parser.load_yaml(front_matter)
    except parser.YAMLError as error:
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
    parser = yaml_parser()
    if _PLAIN_WORD.fullmatch(written):  # most values (7, yes, 2026-11-20): no parser
        return parser.plain_scalar(written)
    try:
        value = parser.load_yaml(written)
    except (parser.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
        return written
    if value is None and written not in _NULLS:  # ``#12`` is no YAML comment here
        return written
    if isinstance(value, list) and all(_is_scalar(entry) for entry in value):
        return value  # ``[DS-21, EO-22]``: a list written the YAML way
    return written if isinstance(value, (dict, list)) else value


# A plain scalar that YAML reads as the resolver says, on its own: no quote, flow,
# comment, anchor, tag, block or mapping mark.
_PLAIN_WORD = re.compile(r"[\w+.][\w+.\-:/ ]*")


@cache
def yaml_parser() -> ModuleType:
    """:mod:`.yaml_loading`, imported when the first note is read (see
    :meth:`~mutuality_plugins.vault.NoteReader.read_all`)."""
    from . import yaml_loading

    return yaml_loading


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
