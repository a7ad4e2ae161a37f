"""silent-client: N sessions in a row where feedback was invited and none came."""

from ..alerts import leading_up_to, runs_reaching
from ..hookspecs import hookimpl
from ..model import Alert, Rule

NAME = "silent-client"


def silent(session):
    return session.invited and not session.items


def check(client, sessions, settings, since):
    needed = settings["sessions"]
    # A run reaching N at or after ``since`` starts at most N sessions before it.
    for run in runs_reaching(leading_up_to(sessions, since, needed), silent, needed):
        at = run[-1]
        yield Alert(
            NAME, client, at.date, at.path, "warning", None,
            f"feedback invited {needed} sessions in a row and none recorded, since {run[0].date}",
            tuple(session.path for session in run),
        )


@hookimpl
def mutuality_rules():
    return [Rule(NAME, check, {"sessions": 3}, "invited sessions in a row with no feedback")]
