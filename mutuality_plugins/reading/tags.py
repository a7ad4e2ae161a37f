"""Tags: the ``tags`` property, and what feedback tags say (``feedback/THEME`` or
``feedback/THEME/SIGNAL``; ``feedback/invited`` is the invitation)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..model import Feedback, FeedbackItem
from .values import as_text, is_absent

_SEPARATORS = re.compile(r"[,\s]+")


def tags_in_property(value: Any) -> list[str]:
    """The ``tags`` property: a list, or one string of tags split at commas and spaces."""
    if is_absent(value):
        return []
    if isinstance(value, str):
        entries = _SEPARATORS.split(value)
    elif isinstance(value, list):
        entries = [entry for entry in value if not is_absent(entry)]
    else:
        entries = [value]
    tags = []
    for entry in entries:
        tag = as_text(entry).strip()
        tag = tag[1:] if tag.startswith("#") else tag
        if tag:
            tags.append(tag.lower())
    return tags


def feedback_in_tags(tags: Iterable[str], prefix: str) -> Feedback | None:
    """``PREFIX/invited``, and items from ``PREFIX/THEME[/SIGNAL]`` tags.

    :param prefix: the first part of a feedback tag, lowercased (``feedback``).
    """
    invited_tag = f"{prefix}/invited"
    invited = False
    items = []
    for tag in tags:
        if tag == invited_tag:
            invited = True
            continue
        parts = tag.split("/")
        if parts[0] == prefix and len(parts) in (2, 3) and parts[1]:
            items.append(FeedbackItem(parts[1], parts[2] if len(parts) == 3 else ""))
    if not invited and not items:
        return None
    return Feedback(items=tuple(items), invited=invited)
