"""mutuality: is the client steering the help they get? Read from session notes.

What a plugin author needs is importable from here. Each name is imported when first
asked for: ``mutuality --help`` needs none of them (the model alone takes a third of
its time to import).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
_NOT_OF_THE_MODEL = {"NoteProblem": ".errors", "hookimpl": ".hookspecs"}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(_NOT_OF_THE_MODEL.get(name, ".model"), __name__)
    value = getattr(module, name)
    globals()[name] = value  # asked once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
