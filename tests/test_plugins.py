"""The plugin core: built-ins are ordinary plugins, and a plugin can add a feedback source."""

import ast
import importlib
import importlib.util
import inspect

import pluggy
import pytest

from mutuality_plugins import hookspecs
from mutuality_plugins.plugin_calls import PluginGuard
from mutuality_plugins.plugins import BUILTIN_PLUGINS, PluginError

from support import PLUGINS

MARKERS = {"PROJECT", "hookspec", "hookimpl"}


def load_plugin(name):
    spec = importlib.util.spec_from_file_location(name, next(PLUGINS.glob(f"*/{name}.py")))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def defined_in(module):
    """The names a module's own top-level statements define (not the ones it imports);
    a statement of any other kind stands for itself."""
    defined = set()
    for statement in ast.parse(inspect.getsource(module)).body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(statement, ast.If) and ast.unparse(statement.test) == "TYPE_CHECKING" and all(
                isinstance(inner, (ast.Import, ast.ImportFrom)) for inner in statement.body):
            continue  # imports of names for the type checker only
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the docstring
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(statement.name)
        elif isinstance(statement, ast.Assign) and all(
                isinstance(target, ast.Name) for target in statement.targets):
            defined.update(target.id for target in statement.targets)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            defined.add(statement.target.id)
        else:
            defined.add(ast.unparse(statement))
    return defined


def test_the_built_in_extractors_are_registered_as_plugins(plugins):
    names = {impl.plugin_name for impl in plugins.hook.mutuality_extract_feedback.get_hookimpls()}
    assert names == {name for name in BUILTIN_PLUGINS if ".extractors." in name}


def test_each_built_in_can_be_unregistered_like_any_plugin(vault, plugins):
    plugins.unregister(name="mutuality_plugins.extractors.inline_tags")
    vault.session("a.md", client="A", date="2026-11-20", tags="[feedback/topic]",
                  body="#feedback/pacing\n")
    (session,) = vault.scan(plugins=plugins).sessions
    assert [item.key for item in session.items] == [("topic", "")]


def test_the_hookspecs_module_holds_only_markers_and_documented_specs(plugins):
    defined = defined_in(hookspecs)
    specs = {name for name in defined if name.startswith("mutuality_")}
    assert specs
    assert defined == MARKERS | specs
    assert hookspecs.PROJECT == "mutuality"
    assert isinstance(hookspecs.hookspec, pluggy.HookspecMarker)
    assert isinstance(hookspecs.hookimpl, pluggy.HookimplMarker)
    assert hookspecs.hookspec.project_name == hookspecs.hookimpl.project_name == hookspecs.PROJECT
    for name in specs:
        assert plugins.parse_hookspec_opts(hookspecs, name) is not None, f"{name} is no hookspec"
        assert getattr(plugins.hook, name).has_spec(), f"{name} is not a hook of mutuality"
        assert getattr(hookspecs, name).__doc__, f"{name} has no documentation"


def test_a_plugin_adds_a_source_of_feedback(vault, plugins):
    plugins.register(load_plugin("feedback_section"))
    vault.session("a.md", client="A", date="2026-11-20",
                  feedback="[{theme: pacing, signal: too-fast, quote: mine}]",
                  body="Talked.\n\n## Feedback\n- pacing/too-fast: slow down\n- topic/not-now\n")
    (session,) = vault.scan(plugins=plugins).sessions
    assert [(item.key, item.quote, item.by) for item in session.items] == [
        (("pacing", "too-fast"), "slow down", "client"),
        (("topic", "not-now"), None, "client"),
    ]


def test_a_plugins_problem_makes_the_note_a_problem_and_the_rest_goes_on(vault, plugins):
    plugins.register(load_plugin("feedback_section"))
    vault.session("bad.md", client="A", date="2026-11-20", body="## Feedback\n- oops\n")
    vault.session("good.md", client="B", date="2026-11-20")
    result = vault.scan(plugins=plugins)
    assert [s.clients for s in result.sessions] == [("B",)]
    assert [(p.path, p.message) for p in result.problems] == [
        ("bad.md", "a line under ## Feedback should start with theme/signal")
    ]


def test_a_misspelled_hook_name_fails_loudly(plugins):
    before = plugins.list_name_plugin()
    with pytest.raises(PluginError) as error:
        plugins.add(load_plugin("misspelled_hook"), name="misspelled_hook", origin="a test")
    assert str(error.value).startswith("plugin misspelled_hook (a test): ")
    assert "mutuality_extract_feedbak" in str(error.value)
    # The plugin is not left behind: nothing of it is registered or pending.
    assert not plugins.has_plugin("misspelled_hook")
    assert "misspelled_hook" not in plugins.origins
    assert plugins.list_name_plugin() == before
    plugins.check_pending()


def test_an_extractor_that_raises_is_left_out_and_named(vault, plugins):
    class Broken:
        @hookspecs.hookimpl
        def mutuality_extract_feedback(self, note):
            raise KeyError("oops")

    plugins.register(Broken(), name="broken-extractor")
    vault.session("a.md", client="A", date="2026-11-20", feedback="[pacing]")
    (session,) = vault.scan(plugins=plugins).sessions
    assert [item.key for item in session.items] == [("pacing", "")]  # the others still read
    assert plugins.guard.summary() == [
        "plugin broken-extractor failed in mutuality_extract_feedback on a.md: KeyError"
    ]
    plugins.guard = PluginGuard(debug=True)
    with pytest.raises(KeyError):
        vault.scan(plugins=plugins)


def test_the_hooks_of_a_module_are_found_as_pluggy_finds_them(plugins, tmp_path):
    # mutuality looks only at a module's routines, for speed: what pluggy would take
    # as a hook (whatever its version) is never skipped.
    module_file = tmp_path / "odd_hooks.py"
    module_file.write_text(
        "import functools\nfrom mutuality_plugins import hookimpl\n"
        "@hookimpl\n@functools.cache\ndef mutuality_measures():\n    return []\n"
        "@hookimpl\ndef mutuality_rules():\n    return []\n"
        "mutuality_reporters = staticmethod(hookimpl(lambda: []))\n"
        "class Holder:\n    @hookimpl\n    def mutuality_sinks(self):\n        return []\n"
        "mutuality_sinks = Holder().mutuality_sinks\n"
        "mutuality_commands = functools.partial(hookimpl(lambda: []))\n"
        "NOT_A_HOOK = 3\nlength = len\n")
    spec = importlib.util.spec_from_file_location("odd_hooks", module_file)
    odd = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(odd)
    for module in [odd, *map(importlib.import_module, BUILTIN_PLUGINS)]:
        for name in dir(module):
            assert plugins.parse_hookimpl_opts(module, name) == \
                pluggy.PluginManager.parse_hookimpl_opts(plugins, module, name), name
