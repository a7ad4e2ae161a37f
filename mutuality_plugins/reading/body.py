"""Read the Markdown body: inline tags, and the prose with code, comments and tags
blanked.

Code is never prose: a tag or a word inside fenced code (```` ``` ```` or ``~~~``; an
unclosed fence runs to the end of the note) or inline code (`` `...` ``) does not
count. Nor does what Obsidian hides: a comment, ``%%...%%`` or ``<!-- ... -->`` (one
never closed runs to the end), such as a template's hint "%% tag #feedback/invited
when you asked %%". Every note of a vault passes through here, so the scanning is done with
literal-first patterns and plain loops rather than look-behind regular expressions
(four times slower on a typical note).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict, deque
from collections.abc import Iterator

from ..errors import NoteProblem

# CommonMark: up to three spaces, then three or more backticks or tildes.
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# A tag is ``#`` then letters, digits, ``_``, ``-`` and ``/``; it only counts at the
# start of a line or after white space, which is checked by hand.
_TAG = re.compile(r"#([\w/-]+)")


# Code spans are first replaced by this, not by a space: ``#tag`` glued to a code
# span does not follow white space, so it is not a tag.
_CODE = "\x00"

# Each backtick run, ``#`` and comment costs a step in Python: a note made of nothing
# else (4 MiB of them) would take seconds and hundreds of MiB. No session note
# comes near these.
MAX_MARKS = 50_000


def read_body(body: str) -> tuple[tuple[str, ...], str]:
    """Return (inline tags lowercased, prose with code, comments and tags blanked out)."""
    return tags_and_prose(visible(body))


def visible(body: str) -> str:
    """The body as Obsidian shows it, for reading: each line of fenced code blank, each
    code span a mark that is no white space, each comment a space. NoteProblem for a
    body of more code marks or ``#`` than a note holds."""
    text = _blank_fenced_code(body)
    for mark, name in (("`", "code marks (`)"), ("#", "# signs"), ("%%", "comment marks (%%)"),
                       ("<!--", "comment marks (<!--)")):
        if text.count(mark) > MAX_MARKS:
            raise NoteProblem(
                f"the note holds more than {MAX_MARKS:,} {name}; mutuality does not read "
                "notes like this"
            )
    if ("%" in text and "%%" in text) or ("<" in text and "<!--" in text):  # "%": at once
        text = _blank_comments(text)  # first: a backtick in a comment is hidden
    if "`" in text:
        text = _blank_inline_code(text)
    return text


def tags_and_prose(shown: str) -> tuple[tuple[str, ...], str]:
    """(inline tags lowercased, prose with tags blanked) of a :func:`visible` body."""
    tags, text = _blank_tags(shown) if "#" in shown else ((), shown)
    return tags, text.replace(_CODE, " ") if _CODE in text else text


def _blank_tags(text: str) -> tuple[tuple[str, ...], str]:
    tags: list[str] = []
    pieces: list[str] = []
    last = 0
    for found in _TAG.finditer(text):
        start = found.start()
        if start and not text[start - 1].isspace():
            continue
        tags.append(found.group(1).lower())
        pieces += (text[last:start], " ")
        last = found.end()
    if not tags:
        return (), text
    pieces.append(text[last:])
    return tuple(tags), "".join(pieces)


def _blank_inline_code(text: str) -> str:
    """Blank code spans (see :func:`_code_spans`)."""
    pieces: list[str] = []
    last = 0
    for start, end in _code_spans(text):
        pieces += (text[last:start], _CODE)
        last = end
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each code span, in order: a run of n backticks up to the next run
    of exactly n, within one paragraph (a blank line in between makes the opening run
    plain text)."""
    runs = list(_BACKTICKS.finditer(text))
    later_runs: dict[int, deque[int]] = defaultdict(deque)
    for index, run in enumerate(runs):
        later_runs[run.end() - run.start()].append(index)
    index = 0
    while index < len(runs):
        opening = runs[index]
        same_length = later_runs[opening.end() - opening.start()]
        while same_length and same_length[0] <= index:
            same_length.popleft()
        if not same_length:
            index += 1
            continue
        closing = runs[same_length[0]]
        if _BLANK_LINE.search(text, opening.end(), closing.start()):
            index += 1
            continue
        yield opening.start(), closing.end()
        index = same_length.popleft() + 1


def _blank_comments(text: str) -> str:
    """Blank each comment whose opening is not in a code span (```%%``` is code): what
    the comment holds is hidden, a backtick too."""
    if "`" not in text:
        return _COMMENT.sub(" ", text)
    spans = list(_code_spans(text))
    starts = [start for start, _ in spans]
    pieces: list[str] = []
    last = at = 0
    while (comment := _COMMENT.search(text, at)) is not None:
        inside = bisect_right(starts, comment.start()) - 1
        if inside >= 0 and comment.start() < spans[inside][1]:  # in code: no comment
            at = spans[inside][1]
            continue
        pieces += (text[last:comment.start()], " ")
        last = at = comment.end()
    pieces.append(text[last:])
    return "".join(pieces)


# Obsidian's comments and HTML's, each up to its end or, never closed, to the end of
# the note (one pass, whatever the note holds: a comment cannot fail to match).
_COMMENT = re.compile(r"%%.*?(?:%%|\Z)|<!--.*?(?:-->|\Z)", re.DOTALL)


def _blank_fenced_code(body: str) -> str:
    """The body with each line of fenced code blank (the lines stay)."""
    if "```" not in body and "~~~" not in body:
        return body
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
