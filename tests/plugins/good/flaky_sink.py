"""An alert sink that fails while a file named ``down`` is next to its log: a desktop
notifier that is not installed yet, a log on a disk that is not mounted."""

import json
from pathlib import Path

from mutuality_plugins import AlertSink, hookimpl


def send(alerts, settings):
    log = Path(settings.plugins["flaky_sink"]["path"])
    if (log.parent / "down").exists():
        raise OSError("the notifier is not there")
    with open(log, "a", encoding="utf-8") as file:
        for alert in alerts:
            file.write(json.dumps(alert.as_json()) + "\n")


@hookimpl
def mutuality_alert_sinks():
    return [AlertSink("flaky", send)]


@hookimpl
def mutuality_plugin_settings():
    return {"flaky_sink": {"path": "flaky.jsonl"}}
