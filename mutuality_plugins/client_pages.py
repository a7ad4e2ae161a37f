"""Client pages and the caseload (SPEC section 10): one note per client in
``OUTPUT/Clients/``, its figures as properties, and ``OUTPUT/Caseload.base``, an Obsidian
Bases table of those pages (a core plugin: nothing to install)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from .brief import brief_data, brief_markdown
from .model import RISK_ITEM, Session
from .practice import ACTIVE, Practice
from .reporters.markdown import generated_note, wikilink, words
from .reporters.outcomes import client_section, outcome_data
from .writer import MARKER_KEY, MARKER_VALUE, Leftovers, NotWritten, write_generated

PAGES_FOLDER = "Clients"
CASELOAD = "Caseload.base"
# What a file name cannot hold on some system, or Obsidian reads as a link's parts.
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|#^\[\]]|^\.')


def page_names(clients: Iterable[str]) -> dict[str, str]:
    """Each client's page name (without ``.md``): the id with what a file name cannot
    hold replaced by ``-``, and ``-2``, ``-3``... when two ids would meet (in id order)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for client in sorted(clients):
        base = _NOT_IN_NAMES.sub("-", client) or "-"
        name, number = base, 1
        while name.lower() in taken:  # one note on a case-insensitive disk
            number += 1
            name = f"{base}-{number}"
        taken.add(name.lower())
        names[client] = name
    return names


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


def page_text(practice: Practice, client: str,
              sessions: Sequence[Session] | None = None) -> str:
    """The client's page: the brief, the measures charted, the timeline of the client's
    corrections and the responses, each linked to its session note; ``sessions``: the
    client's, in order, when already at hand."""
    if sessions is None:
        sessions = practice.scan.sessions_by_client().get(client, [])
    data = brief_data(practice, client, sessions)
    parts = [brief_markdown(data, practice).rstrip()]
    if data["status"] != ACTIVE:
        parts.insert(0, f"> [!note] {words(client)} is {data['status']}: this page is no "
                        "longer updated.")
    client_note = _client_note(practice, client)
    if client_note is not None:
        parts.append(f"Client note: {wikilink(client_note)}")
    courses = outcome_data({client: sessions}, practice.settings.measures,
                           practice.today)["by_client"].get(client, [])
    if courses:
        by_name = {measure.name: measure for measure in practice.settings.measures}
        parts.append(client_section(courses, by_name, "## Measures over the sessions"))
    timeline = [f"- {wikilink(session.path, str(session.date))}: {words(item.label)}"
                + (f" \"{words(' '.join(item.quote.split()))}\"" if item.quote else "")
                + (f"; response: {words(item.response)}" if item.response else "")
                for session in reversed(sessions) for item in session.items]
    if timeline:
        parts.append("## The client's corrections, newest first\n\n" + "\n".join(timeline))
    return generated_note(page_properties(data), "\n\n".join(parts))


def _client_note(practice: Practice, client: str) -> str | None:
    """The vault's note named for the client (the target of ``[[RM-07]]``): a client
    note with a status, else one beside the client's session notes."""
    for note in practice.vault_as_read.client_notes:
        if note.client == client:
            return note.path
    folders = dict.fromkeys(session.path.rpartition("/")[0]
                            for session in practice.vault_as_read.sessions
                            if client in session.clients)
    for folder in folders:
        path = f"{folder}/{client}.md" if folder else f"{client}.md"
        if (practice.vault / path).is_file() and not (practice.vault / path).is_symlink():
            return path
    return None


class _Plain(yaml.SafeDumper):
    """YAML as a person writes it: a list used twice is written twice, not as an alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def caseload_base(output_folder: str) -> str:
    """The Bases file: every client page as one table, open gaps first, and a view of
    the clients with a risk item or not on track."""
    folder = f"{output_folder}/{PAGES_FOLDER}"
    columns = ["file.name", "status", "last_session", "sessions", "open_gaps", "risk",
               "not_on_track", "srs_latest", "ors_latest", "ors_class", "phq9_latest",
               "phq9_class"]
    order = [{"property": "risk", "direction": "DESC"},
             {"property": "open_gaps", "direction": "DESC"},
             {"property": "last_session", "direction": "ASC"}]
    base = {
        "filters": {"and": [f'file.inFolder("{folder}")', 'file.ext == "md"']},
        "properties": {"file.name": {"displayName": "Client"},
                       "last_session": {"displayName": "Last session"},
                       "open_gaps": {"displayName": "Open gaps"},
                       "not_on_track": {"displayName": "Not on track"}},
        "views": [
            {"type": "table", "name": "Caseload", "order": columns, "sort": order},
            {"type": "table", "name": "Risk item or not on track",
             "filters": {"or": ["risk == true", "not_on_track == true"]},
             "order": columns, "sort": order},
        ],
    }
    return f"# {MARKER_KEY}: {MARKER_VALUE}\n" + yaml.dump(base, Dumper=_Plain, sort_keys=False,
                                                            allow_unicode=True)


def write_pages(practice: Practice, clients: Iterable[str],
                leftovers: Leftovers | None = None) -> list[Path]:
    """Keep the pages of ``clients`` and the caseload file (each written only when it
    changed); the paths written or already as they should be."""
    names = page_names(practice.vault_as_read.clients)
    output = practice.settings.output_folder
    kept = []
    for client in clients:
        path = write_generated(practice.vault, f"{output}/{PAGES_FOLDER}",
                               f"{names[client]}.md", page_text(practice, client), leftovers)
        if path is not None:
            kept.append(path)
    path = write_generated(practice.vault, output, CASELOAD, caseload_base(output), leftovers)
    return kept + ([path] if path is not None else [])


class PageKeeper:
    """Keeps every active client's page true under ``watch``: a page is made again only
    for a client whose sessions, status or open gaps changed since it was last kept
    (the other pages are not even rendered), and written only when its text changed. A
    client who stops being active gets one last update saying so, then none."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Any, ...]] = {}  # client -> what its page showed

    def keep(self, practice: Practice, leftovers: Leftovers | None = None,
             say: Callable[[str], None] = lambda line: None) -> list[str]:
        """Bring the pages up to date; the clients whose page was made again. A page
        that cannot be written is said (``say``), and the others are kept."""
        names = page_names(practice.vault_as_read.clients)
        gaps: dict[str, list[str]] = {}
        for gap in practice.gaps:
            if not practice.is_dismissed(gap):
                gaps.setdefault(gap.client, []).append(gap.id)
        output = practice.settings.output_folder
        made = []
        for client, sessions in practice.scan.sessions_by_client().items():
            status = practice.statuses.get(client, ACTIVE)
            before = self._kept.get(client)
            if status != ACTIVE and (before is None or before[1] != ACTIVE):
                continue  # not seen any more: its last update was made
            shown = (tuple(map(id, sessions)), status, tuple(gaps.get(client, ())))
            if shown == before:
                continue
            try:
                write_generated(practice.vault, f"{output}/{PAGES_FOLDER}",
                                f"{names[client]}.md", page_text(practice, client, sessions),
                                leftovers)
            except (NotWritten, ValueError) as refusal:  # ValueError: a name no disk holds
                say(f"warning: the page of {client!r} was not written: {refusal}")
                continue  # tried again at the next change
            self._kept[client] = shown
            made.append(client)
        try:
            write_generated(practice.vault, output, CASELOAD, caseload_base(output), leftovers)
        except NotWritten as refusal:
            say(f"warning: {refusal}")
        return made
