"""``mutuality init``: a commented settings file and a session template for a vault."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .config import CONFIG_NAME, MEASURE_SETTINGS, Settings
from .errors import MutualityError
from .files import Folder, NotAFile, os_reason, posixpath_split
from .model import Measure, Rule

TEMPLATE_PATH = "Templates/Session (mutuality).md"

SESSION_TEMPLATE = """\
---
client: 
date: {{date}}
feedback_invited: 
tags: [session]
feedback:
srs_relationship: 
srs_goals: 
srs_approach: 
srs_overall: 
# Outcome measures, when the client filled one in: remove the # of those you use.
# ORS: four items from 0 to 10 (or only ors_total, 0 to 40).
# ors_individual: 
# ors_interpersonal: 
# ors_social: 
# ors_overall: 
# PHQ-9: the nine items from 0 to 3, in brackets like [2, 1, 3, 0, 1, 2, 1, 0, 0]
# (or only phq9_total); item 9 on its own: phq9_item9.
# phq9_items: 
# GAD-7: the seven items from 0 to 3, in brackets (or only gad7_total).
# gad7_items: 
# CORE-10: the total (0 to 40) and the risk item (0 to 4).
# core10_total: 
# core10_risk: 
---
# Session {{date}}

## What we worked on


## Feedback
Did I ask? Pace (too fast, too slow, not ready), words that did not sit right,
whether this is what they wanted to talk about. Record what the client said under
`feedback:` above, for example `- pacing/too-fast: "slow down"`, or as a tag in the
text, like `#feedback/pacing/too-fast`. Set `feedback_invited: yes` when you asked.

## Plan

"""


def default_config(rules: Iterable[Rule], measures: Iterable[Measure] = ()) -> str:
    """The settings file with every default written out as a comment."""
    defaults = Settings()
    lines = [
        "# mutuality settings. A line starting with # is a comment: remove the # to",
        "# change a setting.",
        "",
        "# The folder inside the vault where mutuality writes its notes (the weekly",
        "# digests, Alerts.md). mutuality never reads session notes from it.",
        f'# output_folder = "{defaults.output_folder}"',
        "",
        "# The first part of feedback tags, as in #feedback/pacing/too-fast.",
        f'# feedback_tag = "{defaults.feedback_tag}"',
        "",
        "# Days without a session after which a client is not seen any more: their open",
        "# gaps leave `mutuality gaps` and Alerts.md (a client note with `status: closed`",
        "# does the same at once).",
        f"# inactive_after_days = {defaults.inactive_after_days}",
        "",
        "# Alert rules: turn one off with `enabled = false`; counts are whole numbers of",
        "# sessions, ratings are Session Rating Scale totals (0 to 40).",
    ]
    for rule in rules:
        about = " ".join(rule.description.split())  # one comment line, whatever it holds
        lines += ["", f"[rules.{rule.name}]  # {about}", "# enabled = true"]
        lines += [f"# {key} = {_toml(value)}" for key, value in rule.settings.items()]
    lines += ["", "# Outcome measures: the clinical cutoff and the reliable change of each",
              "# (the published values). The session rating's cutoff is alliance-low's."]
    for measure in (measure for measure in measures if measure.reliable_change is not None):
        lines += ["", f"[measures.{measure.name}]  # {' '.join(measure.called.split())}"]
        lines += [f"# {key} = {_toml(value)}" for key in MEASURE_SETTINGS
                  if (value := getattr(measure, key)) is not None]
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return f"{value:g}" if isinstance(value, float) and value.is_integer() else str(value)


def set_up_vault(vault: Path, rules: Iterable[Rule],
                 measures: Iterable[Measure] = ()) -> list[tuple[str, bool]]:
    """Write the settings file and the session template, never over an existing file.

    :return: (vault-relative path, written) for each file.
    """
    done = []
    for relative, text in ((CONFIG_NAME, default_config(rules, measures)),
                           (TEMPLATE_PATH, SESSION_TEMPLATE)):
        folder, name = posixpath_split(relative)
        try:
            with _real_folder(vault, folder) as opened:
                # Created here or not at all: never over a file, never through a link.
                descriptor = opened.create(name, mode=0o644)
                with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                    file.write(text)
        except FileExistsError:
            done.append((relative, False))
        except OSError as error:
            raise MutualityError(f"{vault / relative}: cannot be written "
                                 f"({os_reason(error)})") from None
        else:
            done.append((relative, True))
    return done


def _real_folder(vault: Path, relative: str) -> Folder:
    """The folder ``relative`` of the vault, made if missing, reached without following
    a link (one could lead outside the vault)."""
    try:
        return Folder(vault, relative, make=True)
    except NotAFile as error:
        where = Path(error.filename)
        raise MutualityError(
            f"{where}: is a link; mutuality writes only into real folders of the vault"
            if where.is_symlink() else f"{where}: is a file, not a folder") from None
