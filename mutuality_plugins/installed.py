"""The distributions installed where Python looks for modules, read as
``importlib.metadata`` reads them, without it: importing it (email, zipfile, csv...)
costs more than a whole command on a small vault.

A distribution is a ``NAME-VERSION.dist-info`` (or ``.egg-info``) folder in a folder of
``sys.path``; of two of the same name, the first on the path is the one Python imports,
and the one read here. Zipped eggs are not looked into. Its metadata (name and version)
is read only when asked: most are looked at for entry points only.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Distribution:
    folder: str  # its .dist-info or .egg-info folder

    @property
    def name(self) -> str:
        """As its metadata says (mutuality-hello), else as its folder does."""
        return self._headers.get("name") or _name_in_folder(self.folder)

    @property
    def version(self) -> str:
        return self._headers.get("version", "")

    @functools.cached_property
    def _headers(self) -> dict[str, str]:
        return _headers(os.path.join(
            self.folder, "METADATA" if self.folder.endswith(".dist-info") else "PKG-INFO"))


@dataclass(frozen=True)
class EntryPoint:
    name: str
    value: str  # module, or module:attribute
    dist: Distribution

    def load(self) -> object:
        # module, or module:attribute, either followed by [extras]
        module, _, attribute = self.value.split("[")[0].partition(":")
        found: object = importlib.import_module(module.strip())
        for part in attribute.strip().split("."):
            if part:
                found = getattr(found, part)
        return found


def distributions() -> list[Distribution]:
    """The distributions Python would import, each once, in the order of its path."""
    return list(_distributions_on(tuple(sys.path)))


@functools.lru_cache(maxsize=8)  # a command asks for plugins and for its own version
def _distributions_on(folders: tuple[str, ...]) -> tuple[Distribution, ...]:
    found: dict[str, Distribution] = {}
    for folder in folders:
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:  # not a folder (a zip file), or gone
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                # Told apart by the name in the folder's, as importlib.metadata does.
                found.setdefault(normalized(_name_in_folder(name)),
                                 Distribution(os.path.join(folder or ".", name)))
    return tuple(found.values())


def entry_points(group: str) -> list[EntryPoint]:
    """The entry points of ``group`` of the distributions installed."""
    points = []
    for dist in distributions():
        section = None
        for line in _lines(os.path.join(dist.folder, "entry_points.txt")):
            line = line.strip()
            if line.startswith("[") and line.endswith("]"):
                section = line.strip("[]")  # as importlib.metadata reads it
            elif section == group and "=" in line and not line.startswith(("#", ";")):
                name, _, value = line.partition("=")
                points.append(EntryPoint(name.strip(), value.strip(), dist))
    return points


# mutuality's plugins among them
PLUGIN_GROUP = "mutuality"
# Comma-separated entry-point or distribution names: only those installed plugins
# load. Set but empty: none do. Unset: all do.
ENABLED_VARIABLE = "MUTUALITY_PLUGINS"


def plugin_entry_points() -> list[EntryPoint]:
    """The installed plugins to load, by name."""
    found = entry_points(PLUGIN_GROUP)
    enabled = os.environ.get(ENABLED_VARIABLE)
    if enabled is None:
        return sorted(found, key=lambda ep: ep.name)
    wanted = {name.strip() for name in enabled.split(",") if name.strip()}
    return sorted((ep for ep in found if ep.name in wanted or ep.dist.name in wanted),
                  key=lambda ep: ep.name)


def version(name: str) -> str | None:
    """The version of the distribution ``name`` installed, if it is."""
    key = normalized(name)
    return next((dist.version for dist in distributions()
                 if normalized(_name_in_folder(dist.folder)) == key), None)


def _name_in_folder(folder: str) -> str:
    """``mutuality`` of ``.../mutuality-0.1.0.dist-info``."""
    return os.path.basename(folder).rpartition(".")[0].partition("-")[0]


def normalized(name: str) -> str:
    """A distribution's name as packaging compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _headers(path: str) -> dict[str, str]:
    """The Name and Version of a metadata file (its first lines: read no further, the
    description that follows can be long)."""
    headers: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            for line in file:
                if not line.strip():
                    break
                key, colon, value = line.partition(":")
                if colon and key.lower() in ("name", "version"):
                    headers.setdefault(key.lower(), value.strip())
    except OSError:
        pass
    return headers


def _lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read(1 << 20).splitlines()
    except OSError:
        return []
