"""recurring-signal: the same feedback coming back within a few sessions."""

from ..hookspecs import hookimpl
from ..model import Alert, Rule

NAME = "recurring-signal"


def check(client, sessions, settings):
    times, window = settings["times"], settings["window"]
    keys = [{item.key: item for item in session.items} for session in sessions]

    def count(key, last):  # sessions holding ``key`` in the window ending at ``last``
        return sum(key in keys[i] for i in range(max(0, last - window + 1), last + 1))

    for index, session in enumerate(sessions):
        for key, item in keys[index].items():
            # Raised when the count reaches K here, not while it stays there.
            if count(key, index) >= times and (index == 0 or count(key, index - 1) < times):
                held = [s.path for i, s in enumerate(sessions[: index + 1]) if key in keys[i]]
                yield Alert(
                    NAME, client, session.date, session.path, "warning", item.label,
                    f"the same feedback came back: {item.label} in {count(key, index)} "
                    f"of the last {min(window, index + 1)} sessions",
                    tuple(held[-count(key, index):]),
                )


@hookimpl
def mutuality_rules():
    return [Rule(NAME, check, {"times": 2, "window": 3}, "the same feedback coming back")]
