"""Finding plugins and registering them: built-ins, installed distributions, and
drop-in files, all through the same ``register``.

Where a plugin comes from is kept, for ``mutuality plugins``. Code is never loaded
from inside the vault unless the user names that folder on the command line: a
synced vault must not be a way to run code on the therapist's machine.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import pluggy

from . import hookspecs, installed
from .errors import MutualityError, PluginFault
from .model import AlertSink, Measure, Reporter, Rule
from .plugin_calls import PluginGuard

# The built-in plugins. Their hooks are all ``trylast`` where order matters (an
# outside plugin's answer comes first), and pluggy calls trylast implementations in
# registration order: a session's items are listed property first, then
# front-matter tags, then body tags.
BUILTIN_PLUGINS = (
    "mutuality_plugins.extractors.feedback_property",
    "mutuality_plugins.extractors.invitation_property",
    "mutuality_plugins.extractors.front_matter_tags",
    "mutuality_plugins.extractors.inline_tags",
    "mutuality_plugins.extractors.measures",
    "mutuality_plugins.measures.builtin",
    "mutuality_plugins.rules.streaks",
    "mutuality_plugins.rules.recurring_signal",
    "mutuality_plugins.rules.flagged_word_reused",
    "mutuality_plugins.rules.pending_feedback",
    "mutuality_plugins.rules.alliance_low",
    "mutuality_plugins.rules.outcome",
    "mutuality_plugins.reporters.alerts",
    "mutuality_plugins.reporters.digest",
    "mutuality_plugins.shareable",
)

BUILT_IN = "built-in"


class PluginError(MutualityError):
    """A plugin cannot be loaded, or implements a hook that does not exist."""


class PluginManager(pluggy.PluginManager):
    """pluggy's manager, remembering where each plugin came from.

    :param guard: runs a plugin's own code as it is loaded (what it prints then goes
        to stderr, like everything a plugin prints).
    """

    def __init__(self, guard: PluginGuard | None = None) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.origins: dict[str, str] = {}
        self.guard = guard if guard is not None else PluginGuard()
        self._hooks_dirs: set[Path] = set()

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        # A module's attributes are its namespace: a name there that holds no routine
        # (as every pluggy since 1.5 counts them) is no hook. pluggy looks each name up
        # through the type's attributes first: a fifth of the time every command spent
        # loading the built-ins.
        if isinstance(plugin, ModuleType):
            value = vars(plugin).get(name)
            if not (inspect.isroutine(value) or isinstance(value, (staticmethod, classmethod))):
                return None
        return super().parse_hookimpl_opts(plugin, name)

    def add(self, plugin: object, name: str, origin: str) -> None:
        """Register one plugin; every kind of plugin comes in through here."""
        if self.has_plugin(name):
            raise PluginError(f"two plugins are named {name!r}: {self.origins[name]} and {origin}")
        try:
            self.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as error:
            raise PluginError(f"plugin {name} ({origin}) cannot be added: {error}") from None
        self.origins[name] = origin
        try:
            # A hook implementation whose name matches no spec is a typo: fail loudly.
            self.check_pending()
            _no_wrappers(self, plugin)
        except pluggy.PluginValidationError as error:
            self.unregister(name=name)
            del self.origins[name]
            raise PluginError(f"plugin {name} ({origin}): {error}") from None

    def load_hooks_dirs(self, folders: Iterable[Path]) -> None:
        """Register every ``*.py`` file of each folder (not ``_*`` or ``.*``); a folder
        named again (on the command line and in the settings, say) is loaded once."""
        for folder in folders:
            try:
                resolved = folder.resolve()
            except (OSError, RuntimeError):  # a loop of links
                raise PluginError(f"{folder}: a hooks folder that is a loop of links") from None
            if not resolved.is_dir():
                raise PluginError(f"{folder}: hooks folder not found")
            if resolved in self._hooks_dirs:
                continue
            self._hooks_dirs.add(resolved)
            for path in sorted(folder.glob("*.py")):
                if not path.name.startswith(("_", ".")):
                    module = self.load(path.stem, str(path), partial(_load_file, path))
                    self.add(module, name=path.stem, origin=str(path))

    def load(self, name: str, origin: str, load: Callable[[], object]) -> object:
        """Run a plugin's own code as it is loaded; any error or exit it meets is one
        line naming it."""
        try:
            with self.guard.running():
                return load()
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # an exit at import ends nothing but the loading
            raise PluginError(f"plugin {name} ({origin}) cannot be loaded: "
                              f"{type(error).__name__}: {error}") from error

    def built_in(self) -> frozenset[str]:
        """The names of mutuality's own plugins."""
        return frozenset(name for name, origin in self.origins.items() if origin == BUILT_IN)

    # What the plugins contribute, each kind by name, each plugin called on its own

    def rules(self) -> list[tuple[str, Rule]]:
        """(plugin, rule) for every rule the plugins contribute, by rule name."""
        return self._by_name("rule", self.hook.mutuality_rules)

    def measures(self) -> list[Measure]:
        """Every measure the plugins declare, by name. A measure that reads a property,
        or names a risk item, that one declared before it (mutuality's own first) took
        is that plugin's failure, and left out: a score belongs to one measure, and a
        risk item is never hidden."""
        kept: list[Measure] = []
        owner: dict[str, str] = {}  # a property or risk item -> the plugin declaring it
        for plugin, measure in self._in_added_order(
                self._by_name("measure", self.hook.mutuality_measures)):
            names = [*measure.properties, *(risk.name for risk in measure.risk_items)]
            taken = next((name for name in names if name in owner), None)
            if taken is not None:
                self.guard.record(plugin, "mutuality_measures", PluginFault(
                    f"{self._who(owner[taken])} a measure that uses {taken!r} already, so "
                    f"{measure.name!r} is left out; give it names of its own"))
                continue
            owner.update(dict.fromkeys(names, plugin))
            kept.append(measure)
        return sorted(kept, key=lambda measure: measure.name)

    def shareable_feedback(self) -> dict[str, frozenset[str]]:
        """Theme -> the signals of it the plugins declare shareable (all plugins'
        together)."""
        shareable: dict[str, frozenset[str]] = {}
        for _, declared in self.guard.answers(self.hook.mutuality_shareable_feedback):
            for theme, signals in declared.items():
                shareable[theme] = shareable.get(theme, frozenset()) | signals
        return shareable

    def reporters(self) -> dict[str, tuple[str, Reporter]]:
        """Report name -> (plugin, reporter)."""
        return {reporter.name: (plugin, reporter)
                for plugin, reporter in self._by_name("report", self.hook.mutuality_reporters)}

    def reporter(self, name: str) -> tuple[str, Reporter]:
        """(plugin, reporter) of the report named ``name``."""
        reporters = self.reporters()
        if name not in reporters:
            known = ", ".join(reporters) or "none"
            raise MutualityError(f"there is no report named {name!r} (there are: {known})")
        return reporters[name]

    def sinks(self, built_in: Iterable[str] = ()) -> list[tuple[str, AlertSink]]:
        """(plugin, sink) of the plugins' alert sinks; none may take the name of a
        ``built_in`` sink (its name keys what it received)."""
        return self._by_name("alert sink", self.hook.mutuality_alert_sinks,
                             dict.fromkeys(built_in, BUILT_IN))

    def commands(self, built_in: Iterable[str] = ()) -> list[tuple[str, click.Command]]:
        """(plugin, command) of the plugins' commands; none may take the name of a
        ``built_in`` command."""
        return self._by_name("command", self.hook.mutuality_commands,
                             dict.fromkeys(built_in, BUILT_IN))

    def declared_settings(self) -> dict[str, dict[str, Any]]:
        """The plugins' own settings sections with their defaults; a section declared
        by two plugins is the second one's failure."""
        declared: dict[str, dict[str, Any]] = {}
        owner: dict[str, str] = {}
        answers = self._in_added_order(self.guard.answers(self.hook.mutuality_plugin_settings))
        for plugin, sections in answers:
            for section, defaults in sections.items():
                if section in owner:
                    self._clash(plugin, "mutuality_plugin_settings", "settings section",
                                section, owner[section])
                    continue
                owner[section], declared[section] = plugin, defaults
        return declared

    def _by_name(self, kind: str, caller: pluggy.HookCaller,
                 taken: Mapping[str, str] | None = None) -> list[tuple[str, Any]]:
        """The hook's contributions sorted by name; one whose name a plugin added before
        it (or ``taken``: name -> owner) took is that plugin's failure, and left out:
        built-ins are added first, then installed plugins, then files of --hooks-dir."""
        owner = dict(taken or {})
        kept: dict[str, tuple[str, Any]] = {}
        for plugin, item in self._in_added_order(self.guard.contributions(caller)):
            name = str(item.name)
            if name in owner:
                self._clash(plugin, caller.name, kind, name, owner[name])
            else:
                owner[name], kept[name] = plugin, (plugin, item)
        return [kept[name] for name in sorted(kept)]

    def _in_added_order(self, found: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        """(plugin, ...) pairs in the order their plugins were added (pluggy calls the
        last added first)."""
        added = {name: order for order, name in enumerate(self.origins)}
        return sorted(found, key=lambda pair: added.get(pair[0], len(added)))

    def _clash(self, plugin: str, hook: str, kind: str, name: str, first: str) -> None:
        article = "an" if kind[0] in "aeiou" else "a"
        self.guard.record(plugin, hook, PluginFault(
            f"{self._who(first)} {article} {kind} named {name!r} already, so this one is "
            "left out; rename it"))

    def _who(self, plugin: str) -> str:
        """Who has something: ``mutuality has``, or ``plugin NAME contributes``."""
        if plugin == BUILT_IN or self.origins.get(plugin) == BUILT_IN:
            return "mutuality has"
        return f"plugin {plugin} contributes"


def _no_wrappers(manager: PluginManager, plugin: object) -> None:
    """mutuality calls each plugin on its own (one failing plugin cannot stop the
    others), so a hook wrapper, which wraps the other plugins' calls, cannot work."""
    for caller in manager.get_hookcallers(plugin) or ():
        for impl in caller.get_hookimpls():
            if impl.plugin is plugin and (impl.hookwrapper or impl.wrapper):
                raise pluggy.PluginValidationError(
                    plugin,
                    f"{caller.name} is marked as a hook wrapper, which mutuality does not "
                    "support (each plugin is called on its own): remove wrapper=True or "
                    "hookwrapper=True",
                )


def get_plugin_manager(
    *, load_entry_points: bool = True, hooks_dirs: Iterable[Path] = (),
    guard: PluginGuard | None = None,
) -> PluginManager:
    """A plugin manager with the hook specs, the built-ins and the outside plugins.

    :param load_entry_points: load the installed distributions that declare the
        ``mutuality`` entry-point group (restricted by ``MUTUALITY_PLUGINS``).
    :param hooks_dirs: folders of drop-in ``.py`` plugins.
    :param guard: the guard of the command (a new one when None).
    """
    manager = PluginManager(guard)
    for name in BUILTIN_PLUGINS:
        manager.add(importlib.import_module(name), name=name, origin=BUILT_IN)
    if load_entry_points:
        for entry_point in installed.plugin_entry_points():
            dist = entry_point.dist
            origin = f"{dist.name} {dist.version}"
            plugin = manager.load(entry_point.name, origin, entry_point.load)
            manager.add(plugin, name=entry_point.name, origin=origin)
    manager.load_hooks_dirs(hooks_dirs)
    return manager


def _load_file(path: Path) -> ModuleType:
    module_name = f"mutuality_hooks.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"plugin {path} cannot be loaded: not a Python file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[module_name] = module
    return module
