"""flagged-word-reused: a word the client objected to turns up again in a later note."""

import re
from functools import lru_cache

from ..hookspecs import hookimpl
from ..model import Alert, Rule

NAME = "flagged-word-reused"


def phrase_words(phrase):
    """The phrase's words: split at white space and ``-``, lowercased."""
    return [word for word in re.split(r"[\s-]+", phrase.lower()) if word]


@lru_cache(maxsize=1024)
def phrase_pattern(words):
    """The words in order, separated by white space or ``-``, not inside a longer word."""
    joined = r"[\s-]+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){joined}(?!\w)", re.IGNORECASE)


def check(client, sessions, settings):
    flagged = {}  # detail -> (words, the first session that flagged it)
    for session in sessions:
        lowered = None
        for detail, (words, origin) in flagged.items():
            lowered = lowered if lowered is not None else session.text.lower()
            # The substring test is a cheap way to skip the regular expression.
            if words[0] in lowered and phrase_pattern(words).search(session.text):
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
                    flagged.setdefault(" ".join(words), (words, session))


@hookimpl
def mutuality_rules():
    return [Rule(NAME, check, {}, "a word the client objected to, used again")]
