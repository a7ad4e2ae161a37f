"""The plugin manager: built-in plugins and outside plugins, registered alike."""

from __future__ import annotations

import importlib

import pluggy

from . import hookspecs

# The built-in plugins. Their hooks are all ``trylast`` (an outside plugin's answer
# comes first), and pluggy calls trylast implementations in registration order: a
# session's items are listed property first, then front-matter tags, then body tags.
BUILTIN_PLUGINS = (
    "mutuality_plugins.extractors.feedback_property",
    "mutuality_plugins.extractors.invitation_property",
    "mutuality_plugins.extractors.front_matter_tags",
    "mutuality_plugins.extractors.inline_tags",
    "mutuality_plugins.extractors.session_rating",
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
