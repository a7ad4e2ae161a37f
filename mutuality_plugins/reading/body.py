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
from collections import defaultdict, deque

from ..errors import NoteProblem

# CommonMark: up to three spaces, then three or more backticks or tildes.
# A fence opens a line (up to three spaces in), or follows the marks of a quote or a
# list item it is in (``> ~~~``, ``- ```python``).
_FENCE_OPEN = re.compile(r"((?:[ \t]*>[ \t]?)*(?:[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)?) {0,3}"
                         r"(`{3,}|~{3,})")
_QUOTE_MARKS = re.compile(r"^(?:[ \t]*>[ \t]?)*")
# A run of backticks (``\``` is a backtick, escaped: no code).
_BACKTICKS = re.compile(r"(?<!\\)`+")
# Where a block ends, which no code span crosses: a blank line, or a line that starts a
# list item, a heading or a quote.
_BLOCK_END = re.compile(r"\n[ \t]*(?:\n|[-*+][ \t]|\d{1,9}[.)][ \t]|#{1,6}[ \t]|>)")
# A tag is ``#`` then letters, digits, ``_``, ``-`` and ``/``; it only counts at the
# start of a line or after white space, which is checked by hand.
_TAG = re.compile(r"#([\w/-]+)")


# Code spans are first replaced by this, not by a space: ``#tag`` glued to a code
# span does not follow white space, so it is not a tag.
CODE_MARK = "\x00"

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
    if "`" in text or ("%" in text and "%%" in text) or ("<" in text and "<!--" in text):
        text = _blank_code_and_comments(text)  # "%", "<": found at once, unlike "%%"
    return text


def tags_and_prose(shown: str) -> tuple[tuple[str, ...], str]:
    """(inline tags lowercased, prose with tags blanked) of a :func:`visible` body."""
    tags, text = _blank_tags(shown) if "#" in shown else ((), shown)
    return tags, text.replace(CODE_MARK, " ") if CODE_MARK in text else text


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


def _blank_code_and_comments(text: str) -> str:
    """Blank code spans (each a :data:`CODE_MARK` mark) and comments (each a space), read
    from left to right as Obsidian reads them: whichever opens first holds what follows
    up to its end, so a backtick in a comment is hidden and ``%%`` in a code span is
    code. A code span is a run of n backticks up to the next run of exactly n within
    one block (a blank line, or a list item, heading or quote starting in between, makes
    the opening run plain text); a comment runs to its closing mark or, never closed, to
    the end of the note."""
    runs = list(_BACKTICKS.finditer(text))
    later_runs: dict[int, deque[int]] = defaultdict(deque)
    for index, run in enumerate(runs):
        later_runs[run.end() - run.start()].append(index)
    pieces: list[str] = []
    last = position = index = 0
    opening = _COMMENT_OPENING.search(text)
    while True:
        while index < len(runs) and runs[index].start() < position:
            index += 1
        while opening is not None and opening.start() < position:
            opening = _COMMENT_OPENING.search(text, position)
        if opening is not None and (index == len(runs) or opening.start() < runs[index].start()):
            # From its second character: ``<!-->`` is a whole (empty) comment.
            closing = text.find(_COMMENT_CLOSING[opening.group()],
                                opening.start() + 2 if opening.group() == "<!--"
                                else opening.end())
            end = len(text) if closing < 0 else closing + len(_COMMENT_CLOSING[opening.group()])
            pieces += (text[last:opening.start()], " ")
            last = position = end
            continue
        if index == len(runs):
            break
        run = runs[index]
        same_length = later_runs[run.end() - run.start()]
        while same_length and same_length[0] <= index:
            same_length.popleft()
        closing_run = runs[same_length[0]] if same_length else None
        if closing_run is None or _BLOCK_END.search(text, run.end(), closing_run.start()):
            position = run.end()  # plain backticks
            continue
        pieces += (text[last:run.start()], CODE_MARK)
        last = position = closing_run.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


# Obsidian's comments and HTML's.
_COMMENT_OPENING = re.compile(r"%%|<!--")
_COMMENT_CLOSING = {"%%": "%%", "<!--": "-->"}


def _blank_fenced_code(body: str) -> str:
    """The body with each line of fenced code blank (the lines stay)."""
    if "```" not in body and "~~~" not in body:
        return body
    kept: list[str] = []
    fence = ""
    contained = False  # the fence is in a quote or a list item
    for line in body.split("\n"):
        if fence:
            content = _QUOTE_MARKS.sub("", line, count=1) if contained else line
            stripped = content.strip()
            if (
                (contained or len(content) - len(content.lstrip(" ")) <= 3)
                and stripped.startswith(fence)
                and stripped == fence[0] * len(stripped)
            ):
                fence = ""
            kept.append("")
            continue
        opening = _FENCE_OPEN.match(line)
        if opening and not (opening.group(2)[0] == "`" and "`" in line[opening.end() :]):
            fence, contained = opening.group(2), bool(opening.group(1))
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept)
