"""Every feedback item as CSV, for supervision: one row per item and client.

    mutuality --hooks-dir hooks report feedback-csv VAULT --all > feedback.csv

Columns: date, client, note, invited, theme, signal, quote, phrase, response, by.
The quotes are the client's own words: keep the file as carefully as the notes.
"""

import csv
import io

from mutuality_plugins import Period, Reporter, hookimpl

COLUMNS = ["date", "client", "note", "invited", "theme", "signal", "quote", "phrase",
           "response", "by"]


def render_csv(practice, period):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for session in sorted(practice.scan.sessions, key=lambda s: s.order):
        if session.date not in period:
            continue
        for client in session.clients:
            for item in session.items:
                writer.writerow([session.date, client, session.path, session.invited,
                                 item.theme, item.signal, item.quote or "", item.phrase or "",
                                 item.response or "", item.by])
    return out.getvalue()


@hookimpl
def mutuality_reporters():
    return [Reporter("feedback-csv", {"csv": render_csv}, lambda today: Period(),
                     description="every feedback item as CSV, for supervision")]
