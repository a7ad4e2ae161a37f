"""The ``feedback_invited`` property: did the therapist ask for the client's feedback?"""

from ..errors import NoteProblem
from ..hookspecs import hookimpl
from ..model import Feedback, Note
from ..reading.values import is_absent

_TRUE = {"true", "yes"}
_FALSE = {"false", "no"}


@hookimpl(trylast=True)
def mutuality_extract_feedback(note: Note) -> Feedback | None:
    value = note.properties.get("feedback_invited")
    if is_absent(value):
        return None
    if isinstance(value, list) and len(value) > 1:  # two `feedback_invited::` lines, say
        raise NoteProblem("feedback_invited is given more than once: keep one, yes or no")
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        value = value.strip().lower() in _TRUE
    if not isinstance(value, bool):
        raise NoteProblem("feedback_invited should be yes or no (or true or false)")
    return Feedback(invited=value)
