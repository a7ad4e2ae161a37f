"""Client pages and the caseload (SPEC section 10): one note per client in
``OUTPUT/Clients/``, its figures as properties, and ``OUTPUT/Caseload.base``, an Obsidian
Bases table of those pages (a core plugin: nothing to install)."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .brief import brief_data, brief_markdown, said
from .errors import NoteProblem
from .files import Folder
from .model import ACTIVE, RISK_ITEM, Measure, ScanResult, Session
from .platforms import safe_name
from .practice import Practice
from .reading.front_matter import load_properties, split_front_matter
from .reporters.markdown import generated_note, note_name, wikilink, words
from .reporters.outcomes import client_section, courses_until
from .writer import (
    MARKER_HEAD_BYTES,
    MARKER_KEY,
    MARKER_VALUE,
    Leftovers,
    NotWritten,
    head_text,
    made_by_mutuality,
    remove_generated,
    write_generated,
)

PAGES_FOLDER = "Clients"
CASELOAD = "Caseload.base"


@dataclass(frozen=True)
class PageThere:
    """A note in the pages folder: the client whose page mutuality made it, and the
    status and risk it shows (client None: not a page of mutuality's)."""

    client: str | None = None
    status: str | None = None
    risk: bool = False


def page_names(clients: Iterable[str], there: Mapping[str, PageThere] | None = None
               ) -> dict[str, str]:
    """Each client's page name (without ``.md``): the name its page already has, so a
    page never moves (``there``: the pages folder's notes, by file name); else the id
    made safe (:func:`safe_name`), with ``-2``, ``-3``... when the name is taken (case
    aside: one note on a case-insensitive disk), in id order. The name of a page whose
    client is gone is free (the page is removed)."""
    there = there or {}
    wanted = set(clients)
    names: dict[str, str] = {}
    for file_name, page in sorted(there.items(), key=lambda item: (len(item[0]), item[0])):
        if page.client in wanted and page.client not in names:
            names[page.client] = file_name[:-3]
    taken = {file_name.casefold() for file_name, page in there.items()
             if page.client is None or page.client in wanted}
    for client in sorted(wanted - names.keys()):
        base = safe_name(client)
        name, number = base, 1
        while f"{name}.md".casefold() in taken:
            number += 1
            name = f"{base}-{number}"
        taken.add(f"{name}.md".casefold())
        names[client] = name
    return names


def named_for(name: str, client: str) -> bool:
    """Whether ``name`` is one :func:`page_names` gives the client's page: a page copied
    in Obsidian (``RM-07 1.md``) is not, and is left alone."""
    base = safe_name(client)
    number = name[len(base) + 1:] if name.startswith(f"{base}-") else ""
    return name == base or (number.isascii() and number.isdigit()
                            and not number.startswith("0") and int(number) >= 2)


def page_properties(data: Mapping[str, Any]) -> dict[str, Any]:
    """The page's figures as properties, for the caseload table."""
    rules = {gap["rule"] for gap in data["gaps"]}
    properties: dict[str, Any] = {
        "client": data["client"], "status": data["status"], "last_session": data["last"],
        "sessions": data["sessions"], "open_gaps": len(data["gaps"]),
        "risk": RISK_ITEM in rules, "not_on_track": "not-on-track" in rules}
    for name, course in data["measures"].items():
        properties[f"{name}_latest"] = course["latest"]
        properties[f"{name}_class"] = course["class"]
    return properties


def page_text(practice: Practice, client: str, sessions: Sequence[Session] | None = None,
              client_note: str | None = None) -> str:
    """The client's page: the brief, the measures charted, the timeline of the client's
    corrections and the responses, each linked to its session note; ``sessions``: the
    client's, in order, when already at hand; ``client_note``: the note the therapist
    keeps on the client, linked from the page."""
    if sessions is None:
        sessions = practice.scan.sessions_by_client().get(client, [])
    data = brief_data(practice, client, sessions)
    properties = page_properties(data)
    parts = [brief_markdown(data, practice, shown=words, tasks=False, measures=False).rstrip()]
    if data["status"] != ACTIVE:
        kept = ("it is kept while a risk item is open" if properties["risk"]
                else "this page is no longer updated")
        parts.insert(0, f"> [!note] {words(client)} is {data['status']}: {kept}.")
    if client_note is not None:
        parts.append(f"Client note: {wikilink(client_note)}")
    courses = courses_until({client: sessions}, practice.settings.measures,
                            practice.today).get(client, [])
    if courses:
        by_name = {measure.name: measure for measure in practice.settings.measures}
        parts.append(client_section(courses, by_name, "## Measures over the sessions"))
    timeline = [f"- {wikilink(session.path, str(session.date))}: "
                + said({"theme": item.theme, "signal": item.signal, "quote": item.quote}, words)
                + (f"; response: {words(item.response)}" if item.response else "")
                for session in reversed(sessions) for item in session.items]
    if timeline:
        parts.append("## The client's corrections, newest first\n\n" + "\n".join(timeline))
    return generated_note(properties, "\n\n".join(parts))


def client_notes(scan: ScanResult) -> dict[str, str]:
    """The note a link ``[[RM-07]]`` leads to, for each name (lowercased, as Obsidian
    compares them): a client note (with a status) of the name, else the note of that
    name nearest the vault's top. Names only: no id is ever made into a path."""
    found: dict[str, str] = {}
    for path in sorted(scan.other_notes, key=lambda path: (path.count("/"), path)):
        found.setdefault(note_name(path).lower(), path)
    found.update((note.client.lower(), note.path) for note in scan.client_notes)
    return found


class _Plain(yaml.SafeDumper):
    """YAML as a person writes it: a list used twice is written twice, not as an alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def caseload_base(output_folder: str, measures: Sequence[Measure] = ()) -> str:
    """The Bases file: every client page as one table, open gaps first, and a view of
    the clients with a risk item or not on track; a column for the latest score (and
    the class of the course) of each measure."""
    folder = f"{output_folder}/{PAGES_FOLDER}"
    quote = next((mark for mark in '"\'' if mark not in folder), None)
    # A folder name with both quotes (or a backslash) cannot be written as a string of
    # the Bases language: the pages are then told by what only they hold.
    pages = (f"file.inFolder({quote}{folder}{quote})" if quote and "\\" not in folder
             else 'file.hasProperty("open_gaps")')
    columns = ["formula.client", "status", "last_session", "sessions", "open_gaps", "risk",
               "not_on_track"]
    shown_as = {"formula.client": {"displayName": "Client"},
                "last_session": {"displayName": "Last session"},
                "open_gaps": {"displayName": "Open gaps"},
                "not_on_track": {"displayName": "Not on track"}}
    # The session rating first: the alliance, then how the client is doing.
    for measure in sorted(measures, key=lambda measure: measure.reliable_change is not None):
        columns.append(f"{measure.name}_latest")
        shown_as[f"{measure.name}_latest"] = {"displayName": f"{measure.label} latest"}
        if measure.reliable_change is not None:
            columns.append(f"{measure.name}_class")
            shown_as[f"{measure.name}_class"] = {"displayName": f"{measure.label} course"}
    order = [{"property": "risk", "direction": "DESC"},
             {"property": "open_gaps", "direction": "DESC"},
             {"property": "last_session", "direction": "ASC"}]
    base = {
        "filters": {"and": [pages, f'{MARKER_KEY} == "{MARKER_VALUE}"', 'file.ext == "md"']},
        # The client's id, linking to the page (the page's file name may differ).
        "formulas": {"client": "file.asLink(client)"},
        "properties": shown_as,
        "views": [
            {"type": "table", "name": "Caseload", "order": columns, "sort": order},
            {"type": "table", "name": "Risk item or not on track",
             "filters": {"or": ["risk == true", "not_on_track == true"]},
             "order": columns, "sort": order},
        ],
    }
    return f"# {MARKER_KEY}: {MARKER_VALUE}\n" + yaml.dump(base, Dumper=_Plain, sort_keys=False,
                                                            allow_unicode=True)


class ClientPages:
    """The client pages of a vault (``OUTPUT/Clients``) and the caseload file, kept.

    A page keeps its name once given; a page whose client no session note names any
    more is removed (only a page mutuality made). Under ``watch`` (:meth:`keep`), the
    pages of the active clients and of every client with an open risk item are kept:
    a page is made again only for a client whose sessions, status, open gaps or client
    note changed since it was last kept, or whose page is gone (the other pages are
    not even rendered), and written only when its text changed. A client who leaves
    them gets one last update saying so (when the page still says otherwise, whenever
    that is seen), then none.
    """

    def __init__(self, say: Callable[[str], None] = lambda line: None) -> None:
        self.say = say
        self._seen: dict[str, tuple[tuple[int, int, int], PageThere]] = {}
        self._kept: dict[str, tuple[Any, ...]] = {}  # client -> what its page showed
        self._base_said = False

    def write(self, practice: Practice, clients: Iterable[str],
              leftovers: Leftovers | None = None) -> list[Path]:
        """Keep the pages of ``clients`` whatever their status (``prepare --write``) and
        the caseload file; the paths written or already as they should be.

        :raises NotWritten: when a page cannot be written.
        """
        _, names, notes = self._arrange(practice, leftovers)
        folder = f"{practice.settings.output_folder}/{PAGES_FOLDER}"
        kept = []
        for client in clients:
            text = page_text(practice, client, client_note=notes.get(client.lower()))
            path = write_generated(practice.vault, folder, f"{names[client]}.md", text, leftovers)
            if path is not None:
                kept.append(path)
        path = self._keep_base(practice, leftovers)
        return kept + ([path] if path is not None else [])

    def keep(self, practice: Practice, leftovers: Leftovers | None = None) -> list[str]:
        """Bring the pages up to date (``watch``); the clients whose page was made
        again. A page that cannot be written is said, and the others are kept."""
        there, names, notes = self._arrange(practice, leftovers)
        gaps: dict[str, list[str]] = {}
        at_risk = set()
        for gap in practice.gaps:
            if not practice.is_dismissed(gap):
                gaps.setdefault(gap.client, []).append(gap.id)
            if gap.rule == RISK_ITEM:
                at_risk.add(gap.client)
        folder = f"{practice.settings.output_folder}/{PAGES_FOLDER}"
        made = []
        for client, sessions in practice.scan.sessions_by_client().items():
            status = practice.statuses.get(client, ACTIVE)
            page = there.get(f"{names[client]}.md")
            present = page is not None and page.client == client
            # A risk item is never held back: its client's page is kept whatever the
            # status. Any other client not active gets a last update, then none.
            says_otherwise = present and page is not None and (
                page.status != status or page.risk)
            if status != ACTIVE and client not in at_risk and not says_otherwise:
                continue  # no page, or its last update was made
            shown = (tuple(map(id, sessions)), status, tuple(gaps.get(client, ())),
                     notes.get(client.lower()), names[client])
            if present and shown == self._kept.get(client):
                continue
            try:
                write_generated(practice.vault, folder, f"{names[client]}.md",
                                page_text(practice, client, sessions, notes.get(client.lower())),
                                leftovers)
            except NotWritten as refusal:
                self.say(f"warning: the page of {client!r} was not written: {refusal}")
                continue  # tried again at the next change
            self._kept[client] = shown
            made.append(client)
        self._keep_base(practice, leftovers)
        return made

    def _arrange(self, practice: Practice, leftovers: Leftovers | None
                 ) -> tuple[dict[str, PageThere], dict[str, str], dict[str, str]]:
        """The pages folder's notes (by file name), each client's page name (pages of
        clients gone removed) and the client notes (:func:`client_notes`)."""
        output = practice.settings.output_folder
        there = self._pages_there(practice.vault, f"{output}/{PAGES_FOLDER}")
        # A client no note that can be read names keeps its page while a note that
        # cannot be read (a typo in it, say) may be theirs, by its name or folder.
        unread = [problem.path.casefold() for problem in practice.vault_as_read.problems]
        clients = set(practice.vault_as_read.clients)
        clients |= {page.client for page in there.values() if page.client is not None
                    and page.client not in clients
                    and any(page.client.casefold() in path for path in unread)}
        names = page_names(clients, there)
        for file_name, page in sorted(there.items()):
            if page.client is None or names.get(page.client) == file_name[:-3]:
                continue
            gone = page.client not in names
            try:
                removed = remove_generated(practice.vault, f"{output}/{PAGES_FOLDER}",
                                           file_name)
            except NotWritten as refusal:
                self.say(f"warning: {refusal}")
                continue
            if removed:
                del there[file_name]
                self.say(f"removed {output}/{PAGES_FOLDER}/{file_name}: "
                         + (f"no session note that can be read names the client "
                            f"{page.client!r} any more" if gone else
                            f"the page of {page.client!r} is {names[page.client]}.md"))
        return there, names, client_notes(practice.vault_as_read)

    def _pages_there(self, vault: Path, folder: str) -> dict[str, PageThere]:
        """What the pages folder holds, by file name; a note is read again only when
        it changed since it was last seen."""
        seen: dict[str, tuple[tuple[int, int, int], PageThere]] = {}
        try:
            with Folder(vault, folder) as opened:
                for entry in opened.entries():
                    try:
                        status = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    stamp = (status.st_ino, status.st_mtime_ns, status.st_size)
                    known = self._seen.get(entry.name)
                    seen[entry.name] = (stamp, known[1] if known and known[0] == stamp
                                        else _page_there(opened, entry.name, status.st_mode))
        except OSError:
            pass  # no folder yet; or a link in its place, which the writes name
        self._seen = seen
        return {name: page for name, (_, page) in seen.items()}

    def _keep_base(self, practice: Practice, leftovers: Leftovers | None) -> Path | None:
        """Write the caseload file, unless the therapist changed it (in Obsidian, a
        column moved): then it is theirs, left as it is, and said once."""
        output = practice.settings.output_folder
        if made_by_mutuality(practice.vault, f"{output}/{CASELOAD}") is False:
            if not self._base_said:
                self.say(f"note: {output}/{CASELOAD} was changed outside mutuality, so it is "
                         "left as it is; delete it to have mutuality's again")
            self._base_said = True
            return None
        self._base_said = False
        try:
            return write_generated(practice.vault, output, CASELOAD,
                                   caseload_base(output, practice.settings.measures), leftovers)
        except NotWritten as refusal:
            self.say(f"warning: {refusal}")
            return None


def _page_there(folder: Folder, name: str, mode: int) -> PageThere:
    if not name.endswith(".md") or not stat.S_ISREG(mode):
        return PageThere()
    try:
        front_matter, _ = split_front_matter(head_text(folder.read(name, MARKER_HEAD_BYTES)))
        properties = load_properties(front_matter) if front_matter is not None else {}
    except (OSError, NoteProblem):
        return PageThere()
    client, status = properties.get("client"), properties.get("status")
    if (properties.get(MARKER_KEY) != MARKER_VALUE or not isinstance(client, str)
            or not named_for(name[:-3], client)):
        return PageThere()
    return PageThere(client, status if isinstance(status, str) else None,
                     properties.get("risk") is True)
