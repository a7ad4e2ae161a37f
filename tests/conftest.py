"""Fixtures: each name means one thing. What they are made of is in ``support.py``."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings

from mutuality_plugins import vault as vault_module
from mutuality_plugins.errors import NoteProblem
from mutuality_plugins.plugins import PluginManager, get_plugin_manager

from support import EXAMPLE, Vault, read_note

# The default keeps the suite quick; HYPOTHESIS_PROFILE=fuzz runs the property tests
# of the readers far longer (a few minutes), to look for rare inputs that crash them.
settings.register_profile("default", deadline=None)
settings.register_profile("fuzz", max_examples=20_000, deadline=1000)  # a second a note
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def hermetic(tmp_path_factory, monkeypatch):
    """Every test keeps mutuality's index in a folder of its own, never the user's,
    runs in a folder of its own (a plugin's relative default path, a log file say, never
    lands in the checkout), and loads no installed plugin: what the developer has
    installed cannot change a result (a test of installed plugins names the ones it
    wants)."""
    monkeypatch.setenv("MUTUALITY_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("MUTUALITY_PLUGINS", "")
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture
def plugins() -> PluginManager:
    """The built-in plugins, in a manager of the test's own (free to add plugins to)."""
    return get_plugin_manager(load_entry_points=False)


@pytest.fixture
def vault(tmp_path) -> Vault:
    """An empty vault for the test to fill."""
    return Vault(tmp_path / "vault")


@pytest.fixture
def example_vault(tmp_path) -> Vault:
    """A copy of the fictional practice in examples/vault, free to change."""
    shutil.copytree(EXAMPLE, tmp_path / "example")
    return Vault(tmp_path / "example")


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The notes (vault-relative paths) that scans in this process read rather than
    took from the index, in the order read."""
    read = []
    original = vault_module.NoteReader.read
    monkeypatch.setattr(vault_module.NoteReader, "read",
                        lambda self, relative: read.append(relative) or original(self, relative))
    return read


@pytest.fixture
def read():
    """read(text_or_bytes, path=...) -> Session, None (not a session) or "problem: ..."."""

    def read(content, path="Clients/RM-07/2026-11-20 RM-07.md"):
        found = read_note(content, path)
        return f"problem: {found}" if isinstance(found, NoteProblem) else found

    return read
