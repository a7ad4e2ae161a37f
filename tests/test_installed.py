"""Installed distributions are read as importlib.metadata reads them, without its cost."""

import importlib.metadata

from mutuality_plugins import installed


def entry_points_as(found):
    return sorted((point.name, point.value, point.dist.name, point.dist.version)
                  for point in found)


def test_the_entry_points_installed_here_are_the_ones_importlib_metadata_finds():
    for group in ("console_scripts", "pytest11", "mutuality"):
        assert entry_points_as(installed.entry_points(group)) == entry_points_as(
            importlib.metadata.entry_points(group=group))
    assert installed.version("mutuality") == importlib.metadata.version("mutuality")
    assert installed.version("pytest") == importlib.metadata.version("pytest")
    assert installed.version("no-such-thing") is None


def test_the_first_of_a_name_on_the_path_is_read_and_egg_info_too(tmp_path, monkeypatch):
    for folder, version in (("first", "2.0"), ("second", "1.0")):
        info = tmp_path / folder / f"Some_Plugin-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: some-plugin\n"
                                       f"Version: {version}\n\nName: not this\n")
        (info / "entry_points.txt").write_text(
            f"[other]\nx = y\n\n[mutuality]\n# a comment\nsome = some_plugin_{folder}:Hooks.one\n")
    egg = tmp_path / "second" / "old_one.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: old-one\nVersion: 0.3\n")
    (egg / "entry_points.txt").write_text("[mutuality]\nold = old_one\n")
    spaced = tmp_path / "second" / "spaced-1.0.dist-info"  # a section importlib skips
    spaced.mkdir()
    (spaced / "METADATA").write_text("Metadata-Version: 2.1\nName: spaced\nVersion: 1.0\n")
    (spaced / "entry_points.txt").write_text("[ mutuality ]\nspaced = spaced_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path / "second"))
    monkeypatch.syspath_prepend(str(tmp_path / "first"))
    points = {point.name: point for point in installed.entry_points("mutuality")}
    assert {name: (point.value, point.dist.name, point.dist.version)
            for name, point in points.items() if name in ("some", "old", "spaced")} == {
        "some": ("some_plugin_first:Hooks.one", "some-plugin", "2.0"),
        "old": ("old_one", "old-one", "0.3")}
    assert entry_points_as(installed.entry_points("mutuality")) == entry_points_as(
        importlib.metadata.entry_points(group="mutuality"))
    (tmp_path / "first" / "some_plugin_first.py").write_text(
        "class Hooks:\n    one = 'the hooks'\n")
    assert points["some"].load() == "the hooks"
