"""uninvited-streak: N sessions in a row where feedback was not invited."""

from ..alerts import leading_up_to, runs_reaching
from ..hookspecs import hookimpl
from ..model import Alert, Rule

NAME = "uninvited-streak"


def uninvited(session):
    return not session.invited


def check(client, sessions, settings, since):
    needed = settings["sessions"]
    # A run reaching N at or after ``since`` starts at most N sessions before it.
    for run in runs_reaching(leading_up_to(sessions, since, needed), uninvited, needed):
        at = run[-1]
        yield Alert(
            NAME, client, at.date, at.path, "warning", None,
            f"{needed} sessions in a row without inviting feedback, since {run[0].date}",
            tuple(session.path for session in run),
        )


@hookimpl
def mutuality_rules():
    return [Rule(NAME, check, {"sessions": 3}, "sessions in a row without inviting feedback")]
