"""mutuality: is the client steering the help they get? Read from session notes.

What a plugin author needs is importable from here.
"""

from .errors import NoteProblem
from .hookspecs import hookimpl
from .model import (
    EACH_MEASURE,
    EACH_RISK_ITEM,
    HIGHER,
    LOWER,
    Alert,
    AlertSink,
    Feedback,
    FeedbackItem,
    Gap,
    Holding,
    Measure,
    Note,
    Period,
    Reporter,
    RiskItem,
    Rule,
    Session,
)

__all__ = [
    "EACH_MEASURE",
    "EACH_RISK_ITEM",
    "HIGHER",
    "LOWER",
    "Alert",
    "AlertSink",
    "Feedback",
    "FeedbackItem",
    "Gap",
    "Holding",
    "Measure",
    "Note",
    "NoteProblem",
    "Period",
    "Reporter",
    "RiskItem",
    "Rule",
    "Session",
    "hookimpl",
]
