"""Every feedback item as CSV, for supervision: one row per item and client.

    mutuality --hooks-dir hooks report feedback-csv VAULT --all > feedback.csv

Columns: date, client, note, invited, theme, signal, quote, phrase, response, by.
The quotes are the client's own words: keep the file as carefully as the notes.
Words that a spreadsheet would take for a formula start with ' (OWASP's advice).
"""

import csv
import io

from mutuality_plugins import Period, Reporter, hookimpl

COLUMNS = ["date", "client", "note", "invited", "theme", "signal", "quote", "phrase",
           "response", "by"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render_csv(practice, period):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for session in sorted(practice.scan.sessions, key=lambda s: s.order):
        if session.date not in period:
            continue
        for client in session.clients:
            for item in session.items:
                writer.writerow([session.date, _cell(client), _cell(session.path),
                                 session.invited, _cell(item.theme), _cell(item.signal),
                                 _cell(item.quote or ""), _cell(item.phrase or ""),
                                 _cell(item.response or ""), item.by])
    return out.getvalue()


def _cell(text):
    """Words from a note as a cell a spreadsheet shows, never runs: one starting like a
    formula (=HYPERLINK(...) would send the row to a web address) gets a leading '."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@hookimpl
def mutuality_reporters():
    return [Reporter("feedback-csv", {"csv": render_csv}, lambda today: Period(),
                     description="every feedback item as CSV, for supervision")]
