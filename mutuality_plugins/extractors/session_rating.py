"""The Session Rating Scale: ``srs_relationship``, ``srs_goals``, ``srs_approach``,
``srs_overall`` (0 to 10 each) or ``srs_total`` (0 to 40)."""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..errors import NoteProblem
from ..hookspecs import hookimpl
from ..model import Feedback, Note
from ..reading.values import is_absent

SCALES = ("srs_relationship", "srs_goals", "srs_approach", "srs_overall")
TOTAL = "srs_total"


@hookimpl(trylast=True)
def mutuality_extract_feedback(note: Note) -> Feedback | None:
    if note.properties.keys().isdisjoint(SCALES + (TOTAL,)):
        return None
    scores = [score for name in SCALES if (score := _score(note.properties, name, 10)) is not None]
    total = _score(note.properties, TOTAL, 40)
    if len(scores) == len(SCALES):
        total = sum(scores)
    if total is None:
        return None
    # Half up, as a person rounds (round() would give 35.2 for 35.25); + 0.0 drops -0.0.
    rounded = Decimal(repr(float(total))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Feedback(srs_total=float(rounded) + 0.0)


def _score(properties: Mapping[str, Any], name: str, highest: int) -> float | None:
    value = properties.get(name)
    if is_absent(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
        0 <= value <= highest
    ):
        raise NoteProblem(f"{name} should be a number from 0 to {highest}")
    return value
