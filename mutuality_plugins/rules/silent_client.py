"""silent-client: N sessions in a row where feedback was invited and none came."""

from ..hookspecs import hookimpl
from ..model import Alert, Rule

NAME = "silent-client"


def check(client, sessions, settings, since):
    needed = settings["sessions"]
    run = []
    for session in sessions:
        if not session.invited or session.items:
            run = []
            continue
        run.append(session)
        if len(run) == needed:  # exactly N: once per run
            yield Alert(
                NAME, client, session.date, session.path, "warning", None,
                f"feedback invited {needed} sessions in a row and none recorded, "
                f"since {run[0].date}",
                tuple(s.path for s in run),
            )


@hookimpl
def mutuality_rules():
    return [Rule(NAME, check, {"sessions": 3}, "invited sessions in a row with no feedback")]
