"""pending-feedback: a request held for later ("can you hold it?") never revisited."""

from .sequence import leading_up_to
from ..hookspecs import hookimpl
from ..model import Alert, Rule

NAME = "pending-feedback"


def check(client, sessions, settings, since):
    after = settings["sessions"]
    # An alert is raised M sessions after the held request.
    sessions = leading_up_to(sessions, since, after)
    for index, held_in in enumerate(sessions):
        held = [item for item in held_in.items if item.response == "pending"]
        later = sessions[index + 1 : index + 1 + after] if held else ()
        if len(later) < after:
            continue
        for item in held:
            if any(other.theme == item.theme for s in later for other in s.items):
                continue
            at = later[-1]
            yield Alert(
                NAME, client, at.date, at.path, "info", item.label,
                f"{item.label}, held for later on {held_in.date}, has not come up "
                f"again in the {after} sessions since",
                (held_in.path, *(s.path for s in later)),
            )


@hookimpl
def mutuality_rules():
    return [Rule(NAME, check, {"sessions": 2}, "a held request not revisited")]
