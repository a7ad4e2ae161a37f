"""The errors mutuality reports to a person.

Each carries a plain one-line message for a therapist. They are raised deep in the
code and turned into one printed line only by the command line (``cli.py``); with
``--debug`` the traceback is shown instead.
"""


class MutualityError(Exception):
    """Something a user should read as one line, without a traceback.

    :cvar exit_status: the command's exit status (2: the command line, the vault or
        the settings are wrong).
    """

    exit_status = 2


class OutputUnwritten(MutualityError):
    """The command's output could not be written (its reader stopped reading, a full
    disk): the work was done, its result was lost."""

    exit_status = 1

    def __init__(self, error: OSError):
        if isinstance(error, BrokenPipeError):
            reason = "the output was closed before all of it was written"
        else:
            reason = (f"the output could not be written "
                      f"({(error.strerror or type(error).__name__).lower()})")
        super().__init__(reason)


class VaultError(MutualityError):
    """The vault as a whole cannot be used (not a folder, cannot be listed)."""

    def __init__(self, path: object, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class NoteProblem(MutualityError):
    """One note cannot be used; the rest of the vault goes on without it.

    Raise it from an extractor with a reason a therapist understands, naming the
    property and what it should look like, never quoting the note's text.
    """


class PluginFault(Exception):
    """A fault mutuality found in a plugin (a wrong answer, too slow): the message is
    mutuality's own, never the plugin's, so it may be shown."""


def describe(error: BaseException) -> str:
    """An unexpected error as a message may show it: its kind (and for a file error
    its reason and path), never its text, which could quote a note. ``--debug``
    shows everything."""
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return f"{type(error).__name__}: {error.strerror.lower()}{where}"
    return type(error).__name__
