"""The gaps the therapist dismissed: kept in the vault's output folder, as the tool's
own note, so that they survive a lost index and travel with a synced vault.

A gap is dismissed with ``mutuality dismiss VAULT ID...`` or by ticking its checkbox
in ``Alerts.md`` in Obsidian: every command that shows or writes gaps records the
ticked ones first (unticking undoes nothing). A dismissal holds for that id forever;
a gap that closes and returns has a new id and is shown again. The note lists each
dismissed gap, so the therapist can see what was put aside, and undo one by deleting
its entry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

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

GAP_ID = re.compile(r"[0-9a-f]{12}")
# A ticked top-level task (outside any callout or list) ending with a gap's id, as
# the alerts note writes it: ``- [ ] ... (id 3f2a9c1b7d0e)``.
_TICKED = re.compile(r"^[-*+] \[[xX]\] .*\(id ([0-9a-f]{12})\)[ \t]*$", re.MULTILINE)


class DismissalsUnreadable(MutualityError):
    """The note of dismissed gaps cannot be read: nothing is dismissed or recorded
    until it is fixed (writing it again would lose the therapist's dismissals)."""


def id_mark(gap: Gap) -> str:
    """How a gap's id ends its line in ``Alerts.md``."""
    return f"(id {gap.id})"


def ticked(text: str) -> set[str]:
    """The ids of the gaps ticked in the text of ``Alerts.md``."""
    return set(_TICKED.findall(text))


@dataclass
class Dismissals:
    """The dismissed gaps of one vault: id -> what it was (client, rule, detail,
    opened, and the day it was dismissed)."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self.entries)

    def add(self, gaps: Iterable[Gap], today: dt.date) -> list[Gap]:
        """Dismiss these gaps; return those not dismissed before."""
        added = []
        for gap in gaps:
            if gap.id not in self.entries:
                self.entries[gap.id] = {
                    "id": gap.id, "client": gap.client, "rule": gap.rule,
                    "detail": gap.detail, "opened": gap.opened.isoformat(),
                    "dismissed": today.isoformat()}
                added.append(gap)
        return added

    def text(self) -> str:
        entries = sorted(self.entries.values(), key=lambda entry: (
            str(entry.get("client", "")), str(entry.get("rule", "")), entry["id"]))
        body = ["# Dismissed gaps",
                "Gaps you dismissed (with `mutuality dismiss`, or by ticking them in "
                "Alerts). They are not shown again; a gap that closes and opens again later "
                "is new and is shown. To undo a dismissal, delete its entry from this note's "
                "properties."]
        if entries:
            body.append(table(["Client", "Rule", "Detail", "Open since", "Dismissed on", "Id"], (
                [entry.get("client", ""), entry.get("rule", ""), entry.get("detail") or "",
                 entry.get("opened", ""), entry.get("dismissed", ""), entry["id"]]
                for entry in entries)))
        else:
            body.append("None yet.")
        return generated_note({"dismissed": entries}, "\n\n".join(body))


def read_dismissals(vault: Path, output_folder: str) -> Dismissals:
    """The dismissed gaps kept in the output folder (none when there is no note yet).

    :raises DismissalsUnreadable: when the note is there but cannot be used.
    """
    relative = f"{output_folder}/{DISMISSED_NOTE}"
    text = _read(vault, relative, DismissalsUnreadable)
    if text is None:
        return Dismissals()
    try:
        front_matter, _ = split_front_matter(text)
        properties = load_properties(front_matter) if front_matter is not None else {}
    except NoteProblem as problem:
        raise DismissalsUnreadable(_unreadable(relative, str(problem))) from None
    if properties.get(MARKER_KEY) != MARKER_VALUE:
        raise DismissalsUnreadable(_unreadable(
            relative, f"it lacks `{MARKER_KEY}: {MARKER_VALUE}` in its properties"))
    listed = properties.get("dismissed") or []
    if not isinstance(listed, list):
        raise DismissalsUnreadable(_unreadable(relative, "`dismissed` should be a list"))
    entries: dict[str, dict[str, Any]] = {}
    for entry in listed:
        # An entry as written here, or an id the therapist typed in.
        found = entry.get("id") if isinstance(entry, Mapping) else entry
        if not isinstance(found, str) or not GAP_ID.fullmatch(found.strip().lower()):
            raise DismissalsUnreadable(_unreadable(
                relative, "an entry of `dismissed` has no gap id (12 letters and digits)"))
        gap_id = found.strip().lower()
        kept = dict(entry) if isinstance(entry, Mapping) else {}
        entries[gap_id] = {**{key: _plain(value) for key, value in kept.items()}, "id": gap_id}
    return Dismissals(entries)


def with_dismissals(practice: Practice, leftovers: Leftovers | None,
                    say: Callable[[str], None]) -> Practice:
    """The practice with the therapist's dismissals, once the gaps ticked in
    ``Alerts.md`` are recorded among them (only gaps open now: a line ticked in an
    older note names none). What cannot be read or written is said, and the rest goes
    on: nothing is dismissed while the note of dismissals is unreadable."""
    vault, output = practice.vault, practice.settings.output_folder
    try:
        dismissals = read_dismissals(vault, output)
    except DismissalsUnreadable as trouble:
        say(f"warning: {trouble}")
        return practice
    ticked_now = read_ticked(vault, output)
    if dismissals.add((gap for gap in practice.gaps if gap.id in ticked_now), practice.today):
        try:
            write_dismissals(vault, output, dismissals, leftovers)
        except NotWritten as refusal:
            say(f"warning: the gaps ticked in Alerts were not recorded: {refusal}")
    return replace(practice, dismissed=dismissals.ids)


def read_ticked(vault: Path, output_folder: str) -> set[str]:
    """The ids ticked in ``Alerts.md`` (none when it is not there or not readable: it
    is the tool's own note, written again soon)."""
    text = _read(vault, f"{output_folder}/{ALERTS_NOTE}", None)
    return ticked(text) if text is not None else set()


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


def _plain(value: Any) -> Any:
    """A value of an entry, as the note can hold it again."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)

