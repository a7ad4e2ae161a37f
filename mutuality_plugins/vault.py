"""Scan a vault: find its Markdown notes and read each into a session or a problem."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from .config import Settings
from .errors import NoteProblem, VaultError
from .index import NoteIndex, Reading, decode
from .model import Feedback, Note, Problem, ScanResult, Session
from .plugin_calls import Failures, implementations
from .reading.note import MAX_NOTE_BYTES, Extract, read_session

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called as notes are read."""


def scan_vault(
    vault: Path | str,
    plugin_manager,
    settings: Settings = Settings(),
    *,
    progress: Progress | None = None,
    failures: Failures | None = None,
    index: NoteIndex | None = None,
) -> ScanResult:
    """Read every note of the vault; a note that cannot be used becomes a problem.

    The output folder of the settings is never read.

    :param failures: where an extractor plugin's error is recorded (the note is then
        read without that plugin); with ``debug`` set there, any unexpected error
        propagates.
    :param index: re-read only the notes changed since it was last brought up to
        date, and bring it up to date.
    """
    failures = failures if failures is not None else Failures()
    root = Path(vault)
    if not root.is_dir():
        raise VaultError(root, "not a folder" if root.exists() else "no such folder")
    folder_problems: list[Problem] = []
    paths = sorted(_find_notes(root, settings.output_folder, folder_problems))
    reader = NoteReader(root, plugin_manager, settings, failures)
    known = index.readings() if index is not None else {}
    readings: list[Reading] = []
    changed = []
    for done, relative in enumerate(paths, start=1):
        stamp = _stamp(os.path.join(root, relative))
        reading = _unchanged(relative, known.get(relative), stamp)
        if reading is not _CHANGED:
            readings.append(reading)
        else:
            failed_before = len(failures.failures)
            reading = reader.read(relative)
            readings.append(reading)
            # A reading spoilt by a failing plugin is not kept: the next scan tries again.
            if stamp is not None and len(failures.failures) == failed_before:
                changed.append((relative, *stamp, reading))
        if progress is not None:
            progress(done, len(paths))
    if index is not None:
        index.update(changed, removed=known.keys() - set(paths))
    return ScanResult(
        notes=len(paths),
        sessions=tuple(r for r in readings if isinstance(r, Session)),
        problems=tuple(sorted([*folder_problems, *(r for r in readings if isinstance(r, Problem))],
                              key=lambda problem: problem.path)),
    )


_CHANGED = object()


def _unchanged(relative: str, stored: tuple | None, stamp: tuple[int, int] | None):
    """The stored reading of a note with the same stamp, else ``_CHANGED``."""
    if stamp is None or stored is None or stored[:2] != stamp:
        return _CHANGED
    try:
        return decode(relative, stored[2])
    except ValueError:  # a damaged entry is read again
        return _CHANGED


class NoteReader:
    """Reads one note of a vault at a time, with the plugins and settings in force."""

    def __init__(self, root: Path, plugin_manager, settings: Settings, failures: Failures):
        self.root = root
        self._extract = _extractors(plugin_manager, settings, failures)
        self._failures = failures

    def read(self, relative: str) -> Reading:
        try:
            return read_session(_read_bytes(os.path.join(self.root, relative)), relative,
                                self._extract)
        except NoteProblem as problem:
            return Problem(relative, str(problem))
        except OSError as error:
            return Problem(relative, f"could not be opened: {_os_reason(error)}")
        except Exception as error:
            if self._failures.debug:
                raise
            return Problem(relative, _unexpected(error))


def _stamp(path: str) -> tuple[int, int] | None:
    """(modification time in ns, size): a note whose stamp is unchanged is not re-read."""
    try:
        status = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size)


def _extractors(plugin_manager, settings: Settings, failures: Failures) -> Extract:
    """Every extractor, each on its own: one that raises is left out for that note."""
    hook = plugin_manager.hook.mutuality_extract_feedback
    calls = implementations(hook, settings=settings)

    def extract(note: Note) -> list[Feedback]:
        answers = []
        for plugin, call in calls:
            try:
                answer = call(note=note)
            except NoteProblem:
                raise
            except Exception as error:
                failures.record(plugin, hook.name, error, note.path)
                continue
            if answer is not None:
                answers.append(answer)
        return answers

    return extract


def _find_notes(root: Path, output_folder: str, problems: list[Problem]) -> Iterator[str]:
    """Vault-relative POSIX paths of the ``*.md`` files, skipping dot-names, the output
    folder and symbolic links."""
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(root / folder) as entries:
                listed = list(entries)
        except OSError as error:
            problems.append(Problem(folder, f"folder could not be read: {_os_reason(error)}"))
            continue
        for entry in listed:
            name = entry.name
            if name.startswith(".") or entry.is_symlink():
                continue
            relative = f"{folder}/{name}" if folder else name
            if entry.is_dir(follow_symlinks=False):
                if relative != output_folder:
                    pending.append(relative)
            elif name.lower().endswith(".md") and entry.is_file(follow_symlinks=False):
                yield relative


def _read_bytes(path: str) -> bytes:
    # Unbuffered, and asking for what the file holds: ``read(cap)`` would allocate
    # the whole cap for every note. One byte past the cap tells a note is too big.
    with open(path, "rb", buffering=0) as file:
        return file.read(min(os.fstat(file.fileno()).st_size, MAX_NOTE_BYTES) + 1)


def _os_reason(error: OSError) -> str:
    return (error.strerror or type(error).__name__).lower()


def _unexpected(error: Exception) -> str:
    return (
        f"mutuality could not read this note ({type(error).__name__}); "
        "run the same command as `mutuality --debug ...` to see why"
    )
