"""The plugin core: built-ins are ordinary plugins, and a plugin can add a feedback source."""

import importlib.util
from pathlib import Path

import pluggy
import pytest

from mutuality_plugins import hookspecs
from mutuality_plugins.plugin_calls import PluginGuard
from mutuality_plugins.plugins import BUILTIN_PLUGINS, get_plugin_manager
from mutuality_plugins.vault import scan_vault

from support import note

PLUGINS = Path(__file__).parent / "plugins"


def load_plugin(name):
    spec = importlib.util.spec_from_file_location(name, next(PLUGINS.glob(f"*/{name}.py")))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_built_in_extractors_are_registered_as_plugins():
    manager = get_plugin_manager(load_entry_points=False)
    names = {impl.plugin_name for impl in manager.hook.mutuality_extract_feedback.get_hookimpls()}
    assert names == {name for name in BUILTIN_PLUGINS if ".extractors." in name}


def test_each_built_in_can_be_unregistered_like_any_plugin(tmp_path):
    manager = get_plugin_manager(load_entry_points=False)
    manager.unregister(name="mutuality_plugins.extractors.inline_tags")
    (tmp_path / "a.md").write_text(
        note("client: A\ndate: 2026-11-20\ntags: [feedback/topic]", "#feedback/pacing\n")
    )
    (session,) = scan_vault(tmp_path, manager).sessions
    assert [item.key for item in session.items] == [("topic", "")]


def test_the_hookspecs_module_holds_only_markers_and_documented_specs():
    specs = [name for name in vars(hookspecs) if name.startswith("mutuality_")]
    assert specs
    for name in specs:
        assert getattr(hookspecs, name).__doc__, f"{name} has no documentation"


def test_a_plugin_adds_a_source_of_feedback(tmp_path):
    manager = get_plugin_manager(load_entry_points=False)
    manager.register(load_plugin("feedback_section"))
    (tmp_path / "a.md").write_text(note(
        "client: A\ndate: 2026-11-20\nfeedback: [{theme: pacing, signal: too-fast, quote: mine}]",
        "Talked.\n\n## Feedback\n- pacing/too-fast: slow down\n- topic/not-now\n",
    ))
    (session,) = scan_vault(tmp_path, manager).sessions
    assert [(item.key, item.quote, item.by) for item in session.items] == [
        (("pacing", "too-fast"), "slow down", "client"),
        (("topic", "not-now"), None, "client"),
    ]


def test_a_plugins_problem_makes_the_note_a_problem_and_the_rest_goes_on(tmp_path):
    manager = get_plugin_manager(load_entry_points=False)
    manager.register(load_plugin("feedback_section"))
    (tmp_path / "bad.md").write_text(note("client: A\ndate: 2026-11-20", "## Feedback\n- oops\n"))
    (tmp_path / "good.md").write_text(note("client: B\ndate: 2026-11-20"))
    result = scan_vault(tmp_path, manager)
    assert [s.clients for s in result.sessions] == [("B",)]
    assert [(p.path, p.message) for p in result.problems] == [
        ("bad.md", "a line under ## Feedback should start with theme/signal")
    ]


def test_a_misspelled_hook_name_fails_loudly():
    manager = get_plugin_manager(load_entry_points=False)
    manager.register(load_plugin("misspelled_hook"))
    with pytest.raises(pluggy.PluginValidationError, match="mutuality_extract_feedbak"):
        manager.check_pending()


def test_an_extractor_that_raises_is_left_out_and_named(tmp_path):
    class Broken:
        @hookspecs.hookimpl
        def mutuality_extract_feedback(self, note):
            raise KeyError("oops")

    manager = get_plugin_manager(load_entry_points=False)
    manager.register(Broken(), name="broken-extractor")
    (tmp_path / "a.md").write_text(note("client: A\ndate: 2026-11-20\nfeedback: [pacing]"))
    guard = PluginGuard()
    (session,) = scan_vault(tmp_path, manager, guard=guard).sessions
    assert [item.key for item in session.items] == [("pacing", "")]  # the others still read
    assert guard.summary() == [
        "plugin broken-extractor failed in mutuality_extract_feedback on a.md: KeyError"
    ]
    with pytest.raises(KeyError):
        scan_vault(tmp_path, manager, guard=PluginGuard(debug=True))
