"""A new-style hook wrapper: it would wrap the other plugins' rules."""

from mutuality_plugins import hookimpl


@hookimpl(wrapper=True)
def mutuality_rules():
    rules = yield
    return rules
