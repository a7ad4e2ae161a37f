"""``mutuality service``: run ``mutuality watch`` in the background as a user service,
a systemd user unit on Linux, a launchd agent on macOS."""

from __future__ import annotations

import hashlib
import plistlib
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import MutualityError


@dataclass(frozen=True)
class UserService:
    system: str
    name: str
    path: Path
    text: str


def this_system() -> str:
    return "macos" if sys.platform == "darwin" else "linux"


def _command(vault: Path, hooks_dirs: Sequence[Path]) -> list[str]:
    # The Python that runs now, so the service finds the same mutuality and plugins.
    options = [part for folder in hooks_dirs for part in ("--hooks-dir", str(folder.resolve()))]
    return [sys.executable, "-m", "mutuality_plugins", *options, "watch", str(vault)]


def user_service(vault: Path, system: str, hooks_dirs: Sequence[Path] = ()) -> UserService:
    """The service that watches ``vault``, named after it (several vaults can be watched)."""
    suffix = hashlib.sha256(str(vault).encode("utf-8", "surrogateescape")).hexdigest()[:8]
    command = _command(vault, hooks_dirs)
    if system == "macos":
        label = f"org.mutuality.watch.{suffix}"
        agent = {
            "Label": label,
            "ProgramArguments": command,
            "RunAtLoad": True,
            "KeepAlive": True,
            "ProcessType": "Background",
        }
        text = plistlib.dumps(agent, sort_keys=False).decode("utf-8")
        return UserService(system, label, Path.home() / "Library/LaunchAgents" / f"{label}.plist",
                           text)
    name = f"mutuality-watch-{suffix}.service"
    quoted = " ".join(_systemd_quoted(part) for part in command)
    text = f"""[Unit]
Description=mutuality: watch the session notes in {vault}

[Service]
ExecStart={quoted}
Restart=on-failure
RestartSec=10

[Install]
WantedBy=default.target
"""
    return UserService(system, name, Path.home() / ".config/systemd/user" / name, text)


def _systemd_quoted(part: str) -> str:
    """An ExecStart argument: double quotes, with backslash, quote and % escaped."""
    escaped = part.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{escaped}"'


def install_service(service: UserService) -> Iterator[str]:
    """Write the service file (over an older one of the same vault) and start it."""
    service.path.parent.mkdir(parents=True, exist_ok=True)
    service.path.write_text(service.text, encoding="utf-8")
    yield f"wrote {service.path}"
    if service.system == "macos":
        steps = [["launchctl", "unload", str(service.path)],
                 ["launchctl", "load", "-w", str(service.path)]]
    else:
        steps = [["systemctl", "--user", "daemon-reload"],
                 ["systemctl", "--user", "enable", "--now", service.name]]
    if shutil.which(steps[0][0]) is None:
        yield f"{steps[0][0]} was not found: start it yourself with `{' '.join(steps[-1])}`"
        return
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0 and step is steps[-1]:
            raise MutualityError(f"`{' '.join(step)}` failed: {done.stderr.strip()}")
    yield f"started: {' '.join(steps[-1])}"
