"""Finding the notes of a vault: its ``*.md`` files, without following a link.

Each folder is opened once, and checked to be the very folder its parent listed (a
sync program may put a link in its place at any moment); the status of what it holds
is taken while it is open.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

from .files import Folder, Identity, identity, os_reason
from .model import Problem
from .platforms import listed_link
from .reading.values import is_utf8


def find_notes(
    root: Path, output_folder: str, problems: list[Problem], below: str = ""
) -> Iterator[tuple[str, os.stat_result]]:
    """(vault-relative POSIX path, status) of the ``*.md`` files (``below`` a folder),
    skipping dot-names, the output folder and symbolic links (none is followed on the
    way either). A folder that cannot be read is one of the ``problems``."""
    pending: list[tuple[str, Identity | None]] = [(below, None)]
    while pending:
        folder, known = pending.pop()
        try:
            with Folder(root, folder, identity=known) as opened:
                # Dot-names and links are never looked at, nor told of.
                listed = [entry for entry in opened.entries()
                          if not (entry.name.startswith(".") or listed_link(entry))]
                seen = _statuses(listed, folder, output_folder)
        except FileNotFoundError:
            continue  # deleted while the vault was being read
        except OSError as error:
            reason = f"folder could not be read: {os_reason(error)}"
            problems.append(Problem(folder or ".", reason))
            continue
        for entry in listed:
            name = entry.name
            relative = f"{folder}/{name}" if folder else name
            if not is_utf8(name):  # bytes that are not UTF-8 come as surrogates
                problems.append(Problem(
                    os.fsencode(relative).decode("utf-8", "replace"),
                    "the name is not UTF-8 text (it was saved by an old program): rename it",
                ))
                continue
            status = seen.get(name)
            if status is None:
                continue
            if stat.S_ISDIR(status.st_mode):
                pending.append((relative, identity(status)))
            elif stat.S_ISREG(status.st_mode):
                yield relative, status


def _statuses(listed: list[os.DirEntry[str]], folder: str,
              output_folder: str) -> dict[str, os.stat_result]:
    """The status of each folder to look into and each note listed, by name, taken
    while their folder is open (so of what was listed); one gone since is left out."""
    statuses = {}
    for entry in listed:
        if _wanted(entry, folder, output_folder):
            with suppress(OSError):
                statuses[entry.name] = entry.stat(follow_symlinks=False)
    return statuses


def _wanted(entry: os.DirEntry[str], folder: str, output_folder: str) -> bool:
    """A folder to look into, or a note (its name told by its listing alone)."""
    name = entry.name
    if entry.is_dir(follow_symlinks=False):
        return (f"{folder}/{name}" if folder else name) != output_folder
    return is_note_name(name) and entry.is_file(follow_symlinks=False)


def is_note_name(name: str) -> bool:
    """A Markdown file's name (``*.md`` in any case), but not an Excalidraw drawing's
    (``*.excalidraw.md``: the drawing's data, never a note to read)."""
    lowered = name.lower()
    return lowered.endswith(".md") and not lowered.endswith(".excalidraw.md")


def is_conflict_copy(name: str) -> bool:
    """A copy a sync program made of a note changed in two places at once: Dropbox's
    and Obsidian Sync's ``... (conflicted copy ...).md``, Syncthing's
    ``....sync-conflict-....md``. Never a session: the same session twice."""
    lowered = name.lower()
    return "conflicted copy" in lowered or ".sync-conflict-" in lowered


CONFLICT_COPY = ("a copy made by a sync program when the note changed in two places at "
                 "once: merge what it adds into the original note, then delete this copy")
