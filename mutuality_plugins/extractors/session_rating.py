"""The Session Rating Scale: ``srs_relationship``, ``srs_goals``, ``srs_approach``,
``srs_overall`` (0 to 10 each) or ``srs_total`` (0 to 40)."""

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..errors import NoteProblem
from ..hookspecs import hookimpl
from ..model import SRS_ITEMS, SRS_TOTAL, Feedback, Note
from ..reading.values import is_absent


@hookimpl(trylast=True)
def mutuality_extract_feedback(note: Note) -> Feedback | None:
    if note.properties.keys().isdisjoint(SRS_ITEMS + (SRS_TOTAL,)):
        return None
    scores = {name: score for name in SRS_ITEMS
              if (score := _score(note.properties, name, 10)) is not None}
    total = _score(note.properties, SRS_TOTAL, 40)
    if scores and len(scores) < len(SRS_ITEMS):  # never a total of some of the items
        missing = [name for name in SRS_ITEMS if name not in scores]
        raise NoteProblem(
            f"the Session Rating Scale has {len(scores)} of its 4 items: {_and(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing; write all four, or only "
            f"{SRS_TOTAL}")
    if scores:
        summed = rounded(sum(Decimal(repr(float(score))) for score in scores.values()))
        if total is not None and rounded(total) != summed:
            raise NoteProblem(
                f"the four Session Rating Scale items add up to {summed:g}, but {SRS_TOTAL} "
                f"is {rounded(total):g}: correct one of them, or leave {SRS_TOTAL} out")
        return Feedback(srs_total=summed)
    return None if total is None else Feedback(srs_total=rounded(total))


def rounded(score: float | Decimal) -> float:
    """To one decimal, half away from zero, in decimal arithmetic as a person rounds
    (round() would give 35.2 for 35.25); + 0.0 drops -0.0."""
    exact = score if isinstance(score, Decimal) else Decimal(repr(float(score)))
    exact = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(exact) + 0.0


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _score(properties: Mapping[str, Any], name: str, highest: int) -> float | None:
    value = properties.get(name)
    if is_absent(value):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
        0 <= value <= highest
    ):
        quoted = isinstance(value, str) and _A_NUMBER.fullmatch(value.strip())
        raise NoteProblem(f"{name} should be a number from 0 to {highest}"
                          + (", written without quotes" if quoted else ""))
    return value


_A_NUMBER = re.compile(r"[-+]?[0-9]+(?:[.,][0-9]+)?")
