"""The scores of every measure declared (the Session Rating Scale, the outcome
measures, a plugin's): read as :mod:`..measures.reading` says."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..hookspecs import hookimpl
from ..measures.reading import read_scores
from ..model import Feedback, Note

if TYPE_CHECKING:
    from ..config import Settings


@hookimpl(trylast=True)
def mutuality_extract_feedback(note: Note, settings: Settings) -> Feedback | None:
    scores, risks = read_scores(note.properties, settings.measures)
    return Feedback(scores=scores, risks=risks) if scores or risks else None
