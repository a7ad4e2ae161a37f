"""Settings: ``mutuality.toml`` at the vault root, or a file given with ``--config``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import MutualityError
from .files import read_regular
from .model import SRS, Measure, Rule

CONFIG_NAME = "mutuality.toml"


class ConfigError(MutualityError):
    """The config file cannot be used; the message names the file and the setting."""


@dataclass(frozen=True)
class Settings:
    """What the config says; every setting has a default.

    :ivar output_folder: vault-relative folder for generated notes; never read as notes.
    :ivar feedback_tag: the first part of feedback tags (``feedback/pacing/too-fast``).
    :ivar rules: the ``[rules.NAME]`` tables as written; checked against the rules
        the plugins contribute by :func:`rule_settings`.
    :ivar plugins: the ``[plugins.SECTION]`` tables; once checked by
        :func:`with_plugin_settings`, every section a plugin declares, defaults filled.
    :ivar hooks_dirs: folders of drop-in plugins, relative paths taken from the
        config file's folder.
    :ivar state_folder: where the index lives (default: the per-user state folder).
    :ivar inactive_after_days: a client whose latest session is longer ago than this
        is not seen any more: their gaps leave the default views.
    :ivar source: the config file read, for messages (empty when there was none).
    :ivar measure_tables: the ``[measures.NAME]`` tables as written; applied to the
        measures the plugins declare by :func:`with_measures`.
    :ivar measures: the measures read from notes, with the config's cutoffs and
        reliable-change values: the built-in ones until :func:`with_measures` gives
        every measure the plugins declare.
    """

    output_folder: str = "Mutuality"
    feedback_tag: str = "feedback"
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    plugins: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    hooks_dirs: tuple[Path, ...] = ()
    state_folder: Path | None = None
    inactive_after_days: int = 56
    source: str = ""
    measure_tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    measures: tuple[Measure, ...] = field(default_factory=lambda: _built_in_measures())

    def measure(self, name: str) -> Measure | None:
        return next((measure for measure in self.measures if measure.name == name), None)


def _built_in_measures() -> tuple[Measure, ...]:
    from .measures.builtin import BUILT_IN_MEASURES  # the plugin imports these settings

    return BUILT_IN_MEASURES


MAX_SETTINGS_BYTES = 1024 * 1024


def load_settings(vault: Path, config: Path | None = None) -> Settings:
    """Read ``config``, else ``mutuality.toml`` in the vault if there is one (a regular
    file, not through a link: the vault's may have been written by someone else)."""
    # A settings file the user names may be a link they made (to their dotfiles, say).
    path = config.resolve() if config is not None else vault / CONFIG_NAME
    if config is None and not os.path.lexists(path):
        return Settings()
    try:
        raw = read_regular(path, MAX_SETTINGS_BYTES)
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({(error.strerror or '').lower()})") from None
    if len(raw) > MAX_SETTINGS_BYTES:
        raise ConfigError(f"{path}: is larger than 1 MiB; a settings file is a few lines")
    import tomllib  # only where there is a settings file

    try:
        table = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text: save it again as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nests arrays or tables too deeply to be settings") from None
    return _settings_from(table, path)


_KINDS = {str: "should be text", dict: "should be a table", list: "should be a list",
          int: "should be a whole number of days, like 56"}


def _settings_from(table: dict[str, Any], path: Path) -> Settings:
    source = str(path)

    def fail(key: str, reason: str) -> ConfigError:
        return ConfigError(f"{source}: `{key}` {reason}")

    known = {"output_folder": str, "feedback_tag": str, "rules": dict, "plugins": dict,
             "measures": dict, "hooks_dirs": list, "state_folder": str,
             "inactive_after_days": int}
    for key, value in table.items():
        if key not in known:
            raise fail(key, "is not a setting mutuality knows")
        if not isinstance(value, known[key]) or isinstance(value, bool):
            raise fail(key, _KINDS[known[key]])
    written_folder = table.get("output_folder", Settings.output_folder).strip()
    parts = PurePosixPath(written_folder).parts
    if not parts or written_folder.startswith(("/", "\\")) or len(written_folder) > 200 or any(
        part.startswith(".") or any(char in part for char in '\\:\0\n\r') for part in parts
    ):
        shown = written_folder[:40] + ("…" if len(written_folder) > 40 else "")
        raise fail("output_folder", f"({shown!r}) should be a folder inside the vault, like "
                                    "\"Mutuality\"")
    feedback_tag = table.get("feedback_tag", Settings.feedback_tag).strip().strip("#/").lower()
    if not feedback_tag or any(char.isspace() or char == "/" for char in feedback_tag):
        raise fail("feedback_tag", "should be one word, like \"feedback\"")
    for group in ("rules", "plugins", "measures"):
        for name, value in table.get(group, {}).items():
            if not isinstance(value, dict):
                raise fail(f"{group}.{name}", "should be a table")
    hooks_dirs = table.get("hooks_dirs", [])
    if not all(isinstance(folder, str) and folder.strip() and "\0" not in folder
               for folder in hooks_dirs):
        raise fail("hooks_dirs", "should be a list of folder names")
    state = table.get("state_folder")
    if state is not None and (not state.strip() or "\0" in state):
        raise fail("state_folder", "should be a folder name")
    inactive_after_days = table.get("inactive_after_days", Settings.inactive_after_days)
    if not 1 <= inactive_after_days <= 36500:
        raise fail("inactive_after_days", "should be a whole number of days from 1 to "
                                          "36500, like 56")
    return Settings(
        output_folder="/".join(parts),
        feedback_tag=feedback_tag,
        rules=table.get("rules", {}),
        plugins=table.get("plugins", {}),
        hooks_dirs=tuple(_near(path, folder) for folder in hooks_dirs),
        state_folder=_near(path, state) if state is not None else None,
        inactive_after_days=inactive_after_days,
        source=source,
        measure_tables=table.get("measures", {}),
    )


def _near(settings_file: Path, folder: str) -> Path:
    """A folder named in a settings file: ``~`` is the user's home, and a relative one
    is taken from the settings file's folder (wherever the command is run from)."""
    return (settings_file.parent / Path(folder.strip()).expanduser()).absolute()


def rule_settings(settings: Settings, rules: Iterable[Rule]) -> dict[str, dict[str, Any]]:
    """The settings of every enabled rule: its defaults, overridden by the config.

    A config value must have its default's type: a whole number of at least 1 for a
    count, any number from 0 for a score.
    """
    source = settings.source or "settings"
    rules = list(rules)
    for name in settings.rules:
        if name not in {rule.name for rule in rules}:
            raise ConfigError(f"{source}: `rules.{name}` is not a rule mutuality knows")
    enabled = {}
    for rule in rules:
        written = dict(settings.rules.get(rule.name, {}))
        is_enabled = written.pop("enabled", True)
        if not isinstance(is_enabled, bool):
            raise ConfigError(f"{source}: `rules.{rule.name}.enabled` should be true or false")
        chosen = _checked_table(written, rule.settings, f"rules.{rule.name}", source,
                                "is not a setting of this rule", counts=True)
        if is_enabled:
            enabled[rule.name] = chosen
    return enabled


def with_plugin_settings(
    settings: Settings, declared: Mapping[str, Mapping[str, Any]]
) -> Settings:
    """The settings with ``plugins`` checked against what the plugins declare
    (``mutuality_plugin_settings``) and every declared section filled in."""
    source = settings.source or "settings"
    for section in settings.plugins:
        if section not in declared:
            raise ConfigError(f"{source}: `plugins.{section}` is not a section any plugin declares")
    plugins = {
        section: _checked_table(dict(settings.plugins.get(section, {})), defaults,
                                f"plugins.{section}", source, "is not a setting of this plugin")
        for section, defaults in declared.items()
    }
    return replace(settings, plugins=plugins)


# What ``[measures.NAME]`` may change: the rest of a measure is what it is.
MEASURE_SETTINGS = ("cutoff", "reliable_change")


def with_measures(settings: Settings, declared: Iterable[Measure]) -> Settings:
    """The settings with every measure the plugins declare, each with the cutoff and
    reliable-change value of its ``[measures.NAME]`` (a number from 0)."""
    source = settings.source or "settings"
    declared = list(declared)
    for name, written in settings.measure_tables.items():
        # An empty table changes nothing (init writes one for each measure it knows).
        if written and name not in {measure.name for measure in declared}:
            known = ", ".join(measure.name for measure in declared)
            raise ConfigError(f"{source}: `measures.{name}` is not a measure mutuality knows "
                              f"(it knows {known})")
    measures = []
    for measure in declared:
        written = settings.measure_tables.get(measure.name, {})
        defaults = {key: float(getattr(measure, key) or 0) for key in MEASURE_SETTINGS}
        chosen = _checked_table(dict(written), defaults, f"measures.{measure.name}", source,
                                "is not a setting of a measure (it has cutoff and "
                                "reliable_change)", counts=True)
        where = f"{source}: `measures.{measure.name}"
        if "reliable_change" in written and measure.reliable_change is None:
            raise ConfigError(f"{where}.reliable_change`: {measure.called} has no reliable "
                              "change, so no class and no outcome rules")
        if "reliable_change" in written and chosen["reliable_change"] <= 0:
            raise ConfigError(f"{where}.reliable_change` should be a number above 0")
        if "cutoff" in written and measure.name == SRS:
            raise ConfigError(f"{where}.cutoff`: the session rating's cutoff is alliance-low's: "
                              "set it under [rules.alliance-low]")
        if "cutoff" in written and measure.cutoff is None:
            raise ConfigError(f"{where}.cutoff`: {measure.called} has no clinical cutoff")
        if "cutoff" in written and not measure.lowest <= chosen["cutoff"] <= measure.highest:
            raise ConfigError(f"{where}.cutoff` should be a total {measure.called} can have, "
                              f"from {measure.lowest:g} to {measure.highest:g}")
        measures.append(replace(measure, **{key: chosen[key] for key in written}))
    return replace(settings, measures=tuple(measures))


def _checked_table(written: dict[str, Any], defaults: Mapping[str, Any], prefix: str, source: str,
                   unknown: str, counts: bool = False) -> dict[str, Any]:
    chosen = dict(defaults)
    for key, value in written.items():
        if key not in defaults:
            raise ConfigError(f"{source}: `{prefix}.{key}` {unknown}")
        chosen[key] = _checked(value, defaults[key], f"{prefix}.{key}", source, counts)
    return chosen


def _checked(value: Any, default: Any, key: str, source: str, counts: bool) -> Any:
    """``value`` if it has the default's type. With ``counts`` (a rule's settings),
    a whole number is a count of at least 1 and a number a score of at least 0; a
    plugin's own settings are checked for their type only."""
    if default is None:  # a plugin setting with no default: any value
        return value
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{source}: `{key}` should be true or false")
    if isinstance(default, int):
        if is_number and isinstance(value, int) and (value >= 1 or not counts):
            return value
        least = " of at least 1" if counts else ""
        raise ConfigError(f"{source}: `{key}` should be a whole number{least}")
    if isinstance(default, float):
        if is_number and (value >= 0 or not counts):
            return float(value)
        least = " of at least 0" if counts else ""
        raise ConfigError(f"{source}: `{key}` should be a number{least}")
    if isinstance(default, str):
        if isinstance(value, str):
            return value
        raise ConfigError(f"{source}: `{key}` should be text")
    if isinstance(value, type(default)):
        return value
    raise ConfigError(f"{source}: `{key}` should be like {default!r}")
