"""The hooks a mutuality plugin can implement: this file is the reference.

A plugin is a module (or any object) with functions marked ``@hookimpl`` and named
after a spec below::

    from mutuality_plugins import Feedback, FeedbackItem, hookimpl

    @hookimpl
    def mutuality_extract_feedback(note):
        if "too fast" in note.text.lower():
            return Feedback(items=(FeedbackItem("pacing", "too-fast"),))

One style throughout: every hook *returns* its contribution (an answer, or a list of
rules, reporters, sinks, commands), and mutuality collects the answers of all
plugins. An implementation may take only some of a hook's arguments.

Each plugin is called on its own, so one plugin's failure cannot stop the others:

- A plugin that raises, or exits, is named (plugin, hook, and the note being read),
  never by its error's text; the other plugins' answers are still used and the
  command ends with exit status 1. ``mutuality --debug`` shows the traceback
  instead. Two kinds of error are messages for the user, not failures: a
  :class:`~mutuality_plugins.NoteProblem` from an extractor (the note is a problem),
  and a ``MutualityError`` from a report or a command (one line, exit status 2).
- What a plugin returns is checked against its hook's ``:return:`` below, and what it
  contributes against its type's fields (a rule's alerts too): anything else is that
  plugin's failure. Names (of rules, reports, sinks, commands, settings) are letters,
  digits, ``-`` and ``_``; a name that a plugin added earlier (or mutuality itself)
  took is the later plugin's failure, and its contribution is left out.
- A hook wrapper (``wrapper=True`` or ``hookwrapper=True``) wraps the other plugins'
  calls, which cannot work here: such a plugin is refused when it is added.
- What plugin code prints (as it loads, while it runs, from threads it starts, from
  programs it runs) goes to stderr: stdout carries the command's own output
  (``--format json``, the ``jsonl`` of ``watch``).

``docs/plugins.md`` shows each hook at work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # names in the specs only: a plugin's import stays light
    import click

    from .config import Settings
    from .model import AlertSink, Feedback, Measure, Note, Reporter, Rule

PROJECT = "mutuality"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def mutuality_extract_feedback(note: Note, settings: Settings) -> Feedback | None:
    """Find feedback in one session note: one source of feedback.

    Called once for every session note (a note whose properties name a
    ``client``), with every extractor; the answers are merged. Built-in extractors
    read the ``feedback_invited`` and ``feedback`` properties, feedback tags in the
    front-matter and in the body, and the Session Rating Scale properties; they run
    last, so a plugin's fields for an item come first.

    Merging: items with the same (theme, signal) are one item; the first answer
    that gives a field (quote, phrase, response, by) wins, later answers only fill
    fields still absent. A session is invited when any answer says so. The first
    total given of a measure (``scores``, or ``srs_total`` for the Session Rating
    Scale) is used, and the highest score given of a risk item (``risks``): no
    source can hide one.

    :param note: the note; ``note.properties`` its properties: the front-matter,
        with names lowercased (``Client`` is ``client``), and Dataview inline fields
        (``srs_total:: 37``) for names it lacks; ``note.text`` its prose with code and
        tags blanked out.
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

    A rule states its condition: ``condition(client, sessions, settings, first)``
    receives one client's sessions ordered by (date, vault-relative path), a joint
    session appearing for each of its clients, and yields a
    :class:`~mutuality_plugins.Holding` for each session where the condition holds.
    mutuality derives from it both the rule's alerts (events: at the first session of
    each unbroken run, or with ``raised="every"`` at each session) and its open gaps
    (state: the runs going on at the client's latest session). What holds at a
    session depends on it and the sessions before it only; ``first`` is the index of
    the first session whose holdings are wanted (earlier ones still count, but a rule
    may skip costly work for them).

    A rule may instead give ``check(client, sessions, settings, since)``, yielding
    :class:`~mutuality_plugins.Alert` events (the hook as first written): it has alerts
    and no gaps. ``since`` is the first day whose alerts are wanted, or None for all.

    Either way it must be a pure function: the same sessions give the same alerts.
    Alerts with the same (rule, client, note, detail) are listed once; one with the
    same identity (rule, client, date, detail) as an alert handed on before is not
    handed on again (a renamed note raises nothing new).

    The rule's ``settings`` are its defaults; a user changes them, or turns the rule
    off, in ``[rules.NAME]`` of ``mutuality.toml``.

    :return: a list of :class:`~mutuality_plugins.Rule`.
    """


@hookspec
def mutuality_measures() -> Iterable[Measure]:
    """Declare measures: questionnaires whose scores the therapist records in session
    notes, as properties (``k10_items: [2, 3, ...]`` or ``k10_total: 24``).

    From a :class:`~mutuality_plugins.Measure` alone mutuality reads and checks its
    scores in every session note (all the items or the total, in range, agreeing;
    anything else makes the note a problem, with the reason), records them in
    ``session.scores`` (and risk items in ``session.risks``), gives each client's
    course a class (from ``reliable_change`` and ``cutoff``), charts it in the digest,
    and runs the rules ``outcome-deteriorated``, ``not-on-track`` and ``risk-item``
    over it. The Session Rating Scale and the outcome measures ``ors``, ``phq9``,
    ``gad7`` and ``core10`` are declared through this hook too. A user changes a
    measure's ``cutoff`` and ``reliable_change`` in ``[measures.NAME]``.

    :return: a list of :class:`~mutuality_plugins.Measure`.
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


@hookspec
def mutuality_alert_sinks() -> Iterable[AlertSink]:
    """Contribute alert sinks: places where new alerts go (a notification, a log).

    ``mutuality alerts --notify`` hands each sink the alerts it shows that it has not
    received before (from ``--notify`` or ``watch`` of this vault); ``mutuality
    watch`` hands on new alerts as sessions are saved. A sink's ``send(alerts,
    settings)`` receives a tuple of :class:`~mutuality_plugins.Alert` and the
    settings; what it returns is ignored.

    Each sink receives each alert **at least once**: an alert counts as received
    only once ``send`` returned, so a sink that raises gets the same alerts again at
    the next run or the next change. Each sink runs in a thread of its own: the
    watcher waits for them half a second at most, and ``alerts --notify`` 10 seconds.
    A sink at work longer than 10 seconds is named as failed and left to finish in
    the background; what it finishes counts, the rest it gets again, and it gets
    newer alerts once it is done. Keep ``send`` quick, and idempotent where you can
    (a repeat is possible after a failure). ``alerts`` is a tuple. A sink's name keys
    what it received: ``stdout`` is the watcher's own output's.

    :return: a list of :class:`~mutuality_plugins.AlertSink`.
    """


@hookspec
def mutuality_shareable_feedback() -> Mapping[str, Iterable[str]]:
    """Declare the feedback your extractor finds that is a fixed list, not free text,
    and so may leave the machine in ``mutuality export`` (the supervision export).

    Return ``{"THEME": ["signal", ...]}``: the theme is then known there, and each
    signal listed is shared as ``THEME/signal``; any other signal of it is shared as
    ``THEME/(signal)``, an undeclared theme as ``(theme)``. Quotes and phrases never
    leave. Themes and signals are lowercase letters, digits and ``-`` (at most 40
    characters), at most 200 signals a theme; declare only words that cannot name or
    describe a person.

    :return: a mapping from theme to its signals.
    """


@hookspec
def mutuality_commands() -> Iterable[click.Command]:
    """Contribute commands to the ``mutuality`` command line.

    Each is a :mod:`click` command, added beside ``scan``, ``alerts`` and the rest;
    a command with the name of another (a built-in one, say) is left out, as that
    plugin's failure. Decorated with
    ``@click.pass_obj``, the command receives the run's
    :class:`~mutuality_plugins.invocation.Invocation`: ``settings(vault)`` loads the
    vault's settings (with its ``hooks_dirs``), ``practice(vault, settings, today)``
    reads the vault with the same plugins (``--hooks-dir`` included), index and
    guard as the built-in commands, ``say(line)`` tells the user something on stderr.
    A command that raises is named like any failing plugin.

    :return: a list of ``click.Command``.
    """


@hookspec
def mutuality_plugin_settings() -> Mapping[str, Mapping[str, Any]]:
    """Declare this plugin's own settings and their defaults.

    Return ``{"SECTION": {"key": default, ...}}``: the user sets them in
    ``[plugins.SECTION]`` of ``mutuality.toml``, each value of its default's type (a
    misspelt key or a wrong type is an error naming it), and the plugin reads them
    as ``settings.plugins["SECTION"]["key"]`` wherever it receives the settings.

    :return: a mapping from section name to the section's defaults.
    """
