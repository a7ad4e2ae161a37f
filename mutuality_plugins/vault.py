"""Scan a vault: find its Markdown notes and read each into a session or a problem."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from .config import Settings
from .errors import NoteProblem, VaultError
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
) -> ScanResult:
    """Read every note of the vault; a note that cannot be used becomes a problem.

    The output folder of the settings is never read.

    :param failures: where an extractor plugin's error is recorded (the note is then
        read without that plugin); with ``debug`` set there, any unexpected error
        propagates.
    """
    failures = failures if failures is not None else Failures()
    root = Path(vault)
    if not root.is_dir():
        raise VaultError(root, "not a folder" if root.exists() else "no such folder")
    problems: list[Problem] = []
    paths = sorted(_find_notes(root, settings.output_folder, problems))
    extract = _extractors(plugin_manager, settings, failures)
    sessions: list[Session] = []
    for done, relative in enumerate(paths, start=1):
        try:
            session = read_session(_read_bytes(os.path.join(root, relative)), relative, extract)
        except NoteProblem as problem:
            problems.append(Problem(relative, str(problem)))
        except OSError as error:
            problems.append(Problem(relative, f"could not be opened: {_os_reason(error)}"))
        except Exception as error:
            if failures.debug:
                raise
            problems.append(Problem(relative, _unexpected(error)))
        else:
            if session is not None:
                sessions.append(session)
        if progress is not None:
            progress(done, len(paths))
    return ScanResult(
        notes=len(paths),
        sessions=tuple(sessions),
        problems=tuple(sorted(problems, key=lambda problem: problem.path)),
    )


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
