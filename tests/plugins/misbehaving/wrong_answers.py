"""Every hook answered with something its contract does not allow."""

from mutuality_plugins import hookimpl


@hookimpl
def mutuality_rules():
    return 7


@hookimpl
def mutuality_alert_sinks():
    return [None]


@hookimpl
def mutuality_plugin_settings():
    return ["not", "a", "mapping"]


@hookimpl
def mutuality_extract_feedback(note):
    return "pacing/too-fast"
