"""A rule: top session ratings many sessions in a row.

A perfect Session Rating Scale, week after week, can mean the client does not dare
to criticise yet. Raised once per run, when the run reaches `sessions` sessions with
a total of at least `at_least` (in mutuality.toml: [rules.ceiling-ratings]).
"""

from mutuality_plugins import Alert, Rule, hookimpl

NAME = "ceiling-ratings"


def check(client, sessions, settings, since):
    needed, ceiling = settings["sessions"], settings["at_least"]
    run = []
    for session in sessions:
        if session.srs_total is None:
            continue  # no rating this session: the run goes on
        if session.srs_total < ceiling:
            run = []
            continue
        run.append(session)
        if len(run) == needed:
            yield Alert(
                NAME, client, session.date, session.path, "info", None,
                f"top session ratings {needed} sessions in a row: the client may not "
                "feel free to criticise yet; ask what could be better",
                tuple(s.path for s in run),
            )


@hookimpl
def mutuality_rules():
    return [Rule(NAME, check, {"sessions": 4, "at_least": 39.0},
                 "top session ratings many sessions in a row")]
