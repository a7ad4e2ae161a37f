"""mutuality: is the client steering the help they get? Read from session notes.

What a plugin author needs is importable from here.
"""

from .errors import NoteProblem
from .hookspecs import hookimpl
from .model import Feedback, FeedbackItem, Note, Session

__all__ = ["Feedback", "FeedbackItem", "Note", "NoteProblem", "Session", "hookimpl"]
