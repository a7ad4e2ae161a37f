"""A de-identified export for supervision (SPEC section 11): the practice's sessions with
nothing that names or dates a client, for a supervisor or a peer-consultation group.

Each client is a keyed pseudonym (HMAC-SHA256 of the id), each session its number and
week of treatment; feedback is its theme and signal only where both are of a fixed list
(the essay's, or one a plugin declares through ``mutuality_shareable_feedback``), a
placeholder otherwise: a quote, a phrase, a note's name or a date never leaves. The
pseudonyms are personal data still (GDPR calls a keyed pseudonym so): the export is to
be kept as confidentially as the notes.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import os
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .errors import MutualityError
from .files import open_private, os_reason, read_regular
from .measures.reading import score_text
from .model import (
    RESPONSES,
    FeedbackItem,
    Measure,
    Session,
    monday_of,
    raised_by,
)
from .practice import Practice
from .reporters.digest import totals, unprompted
from .reporters.markdown import table
from .reporters.outcomes import classes_of, courses_until, practice_lines
from .reporters.plain import as_json

KEY_BYTES = 32
STRONG_KEY_BYTES = 16
MOST_KEY_FILE_BYTES = 64 * 1024
WORDS = "words"
# What stands for what does not leave the machine.
HIDDEN_PHRASE = "(phrase)"
HIDDEN_SIGNAL = "(signal)"
HIDDEN_THEME = "(theme)"
OTHER_RESPONSE = "(other)"
HIDDEN_RULE = "(rule)"
NO_RESPONSE = "(none)"  # in the summary's table only

Vocabulary = Mapping[str, frozenset[str]]
"""Theme -> the signals of it that are a fixed list, safe to share."""


def pseudonym(key: bytes, client: str) -> str:
    """``C-`` and 8 characters of the base32 of HMAC-SHA256(key, the id)."""
    digest = hmac.new(key, client.encode("utf-8"), hashlib.sha256).digest()
    return "C-" + base64.b32encode(digest).decode("ascii").lower()[:8]


def treatment_week(first: date, day: date) -> int:
    """The week of treatment ``day`` falls in, for a client first seen on ``first``:
    1 for the (ISO) week of the first session, and on from there."""
    return (monday_of(day) - monday_of(first)).days // 7 + 1


def key_from_file(path: Path, say: Callable[[str], None]) -> bytes:
    """The bytes of the therapist's own key file, as they are (through a link too: the
    file is theirs, not the vault's); a short one is said to be easy to guess."""
    try:
        key = read_regular(os.path.realpath(path), MOST_KEY_FILE_BYTES)
    except OSError as error:
        raise MutualityError(f"{path}: the key file cannot be read ({os_reason(error)})"
                             ) from None
    if not key or len(key) > MOST_KEY_FILE_BYTES:
        raise MutualityError(f"{path}: a key file holds 1 to {MOST_KEY_FILE_BYTES} bytes "
                             f"(it holds {'none' if not key else 'more'})")
    if len(key) < STRONG_KEY_BYTES:
        say(f"warning: {path} holds {len(key)} bytes: a short key makes the pseudonyms easy "
            f"to undo (client ids are easy to guess); {KEY_BYTES} random bytes are safe, "
            "like the key mutuality makes in its state folder at a first export: copy that")
    return key


def vault_key(path: Path, say: Callable[[str], None]) -> bytes:
    """The vault's key kept at ``path`` in the state folder: made at the first export
    (32 random bytes, readable by the user only), whole or not at all: it is written
    under another name, then linked to its own, so an export running at the same time
    never reads half of it."""
    if not os.path.lexists(path):
        temporary = path.with_name(f".{path.name}-{secrets.token_hex(8)}")
        try:
            descriptor = open_private(temporary, os.O_WRONLY | os.O_EXCL)
            try:
                os.write(descriptor, secrets.token_bytes(KEY_BYTES))
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            os.link(temporary, path)
        except FileExistsError:
            pass  # another export made it meanwhile: that one is the key
        except OSError as error:
            raise MutualityError(f"{path}: the export key cannot be made "
                                 f"({os_reason(error)})") from None
        else:
            say(f"made a key for this vault's pseudonyms: {path}. Every export of this "
                "vault from this folder gives the same pseudonyms; an export made with "
                "another key (the vault moved, another computer) gives others: copy the "
                "key and use --key-file to keep them")
        finally:
            temporary.unlink(missing_ok=True)
    try:
        key = read_regular(path, KEY_BYTES)
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)  # someone made it readable: the user's again only
    except OSError as error:
        raise MutualityError(f"{path}: the export key cannot be read "
                             f"({os_reason(error)})") from None
    if len(key) != KEY_BYTES:
        raise MutualityError(f"{path}: the export key is not {KEY_BYTES} bytes (damaged?); "
                             "the pseudonyms depend on it: put back your copy of it, or "
                             "move it away to make a new one (the pseudonyms then change)")
    return key


@dataclass(frozen=True)
class Row:
    """One session of one client, de-identified."""

    client: str
    session: int
    week: int
    joint: bool
    invited: bool
    items: list[str]
    responses: list[str]
    by: list[str]
    totals: dict[str, float | None]
    rules: list[str]

    def as_json(self) -> dict[str, Any]:
        return {"client": self.client, "session": self.session, "week": self.week,
                "joint": self.joint, "invited": self.invited, "items": self.items,
                "responses": self.responses, "by": self.by,
                **{f"{name}_total": total for name, total in self.totals.items()},
                "rules": self.rules}


def item_code(item: FeedbackItem, vocabulary: Vocabulary) -> str:
    """``theme/signal`` for a signal of a fixed list, else a placeholder for what is
    free text: ``words/(phrase)``, ``pacing/(signal)``, ``(theme)``."""
    if item.theme == WORDS:
        return f"{WORDS}/{HIDDEN_PHRASE}"
    if item.theme not in vocabulary:
        return HIDDEN_THEME
    shown = item.signal if item.signal in vocabulary[item.theme] else HIDDEN_SIGNAL
    return f"{item.theme}/{shown}"


def response_code(response: str | None) -> str:
    if response is None:
        return ""
    return response if response in RESPONSES else OTHER_RESPONSE


def by_code(item: FeedbackItem, session: Session) -> str:
    """Who raised it (as reading settles it: never another word a plugin gave)."""
    return raised_by(item.by, session.invited)


def rule_code(rule: str) -> str:
    """A rule's name (a plugin's may start with ``-``, which a spreadsheet could take
    for a formula: then a placeholder)."""
    return rule if rule[:1].isalnum() else HIDDEN_RULE


def export_rows(practice: Practice, key: bytes, since: date | None,
                vocabulary: Vocabulary) -> list[Row]:
    """A row per (session, client) on or after ``since``, ordered by (pseudonym,
    session); sessions are numbered from the client's first ever."""
    measures = [measure.name for measure in practice.settings.measures]
    raised: dict[tuple[str, str], set[str]] = {}
    for alert in practice.alerts:
        raised.setdefault((alert.client, alert.note), set()).add(rule_code(alert.rule))
    rows = []
    for client, sessions in practice.scan.sessions_by_client().items():
        name, first = pseudonym(key, client), sessions[0].date
        for number, session in enumerate(sessions, start=1):
            if since is not None and session.date < since:
                continue
            # In the order of what is written (the order of the hidden words would tell
            # where they fall in the alphabet).
            items = sorted((item_code(item, vocabulary).split("/", 1),
                             response_code(item.response), by_code(item, session))
                            for item in session.items)
            rows.append(Row(
                name, number, treatment_week(first, session.date),
                len(session.clients) > 1, session.invited,
                ["/".join(code) for code, _, _ in items],
                [response for _, response, _ in items],
                [by for _, _, by in items],
                {measure: session.scores.get(measure) for measure in measures},
                sorted(raised.get((client, session.path), ()))))
    return sorted(rows, key=lambda row: (row.client, row.session))


def render_csv(rows: Sequence[Row], measures: Iterable[Measure]) -> str:
    """RFC 4180: a header row, CRLF line ends, lists joined with ``;``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["client", "session", "week", "joint", "invited", "items", "responses",
                     "by", *(f"{measure.name}_total" for measure in measures), "rules"])
    for row in rows:
        writer.writerow([row.client, row.session, row.week, _truth(row.joint),
                         _truth(row.invited), ";".join(row.items), ";".join(row.responses),
                         ";".join(row.by),
                         *("" if total is None else score_text(total)
                           for total in row.totals.values()),
                         ";".join(row.rules)])
    return out.getvalue()


def render_json(rows: Sequence[Row]) -> str:
    return as_json([row.as_json() for row in rows]) + "\n"


def _truth(value: bool) -> str:
    return "true" if value else "false"


def render_summary(practice: Practice, rows: Sequence[Row], since: date | None,
                   vocabulary: Vocabulary) -> str:
    """The practice's figures for a supervisor, with no row per client and no date."""
    sessions = [session for session in practice.scan.sessions
                if since is None or session.date >= since]
    counted, raised = totals(sessions), unprompted(sessions)
    lines = ["# Feedback in the practice: a summary for supervision", "",
             "Pseudonymous, without a name, a date or a client's words: keep it as "
             "confidentially as the notes.", "",
             f"- Sessions: {counted['sessions']} (with {counted['clients']} client"
             f"{'s' if counted['clients'] != 1 else ''}; a "
             "joint session counts once)",
             f"- Invited to give feedback: {_share(counted['invited'], counted['sessions'])}",
             f"- Feedback items: {raised['items']}, raised unprompted: "
             f"{_share(raised['unprompted'], raised['items'])}"]
    by_theme: dict[str, Counter[str]] = {}
    for session in sessions:
        for item in session.items:
            theme = item_code(item, vocabulary).split("/")[0]
            by_theme.setdefault(theme, Counter())[response_code(item.response) or NO_RESPONSE] += 1
    if by_theme:
        answers = [*RESPONSES, OTHER_RESPONSE, NO_RESPONSE]
        lines += ["", "## Items by theme and response", "",
                  table(["theme", *answers, "all"],
                        [[theme, *(responses[answer] for answer in answers),
                          sum(responses.values())]
                         for theme, responses in sorted(by_theme.items())])]
    clients = {client for session in sessions for client in session.clients}
    every = practice.scan.sessions_by_client()
    courses = courses_until({client: every[client] for client in sorted(clients)},
                            practice.settings.measures, practice.today)
    measured = practice_lines(classes_of(courses), practice.settings.measures)
    if measured:
        lines += ["", "## Measures: the clients' courses", "", *measured]
    opened, closed = gap_events(practice, since)
    weeks = Counter(row.week for row in rows)
    if weeks or opened or closed:
        lines += ["", "## By week of treatment", "",
                  "Week 1 is each client's first week; a gap is something a rule finds "
                  "wrong until a later session puts it right.", "",
                  table(["week of treatment", "sessions (a joint one each client's)",
                         "gaps opened", "gaps closed"],
                        [[week, weeks[week], opened[week], closed[week]]
                         for week in sorted({*weeks, *opened, *closed})])]
    return "\n".join(lines) + "\n"


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({round(100 * part / whole)}%)" if whole else "none"


def gap_events(practice: Practice, since: date | None) -> tuple[Counter[int], Counter[int]]:
    """How many gaps opened, and were put right, in each week of treatment of their
    client (on or after ``since``)."""
    first = {client: sessions[0].date
             for client, sessions in practice.scan.sessions_by_client().items()}
    opened: Counter[int] = Counter()
    closed: Counter[int] = Counter()
    for gap in practice.gap_history():
        if since is None or gap.opened >= since:
            opened[treatment_week(first[gap.client], gap.opened)] += 1
        if gap.closed is not None and (since is None or gap.closed >= since):
            closed[treatment_week(first[gap.client], gap.closed)] += 1
    return opened, closed
