"""Feedback tags written in the body: ``She said #feedback/pacing/too-fast``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..hookspecs import hookimpl
from ..model import Feedback, Note
from ..reading.tags import feedback_in_tags

if TYPE_CHECKING:
    from ..config import Settings


@hookimpl(trylast=True)
def mutuality_extract_feedback(note: Note, settings: Settings) -> Feedback | None:
    return feedback_in_tags(note.inline_tags, settings.feedback_tag)
