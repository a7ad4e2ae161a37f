"""Most urgent first: risk items, then by severity. Its own module, without the
model's classes, for what only orders (the command line's messages)."""

from __future__ import annotations

# Most severe first.
SEVERITIES = ("alert", "warning", "info")

# A risk item answered above 0 is never held back: its alerts and gaps come before any
# other, in every output, and are listed whatever the client's status.
RISK_ITEM = "risk-item"


def severity_rank(severity: str) -> int:
    """0 for the most severe: to sort alerts and gaps most serious first."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def urgency(rule: str, severity: str) -> tuple[int, int]:
    """To sort alerts and gaps most urgent first: risk items, then by severity."""
    return (rule != RISK_ITEM, severity_rank(severity))
