"""The Session Rating Scale: ``srs_relationship``, ``srs_goals``, ``srs_approach``,
``srs_overall`` (0 to 10 each) or ``srs_total`` (0 to 40)."""

from decimal import ROUND_HALF_UP, Decimal

from ..errors import NoteProblem
from ..hookspecs import hookimpl
from ..model import Feedback
from ..reading.values import is_absent

SCALES = ("srs_relationship", "srs_goals", "srs_approach", "srs_overall")
TOTAL = "srs_total"


@hookimpl(trylast=True)
def mutuality_extract_feedback(note):
    if note.properties.keys().isdisjoint(SCALES + (TOTAL,)):
        return None
    scores = {name: _score(note.properties, name, 10) for name in SCALES}
    total = _score(note.properties, TOTAL, 40)
    if all(score is not None for score in scores.values()):
        total = sum(scores.values())
    if total is None:
        return None
    # Half up, as a person rounds (round() would give 35.2 for 35.25); + 0.0 drops -0.0.
    rounded = Decimal(repr(float(total))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Feedback(srs_total=float(rounded) + 0.0)


def _score(properties, name, highest):
    value = properties.get(name)
    if is_absent(value):
        return None
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (is_number and 0 <= value <= highest):
        raise NoteProblem(f"{name} should be a number from 0 to {highest}")
    return value
