"""What ``mutuality scan`` prints: for a therapist (text) and for programs (JSON)."""

from __future__ import annotations

from typing import Any

from .model import ScanResult
from .reporters.plain import count, printable

_WIDEST = 24  # a longer client id is not aligned with the rest


def as_json(result: ScanResult) -> dict[str, Any]:
    """``notes``, ``sessions``, ``clients`` (counts) and ``problems`` (path and message,
    sorted by path)."""
    return {
        "notes": result.notes,
        "sessions": len(result.sessions),
        "clients": len(result.clients),
        "problems": [{"path": p.path, "message": p.message} for p in result.problems],
    }


def as_text(result: ScanResult, vault: str) -> str:
    sessions_by_client = result.sessions_by_client()
    lines = [
        f"Read {count(result.notes, 'note')} in {vault}: "
        f"{count(len(result.sessions), 'session note')}, "
        f"{count(len(sessions_by_client), 'client')}."
    ]
    if sessions_by_client:
        width = min(max(len(client) for client in sessions_by_client), _WIDEST)
        lines += ["", "Sessions per client:"]
        lines += [
            f"  {client:<{width}}  {len(sessions)}"
            for client, sessions in sessions_by_client.items()
        ]
    if result.problems:
        lines += [
            "",
            f"{count(len(result.problems), 'note')} could not be read and "
            f"{'was' if len(result.problems) == 1 else 'were'} left out:",
        ]
        lines += [f"  {problem.path}: {problem.message}" for problem in result.problems]
    return "\n".join(printable(line) for line in lines)

