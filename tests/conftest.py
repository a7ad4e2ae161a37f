"""Shared helpers: write notes into a temporary vault and read them back."""

from __future__ import annotations

import os
import textwrap
from functools import partial
from pathlib import Path

import pytest
from hypothesis import settings

from mutuality_plugins.config import Settings
from mutuality_plugins.errors import NoteProblem
from mutuality_plugins.plugins import get_plugin_manager
from mutuality_plugins.reading.note import read_session
from mutuality_plugins.vault import scan_vault

# The default keeps the suite quick; HYPOTHESIS_PROFILE=fuzz runs the property tests
# of the readers far longer (a few minutes), to look for rare inputs that crash them.
settings.register_profile("default", deadline=None)
settings.register_profile("fuzz", max_examples=20_000, deadline=1000)  # a second a note
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def private_state(tmp_path_factory, monkeypatch):
    """Every test keeps mutuality's index in a folder of its own, never the user's."""
    monkeypatch.setenv("MUTUALITY_STATE_DIR", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(scope="session")
def plugin_manager():
    return get_plugin_manager(load_entry_points=False)


def note(front_matter: str, body: str = "Session notes.\n") -> str:
    """A note with the given (dedented) front-matter and body."""
    return f"---\n{textwrap.dedent(front_matter).strip()}\n---\n{textwrap.dedent(body)}"


@pytest.fixture
def read(plugin_manager):
    """read(text_or_bytes, path=...) -> Session, None (not a session) or the problem text."""

    extract = plugin_manager.hook.mutuality_extract_feedback

    def read(content, path="Clients/RM-07/2026-11-20 RM-07.md"):
        raw = content.encode("utf-8") if isinstance(content, str) else content
        try:
            return read_session(raw, path, partial(extract, settings=Settings()))
        except NoteProblem as problem:
            return f"problem: {problem}"

    return read


class Vault:
    """A temporary vault that tests fill with notes."""

    def __init__(self, root: Path, plugin_manager):
        self.root = root
        self._plugin_manager = plugin_manager

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def session(self, relative: str, **properties) -> Path:
        lines = [f"{key}: {value}" for key, value in properties.items()]
        return self.write(relative, note("\n".join(lines)))

    def scan(self, settings=None, **options):
        return scan_vault(self.root, self._plugin_manager, settings or Settings(), **options)


@pytest.fixture
def vault(tmp_path, plugin_manager):
    root = tmp_path / "vault"
    root.mkdir()
    return Vault(root, plugin_manager)
