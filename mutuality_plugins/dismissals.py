"""The gaps the therapist dismissed: kept in the vault's output folder, as the tool's
own note, so that they survive a lost index and travel with a synced vault.

A gap is dismissed with ``mutuality dismiss VAULT ID...`` or by ticking its checkbox
in ``Alerts.md`` in Obsidian: every command that shows or writes gaps records the
ticked ones first (unticking undoes nothing). A dismissal holds for that id forever;
a gap that closes and returns has a new id and is shown again.

The note is a table, a row a dismissed gap, that the therapist may edit: a row deleted
undoes a dismissal, a column or a line of their own is theirs. So the note is never
written anew: a new dismissal is a row added after the table's last row, and
everything else stays as the therapist left it. A row counts when its ``Id`` cell (or,
without that heading, its last cell) is a gap's id.
"""

from __future__ import annotations

import datetime as dt
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import MutualityError, NoteProblem
from .files import os_reason, read_in_vault, stat_in_vault
from .model import RISK_ITEM, Gap, ScanResult
from .practice import Practice, PracticeBuilder
from .reading.front_matter import load_properties, split_front_matter
from .reading.note import decode
from .reporters.markdown import generated_note, table, table_row
from .reporters.plain import count
from .writer import (
    DISMISSED_NOTE,
    MARKER_KEY,
    MARKER_VALUE,
    Leftovers,
    NotWritten,
    write_generated,
)

ALERTS_NOTE = "Alerts.md"
RACES_LOST_AT_MOST = 5  # writes of the note of dismissals by others while recording
MAX_BYTES = 4 * 1024 * 1024

GAP_ID = re.compile(r"[0-9a-fA-F]{12}")
# A ticked task at the start of a line (not in a callout, not nested) holding a gap's
# id, as the alerts note writes it: ``- [x] **RM-07** (warning): ...; open since ...
# (id 3f2a9c1b7d0e)``; what a plugin adds after it when it is ticked (the Tasks
# plugin's `` ✅ 2026-11-26``) changes nothing. The last id on the line is the one the
# note wrote (a client's words come before it).
_TICKED = re.compile(r"^[-*+] \[[xX]\] (.*)\(id ([0-9a-fA-F]{12})\)", re.MULTILINE)
_TICKED_GAP = re.compile(r"\*\*(?P<client>.+?)\*\* \(\w+\): (?P<gap>.*?); open since")
_CELL_BOUNDARY = re.compile(r"(?<!\\)\|")
_ESCAPED = re.compile(r"\\(.)")
HEADER = ["Dismissed on", "Client", "Gap", "Id"]
HEADER_KEYS = {heading.lower(): key for heading, key in zip(
    HEADER, ["day", "client", "gap", "id"], strict=True)}


class DismissalsUnreadable(MutualityError):
    """The note of dismissed gaps cannot be read: nothing is dismissed or recorded,
    and no note showing gaps is written, until it is fixed."""


def gap_summary(gap: Gap) -> str:
    return f"{gap.rule}: {gap.message} (open since {gap.opened})"


@dataclass(frozen=True)
class Tick:
    """A gap ticked in ``Alerts.md``, with what its line says of it."""

    client: str
    said: str


def ticked(text: str) -> dict[str, Tick]:
    """The gaps ticked in the text of ``Alerts.md``, by id."""
    found = {}
    for line, gap_id in _TICKED.findall(text):
        described = _TICKED_GAP.search(line)
        client, said = (described["client"], described["gap"]) if described else ("", line)
        found[gap_id.lower()] = Tick(_ESCAPED.sub(r"\1", client).strip(),
                                     _ESCAPED.sub(r"\1", said).strip())
    return found


@dataclass
class Dismissals:
    """The dismissed gaps of one vault: the note as the therapist left it (None when
    there is none yet), the ids its rows name, and the rows added since it was read."""

    text: str | None = None
    listed: set[str] = field(default_factory=set)
    added: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self.listed)

    def add(self, gap_id: str, today: dt.date, client: str = "", said: str = "") -> bool:
        """Dismiss the gap ``gap_id``; False when it was dismissed before."""
        if gap_id in self.listed:
            return False
        self.listed.add(gap_id)
        self.added.append((today.isoformat(), client, said, gap_id))
        return True

    def written(self) -> str:
        """The note with the rows added: after the last row of its last table (outside
        code), in that table's columns as its headings name them, the rest as it was."""
        if self.text is None:
            return generated_note({}, "\n\n".join([
                "# Dismissed gaps",
                "Gaps you dismissed (with `mutuality dismiss`, or by ticking them in Alerts). "
                "They are not shown again; a gap that closes and opens again later is new, "
                "and is shown. To undo a dismissal, delete its row.",
                table(HEADER, self.added)]))
        lines = self.text.split("\n")
        rows_at = [number for number, line in _outside_code(lines) if _cells(line)]
        if not rows_at:
            last = len(lines) - 1
            while last >= 0 and not lines[last].strip():
                last -= 1
            return "\n".join([*lines[:last + 1], "", table(HEADER, self.added),
                              *lines[last + 1:]])
        last = first = rows_at[-1]
        while first - 1 in rows_at:
            first -= 1
        headings = [cell.lower() for cell in _cells(lines[first])]
        columns = [HEADER_KEYS.get(heading) for heading in headings]
        if "id" not in columns:  # a table of the therapist's making: as written here
            columns = list(HEADER_KEYS.values())
        rows = [table_row([dict(zip(HEADER_KEYS.values(), row, strict=True)).get(column or "", "")
                           for column in columns]) for row in self.added]
        return "\n".join([*lines[:last + 1], *rows, *lines[last + 1:]])


def _outside_code(lines: list[str]) -> Iterator[tuple[int, str]]:
    """The lines, numbered, that are not inside fenced code."""
    fence = None
    for number, line in enumerate(lines):
        marker = line.lstrip()[:3]
        if marker in ("```", "~~~"):
            fence = None if fence == marker else fence or marker
            continue
        if fence is None:
            yield number, line


def _cells(line: str) -> list[str]:
    """The cells of a table row (none for a line that is not one)."""
    if not _CELL_BOUNDARY.search(line):
        return []
    cells = [cell.strip() for cell in _CELL_BOUNDARY.split(line.strip())]
    if cells and not cells[0]:
        cells = cells[1:]
    if cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def read_dismissals(vault: Path, output_folder: str) -> Dismissals:
    """The dismissed gaps kept in the output folder (none when there is no note yet).

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
    return Dismissals(text, _ids_in(body))


def _ids_in(body: str) -> set[str]:
    """The ids the table rows of the note name, in whichever cell (a gap's id is 12
    letters and digits, nothing else there is): the therapist may move the columns."""
    found = set()
    for _, line in _outside_code(body.split("\n")):
        for cell in _cells(line):
            cell = cell.strip("` ")
            if GAP_ID.fullmatch(cell):
                found.add(cell.lower())
    return found


@dataclass(frozen=True)
class Recorded:
    """The dismissals as a command uses them: the ids (none when the note cannot be
    read, and why), and the note itself to record more."""

    dismissals: Dismissals | None
    trouble: str | None = None

    @property
    def ids(self) -> frozenset[str]:
        return self.dismissals.ids if self.dismissals is not None else frozenset()


def dismissals_for(vault: Path, output_folder: str) -> Recorded:
    """The dismissals, or why they cannot be read (the rest goes on without them).
    An output folder that is not a real folder holds none (every note written there
    is refused, with the reason)."""
    folder = stat_in_vault(vault, output_folder)
    if folder is None or not stat.S_ISDIR(folder.st_mode):
        return Recorded(Dismissals())
    try:
        return Recorded(read_dismissals(vault, output_folder))
    except DismissalsUnreadable as trouble:
        return Recorded(None, str(trouble))


def practice_with_dismissals(builder: PracticeBuilder, scan: ScanResult, today: dt.date,
                             since: dt.date | None, only: str | None, recorded: Recorded,
                             leftovers: Leftovers | None, say: Callable[[str], None],
                             real_today: dt.date) -> tuple[Practice, bool]:
    """The practice built with the dismissals, the gaps ticked in Alerts.md recorded
    (see :func:`with_ticks`), and whether any was."""
    practice = builder.build(scan, today, since, only, recorded.ids)
    practice, ticks_recorded = with_ticks(practice, recorded, leftovers, say, real_today)
    if ticks_recorded:
        # Made again with them dismissed: the 100 gaps of a rule shown count without
        # them (the rules do not run again).
        practice = replace(builder.build(scan, today, since, only, practice.dismissed),
                           seen=practice.seen)
    return practice, ticks_recorded


def with_ticks(practice: Practice, recorded: Recorded, leftovers: Leftovers | None,
               say: Callable[[str], None], today: dt.date) -> tuple[Practice, bool]:
    """The practice with the therapist's dismissals, once the gaps ticked in
    ``Alerts.md`` are recorded among them, dismissed ``today`` (the real day, whatever
    day the practice is made for: Alerts.md may have been written for another); and
    whether any tick was recorded now.

    The practice remembers Alerts.md as read (it is not written over if it changed
    meanwhile: a tick may have come), and the ticks it could not record (they stay
    ticked). What cannot be read or written is said, and the rest goes on.
    """
    vault, output = practice.vault, practice.settings.output_folder
    seen = _read(vault, f"{output}/{ALERTS_NOTE}", None)
    ticks = ticked(seen) if seen is not None else {}
    practice = replace(practice, seen={ALERTS_NOTE: seen} if seen is not None else {})
    dismissals = recorded.dismissals
    if dismissals is None:
        say(f"warning: {recorded.trouble}; no note showing gaps is written until it is "
            "fixed")
        return replace(practice, unrecorded_ticks=frozenset(ticks),
                       dismissals_trouble=recorded.trouble), False
    gaps = {gap.id: gap for gap in practice.gaps}
    risks = [gap_id for gap_id in ticks if gap_id in gaps and gaps[gap_id].rule == RISK_ITEM]
    if risks:  # left unticked when Alerts.md is written again
        say(f"warning: {count(len(risks), 'risk item')} ticked in Alerts.md "
            f"{'is' if len(risks) == 1 else 'are'} not dismissed: a risk item closes when a "
            "later session records that item at 0")
        ticks = {gap_id: tick for gap_id, tick in ticks.items() if gap_id not in risks}
    added = [gap_id for gap_id, tick in ticks.items() if dismissals.add(
        gap_id, today, *((gaps[gap_id].client, gap_summary(gaps[gap_id])) if gap_id in gaps
                         else (tick.client, tick.said)))]
    if added:
        try:
            write_dismissals(vault, output, dismissals, leftovers)
        except NotWritten as refusal:
            say(f"warning: the gaps ticked in Alerts were not recorded: {refusal}")
            return replace(practice, dismissed=dismissals.ids - set(added),
                           unrecorded_ticks=frozenset(added)), False
    return replace(practice, dismissed=dismissals.ids), bool(added)


def write_dismissals(vault: Path, output_folder: str, dismissals: Dismissals,
                     leftovers: Leftovers | None = None) -> None:
    """Keep the dismissals' note with the rows added, over the note as it was read: if
    another command (the watcher, a `dismiss`) recorded one meanwhile, the rows are
    added to the note as it is now.

    :raises NotWritten: when it cannot be written.
    :raises DismissalsUnreadable: when it was changed meanwhile into a note that
        cannot be read.
    """
    for _ in range(RACES_LOST_AT_MOST):
        text = dismissals.written()
        if write_generated(vault, output_folder, DISMISSED_NOTE, text, leftovers,
                           unless_changed_from=dismissals.text or "") is not None:
            dismissals.text, dismissals.added = text, []
            return
        now = read_dismissals(vault, output_folder)
        # What the other recorded too is not written twice.
        dismissals.added = [row for row in dismissals.added if row[-1] not in now.listed]
        dismissals.text, dismissals.listed = now.text, now.listed | dismissals.listed
        if not dismissals.added:
            return
    raise NotWritten(f"{output_folder}/{DISMISSED_NOTE} was not written: it keeps changing")


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
