"""Scan a vault: find its Markdown notes and read each into a session or a problem."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pluggy

from .config import Settings
from .errors import NoteProblem, VaultError
from .model import Problem, ScanResult, Session
from .reading.note import MAX_NOTE_BYTES, read_session

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called as notes are read."""


def scan_vault(
    vault: Path | str,
    plugin_manager: pluggy.PluginManager,
    settings: Settings = Settings(),
    *,
    progress: Progress | None = None,
    debug: bool = False,
) -> ScanResult:
    """Read every note of the vault; a note that cannot be used becomes a problem.

    The output folder of the settings is never read.

    :param debug: let an unexpected error in reading a note propagate.
    """
    root = Path(vault)
    if not root.is_dir():
        raise VaultError(root, "not a folder" if root.exists() else "no such folder")
    problems: list[Problem] = []
    paths = sorted(_find_notes(root, settings.output_folder, problems))
    extract = partial(plugin_manager.hook.mutuality_extract_feedback, settings=settings)
    sessions: list[Session] = []
    for done, relative in enumerate(paths, start=1):
        try:
            session = read_session(_read_bytes(os.path.join(root, relative)), relative, extract)
        except NoteProblem as problem:
            problems.append(Problem(relative, str(problem)))
        except OSError as error:
            problems.append(Problem(relative, f"could not be opened: {_os_reason(error)}"))
        except Exception as error:
            if debug:
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
