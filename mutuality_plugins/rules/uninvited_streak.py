"""uninvited-streak: N sessions in a row where feedback was not invited."""

from ..hookspecs import hookimpl
from ..model import Alert, Rule

NAME = "uninvited-streak"


def check(client, sessions, settings, since):
    needed = settings["sessions"]
    run = []
    for session in sessions:
        if session.invited:
            run = []
            continue
        run.append(session)
        if len(run) == needed:  # exactly N: once per run
            yield Alert(
                NAME, client, session.date, session.path, "warning", None,
                f"{needed} sessions in a row without inviting feedback, since {run[0].date}",
                tuple(s.path for s in run),
            )


@hookimpl
def mutuality_rules():
    return [Rule(NAME, check, {"sessions": 3}, "sessions in a row without inviting feedback")]
