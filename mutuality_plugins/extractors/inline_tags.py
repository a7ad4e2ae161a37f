"""Feedback tags written in the body: ``She said #feedback/pacing/too-fast``."""

from ..hookspecs import hookimpl
from ..reading.tags import feedback_in_tags


@hookimpl(trylast=True)
def mutuality_extract_feedback(note, settings):
    return feedback_in_tags(note.inline_tags, settings.feedback_tag)
