"""Open gaps as the therapist reads them: ``mutuality gaps`` (text and JSON) and the
checklist at the top of ``Alerts.md``.

The text is for a busy therapist: one block per client, the client with the most
serious gap first; each gap with how long it has been open and the note to open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from ..model import ACTIVE, RISK_ITEM, Gap, first_and_last, open_count
from .markdown import note_name, wikilink, words
from .plain import as_json, count, printable
from .plain import by_client as grouped_by_client

if TYPE_CHECKING:  # imported when the report is made: loading the plugins must not
    from ..practice import Practice


def id_mark(gap: Gap) -> str:
    """How a gap's id appears on its line in ``Alerts.md``, at the end."""
    return f"(id {gap.id})"


def by_client(gaps: Sequence[Gap]) -> list[tuple[str, list[Gap]]]:
    """Clients with their gaps, most serious first, then longest open; the client with
    the most serious gap first."""
    return grouped_by_client(gaps, lambda gap: (gap.opened, gap.order))


def how_long(gap: Gap, today: date) -> str:
    """``open since 24 Sep (9 weeks, 10 sessions)``."""
    days = (today - gap.opened).days
    span = count(days // 7, "week") if days >= 14 else count(days, "day") if days else "today"
    sessions = len(gap.notes)
    opened = gap.opened
    shown = f"{opened.day} {opened:%b}" + ("" if opened.year == today.year else f" {opened.year}")
    return f"open since {shown} ({span}, {sessions} session{'s' if sessions != 1 else ''})"


def render_text(practice: Practice, gaps: Sequence[Gap], *, all_clients: bool,
                include_dismissed: bool) -> str:
    """What ``mutuality gaps`` prints."""
    today = practice.today
    whose = f"{practice.client}, " if practice.client else ""
    lines: list[str] = []
    if gaps:
        clients = len({gap.client for gap in gaps})
        lines.append(f"Open gaps, {whose}as of {today} ({count(open_count(gaps), 'gap')} of "
                     f"{count(clients, 'client')}):")
    else:
        lines.append(f"No open gaps, {whose}as of {today}.")
    for client, client_gaps in by_client(gaps):
        status = practice.statuses.get(client, ACTIVE)
        lines += ["", client if status == ACTIVE else f"{client} ({status})"]
        for gap in client_gaps:
            dismissed = " (dismissed)" if practice.is_dismissed(gap) else ""
            lines.append(f"  [{gap.severity}] {gap.message}{dismissed}")
            lines.append(f"      {how_long(gap, today)}; latest note {note_name(gap.notes[-1])}; "
                         f"id {gap.id}")
    lines += _left_out(practice, all_clients, include_dismissed)
    return "\n".join(printable(line) for line in lines)


def _left_out(practice: Practice, all_clients: bool, include_dismissed: bool) -> list[str]:
    """What the view leaves out (clients not seen any more, dismissed gaps), and how
    to see it: no open gap goes unmentioned."""
    every = [gap for gap in practice.listed_gaps(all_clients=True, include_dismissed=True)
             if gap.rule != RISK_ITEM]  # listed whatever the status or a dismissal
    not_seen = [] if all_clients else [
        gap for gap in every if practice.statuses.get(gap.client, ACTIVE) != ACTIVE]
    dismissed = [] if include_dismissed else [
        gap for gap in every if practice.is_dismissed(gap) and gap not in not_seen]
    notes = []
    status = practice.statuses.get(practice.client or "", ACTIVE)
    if practice.client is not None and status != ACTIVE and not all_clients:
        why = ("a client note says the work has ended" if status == "closed" else
               f"no session in the last {practice.settings.inactive_after_days} days")
        of_them = sum(practice.is_dismissed(gap) for gap in not_seen)
        other = " other" if any(gap.rule == RISK_ITEM for gap in practice.gaps) else ""
        notes.append(f"{practice.client} is {status} ({why}), so their{other} gaps are not "
                     "listed: "
                     + (f"{count(len(not_seen), 'gap')} open"
                        + (f", {of_them} of them dismissed" if of_them else "")
                        + "; add --all-clients to see them." if not_seen else "none is open."))
    elif not_seen:
        clients = len({gap.client for gap in not_seen})
        notes.append(f"Not listed: {count(len(not_seen), 'gap')} of {count(clients, 'client')} "
                     "not seen any more (inactive, or closed in their client note); add "
                     "--all-clients to see them.")
    if dismissed:
        notes.append(f"Not listed: {count(len(dismissed), 'dismissed gap')}; add "
                     "--include-dismissed to see them.")
    return ["", *notes] if notes else []


def render_json(practice: Practice, gaps: Sequence[Gap]) -> str:
    return as_json([gap_json(practice, gap) for gap in gaps])


def gap_json(practice: Practice, gap: Gap,
             statuses: Mapping[str, str] | None = None) -> dict[str, object]:
    """A gap as JSON shows it, wherever: whether it is dismissed, and its client's status
    (today's, or in ``statuses``: as of another day)."""
    statuses = practice.statuses if statuses is None else statuses
    return {**gap.as_json(practice.is_dismissed(gap)),
            "client_status": statuses.get(gap.client, ACTIVE)}


def checklist(practice: Practice) -> list[str]:
    """The open gaps as ``Alerts.md`` shows them: one top-level task line each, to tick
    in Obsidian to dismiss it."""
    lines = []
    for _, client_gaps in by_client(practice.listed_gaps()):
        for gap in client_gaps:
            lines.append(_checklist_line(gap, gap.id in practice.unrecorded_ticks,
                                         practice.statuses.get(gap.client, ACTIVE),
                                         practice.today))
    return lines


@lru_cache(maxsize=1 << 15)  # a watcher writes the same lines again at each save
def _checklist_line(gap: Gap, ticked: bool, status: str, today: date) -> str:
    linked, left_out = first_and_last(gap.notes)
    client = f"{gap.client} ({status})" if status != ACTIVE else gap.client
    return (f"- {'[x]' if ticked else '[ ]'} **{words(client)}** ({gap.severity}): "
            f"{words(gap.message)}; {how_long(gap, today)}. Notes: "
            f"{', '.join(wikilink(path) for path in linked)} "
            f"{left_out + ' ' if left_out else ''}{id_mark(gap)}")

