"""Settings from mutuality.toml or --config: defaults, thresholds, and one-line errors."""

import pytest

from mutuality_plugins.config import (
    ConfigError,
    Settings,
    load_settings,
    rule_settings,
    with_measures,
)
from mutuality_plugins.measures.builtin import BUILT_IN_MEASURES
from mutuality_plugins.vault_setup import default_config

from support import BUILT_IN

RULES = [rule for _, rule in BUILT_IN.rules()]


def settings_from(tmp_path, text):
    (tmp_path / "mutuality.toml").write_text(text)
    return load_settings(tmp_path)


def test_without_a_config_file_every_default_holds(tmp_path):
    settings = load_settings(tmp_path)
    assert settings == Settings(output_folder="Mutuality", feedback_tag="feedback", rules={},
                                plugins={}, hooks_dirs=(), state_folder=None, source="")
    assert settings == Settings()
    assert rule_settings(settings, RULES) == {  # as the README's table of rules gives them
        "uninvited-streak": {"sessions": 3},
        "silent-client": {"sessions": 3},
        "recurring-signal": {"times": 2, "window": 3},
        "flagged-word-reused": {},
        "pending-feedback": {"sessions": 2},
        "alliance-low": {"cutoff": 36.0, "drop": 3.0},
        "outcome-deteriorated": {},
        "not-on-track": {"sessions": 4},
        "risk-item": {},
    }


def test_settings_are_read_from_the_vault(tmp_path):
    settings = settings_from(tmp_path, 'output_folder = "Reports/Mutuality/"\nfeedback_tag = "#FB"\n'
                             "[rules.silent-client]\nsessions = 4\n[rules.alliance-low]\ncutoff = 30\n"
                             "[rules.pending-feedback]\nenabled = false\n")
    assert (settings.output_folder, settings.feedback_tag) == ("Reports/Mutuality", "fb")
    enabled = rule_settings(settings, RULES)
    assert enabled["silent-client"] == {"sessions": 4}
    assert enabled["alliance-low"]["cutoff"] == 30.0
    assert "pending-feedback" not in enabled


def test_a_config_file_given_explicitly(tmp_path):
    other = tmp_path / "elsewhere.toml"
    other.write_text('output_folder = "Out"\n')
    assert load_settings(tmp_path / "vault", other).output_folder == "Out"


def test_a_missing_explicit_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="missing.toml: cannot be read"):
        load_settings(tmp_path, tmp_path / "missing.toml")


@pytest.mark.parametrize("text, message", [
    ("colour = 1", "`colour` is not a setting mutuality knows"),
    ("output_folder = 3", "`output_folder` should be text"),
    ("rules = 3", "`rules` should be a table"),
    ('output_folder = "../outside"',
     "`output_folder` ('../outside') should be a folder inside the vault"),
    ('output_folder = "/tmp/x"', "`output_folder` ('/tmp/x') should be a folder inside the vault"),
    ('output_folder = ".hidden"', "`output_folder` ('.hidden') should be a folder inside the vault"),
    ('output_folder = "a\\u0000b"', "`output_folder` ('a\\x00b') should be a folder inside"),
    ('output_folder = "' + "x" * 100_000 + '"',
     "`output_folder` ('" + "x" * 40 + "…') should be a folder inside the vault"),
    ('feedback_tag = "two words"', "`feedback_tag` should be one word"),
    ("rules.silent-client = 3", "`rules.silent-client` should be a table"),
    ("[rules", "not valid TOML"),
])
def test_a_wrong_setting_is_one_line_naming_the_file_and_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        settings_from(tmp_path, text)
    assert message in str(error.value)
    assert str(error.value).startswith(str(tmp_path / "mutuality.toml"))
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("table, message", [
    ("[rules.silent-clients]", "`rules.silent-clients` is not a rule mutuality knows"),
    ("[rules.silent-client]\nsesions = 3", "`rules.silent-client.sesions` is not a setting of this rule"),
    ("[rules.silent-client]\nsessions = '3'", "`rules.silent-client.sessions` should be a whole number"),
    ("[rules.silent-client]\nsessions = 0", "`rules.silent-client.sessions` should be a whole number of at least 1"),
    ("[rules.silent-client]\nsessions = 2.5", "should be a whole number"),
    ("[rules.alliance-low]\ncutoff = true", "`rules.alliance-low.cutoff` should be a number"),
    ("[rules.alliance-low]\ndrop = -1", "`rules.alliance-low.drop` should be a number of at least 0"),
    ("[rules.alliance-low]\nenabled = 'no'", "`rules.alliance-low.enabled` should be true or false"),
])
def test_a_wrong_rule_setting_names_the_key(tmp_path, table, message):
    settings = settings_from(tmp_path, table)
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        rule_settings(settings, RULES)


def test_the_default_config_written_by_init_reads_back_as_the_defaults(tmp_path):
    text = default_config(RULES)
    settings = settings_from(tmp_path, text)
    assert rule_settings(settings, RULES) == rule_settings(Settings(), RULES)
    for rule in RULES:
        assert f"[rules.{rule.name}]" in text
        for key in rule.settings:
            assert f"# {key} = " in text


def test_the_default_config_names_each_measures_published_values(tmp_path):
    text = default_config(RULES, BUILT_IN_MEASURES)
    assert "[measures.phq9]  # PHQ-9\n# cutoff = 10\n# reliable_change = 6\n" in text
    assert "[measures.srs]" not in text  # no class: its cutoff is alliance-low's
    settings = with_measures(settings_from(tmp_path, text), BUILT_IN_MEASURES)
    assert settings.measures == BUILT_IN_MEASURES
    uncommented = text.replace("# reliable_change = 6", "reliable_change = 5")
    changed = with_measures(settings_from(tmp_path, uncommented), BUILT_IN_MEASURES)
    assert [m.reliable_change for m in changed.measures if m.name in ("phq9", "core10")] == [
        5.0, 5.0]


def test_uncommenting_a_line_of_the_default_config_changes_that_setting(tmp_path):
    text = default_config(RULES).replace("# cutoff = 36", "cutoff = 32")
    assert rule_settings(settings_from(tmp_path, text), RULES)["alliance-low"]["cutoff"] == 32.0


def test_the_feedback_tag_setting_changes_which_tags_are_feedback(vault):
    vault.session("2026-11-20 a.md", client="A", tags="[fb/invited, fb/pacing, feedback/topic]")
    (session,) = vault.scan(Settings(feedback_tag="fb")).sessions
    assert session.invited and [i.key for i in session.items] == [("pacing", "")]


def test_a_rule_whose_description_spans_lines_still_gives_a_settings_file_that_reads(tmp_path):
    from mutuality_plugins import Rule

    odd = Rule("odd-rule", lambda *args: [], {"sessions": 2}, "first line\n[rules.x]\nthird")
    text = default_config([*RULES, odd])
    assert rule_settings(settings_from(tmp_path, text), [*RULES, odd])["odd-rule"] == {
        "sessions": 2}


@pytest.mark.parametrize("default, written, kept", [
    (0, 0, 0), (-1.5, -2, -2.0), (3, -4, -4), (None, [1, 2], [1, 2]), ("x", "", ""),
])
def test_a_plugins_own_settings_are_checked_for_their_type_only(tmp_path, default, written,
                                                                kept):
    from mutuality_plugins.config import with_plugin_settings

    value = {"written": written}
    settings = settings_from(tmp_path, "[plugins.mine]\nvalue = "
                             + (repr(written) if not isinstance(written, str) else '""') + "\n")
    checked = with_plugin_settings(settings, {"mine": {"value": default}})
    assert checked.plugins["mine"]["value"] == kept == value["written"]


def test_a_plugin_setting_of_the_wrong_type_is_still_refused(tmp_path):
    from mutuality_plugins.config import with_plugin_settings

    settings = settings_from(tmp_path, '[plugins.mine]\nvalue = "three"\n')
    with pytest.raises(ConfigError, match=r"`plugins\.mine\.value` should be a whole number$"):
        with_plugin_settings(settings, {"mine": {"value": 3}})


def test_folders_in_a_settings_file_are_taken_from_its_folder_or_the_home(tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    settings = settings_from(tmp_path, 'hooks_dirs = ["plugins", "~/mine"]\n'
                                       'state_folder = "~/state"\n')
    assert settings.hooks_dirs == (tmp_path / "plugins", tmp_path / "home" / "mine")
    assert settings.state_folder == tmp_path / "home" / "state"


@pytest.mark.parametrize("content, message", [
    (b"output_folder = \"\xff\"\n", "is not UTF-8 text: save it again as UTF-8"),
    (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nests arrays or tables too deeply"),
])
def test_a_settings_file_that_cannot_be_settings_is_one_line(tmp_path, content, message):
    (tmp_path / "mutuality.toml").write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path)


def test_a_vaults_settings_file_that_is_a_pipe_or_a_link_is_not_opened(tmp_path):
    import os

    (tmp_path / "elsewhere.toml").write_text('output_folder = "Elsewhere"\n')
    (tmp_path / "vault").mkdir()
    (tmp_path / "vault" / "mutuality.toml").symlink_to(tmp_path / "elsewhere.toml")
    with pytest.raises(ConfigError, match="it is a link, which mutuality does not follow"):
        load_settings(tmp_path / "vault")
    (tmp_path / "vault" / "mutuality.toml").unlink()
    os.mkfifo(tmp_path / "vault" / "mutuality.toml")  # would block a plain open for ever
    with pytest.raises(ConfigError, match="it is a pipe, not a file"):
        load_settings(tmp_path / "vault")
