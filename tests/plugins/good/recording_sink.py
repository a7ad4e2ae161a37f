"""An alert sink that appends each new alert to a file named in its own settings."""

import json

from mutuality_plugins import AlertSink, hookimpl


def send(alerts, settings):
    with open(settings.plugins["recording_sink"]["path"], "a", encoding="utf-8") as file:
        for alert in alerts:
            file.write(json.dumps(alert.as_json()) + "\n")


@hookimpl
def mutuality_alert_sinks():
    return [AlertSink("recording", send)]


@hookimpl
def mutuality_plugin_settings():
    return {"recording_sink": {"path": "sent-alerts.jsonl", "verbose": False}}
