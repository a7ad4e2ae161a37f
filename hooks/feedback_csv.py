"""Every feedback item as CSV, for your own spreadsheet: one row per item and client.

    mutuality --hooks-dir hooks report feedback-csv VAULT --all > feedback.csv

Columns: date, client, note, invited, theme, signal, quote, phrase, response, by.
The quotes are the client's own words: keep the file as carefully as the notes, and do
not share it; `mutuality export` is the de-identified export for supervision.
Every cell is quoted, and words that a spreadsheet would take for a formula start with
' (OWASP's advice).
"""

import csv
import io
import re

from mutuality_plugins import Period, Reporter, hookimpl

COLUMNS = ["date", "client", "note", "invited", "theme", "signal", "quote", "phrase",
           "response", "by"]
# Where a spreadsheet may start a cell (here, or after a separator it may split at), a
# formula, spaces before it too (some trim them).
FORMULA = re.compile(r"(?:^|(?<=[;,\t\r\n]))(?= *[=+\-@])")


def render_csv(practice, period):
    out = io.StringIO()
    # Every cell quoted: a spreadsheet whose list separator is ";" (German, French...)
    # splits an unquoted "ok;=HYPERLINK(...)" and runs what follows the ";".
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
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
    formula (=HYPERLINK(...) would send the row to a web address) gets a leading ', and
    so does a formula just after a separator a spreadsheet may split the cell at."""
    text = FORMULA.sub("'", text)
    return "'" + text if text.startswith(("\t", "\r")) else text


@hookimpl
def mutuality_reporters():
    return [Reporter("feedback-csv", {"csv": render_csv}, lambda today: Period(),
                     description="every feedback item as CSV, with the quotes: not for sharing")]
