"""Read the Markdown body: inline tags, and the prose with code and tags blanked.

Code is never prose: a tag or a word inside fenced code (```` ``` ```` or ``~~~``; an
unclosed fence runs to the end of the note) or inline code (`` `...` ``) does not
count.
"""

from __future__ import annotations

import re

# CommonMark: up to three spaces, then three or more backticks or tildes.
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A code span ends at the same number of backticks; it may wrap, but not across a
# blank line (the end of a paragraph).
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(?:[^`\n]|`|\n(?![ \t]*\n))+?(?<!`)\1(?!`)")
# A tag: ``#`` at the start of a line or after white space, then letters, digits,
# ``_``, ``-`` and ``/``.
_TAG = re.compile(r"(?:(?<=\s)|^)#([\w/-]+)", re.MULTILINE)


def read_body(body: str) -> tuple[tuple[str, ...], str]:
    """Return (inline tags lowercased, prose with code and tags blanked out)."""
    text = _blank_fenced_code(body) if ("```" in body or "~~~" in body) else body
    if "`" in text:
        text = _INLINE_CODE.sub(" ", text)
    if "#" not in text:
        return (), text
    tags: list[str] = []

    def blank_tag(match: re.Match) -> str:
        tags.append(match.group(1).lower())
        return " "

    text = _TAG.sub(blank_tag, text)
    return tuple(tags), text


def _blank_fenced_code(body: str) -> str:
    kept: list[str] = []
    fence = ""
    for line in body.split("\n"):
        if fence:
            stripped = line.strip()
            if (
                len(line) - len(line.lstrip(" ")) <= 3
                and stripped.startswith(fence)
                and stripped == fence[0] * len(stripped)
            ):
                fence = ""
            kept.append("")
            continue
        opening = _FENCE_OPEN.match(line)
        if opening and not (opening.group(1)[0] == "`" and "`" in line[opening.end() :]):
            fence = opening.group(1)
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept)
