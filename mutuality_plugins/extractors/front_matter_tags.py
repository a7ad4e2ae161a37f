"""Feedback tags in the ``tags`` property: ``tags: [feedback/invited, feedback/pacing]``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..hookspecs import hookimpl
from ..model import Feedback, Note
from ..reading.tags import feedback_in_tags, tags_in_property

if TYPE_CHECKING:
    from ..config import Settings


@hookimpl(trylast=True)
def mutuality_extract_feedback(note: Note, settings: Settings) -> Feedback | None:
    return feedback_in_tags(tags_in_property(note.properties.get("tags")), settings.feedback_tag)
