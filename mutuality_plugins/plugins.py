"""The plugin manager: built-in plugins and outside plugins, registered alike."""

from __future__ import annotations

import importlib

import pluggy

from . import hookspecs
from .errors import MutualityError
from .model import Reporter, Rule

# The built-in plugins. Their hooks are all ``trylast`` (an outside plugin's answer
# comes first), and pluggy calls trylast implementations in registration order: a
# session's items are listed property first, then front-matter tags, then body tags.
BUILTIN_PLUGINS = (
    "mutuality_plugins.extractors.feedback_property",
    "mutuality_plugins.extractors.invitation_property",
    "mutuality_plugins.extractors.front_matter_tags",
    "mutuality_plugins.extractors.inline_tags",
    "mutuality_plugins.extractors.session_rating",
    "mutuality_plugins.rules.uninvited_streak",
    "mutuality_plugins.rules.silent_client",
    "mutuality_plugins.rules.recurring_signal",
    "mutuality_plugins.rules.flagged_word_reused",
    "mutuality_plugins.rules.pending_feedback",
    "mutuality_plugins.rules.alliance_low",
    "mutuality_plugins.reporters.alerts",
    "mutuality_plugins.reporters.digest",
)

ENTRY_POINT_GROUP = "mutuality"


def get_plugin_manager(*, load_entry_points: bool = True) -> pluggy.PluginManager:
    """A plugin manager with the hook specs, the built-ins and installed plugins.

    :param load_entry_points: also load plugins installed as distributions that
        declare the ``mutuality`` entry-point group.
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        manager.register(importlib.import_module(name), name=name)
    if load_entry_points:
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    # A hook implementation whose name matches no spec is a typo: fail loudly.
    manager.check_pending()
    return manager


def collect_rules(manager: pluggy.PluginManager) -> list[Rule]:
    """The rules every plugin contributes, by name."""
    rules = [rule for answer in manager.hook.mutuality_rules() for rule in answer]
    return sorted(rules, key=lambda rule: rule.name)


def collect_reporters(manager: pluggy.PluginManager) -> dict[str, Reporter]:
    """The reporters every plugin contributes, by name."""
    reporters = [reporter for answer in manager.hook.mutuality_reporters() for reporter in answer]
    return {reporter.name: reporter for reporter in sorted(reporters, key=lambda r: r.name)}


def find_reporter(manager: pluggy.PluginManager, name: str) -> Reporter:
    reporters = collect_reporters(manager)
    if name not in reporters:
        known = ", ".join(reporters) or "none"
        raise MutualityError(f"no reporter named {name!r} (there are: {known})")
    return reporters[name]
