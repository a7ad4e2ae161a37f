"""An alert sink: a desktop notification for each new alert.

    mutuality --hooks-dir hooks alerts VAULT --notify

Uses notify-send (Linux) or osascript (macOS) when present, and silently does
nothing otherwise. A notification can show on a locked screen or reach a phone: it
names the client, the rule and the date, never the client's words (not a quote, not a
phrase the client objected to).
"""

import html
import shutil
import subprocess

from mutuality_plugins import AlertSink, hookimpl

MOST = 5  # more than this at once become one summary notification


def notify(title, text):
    if shutil.which("notify-send"):
        # The body is markup to notify-send: a client id holding <img src=...> must not
        # make the desktop fetch it, nor <a href> a link.
        command = ["notify-send", "--app-name=mutuality", title, html.escape(text, quote=False)]
    elif shutil.which("osascript"):
        script = f"display notification {_quoted(text)} with title {_quoted(title)}"
        command = ["osascript", "-e", script]
    else:
        return
    subprocess.run(command, check=False, timeout=10, capture_output=True)


def _quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def send(alerts, settings):
    if len(alerts) > MOST:
        clients = sorted({alert.client for alert in alerts})
        notify("mutuality", f"{len(alerts)} new alerts for {', '.join(clients)}")
        return
    for alert in alerts:
        notify(f"mutuality: {alert.client}", f"{alert.rule}, session of {alert.date}")


@hookimpl
def mutuality_alert_sinks():
    return [AlertSink("desktop-notifications", send, "a desktop notification per new alert")]
