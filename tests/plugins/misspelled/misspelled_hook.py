"""A plugin whose hook name has a typo: loading it must fail loudly."""

from mutuality_plugins import hookimpl


@hookimpl
def mutuality_extract_feedbak(note):
    return None
