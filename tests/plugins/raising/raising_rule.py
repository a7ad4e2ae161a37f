"""A rule and a reporter that fail: mutuality must report them and carry on."""

from mutuality_plugins import Period, Reporter, Rule, hookimpl


def check(client, sessions, settings, since):
    raise ZeroDivisionError("the rule divided by zero")


def render(practice, period):
    raise RuntimeError("the report broke")


@hookimpl
def mutuality_rules():
    return [Rule("always-fails", check)]


@hookimpl
def mutuality_reporters():
    return [Reporter("broken-report", {"text": render}, lambda today: Period())]
