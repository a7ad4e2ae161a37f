"""Feedback tags written in the body: ``She said #feedback/pacing/too-fast``."""

from ..config import Settings
from ..hookspecs import hookimpl
from ..model import Feedback, Note
from ..reading.tags import feedback_in_tags


@hookimpl(trylast=True)
def mutuality_extract_feedback(note: Note, settings: Settings) -> Feedback | None:
    return feedback_in_tags(note.inline_tags, settings.feedback_tag)
