"""The gaps the therapist dismissed: kept in the vault's output folder, as the tool's
own note, so that they survive a lost index and travel with a synced vault.

A gap is dismissed with ``mutuality dismiss VAULT ID...`` or by ticking its checkbox
in ``Alerts.md`` in Obsidian: every command that shows or writes gaps records the
ticked ones first (unticking undoes nothing). A dismissal holds for that id forever;
a gap that closes and returns has a new id and is shown again. The note lists each
dismissed gap as a row of a table, so the therapist can see what was put aside, and
undo one by deleting its row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import MutualityError, NoteProblem
from .files import os_reason, read_in_vault
from .model import Gap
from .practice import Practice
from .reading.front_matter import load_properties, split_front_matter
from .reading.note import decode
from .reporters.markdown import generated_note, table
from .writer import (
    DISMISSED_NOTE,
    MARKER_KEY,
    MARKER_VALUE,
    Leftovers,
    NotWritten,
    write_generated,
)

ALERTS_NOTE = "Alerts.md"
MAX_BYTES = 4 * 1024 * 1024

GAP_ID = re.compile(r"[0-9a-fA-F]{12}")
# A ticked top-level task (outside any callout or list) holding a gap's id, as the
# alerts note writes it: ``- [x] ... (id 3f2a9c1b7d0e)``; what a plugin adds after it
# when it is ticked (the Tasks plugin's `` ✅ 2026-11-26``) changes nothing. The last
# id on the line is the one the note wrote (a client's words come before it).
_TICKED = re.compile(r"^[-*+] \[[xX]\] (.*)\(id ([0-9a-fA-F]{12})\)", re.MULTILINE)
# A cell boundary of a table row: a ``|`` not escaped.
_CELLS = re.compile(r"(?<!\\)\|")
_ESCAPED = re.compile(r"\\(.)")
MOST_DESCRIBED = 300  # characters of a ticked line kept to describe its gap


class DismissalsUnreadable(MutualityError):
    """The note of dismissed gaps cannot be read: nothing is dismissed or recorded
    until it is fixed (writing it again would lose the therapist's dismissals)."""


def id_mark(gap: Gap) -> str:
    """How a gap's id appears on its line in ``Alerts.md``, at the end."""
    return f"(id {gap.id})"


def ticked(text: str) -> dict[str, str]:
    """The ids of the gaps ticked in the text of ``Alerts.md``, each with what its line
    says before the id."""
    return {gap_id.lower(): said.strip()[:MOST_DESCRIBED]
            for said, gap_id in _TICKED.findall(text)}


def gap_summary(gap: Gap) -> str:
    return f"{gap.rule}: {gap.message} (open since {gap.opened})"


@dataclass
class Dismissals:
    """The dismissed gaps of one vault: id -> (the day it was dismissed, the client,
    what the gap was), as the note lists them."""

    entries: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self.entries)

    def add(self, gap_id: str, today: dt.date, client: str = "", said: str = "") -> bool:
        """Dismiss the gap ``gap_id``; False when it was dismissed before."""
        if gap_id in self.entries:
            return False
        self.entries[gap_id] = (today.isoformat(), client, said)
        return True

    def text(self) -> str:
        rows = sorted(self.entries.items(), key=lambda entry: (entry[1][1], entry[1][0],
                                                               entry[0]))
        body = ["# Dismissed gaps",
                "Gaps you dismissed (with `mutuality dismiss`, or by ticking them in "
                "Alerts). They are not shown again; a gap that closes and opens again later "
                "is new, and is shown. To undo a dismissal, delete its row.",
                table(["Dismissed on", "Client", "Gap", "Id"],
                      ([*entry, gap_id] for gap_id, entry in rows)) if rows else "None yet."]
        return generated_note({"dismissed": len(rows)}, "\n\n".join(body))


def read_dismissals(vault: Path, output_folder: str) -> Dismissals:
    """The dismissed gaps kept in the output folder (none when there is no note yet):
    each row of its table whose last cell is a gap's id (a row the therapist typed in
    too).

    :raises DismissalsUnreadable: when the note is there but cannot be used.
    """
    relative = f"{output_folder}/{DISMISSED_NOTE}"
    text = _read(vault, relative, DismissalsUnreadable)
    if text is None:
        return Dismissals()
    try:
        front_matter, body = split_front_matter(text)
        properties = load_properties(front_matter) if front_matter is not None else {}
    except NoteProblem as problem:
        raise DismissalsUnreadable(_unreadable(relative, str(problem))) from None
    if properties.get(MARKER_KEY) != MARKER_VALUE:
        raise DismissalsUnreadable(_unreadable(
            relative, f"it lacks `{MARKER_KEY}: {MARKER_VALUE}` in its properties"))
    dismissals = Dismissals()
    for line in body.splitlines():
        line = line.strip()
        if not (line.startswith("|") and line.endswith("|")):
            continue
        cells = [_ESCAPED.sub(r"\1", cell).strip() for cell in _CELLS.split(line[1:-1])]
        if not GAP_ID.fullmatch(cells[-1]):
            continue  # the header, the line under it, or not a dismissal
        day, client, said = (cells[:-1] + ["", "", ""])[:3] if len(cells) == 4 else (
            "", "", "")
        dismissals.entries.setdefault(cells[-1].lower(), (day, client, said))
    return dismissals


def with_dismissals(practice: Practice, leftovers: Leftovers | None,
                    say: Callable[[str], None]) -> Practice:
    """The practice with the therapist's dismissals, once the gaps ticked in
    ``Alerts.md`` are recorded among them (whether or not they are open as of the
    practice's day: Alerts.md may have been written for another). When the note of
    dismissals cannot be read or written, that is said, the rest goes on, and the
    ticks not recorded stay ticked in Alerts.md (:attr:`Practice.ticked`)."""
    vault, output = practice.vault, practice.settings.output_folder
    ticks = read_ticked(vault, output)
    try:
        dismissals = read_dismissals(vault, output)
    except DismissalsUnreadable as trouble:
        say(f"warning: {trouble}")
        return replace(practice, ticked=frozenset(ticks))
    gaps = {gap.id: gap for gap in practice.gaps}
    added = [gap_id for gap_id, said in ticks.items() if dismissals.add(
        gap_id, practice.today, *((gaps[gap_id].client, gap_summary(gaps[gap_id]))
                                  if gap_id in gaps else ("", said)))]
    if added:
        try:
            write_dismissals(vault, output, dismissals, leftovers)
        except NotWritten as refusal:
            say(f"warning: the gaps ticked in Alerts were not recorded: {refusal}")
            return replace(practice, dismissed=dismissals.ids - set(added),
                           ticked=frozenset(added))
    return replace(practice, dismissed=dismissals.ids)


def read_ticked(vault: Path, output_folder: str) -> dict[str, str]:
    """The ids ticked in ``Alerts.md`` with what their lines say (none when it is not
    there or not readable: it is the tool's own note)."""
    text = _read(vault, f"{output_folder}/{ALERTS_NOTE}", None)
    return ticked(text) if text is not None else {}


def write_dismissals(vault: Path, output_folder: str, dismissals: Dismissals,
                     leftovers: Leftovers | None = None) -> Path:
    """Keep the dismissals as their note. :raises NotWritten: when it cannot be."""
    return write_generated(vault, output_folder, DISMISSED_NOTE, dismissals.text(), leftovers)


def _read(vault: Path, relative: str,
          unreadable: type[MutualityError] | None) -> str | None:
    """The note's text; None when it is not there (or, without ``unreadable``, when
    it cannot be read)."""
    try:
        raw = read_in_vault(vault, relative, MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise NoteProblem("it is larger than 4 MiB")
        return decode(raw)
    except FileNotFoundError:
        return None
    except (OSError, NoteProblem) as error:
        if unreadable is None:
            return None
        reason = os_reason(error) if isinstance(error, OSError) else str(error)
        raise unreadable(_unreadable(relative, reason)) from None


def _unreadable(relative: str, reason: str) -> str:
    return (f"{relative}: the note of dismissed gaps cannot be read ({reason}); fix it or "
            "delete it (which shows every dismissed gap again)")


