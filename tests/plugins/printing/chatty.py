"""A plugin that prints from every hook, as a careless plugin author's would."""

import sys

import click

from mutuality_plugins import AlertSink, Period, Reporter, Rule, hookimpl


def check(client, sessions, settings, since):
    print(f"checking {client}")
    return []


def send(alerts, settings):
    print(f"sending {len(alerts)} alerts")
    sys.stdout.write("written straight to sys.stdout\n")


def render(practice, period):
    click.echo("rendering, said with click.echo")
    return "the chatty report\n"


@hookimpl
def mutuality_extract_feedback(note):
    print(f"reading {note.path}")


@hookimpl
def mutuality_rules():
    print("here are my rules")
    return [Rule("chatty", check)]


@hookimpl
def mutuality_alert_sinks():
    return [AlertSink("chatty", send)]


@hookimpl
def mutuality_reporters():
    return [Reporter("chatty", {"text": render}, lambda today: Period())]


@hookimpl
def mutuality_plugin_settings():
    print("declaring settings")
    return {}
