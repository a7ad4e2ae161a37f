"""What mutuality remembers between runs: kept outside the vault, for the owner only.

For now, the alerts already handed to the alert sinks, so that ``--notify`` sends
each alert once. The folder is the per-user state folder of the platform (or
``MUTUALITY_STATE_DIR``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import platformdirs

from .model import Alert

STATE_VARIABLE = "MUTUALITY_STATE_DIR"


def state_folder() -> Path:
    folder = Path(os.environ.get(STATE_VARIABLE) or platformdirs.user_state_dir("mutuality"))
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)  # it names clients and their notes
    return folder


class SentAlerts:
    """The identities of the alerts of one vault already handed to the sinks."""

    def __init__(self, vault: Path):
        key = hashlib.sha256(str(Path(vault).resolve()).encode("utf-8", "surrogateescape"))
        self.path = state_folder() / f"sent-alerts-{key.hexdigest()[:16]}.json"

    def _sent(self) -> set[tuple]:
        try:
            return {tuple(identity) for identity in json.loads(self.path.read_text("utf-8"))}
        except (OSError, ValueError, TypeError):
            return set()  # missing or damaged: send again rather than never

    def new(self, alerts: Iterable[Alert]) -> list[Alert]:
        sent = self._sent()
        return [alert for alert in alerts if alert.identity not in sent]

    def remember(self, alerts: Iterable[Alert]) -> None:
        sent = self._sent() | {alert.identity for alert in alerts}
        descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:  # mkstemp: 0600
                json.dump(sorted(sent, key=lambda i: tuple(x or "" for x in i)), file)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
