"""Reading a measure's scores from a note's properties (SPEC sections 3 and 9).

YAML numbers only (not booleans, not text), each in range; items one property each
are numbers, items given as a list are whole numbers; all the items or a total, never
some items only; items and total agreeing once rounded. Anything else is a problem
naming the property and what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..errors import NoteProblem
from ..model import Measure, RiskItem
from ..reading.values import is_absent


def read_scores(properties: Mapping[str, Any], measures: Iterable[Measure]
                ) -> tuple[dict[str, float], dict[str, float]]:
    """The totals (measure name -> total) and risk items (name -> score) the
    properties record, for the ``measures``.

    :raises NoteProblem: for a score that breaks the measure's rules.
    """
    scores: dict[str, float] = {}
    risks: dict[str, float] = {}
    for measure in measures:
        if properties.keys().isdisjoint(measure.properties):
            continue
        items = _items(properties, measure)
        total = _number(properties, measure.total, measure.lowest, measure.highest)
        if items is not None:
            summed = rounded(sum(Decimal(repr(float(item))) for item in items))
            if total is not None and rounded(total) != summed:
                raise NoteProblem(
                    f"the {_count(len(items))} {measure.called} items add up to "
                    f"{score_text(summed)}, but {measure.total} is {score_text(rounded(total))}: "
                    f"correct one of them, or leave {measure.total} out")
            scores[measure.name] = summed
        elif total is not None:
            scores[measure.name] = rounded(total)
        for risk in measure.risk_items:
            score = _risk(properties, measure, risk, items)
            if score is not None:
                risks[risk.name] = score
    return scores, risks


def rounded(score: float | Decimal) -> float:
    """To one decimal, half away from zero, in decimal arithmetic as a person rounds
    (round() would give 35.2 for 35.25); + 0.0 drops -0.0."""
    exact = score if isinstance(score, Decimal) else Decimal(repr(float(score)))
    exact = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(exact) + 0.0


def _items(properties: Mapping[str, Any], measure: Measure) -> list[float] | None:
    """The measure's items, when the note gives them all; None when it gives none."""
    if measure.item_list is not None:
        return _item_list(properties, measure, measure.item_list)
    given = {name: score for name in measure.items if (score := _number(
        properties, name, measure.item_lowest, measure.item_highest)) is not None}
    if not given:
        return None
    if len(given) < len(measure.items):  # never a total of some of the items
        missing = [name for name in measure.items if name not in given]
        raise NoteProblem(
            f"the {measure.called} has {len(given)} of its {len(measure.items)} items: "
            f"{_and(missing)} {'is' if len(missing) == 1 else 'are'} missing; write all "
            f"{_count(len(measure.items))}, or only {measure.total}")
    return list(given.values())


def _item_list(properties: Mapping[str, Any], measure: Measure, name: str) -> list[float] | None:
    value = properties.get(name)
    if is_absent(value):
        return None
    count, lowest, highest = measure.item_count, measure.item_lowest, measure.item_highest

    def fits(item: Any) -> bool:
        return isinstance(item, int) and not isinstance(item, bool) and lowest <= item <= highest

    if not isinstance(value, list) or len(value) != count or not all(map(fits, value)):
        which = "" if not isinstance(value, list) else f" (it has {len(value)})" \
            if len(value) != count else \
            f" (item {next(n for n, item in enumerate(value, 1) if not fits(item))} is not)"
        raise NoteProblem(
            f"{name} should be a list of {count} whole numbers from {lowest} to {highest}, "
            f"like [{', '.join([str(lowest)] * count)}]{which}")
    return [float(item) for item in value]


def _risk(properties: Mapping[str, Any], measure: Measure, risk: RiskItem,
          items: list[float] | None) -> float | None:
    """The risk item's score: as given on its own, else as the item of the list."""
    alone = _number(properties, risk.property, 0, risk.highest, whole=True)
    among = items[risk.item - 1] if items is not None and risk.item is not None \
        and measure.item_list is not None else None
    if alone is not None and among is not None and rounded(alone) != among:
        raise NoteProblem(
            f"{risk.property} is {score_text(rounded(alone))}, but item {risk.item} of "
            f"{measure.item_list} is {score_text(among)}: correct one of them, or leave "
            f"{risk.property} out")
    score = alone if alone is not None else among
    return None if score is None else rounded(score)


def _number(properties: Mapping[str, Any], name: str, lowest: float, highest: float,
            whole: bool = False) -> float | None:
    """The score ``name`` records (a whole number, with ``whole``), or None."""
    value = properties.get(name)
    if is_absent(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) or not (
        lowest <= value <= highest
    ):
        kind = "whole number" if whole else "number"
        raise NoteProblem(f"{name} should be a {kind} from {score_text(lowest)} to "
                          f"{score_text(highest)}{_how_to_write(value, whole)}")
    return value


def _how_to_write(value: Any, whole: bool = False) -> str:
    """What is wrong with a number written as text: quotes, or a decimal comma."""
    if not isinstance(value, str) or not _A_NUMBER.fullmatch(value.strip()):
        return ""
    if whole and any(mark in value for mark in ",."):
        return ""  # not a whole number, however written
    if "," in value:
        return f", with a decimal point: {value.strip().replace(',', '.')}"
    return ", written without quotes"


def score_text(score: float) -> str:
    """A score or a setting as a person writes it, every digit kept: ``23.5``, ``40``,
    ``4.25``, ``1234567``, never ``1.2e+06``."""
    text = format(Decimal(repr(float(score))) + 0, "f")  # + 0 drops -0
    return text.rstrip("0").rstrip(".") if "." in text else text


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _count(number: int) -> str:
    return {2: "two", 3: "three", 4: "four", 5: "five", 7: "seven", 9: "nine",
            10: "ten"}.get(number, str(number))


_A_NUMBER = re.compile(r"[-+]?[0-9]+(?:[.,][0-9]+)?")
