"""What each hook, and each thing a plugin contributes, may answer.

A contract takes a plugin's answer and returns it (a list made of any iterable,
frozen where mutuality keeps it), or raises :class:`PluginFault` saying, in
mutuality's own words, what is wrong. Checking here means a plugin's mistake is that
plugin's named failure, not a crash somewhere later that blames the therapist's notes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import click

from .errors import PluginFault
from .model import (
    EACH_MEASURE,
    EACH_RISK_ITEM,
    HIGHER,
    LOWER,
    RAISED_EVERY,
    RAISED_FIRST,
    SEVERITIES,
    Alert,
    AlertSink,
    Feedback,
    FeedbackItem,
    Holding,
    Measure,
    Period,
    Reporter,
    RiskItem,
    Rule,
    Session,
)
from .platforms import safe_name
from .reading.values import is_utf8

T = TypeVar("T")


Contract = Callable[[Any], Any]

# A name the settings file can hold as a bare key (``[rules.NAME]``) and a
# command line can take as one word.
NAME = re.compile(r"[A-Za-z0-9_-]+")


def kind_of(value: Any) -> str:
    """``an int``, ``a str``: what a value is, never what it holds."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def list_of(kind: type[T], check: Callable[[T], str | None] = lambda item: None) -> Contract:
    """A list (or any iterable but text or a mapping) of ``kind``, each passing ``check``."""
    each = each_of(kind, check)
    return lambda answer: list(each(answer))


def each_of(kind: type[T],
            check: Callable[[T], str | None] = lambda item: None) -> Callable[[Any], Iterator[T]]:
    """:func:`list_of`, checked item by item as they are taken (for answers too long
    to hold whole)."""

    def contract(answer: Any) -> Iterator[T]:
        if isinstance(answer, (str, bytes, Mapping)) or not isinstance(answer, Iterable):
            raise PluginFault(f"it returned {kind_of(answer)}, not a list of {kind.__name__}")
        return checked(iter(answer))

    def checked(items: Iterator[Any]) -> Iterator[T]:
        for item in items:
            if not isinstance(item, kind):
                raise PluginFault(
                    f"it returned a list holding {kind_of(item)}, not only {kind.__name__}")
            wrong = check(item)
            if wrong:
                raise PluginFault(f"its {kind.__name__} {wrong}")
            yield item

    return contract


def one_of(kind: type[T], check: Callable[[T], T | str]) -> Contract:
    """One ``kind`` passing ``check``, which returns it (or a copy made safe to keep),
    or says what is wrong."""

    def contract(answer: Any) -> T:
        if not isinstance(answer, kind):
            raise PluginFault(f"it returned {kind_of(answer)}, not {kind.__name__} or None")
        checked = check(answer)
        if isinstance(checked, str):
            raise PluginFault(f"its {kind.__name__} {checked}")
        return checked

    return contract


def is_day(value: Any) -> bool:
    """A date, not a datetime (which compares with neither)."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _named(item: Any) -> str | None:
    if not isinstance(item.name, str) or NAME.fullmatch(item.name) is None:
        return (f"has the name {item.name!r}: a name should be letters, digits, - and _, "
                f"like {'my-' + type(item).__name__.lower()!r}")
    return None


def _feedback(feedback: Feedback) -> Feedback | str:
    items = feedback.items
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        return "should hold a tuple of FeedbackItem"
    items = items if type(items) is tuple else tuple(items)  # a generator is read once
    for item in items:
        if not isinstance(item, FeedbackItem):
            return f"holds {kind_of(item)} among its items, not only FeedbackItem"
        if not (is_utf8(item.theme) and is_utf8(item.signal)):
            return "has an item whose theme or signal is not text"
        if not all(field is None or is_utf8(field)
                   for field in (item.quote, item.phrase, item.response, item.by)):
            return "has an item whose quote, phrase, response or by is not text (or None)"
    if not isinstance(feedback.invited, bool):
        return "should say invited=True or False"
    total = feedback.srs_total
    if total is not None and not _is_score(total, 0, 40):
        return "should give srs_total as a number from 0 to 40, or None"
    for field in ("scores", "risks"):
        given = getattr(feedback, field)
        if not isinstance(given, Mapping) or not all(
                isinstance(name, str) and _is_score(score) for name, score in given.items()):
            return f"should give {field} as a mapping from names to numbers"
    return Feedback(items, feedback.invited, total, dict(feedback.scores), dict(feedback.risks))


def _is_score(value: Any, lowest: float = -math.inf, highest: float = math.inf) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and not math.isnan(value) and lowest <= value <= highest)


# What mutuality reads itself in every note: never a measure's.
OWN_PROPERTIES = frozenset({"client", "date", "feedback_invited", "feedback", "tags", "status"})
# The items of a measure, at most: questionnaires have tens (the longest in use, a
# few hundred); each is read in every session note.
MOST_ITEMS = 500


def _measure(measure: Measure) -> str | None:
    named = _named(measure)
    if named:
        return named
    if not isinstance(measure.items, tuple) or not isinstance(measure.risk_items, tuple):
        return f"{measure.name!r} should give its items and risk items as tuples"
    names = measure.properties
    if not all(isinstance(name, str) and NAME.fullmatch(name) and name == name.lower()
               for name in names) or len(set(names)) != len(names):
        return (f"{measure.name!r} should name its properties (items, total, risk items) "
                "once each, in lowercase letters, digits, - and _ (a note's property names "
                "are read lowercased)")
    if not OWN_PROPERTIES.isdisjoint(names):
        return (f"{measure.name!r} should not read "
                f"{', '.join(sorted(OWN_PROPERTIES.intersection(names)))}: mutuality reads "
                "those itself")
    if measure.items and measure.item_list:
        return f"{measure.name!r} should give its items one property each or as a list, not both"
    if measure.item_list and not (type(measure.item_count) is int
                                  and 0 < measure.item_count <= MOST_ITEMS):
        return (f"{measure.name!r} should say how many items its list holds (item_count, "
                f"1 to {MOST_ITEMS})")
    if len(measure.items) > MOST_ITEMS or len(measure.risk_items) > MOST_ITEMS:
        return f"{measure.name!r} should have at most {MOST_ITEMS} items"
    if measure.better not in (HIGHER, LOWER):
        return f"{measure.name!r} should be better {HIGHER!r} or {LOWER!r}"
    if not (_is_score(measure.lowest) and _is_score(measure.highest)
            and measure.lowest < measure.highest
            and _is_score(measure.item_lowest) and _is_score(measure.item_highest)
            and measure.item_lowest < measure.item_highest):
        return f"{measure.name!r} should give its ranges as numbers, lowest first"
    if not ((measure.cutoff is None or _is_score(measure.cutoff, 0)) and (
            measure.reliable_change is None or (_is_score(measure.reliable_change, 0)
                                                and measure.reliable_change > 0))):
        return (f"{measure.name!r} should give its cutoff (from 0) and reliable_change "
                "(above 0) as numbers, or None")
    for risk in measure.risk_items:
        if not isinstance(risk, RiskItem) or not (
                NAME.fullmatch(str(risk.name)) and type(risk.highest) is int
                and risk.highest > 0 and (risk.item is None or (
                    type(risk.item) is int and 1 <= risk.item <= measure.number_of_items
                    and measure.item_list is not None and measure.item_lowest == 0
                    and risk.highest == measure.item_highest))):
            return (f"{measure.name!r} has a risk item that should be a RiskItem with a "
                    "name and a highest score from 1; one of the items gives its place in "
                    "the measure's list of items, scored from 0 to the items' highest")
    if not is_utf8(measure.label or measure.name) or not is_utf8(measure.title or ""):
        return f"{measure.name!r} should have its label and title as text"
    return None


def _rule(rule: Rule) -> str | None:
    if rule.check is None and rule.condition is None:
        return f"{rule.name!r} should have a condition or a check"
    if any(function is not None and not callable(function)
           for function in (rule.check, rule.condition, rule.counted)):
        return f"{rule.name!r} has a check, condition or counted that cannot be called"
    if rule.each not in (None, EACH_MEASURE, EACH_RISK_ITEM):
        return f"{rule.name!r} should run for each {EACH_MEASURE!r}, {EACH_RISK_ITEM!r} or None"
    if rule.raised not in (RAISED_FIRST, RAISED_EVERY):
        return f"{rule.name!r} should be raised {RAISED_FIRST!r} or {RAISED_EVERY!r}"
    if not isinstance(rule.settings, Mapping):
        return f"{rule.name!r} has settings that are not a mapping"
    return _named(rule)


def _reporter(reporter: Reporter) -> str | None:
    if not isinstance(reporter.formats, Mapping) or not reporter.formats or not all(
        isinstance(name, str) and callable(render) for name, render in reporter.formats.items()
    ):
        return f"{reporter.name!r} should map each format's name to a function"
    if not callable(reporter.default_period):
        return f"{reporter.name!r} has a default_period that cannot be called"
    return _named(reporter)


def _sink(sink: AlertSink) -> str | None:
    if not callable(sink.send):
        return f"{sink.name!r} has a send that cannot be called"
    return _named(sink)


def _settings_sections(answer: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(answer, Mapping) or not all(
        isinstance(section, str) and NAME.fullmatch(section) and isinstance(defaults, Mapping)
        and all(isinstance(key, str) and NAME.fullmatch(key) for key in defaults)
        for section, defaults in answer.items()
    ):
        raise PluginFault(f"it returned {kind_of(answer)}, not a mapping from section "
                          "names to mappings of settings (names of letters, digits, - and _)")
    return {section: dict(defaults) for section, defaults in answer.items()}


# A theme or signal declared shareable: a word of a fixed list (a theme starts with a
# letter: `1/2` would be a date to a spreadsheet).
SHAREABLE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
SHAREABLE_THEME = re.compile(r"[a-z][a-z0-9-]{0,39}")
MOST_SHAREABLE = 200


def _shareable(answer: Any) -> dict[str, frozenset[str]]:
    if not isinstance(answer, Mapping) or not all(
        isinstance(theme, str) and SHAREABLE_THEME.fullmatch(theme)
        and isinstance(signals, (list, tuple, set, frozenset))
        and len(signals) <= MOST_SHAREABLE
        and all(isinstance(signal, str) and SHAREABLE.fullmatch(signal) for signal in signals)
        for theme, signals in answer.items()
    ):
        raise PluginFault("it should return a mapping from themes to lists of at most "
                          f"{MOST_SHAREABLE} signals, each a word of lowercase letters, "
                          "digits and - (at most 40 characters; a theme starts with a "
                          f"letter); it returned {kind_of(answer)} with something else")
    return {theme: frozenset(signals) for theme, signals in answer.items()}


HOOKS: dict[str, Contract] = {
    "mutuality_extract_feedback": one_of(Feedback, _feedback),
    "mutuality_rules": list_of(Rule, _rule),
    "mutuality_reporters": list_of(Reporter, _reporter),
    "mutuality_measures": list_of(Measure, _measure),
    "mutuality_alert_sinks": list_of(AlertSink, _sink),
    "mutuality_commands": list_of(click.Command, _named),
    "mutuality_plugin_settings": _settings_sections,
    "mutuality_shareable_feedback": _shareable,
}
"""Every hook's contract, by hook name."""


def _what_it_says(said: Alert | Holding) -> str | None:
    """What an alert and a holding both say: severity, detail and evidence."""
    if said.severity not in SEVERITIES:
        return f"should have a severity among {', '.join(SEVERITIES)}"
    if said.detail is not None and not is_utf8(said.detail):
        return "should have a detail that is text or None"
    if not isinstance(said.evidence, tuple) or not all(map(is_utf8, said.evidence)):
        return "should have its evidence as a tuple of note paths"
    return None


def _alert(alert: Alert) -> str | None:
    if not (is_utf8(alert.rule) and is_utf8(alert.client) and is_utf8(alert.note)
            and is_utf8(alert.message)):
        return "should have its rule, client, note and message as text"
    if not is_day(alert.date):
        return "should have the session's date (a date, not a datetime)"
    return _what_it_says(alert)


EACH_ALERT = each_of(Alert, _alert)
"""What a rule's check yields."""


def _holding(holding: Holding) -> str | None:
    if not isinstance(holding.session, Session) or not isinstance(
            holding.through, (Session, type(None))):
        return "should be at one of the sessions it was given"
    if not is_utf8(holding.message):
        return "should have its message as text"
    if not isinstance(holding.raises, bool):
        return "should say raises=True or False"
    if type(holding.more) is not int or holding.more < 0:
        return "should say how many more as a whole number, 0 or more"
    return _what_it_says(holding)


EACH_HOLDING = each_of(Holding, _holding)
"""What a rule's condition yields."""


def period(answer: Any) -> Period:
    """What a reporter's ``default_period`` gives."""
    if not isinstance(answer, Period) or not all(
        day is None or is_day(day) for day in (answer.start, answer.end)
    ):
        raise PluginFault("it should give a Period of two dates (or None for an open end)")
    return answer


def text(answer: Any) -> str:
    """What a reporter's format gives."""
    if not is_utf8(answer):
        raise PluginFault("it should return text")
    return str(answer)


def note_name(answer: Any) -> str:
    """What a reporter's ``note_name`` gives: a plain file name for the output folder."""
    if (not is_utf8(answer) or not answer.endswith(".md")
            or safe_name(answer[:-3]) != answer[:-3]):
        raise PluginFault("its note name should be a plain file name ending in .md, one "
                          "every system holds (none of \\ / : * ? \" < > | # ^ [ ], no "
                          "device name like CON, no dot first or last, at most 200 bytes)")
    return str(answer)
