"""flagged-word-reused: a word the client objected to turns up again in a later note.

A words item's phrase is split into words at white space and ``-``. A note's text holds
the phrase when its words come in order, separated only by runs of white space (line
breaks too) or ``-``, case aside, with no letter, digit or ``_`` just before the first
word or just after the last. The alert is raised at each session whose note holds a
phrase flagged in an earlier session of the client, once per phrase and session; the
practice keeps the first 20 alerts of a session (``MOST_A_SESSION``). The condition (a
gap while the latest note still holds the phrase) is stated for the first 100 phrases a
note holds (``MOST_HELD``), the last saying how many more: a note may hold thousands
of the client's phrases, and each would be a gap of its own.

Bounded work: a vault may be written by someone else, so the search must take time
linear in the text and the phrases however both are made (notes are capped at 4 MiB,
but a client may have thousands of phrases). All of a client's phrases are searched at
once, in one pass over each note, by an Aho-Corasick automaton over *tokens*:

- The text is lowercased and each run of white space and ``-`` becomes one space
  (:func:`normalized`); a phrase is its words joined by one space, which is also the
  alert's detail.
- Then each character that is neither a word character (letter, digit, ``_``) nor a
  space, "punctuation" here, is marked by its neighbours (:func:`marked`): a ``\\n``
  before it unless a word character is just before it, a ``\\t`` after it when a word
  character is just after it. Normalized text holds neither.
- A token is an optional space, then a whole run of word characters or one marked
  punctuation character (:data:`TOKEN`).

A phrase is in the text exactly when the phrase's tokens are found in a row among the
text's tokens, the first one with or without a space before it: a token holds a whole
run of word characters, so a word of the phrase cannot begin or end inside a longer
word of the text, and the marks carry whether a word character touches the punctuation
at either end. So no check is left for after a match: every phrase found is a match.

For a client with few, short phrases (most clients), plain substring tests for each
phrase's longest word, then a regular expression for each phrase that passes, cost far
less. Their work is bounded too, as they compare at most the phrases' length in
characters at each place of the text: they are used only while that is small in all.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import accumulate
from typing import Any

from ..hookspecs import hookimpl
from ..model import RAISED_EVERY, Holding, Rule, Session

NAME = "flagged-word-reused"

_SEPARATORS = re.compile(r"[\s-]+")
# Zero-width, so each runs in one pass with a plain string put in (a template with a
# group in it would call back into Python at every match).
_FOLLOWS_NO_WORD = re.compile(r"(?<!\w)(?=[^\w\s])")
_WORD_FOLLOWS = re.compile(r"(?<=[^\w\s])(?=\w)")

# The phrases a note holds that are stated as holding there, at most.
MOST_HELD = 100

TOKEN = r" ?(?:\w+|\n?[^\w\s]\t?)"
_TOKENS = re.compile(TOKEN)
# Where a token begins in marked text (not every such place: enough to cut the text).
_TOKEN_START = re.compile(r"(?= )|(?<! )(?=\n)|(?<=\t)|(?<=\w)(?=[^\w\s])")
# The tokens of a 4 MiB note are never all in memory: they are read this many
# characters at a time, or a little more.
_CHUNK = 65536

# Shortcuts for a client with few phrases (most clients; see condition): while the longest
# words of the phrases searched for are this many characters in all or fewer, plain
# substring tests for them first ...
_SHORTCUT = 256
# ... and while the phrases that pass them are this many characters in all or fewer,
# each is searched for with a regular expression of its own.
_ONE_BY_ONE = 64


def lowered(text: str) -> str:
    """The text lowercased, one character for one: the one letter Python lowercases
    into two (``İ``, dotted capital I, into ``i`` and a combining dot that is no word
    character) becomes ``i``, or the letter before a phrase would seem to end a word."""
    return (text.replace("\u0130", "i") if "\u0130" in text else text).lower()


def phrase_words(phrase: str) -> list[str]:
    """The phrase's words: split at white space and ``-``, lowercased."""
    return [word for word in _SEPARATORS.split(lowered(phrase)) if word]


@lru_cache(maxsize=1024)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """The phrase (its words joined by one space) in lowercased text, as a regular
    expression: the words in order, apart only by white space and ``-``, with no word
    character just before or after. The first word comes first, so that the search
    skips ahead fast; the look back after it is at the character before it.
    """
    first, *rest = (re.escape(word) for word in phrase.split(" "))
    return re.compile(rf"{first}(?<!\w{first})" + "".join(rf"[\s-]+{word}" for word in rest)
                      + r"(?!\w)")


def normalized(lowered: str) -> str:
    """Lowercased text with each run of white space and ``-`` made one space."""
    return _SEPARATORS.sub(" ", lowered)


def marked(text: str) -> str:
    """Normalized text with each punctuation character marked by its neighbours."""
    return _FOLLOWS_NO_WORD.sub("\n", _WORD_FOLLOWS.sub("\t", text))


def tokens(text: str) -> Iterator[list[str]]:
    """The tokens of marked text, a chunk at a time (a space at its very end, the only
    character no token holds, never begins a phrase)."""
    start, end = 0, len(text)
    while start < end:
        cut = _TOKEN_START.search(text, start + _CHUNK) if start + _CHUNK < end else None
        stop = cut.start() if cut else end
        yield _TOKENS.findall(text, start, stop)
        start = stop


class PhraseSearch:
    """An Aho-Corasick automaton over tokens, for phrases numbered in order.

    A phrase is *active* or not; :meth:`search` finds the active phrases a text holds.
    All are active at first, and :meth:`retire` makes one inactive for good.

    Each node of the trie stands for the tokens on the way to it; ``fail`` leads to
    the node of the longest of their proper suffixes in the trie. The active phrases
    that end where a node's tokens end are at the node and along its ``fail`` links;
    ``up`` is a union-find forest over those links in which each node leads to the
    nearest of them (the node itself, an active phrase, is a root; so is node 0), so
    retiring a phrase is linking its node to its ``fail``. Thus each token costs
    about constant time, amortized, and each phrase found once per text.
    """

    def __init__(self, phrases: Sequence[str]):
        goto: list[dict[str, int]] = [{}]
        self.phrase_at = at = [-1]  # the phrase ending at each node, or -1
        self.node_of: list[int] = []  # each phrase's node
        for number, phrase in enumerate(phrases):
            node = 0
            for token in _TOKENS.findall(marked(phrase)):
                following = goto[node].get(token)
                if following is None:
                    following = goto[node][token] = len(goto)
                    goto.append({})
                    at.append(-1)
                node = following
            at[node] = number
            self.node_of.append(node)
        # A phrase may begin at a token with a space before it, which its own first
        # token never has: the root takes both to the same node.
        first = goto[0]
        children = list(first.values())
        first.update({" " + token: node for token, node in list(first.items())})
        self.goto = goto
        self.fail = fail = [0] * len(goto)
        waiting = deque(children)
        while waiting:
            node = waiting.popleft()
            for token, child in goto[node].items():
                back = fail[node]
                while back and token not in goto[back]:
                    back = fail[back]
                fail[child] = goto[back].get(token, 0)
                waiting.append(child)
        self.up = [node if at[node] >= 0 else fail[node] for node in range(len(goto))]
        self.up[0] = 0
        self._seen = [-1] * len(goto)
        self._searches = 0

    def retire(self, number: int) -> None:
        """Phrase ``number`` is not found any more."""
        node = self.node_of[number]
        self.up[node] = self.fail[node]

    def _nearest(self, node: int) -> int:
        """The node of the nearest active phrase at or along ``fail`` from ``node``, or 0."""
        up = self.up
        top = node
        while up[top] != top:
            top = up[top]
        while up[node] != top:
            up[node], node = top, up[node]
        return top

    def search(self, lowered: str) -> list[int]:
        """The numbers of the active phrases that the lowercased ``lowered`` holds,
        each once, in no particular order."""
        goto, fail, up, at, seen = self.goto, self.fail, self.up, self.phrase_at, self._seen
        at_root, nearest = goto[0].get, self._nearest
        self._searches = stamp = self._searches + 1
        found: list[int] = []
        state = 0
        for chunk in tokens(marked(normalized(lowered))):
            for token in chunk:
                if state:
                    following = goto[state].get(token)
                    while following is None:
                        state = fail[state]
                        following = goto[state].get(token) if state else at_root(token, 0)
                    state = following
                else:  # most tokens, in most texts: spelled out, for speed
                    state = at_root(token, 0)
                    if not state:
                        continue
                if up[state]:
                    # The phrases ending here, nearest first; from one seen in this
                    # text on, all were seen.
                    node = nearest(state)
                    while node and seen[node] != stamp:
                        seen[node] = stamp
                        found.append(at[node])
                        node = nearest(fail[node])
        return found


def condition(client: str, sessions: Sequence[Session], settings: Mapping[str, Any],
              first: int) -> Iterator[Holding]:
    # Each phrase (its detail) and the index of the session that flagged it first,
    # in that order: the phrases flagged before session i are a prefix of the list.
    flagged = [phrases_of(session) for session in sessions]
    origins: dict[str, int] = {}
    for index, phrases in enumerate(flagged):
        for detail in phrases:
            origins.setdefault(detail, index)
    if not origins:
        return
    details, flagged_at = list(origins), list(origins.values())
    # Searching every note is the costly part: only the sessions from ``first`` on,
    # after the first phrase.
    first = max(first, flagged_at[0] + 1)
    if first >= len(sessions):
        return
    longest = [max(detail.split(" "), key=len) for detail in details]
    shortcut = list(accumulate(len(word) for word in longest))  # of the first n phrases
    search = PhraseSearch(details)
    # The sessions are searched last first, so that the phrases searched for only ever
    # drop out (those flagged at or after the session searched).
    # (session, the first phrases found in it, how many more)
    raised: list[tuple[int, list[int], int]] = []
    active = len(details)
    for index in range(len(sessions) - 1, first - 1, -1):
        while flagged_at[active - 1] >= index:
            active -= 1
            search.retire(active)
        session = sessions[index]
        text = lowered(session.prose)  # read again here if it was too long to keep
        # A phrase's longest word is in the text wherever the phrase is, and a test for
        # a substring, or a regular expression of literal words, compares at most its
        # length in characters at each place of the text: while those lengths are few
        # in all, such tests skip most notes (in an ordinary vault, nearly all), and
        # find the few phrases left, for much less than the search of all costs.
        found = None
        if shortcut[active - 1] <= _SHORTCUT:
            maybe = [n for n in range(active) if longest[n] in text]
            if sum(len(details[n]) for n in maybe) <= _ONE_BY_ONE:
                found = [n for n in maybe if phrase_pattern(details[n]).search(text)]
        if found is None:
            found = sorted(search.search(text))
        # The client objecting to it again is not a reuse of it.
        if flagged[index]:
            found = [number for number in found if details[number] not in flagged[index]]
        raised.append((index, found[:MOST_HELD], len(found) - MOST_HELD))
    for index, found, more in reversed(raised):
        session = sessions[index]
        for number in found:
            detail, origin = details[number], sessions[flagged_at[number]]
            yield Holding(session, detail, "alert",
                          f'"{detail}", which the client objected to on {origin.date}, '
                          "appears again in this session's note",
                          (origin.path, session.path),
                          more=more if more > 0 and number == found[-1] else 0)


def phrases_of(session: Session) -> dict[str, None]:
    """The phrases the session's words items flag, as details, in order."""
    phrases: dict[str, None] = {}
    for item in session.items:
        if item.theme == "words" and item.phrase:
            words = phrase_words(item.phrase)
            if words:
                phrases[" ".join(words)] = None
    return phrases


@hookimpl
def mutuality_rules() -> list[Rule]:
    return [Rule(NAME, description="a word the client objected to, used again",
                 condition=condition, raised=RAISED_EVERY)]
