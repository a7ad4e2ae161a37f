"""A rule: top session ratings many sessions in a row.

A perfect Session Rating Scale, week after week, can mean the client does not dare
to criticise yet. Raised once per run, when the run reaches `sessions` rated sessions
with a total of at least `at_least` (in mutuality.toml: [rules.ceiling-ratings]), and
open as a gap (`mutuality gaps`) until a rating below it. Sessions without a rating
are not counted: the run goes on across them.
"""

from mutuality_plugins import Holding, Rule, hookimpl

NAME = "ceiling-ratings"


def rated(session):
    return session.srs_total is not None


def condition(client, sessions, settings, first):
    needed, ceiling = settings["sessions"], settings["at_least"]
    run = 0  # top ratings in a row, up to this session
    for index, session in enumerate(sessions):
        run = run + 1 if session.srs_total >= ceiling else 0
        if run >= needed and index >= first:
            yield Holding(
                session, None, "info",
                f"top session ratings {run} sessions in a row: the client may not "
                "feel free to criticise yet; ask what could be better",
                tuple(s.path for s in sessions[index + 1 - run:index + 1]),
            )


@hookimpl
def mutuality_rules():
    return [Rule(NAME, settings={"sessions": 4, "at_least": 39.0},
                 description="top session ratings many sessions in a row",
                 condition=condition, counted=rated)]
