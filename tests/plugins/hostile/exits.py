"""A careless plugin: its rule and its sink end the program, its extractor interrupts."""

import sys

from mutuality_plugins import AlertSink, Rule, hookimpl


class Boom(BaseException):
    """Not an Exception: escapes an `except Exception`."""


def check(client, sessions, settings, since):
    sys.exit(0)


def send(alerts, settings):
    raise Boom("a client's words in an error")


@hookimpl
def mutuality_rules():
    return [Rule("exits", check)]


@hookimpl
def mutuality_alert_sinks():
    return [AlertSink("exits", send)]
