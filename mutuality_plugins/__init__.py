"""mutuality: is the client steering the help they get? Read from session notes.

What a plugin author needs is importable from here.
"""

from .errors import NoteProblem
from .hookspecs import hookimpl
from .model import (
    Alert,
    AlertSink,
    Feedback,
    FeedbackItem,
    Gap,
    Holding,
    Note,
    Period,
    Reporter,
    Rule,
    Session,
)

__all__ = [
    "Alert",
    "AlertSink",
    "Feedback",
    "FeedbackItem",
    "Gap",
    "Holding",
    "Note",
    "NoteProblem",
    "Period",
    "Reporter",
    "Rule",
    "Session",
    "hookimpl",
]
