"""Who and when: the ``client`` and ``date`` of a session note."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any
from urllib.parse import unquote

from ..errors import NoteProblem
from .values import as_text, is_absent

_LEADING_DAY = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")
# The forms of a date in a file name, tried in this order (SPEC section 2): year, month
# and day, each as the groups named. No digit may touch eight digits in a row, so a
# twelve-digit unique-note id (202611201030) holds no date.
_DAYS_IN_NAME = tuple(re.compile(form) for form in (
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})",
    r"(?P<year>\d{4})_(?P<month>\d{2})_(?P<day>\d{2})",
    r"(?P<year>\d{4})\.(?P<month>\d{2})\.(?P<day>\d{2})",
    r"(?<!\d)(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})(?!\d)",
    r"(?P<day>\d{2})\.(?P<month>\d{2})\.(?P<year>\d{4})",
))

NO_DATE = "no date: add `date: 2026-11-20` or put the date in the file name"
# A session is one client's, a couple's, a family's or a group's. More clients than
# this, or a longer id, is not a session note as anyone writes one, and every rule and
# report works per client: such a note would multiply the work and the alerts.
MAX_CLIENTS = 20
MAX_CLIENT_CHARACTERS = 100
_LINK_AND_TEXT = (
    "client is not one link: it has other text with the link, or the link is not closed; "
    "write one link, like [[RM-07]], or one link for each client of a joint session"
)
_MARKDOWN_LINK = re.compile(r"\[[^\[\]]*\]\(<?([^()<>]+)>?\)")
_CLIENT_KIND = (
    "client should be a name, a number or a link like \"[[RM-07]]\", "
    "or a list of those for a joint session"
)


def read_clients(value: Any) -> tuple[str, ...]:
    """The distinct clients of a note, in order; empty when ``client`` is absent."""
    if is_absent(value):
        return ()
    entries = value if isinstance(value, list) else [value]
    clients = dict.fromkeys(_read_client(entry) for entry in entries)  # keeps the order
    clients.pop("", None)
    if len(clients) > MAX_CLIENTS:
        raise NoteProblem(f"the note names more than {MAX_CLIENTS} clients; mutuality reads "
                          f"sessions of up to {MAX_CLIENTS} (for a larger group, name the "
                          "group as the client)")
    if any(len(client) > MAX_CLIENT_CHARACTERS for client in clients):
        raise NoteProblem(f"a client is named with more than {MAX_CLIENT_CHARACTERS} "
                          "characters; use a short id, like RM-07")
    return tuple(clients)


def _read_client(entry: Any) -> str:
    entry, is_link = _unwrapped(entry)
    if is_absent(entry):
        return ""
    if isinstance(entry, str):
        if is_link:
            return nfc(_link_target(entry))
        text = entry.strip()
        markdown_link = _MARKDOWN_LINK.fullmatch(text)
        if markdown_link:  # [R.](Clients/RM-07.md), with wikilinks turned off
            return nfc(_link_target(unquote(markdown_link.group(1))))
        if "[[" in text or "]]" in text:
            raise NoteProblem(_LINK_AND_TEXT)
        return nfc(text)
    if isinstance(entry, (int, float, dt.date)) and not isinstance(entry, bool):
        return as_text(entry).strip()  # as written: 0042, 12:30, 2026-11-20
    raise NoteProblem(_CLIENT_KIND)


def nfc(client: str) -> str:
    """One spelling of each letter: ``é`` typed as one character or as ``e`` and an
    accent (as macOS names files) is one client."""
    return client if client.isascii() else unicodedata.normalize("NFC", client)


def _unwrapped(entry: Any) -> tuple[Any, bool]:
    """The entry, out of the link around it if any, and whether there was one.

    An unquoted ``[[RM-07]]`` is YAML for a list holding a one-string list (``-
    [[RM-07]]`` in a block list: one more list around it)."""
    is_link = False
    while isinstance(entry, list) and len(entry) == 1:
        entry, is_link = entry[0], True
    if isinstance(entry, str):
        text = entry.strip()
        if (text.startswith("[[") and text.endswith("]]")
                and "[[" not in text[2:-2] and "]]" not in text[2:-2]):
            return text[2:-2], True
    return entry, is_link


def _link_target(link: str) -> str:
    """``Clients/RM-07.md#Intake|R.`` -> ``RM-07``."""
    target = link.partition("|")[0].partition("#")[0].partition("^")[0]
    target = target.rpartition("/")[2].strip()
    if target.lower().endswith(".md"):
        target = target[:-3].strip()
    return target


def read_date(value: Any, file_name: str) -> dt.date:
    """The session date: the ``date`` property (a date, text starting with one, or a
    link to a daily note), else the first date in the file name."""
    if is_absent(value):
        return _date_in_name(file_name)
    if isinstance(value, list) and len(value) > 1:  # two `date::` lines, say
        raise NoteProblem("date is given more than once: keep one, like `date: 2026-11-20`")
    if _is_unquoted_link(value):  # [[2026-11-20]]: a list holding a one-value list
        value = value[0][0]
        value = _link_target(value) if isinstance(value, str) else value
    elif isinstance(value, str) and value.strip().startswith("[["):
        value, is_link = _unwrapped(value)
        value = _link_target(value) if is_link else value
        if not value:  # an empty link, "[[]]": as if no date were written
            return _date_in_name(file_name)
    if isinstance(value, dt.datetime):  # before date: a datetime is a date too
        return value.date()
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, str):
        found = _LEADING_DAY.match(value.strip())
        if found is not None:
            return _day(found, "the date is not a real day")
    raise NoteProblem("date is not a date: write it as `date: 2026-11-20`")


def _is_unquoted_link(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 1 and isinstance(value[0], list)
            and len(value[0]) == 1)


def _date_in_name(file_name: str) -> dt.date:
    for form in _DAYS_IN_NAME:
        found = form.search(file_name)
        if found is not None:
            return _day(found, "the date in the file name is not a real day")
    raise NoteProblem(NO_DATE)


def _day(found: re.Match[str], reason: str) -> dt.date:
    year, month, day = (int(found.group(name)) for name in ("year", "month", "day"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise NoteProblem(f"{reason}: check the month and the day (YYYY-MM-DD)") from None
