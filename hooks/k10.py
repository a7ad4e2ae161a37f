"""A measure: the Kessler Psychological Distress Scale (K10).

Ten items, each scored 1 to 5, a total from 10 to 50; lower is better. Its published
figures (Andrews & Slade, 2001; the Australian Bureau of Statistics' bands): a total
of 20 or more suggests a mental disorder (the clinical range here), and a change of
7 points is the reliable change reported across studies. Record it in a session note
as all ten items, or the total alone (never some items: mutuality says so):

    k10_items: [2, 3, 2, 2, 3, 1, 2, 2, 3, 2]
    k10_total: 22

mutuality then reads and checks it, charts it in the digest, gives each client's
course a class, and raises outcome-deteriorated and not-on-track for it. Change the
cutoff or the reliable change in mutuality.toml, under [measures.k10]. The wording of
the questions is not here: the tool reads only the scores the therapist recorded.
"""

from mutuality_plugins import LOWER, Measure, hookimpl

K10 = Measure(
    "k10", "K10", "k10_total", 50, lowest=10,
    item_list="k10_items", item_count=10, item_lowest=1, item_highest=5,
    better=LOWER, cutoff=20.0, reliable_change=7.0,
    title="Kessler Psychological Distress Scale",
)


@hookimpl
def mutuality_measures():
    return [K10]
