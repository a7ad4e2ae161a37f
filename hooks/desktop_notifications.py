"""An alert sink: a desktop notification for each new alert.

    mutuality --hooks-dir hooks alerts VAULT --notify

Uses the system's own means, nothing to install: a toast through Windows PowerShell
(Windows 10 and later), osascript (macOS), notify-send (Linux desktops). Where there is
none, it says so once (not at each alert) and does nothing. A notification can show on a
locked screen or reach a phone: it names the client, the rule and the date, never the
client's words (not a quote, not a phrase the client objected to).
"""

import html
import os
import shutil
import subprocess
import sys

from mutuality_plugins import AlertSink, hookimpl
from mutuality_plugins.platforms import MACOS, NO_WINDOW, WINDOWS, this_system

MOST = 5  # more than this at once become one summary notification

# Windows: a toast shown as Windows PowerShell's own (an app id Windows knows, so no
# shortcut to register). The words come in through the environment, never into the
# script's text, so nothing in them is run.
TOAST = "\n".join([
    "$ErrorActionPreference = 'Stop'",
    # A type literal is one line to PowerShell: a line break in it is an error.
    "$null = [Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, "
    "ContentType = WindowsRuntime]",
    "$kind = [Windows.UI.Notifications.ToastTemplateType]::ToastText02",
    "$toast = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent($kind)",
    "$lines = $toast.GetElementsByTagName('text')",
    "$lines.Item(0).AppendChild($toast.CreateTextNode($env:MUTUALITY_TITLE)) > $null",
    "$lines.Item(1).AppendChild($toast.CreateTextNode($env:MUTUALITY_TEXT)) > $null",
    "$app = '{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\\WindowsPowerShell\\v1.0\\powershell.exe'",
    "$shown = [Windows.UI.Notifications.ToastNotification]::new($toast)",
    "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier($app).Show($shown)",
])

_said = set()  # what was told once: no way to show them here, or the way failing


def command_for(title, text):
    """The command that shows one notification here, and the environment it needs;
    None where the system has no way to."""
    system = this_system()
    if system == WINDOWS:
        shell = shutil.which("powershell") or shutil.which("powershell.exe")
        if shell is None:
            return None
        return ([shell, "-NoProfile", "-NonInteractive", "-WindowStyle", "Hidden",
                 "-Command", TOAST],
                {**os.environ, "MUTUALITY_TITLE": title, "MUTUALITY_TEXT": text})
    if system == MACOS:
        if shutil.which("osascript") is None:
            return None
        script = f"display notification {_quoted(text)} with title {_quoted(title)}"
        return ["osascript", "-e", script], None
    if shutil.which("notify-send") is None:
        return None
    # The body is markup to notify-send: a client id holding <img src=...> must not
    # make the desktop fetch it, nor <a href> a link.
    return ["notify-send", "--app-name=mutuality", title, html.escape(text, quote=False)], None


def notify(title, text):
    found = command_for(title, text)
    if found is None:
        _say_once("this computer has no way to show a notification (notify-send, osascript "
                  "or Windows PowerShell), so alerts are not shown on the desktop")
        return
    command, environment = found
    done = subprocess.run(command, check=False, timeout=10, capture_output=True,
                          env=environment, creationflags=NO_WINDOW)
    if done.returncode != 0:
        program = command[0].replace("\\", "/").rsplit("/", 1)[-1]
        _say_once(f"{program} could not show a notification (exit status "
                  f"{done.returncode}), so alerts are not shown on the desktop")


def _say_once(line):
    if line not in _said:
        _said.add(line)
        print(f"desktop-notifications: {line}", file=sys.stderr)


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
