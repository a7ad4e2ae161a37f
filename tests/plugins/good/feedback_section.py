"""A drop-in extractor: feedback written as a list under a ``## Feedback`` heading.

    ## Feedback
    - pacing/too-fast: slow down, please
"""

import re

from mutuality_plugins import Feedback, FeedbackItem, NoteProblem, hookimpl

SECTION = re.compile(r"^## Feedback\n((?:- .*\n?)*)", re.MULTILINE)


@hookimpl
def mutuality_extract_feedback(note):
    found = SECTION.search(note.body)
    if found is None:
        return None
    items = []
    for line in found.group(1).splitlines():
        head, _, quote = line[2:].partition(":")
        if "/" not in head:
            raise NoteProblem("a line under ## Feedback should start with theme/signal")
        theme, signal = head.split("/", 1)
        items.append(FeedbackItem(theme, signal, quote=quote.strip() or None, by="client"))
    return Feedback(items=tuple(items))
