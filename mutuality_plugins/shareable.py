"""mutuality's own answer to ``mutuality_shareable_feedback``: which themes and signals
a supervision export may show. Kept apart from the export (``supervision.py``) so that
loading the plugins, which every command does, does not import it."""

from .hookspecs import hookimpl
from .model import KNOWN_SIGNALS


@hookimpl(trylast=True)
def mutuality_shareable_feedback() -> dict[str, list[str]]:
    """The essay's themes and signals (SPEC section 3); a words item's signal is the
    word the client objected to: never shared."""
    return {theme: list(signals) for theme, signals in KNOWN_SIGNALS.items()}
