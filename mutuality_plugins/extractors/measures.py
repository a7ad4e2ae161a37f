"""The scores of every measure declared (the Session Rating Scale, the outcome
measures, a plugin's): read as :mod:`..measures.reading` says."""

from ..config import Settings
from ..hookspecs import hookimpl
from ..measures.reading import read_scores
from ..model import Feedback, Note


@hookimpl(trylast=True)
def mutuality_extract_feedback(note: Note, settings: Settings) -> Feedback | None:
    scores, risks = read_scores(note.properties, settings.measures)
    return Feedback(scores=scores, risks=risks) if scores or risks else None
