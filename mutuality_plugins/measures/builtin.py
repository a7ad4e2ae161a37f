"""The measures mutuality knows without a plugin (SPEC section 9): the Session Rating
Scale (alliance: is the client heard?) and four outcome measures (is the help
helping?). Their cutoffs and reliable-change values are the published ones; a vault
changes them in ``[measures.NAME]`` of ``mutuality.toml``."""

from ..hookspecs import hookimpl
from ..model import HIGHER, LOWER, SRS, SRS_ITEMS, SRS_TOTAL, Measure, RiskItem

SESSION_RATING_SCALE = Measure(
    SRS, "SRS", SRS_TOTAL, 40, items=SRS_ITEMS, better=HIGHER, cutoff=36.0,
    title="Session Rating Scale")

OUTCOME_RATING_SCALE = Measure(
    "ors", "ORS", "ors_total", 40,
    items=("ors_individual", "ors_interpersonal", "ors_social", "ors_overall"),
    better=HIGHER, cutoff=25.0, reliable_change=5.0, title="Outcome Rating Scale")

PHQ9 = Measure(
    "phq9", "PHQ-9", "phq9_total", 27, item_list="phq9_items", item_count=9, item_highest=3,
    better=LOWER, cutoff=10.0, reliable_change=6.0,
    risk_items=(RiskItem("phq9-item9", "phq9_item9", 3, item=9, label="PHQ-9 item 9"),),
    title="PHQ-9")

GAD7 = Measure(
    "gad7", "GAD-7", "gad7_total", 21, item_list="gad7_items", item_count=7, item_highest=3,
    better=LOWER, cutoff=8.0, reliable_change=4.0, title="GAD-7")

CORE10 = Measure(
    "core10", "CORE-10", "core10_total", 40, better=LOWER, cutoff=11.0, reliable_change=6.0,
    risk_items=(RiskItem("core10-risk", "core10_risk", 4, label="the CORE-10 risk item"),),
    title="CORE-10")

BUILT_IN_MEASURES = (SESSION_RATING_SCALE, OUTCOME_RATING_SCALE, PHQ9, GAD7, CORE10)


@hookimpl
def mutuality_measures() -> list[Measure]:
    return list(BUILT_IN_MEASURES)
