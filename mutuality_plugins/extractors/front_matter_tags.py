"""Feedback tags in the ``tags`` property: ``tags: [feedback/invited, feedback/pacing]``."""

from ..hookspecs import hookimpl
from ..reading.tags import feedback_in_tags, tags_in_property


@hookimpl(trylast=True)
def mutuality_extract_feedback(note, settings):
    return feedback_in_tags(tags_in_property(note.properties.get("tags")), settings.feedback_tag)
