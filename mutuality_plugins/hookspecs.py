"""The hooks a mutuality plugin can implement: this file is the reference.

A plugin is a module (or any object) with functions marked ``@hookimpl`` and named
after a spec below::

    from mutuality_plugins import Feedback, FeedbackItem, hookimpl

    @hookimpl
    def mutuality_extract_feedback(note):
        if "too fast" in note.text.lower():
            return Feedback(items=(FeedbackItem("pacing", "too-fast"),))

Every hook returns its contribution; mutuality collects the answers of all plugins.
"""

from __future__ import annotations

import pluggy

from collections.abc import Iterable

from .model import Feedback, Note, Reporter, Rule

PROJECT = "mutuality"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def mutuality_extract_feedback(note: Note, settings) -> Feedback | None:
    """Find feedback in one session note: one source of feedback.

    Called once for every session note (a note whose front-matter names a
    ``client``), with every extractor; the answers are merged. Built-in extractors
    read the ``feedback_invited`` and ``feedback`` properties, feedback tags in the
    front-matter and in the body, and the Session Rating Scale properties; they run
    last, so a plugin's fields for an item come first.

    Merging: items with the same (theme, signal) are one item; the first answer
    that gives a field (quote, phrase, response, by) wins, later answers only fill
    fields still absent. A session is invited when any answer says so. The first
    Session Rating Scale total given is used.

    :param note: the note; ``note.properties`` is its front-matter, ``note.text``
        its prose with code and tags blanked out.
    :param settings: the :class:`~mutuality_plugins.config.Settings` in force
        (``settings.feedback_tag`` is the first part of feedback tags).
    :return: a :class:`~mutuality_plugins.Feedback`, or ``None`` when this source
        finds nothing.
    :raises NoteProblem: when the note breaks this source's rules; the note is then
        left out and reported with that reason.
    """


@hookspec
def mutuality_rules() -> Iterable[Rule]:
    """Contribute alert rules.

    A rule's ``check(client, sessions, settings, since)`` receives one client's
    sessions ordered by (date, vault-relative path), a joint session appearing for
    each of its clients, and yields :class:`~mutuality_plugins.Alert` events, each
    raised at one session. It must be a pure function: the same sessions give the
    same alerts. Alerts with the same identity (rule, client, note, detail) are kept
    once. ``since`` is the first day whose alerts are wanted, or None for all: the
    sessions before it still count (a streak starts there), but a rule may skip
    costly work that only decides alerts raised before it.

    The rule's ``settings`` are its defaults; a user changes them, or turns the rule
    off, in ``[rules.NAME]`` of ``mutuality.toml``.

    :return: a list of :class:`~mutuality_plugins.Rule`.
    """


@hookspec
def mutuality_reporters() -> Iterable[Reporter]:
    """Contribute reporters: named outputs such as the weekly digest.

    ``mutuality alerts`` and ``mutuality digest`` are the built-in reporters
    ``alerts`` and ``digest``. A reporter renders a
    :class:`~mutuality_plugins.practice.Practice` (sessions, alerts, settings, today)
    for a :class:`~mutuality_plugins.Period` in each of its formats; with
    ``--write`` its ``markdown`` format is kept as a note in the output folder, and
    that text must open with front-matter holding ``generated_by: mutuality``.

    :return: a list of :class:`~mutuality_plugins.Reporter`.
    """
