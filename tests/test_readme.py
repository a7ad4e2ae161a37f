"""The README says what the command line really does."""

import re

from mutuality_plugins.cli import cli

from support import ROOT, ok, run

README = (ROOT / "README.md").read_text()


def synopses():
    """command -> the options its README synopsis names."""
    found = {}
    for command, rest in re.findall(r"^`mutuality (\w+) ([^`]*)`$", README, re.MULTILINE):
        assert command not in found, f"`mutuality {command}` is described twice"
        found[command] = set(re.findall(r"--[a-z-]+", rest))
    return found


def test_every_command_is_in_the_readme_once_with_exactly_its_options():
    described = synopses()
    assert set(described) == set(cli.commands)
    for name, command in cli.commands.items():
        options = {opt for param in command.params
                   for opt in (*param.opts, *param.secondary_opts) if opt.startswith("--")}
        assert described[name] == options, name


def test_the_readme_says_which_commands_take_config():
    said = re.search(r"`--config FILE` \(([^)]*)\)", README).group(1).split(", ")
    taking = [name for name, command in cli.commands.items()
              if any("--config" in param.opts for param in command.params)]
    assert sorted(said) == sorted(taking)


def test_the_options_before_the_command_are_in_the_readme():
    for param in cli.params:
        for option in param.opts:
            if option not in ("--help", "--version"):
                assert f"mutuality {option}" in README, option


def test_the_readme_setup_commands_are_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = re.search(r"^    (python3 -m venv .*pytest)$", README, re.MULTILINE).group(1)
    assert test_command in ci
    assert "ruff check" in test_command and "mypy" in test_command


def test_help_lists_the_commands_the_readme_describes():
    commands = ok(run("--help")).split("\nCommands:\n", 1)[1]
    assert sorted(re.findall(r"^  (\w+)\b", commands, re.MULTILINE)) == sorted(synopses())


def test_every_test_the_security_page_names_exists():
    page = (ROOT / "docs" / "security.md").read_text()
    named_files = set(re.findall(r"`(test_\w+\.py)`", page))
    assert named_files, "the security page names its tests"
    for name in named_files:
        assert (ROOT / "tests" / name).exists(), name
    sources = "".join((ROOT / "tests" / name).read_text() for name in named_files)
    for test in re.findall(r"`(test_[a-z_]+)`", page):
        assert f"def {test}(" in sources, test
