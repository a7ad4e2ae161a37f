"""What ``mutuality scan`` prints: for a therapist (text) and for programs (JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .model import ScanResult
from .reading.warnings import vault_warnings
from .reporters.plain import count, printable

_WIDEST = 24  # a longer client id is not aligned with the rest


def as_json(result: ScanResult, today: dt.date) -> dict[str, Any]:
    """``notes``, ``sessions``, ``clients`` (counts), ``problems`` and ``warnings``
    (path and message, sorted by path) as of ``today``."""
    return {
        "notes": result.notes,
        "sessions": len(result.sessions),
        "clients": len(result.clients),
        "problems": [{"path": p.path, "message": p.message} for p in result.problems],
        "warnings": [{"path": w.path, "message": w.message}
                     for w in vault_warnings(result, today)],
    }


def as_text(result: ScanResult, vault: str, today: dt.date) -> str:
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
    warnings = vault_warnings(result, today)
    if warnings:
        noted = len({warning.path for warning in warnings})
        lines += ["", f"{count(noted, 'note')} {'was' if noted == 1 else 'were'} read but "
                      f"{'looks' if noted == 1 else 'look'} wrong:"]
        lines += [f"  {warning.path}: {warning.message}" for warning in warnings]
    if not result.sessions:
        lines += ["", no_sessions(vault, len(result.problems))]
    return "\n".join(printable(line) for line in lines)


def no_sessions(vault: str, problems: int = 0) -> str:
    """What a vault without session notes gets instead of results that read as all clear;
    ``problems``: how many of its notes could not be used."""
    if problems:
        return (f"no session note in {vault} could be used: {count(problems, 'note')} "
                f"{'was' if problems == 1 else 'were'} left out: `mutuality scan` says "
                "why")
    return (f"no session notes found in {vault}: a session note names a `client` in its "
            "properties")
