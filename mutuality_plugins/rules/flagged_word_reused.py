"""flagged-word-reused: a word the client objected to turns up again in a later note."""

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from ..hookspecs import hookimpl
from ..model import Alert, Rule, Session

NAME = "flagged-word-reused"


def phrase_words(phrase: str) -> list[str]:
    """The phrase's words: split at white space and ``-``, lowercased."""
    return [word for word in re.split(r"[\s-]+", phrase.lower()) if word]


@lru_cache(maxsize=1024)
def phrase_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """The words in order, separated by white space or ``-``, in lowercased text.

    Literal first, so the search skips ahead fast; the word boundary before the
    first word is checked by :func:`contains_phrase`.
    """
    joined = r"[\s-]+".join(re.escape(word) for word in words)
    return re.compile(rf"{joined}(?!\w)")


def contains_phrase(text: str, words: tuple[str, ...]) -> bool:
    """True when the lowercased ``text`` holds the phrase, not inside a longer word."""
    pattern = phrase_pattern(words)
    found = pattern.search(text)
    while found is not None:
        start = found.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"):
            return True
        found = pattern.search(text, start + 1)
    return False


def check(client: str, sessions: Sequence[Session], settings: Mapping[str, Any],
          since: date | None) -> Iterator[Alert]:
    # detail -> (its longest word, its words, the session that flagged it)
    flagged: dict[str, tuple[str, tuple[str, ...], Session]] = {}
    for session in sessions:
        # Searching every note is the costly part; phrases are still collected from
        # the sessions before ``since``.
        wanted = flagged and (since is None or session.date >= since)
        text = session.text.lower() if wanted else ""
        for detail, (longest, words, origin) in flagged.items() if wanted else ():
            # A plain substring test for the longest (rarest) word comes first: most
            # notes fail it, and it costs far less than the regular expression.
            if longest in text and contains_phrase(text, words):
                yield Alert(
                    NAME, client, session.date, session.path, "alert", detail,
                    f'"{detail}", which the client objected to on {origin.date}, '
                    "appears again in this session's note",
                    (origin.path, session.path),
                )
        for item in session.items:
            if item.theme == "words" and item.phrase:
                words = tuple(phrase_words(item.phrase))
                if words:
                    flagged.setdefault(" ".join(words), (max(words, key=len), words, session))


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [Rule(NAME, check, {}, "a word the client objected to, used again")]
