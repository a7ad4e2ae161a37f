"""The ``feedback`` property: a list of feedback items in the client's own words.

Each entry is a string ``THEME[/SIGNAL][: quote]``, a one-key mapping (what YAML makes
of an unquoted ``- pacing/too-fast: slow down``, read the same as the string), or a
mapping with ``theme`` and optional ``signal``, ``quote``, ``phrase``, ``response``,
``by``. For one (theme, signal), the first mapping gives the fields, later mappings
fill only what is still absent; strings (and tags) add nothing but the item itself,
so a string's quote counts only for an item no mapping gives.
"""

from typing import Any

from ..errors import NoteProblem
from ..hookspecs import hookimpl
from ..model import Feedback, FeedbackItem, Note
from ..reading.properties import by_lowercase_name
from ..reading.values import as_text, is_absent

FIELDS = ("signal", "quote", "phrase", "response", "by")

_UNREADABLE = (
    "a feedback entry should be text like `pacing/too-fast: what the client said` "
    "or have a `theme:`"
)


@hookimpl(trylast=True)
def mutuality_extract_feedback(note: Note) -> Feedback | None:
    value = note.properties.get("feedback")
    if is_absent(value):
        return None
    entries = value if isinstance(value, list) else [value]
    from_mappings: dict[tuple[str, str], FeedbackItem] = {}
    from_strings: dict[tuple[str, str], FeedbackItem] = {}
    order: list[tuple[str, str]] = []
    for entry in entries:
        if is_absent(entry):
            continue
        item, is_full_mapping = _read_entry(entry)
        if item is None:
            continue
        item = item.normalized()
        if not item.theme:
            raise NoteProblem("a feedback entry has no theme: write it as `theme/signal`")
        if item.key not in order:
            order.append(item.key)
        if is_full_mapping:
            earlier = from_mappings.get(item.key)
            from_mappings[item.key] = item if earlier is None else earlier.filled_from(item)
        else:
            from_strings.setdefault(item.key, item)
    return Feedback(items=tuple(from_mappings.get(key) or from_strings[key] for key in order))


def _read_entry(entry: Any) -> tuple[FeedbackItem | None, bool]:
    """The entry as an item, and whether it was a full mapping (with ``theme``)."""
    if isinstance(entry, str):
        head, _, quote = entry.partition(":")
        return _written(head, quote), False
    if isinstance(entry, dict):
        entry = by_lowercase_name(entry)  # `Theme:` and `theme:` are one field
    if isinstance(entry, dict) and "theme" in entry:
        theme = _text(entry["theme"], "theme")
        if theme is None:  # a template's empty entry
            return None, True
        fields = {name: _text(entry.get(name), name) for name in FIELDS}
        return FeedbackItem(theme, fields["signal"] or "", fields["quote"], fields["phrase"],
                            fields["response"], fields["by"]), True
    if isinstance(entry, dict) and len(entry) == 1:
        ((head, quote),) = entry.items()
        if is_absent(head):  # a template's ``- {{theme}}: {{quote}}``
            return None, False
        return _written(as_text(head), _text(quote, "quote") or ""), False
    raise NoteProblem(_UNREADABLE)


def _written(head: str, quote: str) -> FeedbackItem:
    theme, _, signal = head.partition("/")
    quote = quote.strip()
    if len(quote) > 1 and quote[0] == quote[-1] and quote[0] in "\"'":
        quote = quote[1:-1].strip()  # `pacing/too-fast: "slow down"`, as written inline
    return FeedbackItem(theme, signal, quote=quote or None)


def _text(value: Any, name: str) -> str | None:
    if is_absent(value):
        return None
    if isinstance(value, (dict, list)):
        raise NoteProblem(f"the feedback field `{name}` should be plain text")
    return as_text(value).strip()
