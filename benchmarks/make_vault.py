"""Generate a synthetic Obsidian vault of therapy session notes for benchmarks.

The vault imitates what mutuality reads (README: "Writing session notes"): one folder
per client under ``Clients/``, one Markdown note per weekly session going back in time
from a fixed end date, each with YAML front-matter and about 2 KB of fictional session
prose (about 5 KB with ``--note-kb 5``). The notes mix every form the spec allows:

* ``client`` as a plain string, a quoted wikilink (folder, alias, ``#heading``, ``.md``),
  an unquoted ``[[C-017]]``, a joint session (a list of two clients), or an absent value;
* ``date`` as a YAML date, a datetime, a quoted string with a time, or only in the file name;
* ``feedback_invited`` as booleans, yes/no, quoted strings, or the tag ``feedback/invited``;
* ``tags`` as a list or a comma/space separated string; inline body tags, some of them
  inside fenced or inline code (where they do not count);
* ``feedback`` entries as strings, one-key mappings and full mappings
  (theme/signal/quote/phrase/response/by); SRS as four fields or ``srs_total``; the
  ORS as four fields or ``ors_total`` and the PHQ-9 as a list of nine items;
* a few CRLF files, a few with a UTF-8 BOM.

About 1% of the notes are not session notes (daily notes, reading notes, templates with
placeholders) and about 0.5% are broken on purpose (unclosed front-matter, invalid YAML,
an impossible date, bytes that are not UTF-8). A small ``.obsidian/app.json`` is written too.

The output depends only on the arguments: the same seed always gives byte-identical
files (there is no use of the clock, of the current date or of hash order).

Usage::

    python benchmarks/make_vault.py OUT_DIR [--notes 10000] [--clients 50] [--seed 1]
        [--note-kb 2] [--force]

OUT_DIR must be missing or empty; ``--force`` writes into a non-empty folder anyway,
overwriting files of the same name and deleting nothing (stale notes of an earlier run
with other arguments then stay behind). ``--note-kb K`` makes each note about K KB
(K x 850 to K x 1,100 bytes of target size; the default, 2, is 1,700 to 2,200, as
before the option existed). Only the standard library is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from random import Random

# The newest possible session date; fixed so that output never depends on "today".
END_DATE = dt.date(2026, 6, 26)

NON_SESSION_SHARE = 0.01
BROKEN_SHARE = 0.005
NOTE_SIZE_MIN, NOTE_SIZE_MAX = 1700, 2200  # target bytes; notes overshoot by ~40 on average
NOTE_KB = 2  # the size above, in KB; --note-kb K scales both bounds by K / NOTE_KB


def note_sizes(note_kb: int) -> tuple[int, int]:
    """The (min, max) target bytes of a note of about `note_kb` KB: the bounds above,
    scaled, so that the default gives exactly them (and the same vault as ever)."""
    return NOTE_SIZE_MIN * note_kb // NOTE_KB, NOTE_SIZE_MAX * note_kb // NOTE_KB


# --------------------------------------------------------------------------------------
# Vocabulary. Prose words avoid the flagged phrases below, so that a flagged phrase in a
# body is always put there on purpose.
# --------------------------------------------------------------------------------------

PACING_SIGNALS = ["too-fast", "too-slow", "not-ready", "enough", "show-again", "just-right"]
TOPIC_SIGNALS = ["drifted", "not-now", "wants-other", "unsure"]
FLAGGED_PHRASES = [
    "acting out", "resistance", "broken", "attention-seeking", "in denial",
    "non-compliant", "manipulative", "fragile", "difficult client", "meltdown",
]
OTHER_THEMES = {"homework": ["too-much", "helpful"], "format": ["online", "shorter"]}

QUOTES = {
    ("pacing", "too-fast"): ["slow down a bit", "this is a lot at once", "can we go slower",
                             "I need a minute with that"],
    ("pacing", "too-slow"): ["we keep circling", "can we get to the point", "I'm ready for more"],
    ("pacing", "not-ready"): ["I'm not ready to go there", "not yet, please", "maybe next month"],
    ("pacing", "enough"): ["that's enough for today", "I'm done with this bit",
                           "let's stop there"],
    ("pacing", "show-again"): ["can you show me that again", "go over the worksheet again",
                               "one more time, slowly"],
    ("pacing", "just-right"): ["this pace is good", "today felt about right",
                               "keep going like this"],
    ("topic", "drifted"): ["we got off track", "how did we end up here",
                           "this isn't what I came with"],
    ("topic", "not-now"): ["not today", "can we leave that for now", "another week maybe"],
    ("topic", "wants-other"): ["I wanted to talk about work", "can we do the sleep thing",
                               "there's something else on my mind"],
    ("topic", "unsure"): ["I don't know what I want to talk about", "not sure this helps",
                          "I can't tell if this matters"],
}
WORDS_QUOTES = ["please don't call it {p}", "I hate the word {p}", "{p} isn't how I see it",
                "that word, {p}, stings", "my mum says {p} and I can't stand it"]
OTHER_QUOTES = ["could we change that", "that worked well", "I'd prefer something else"]

RESPONSES = ["adjusted", "explored", "declined", "pending", "noted", "Adjusted", "PENDING"]

SUBJECTS = ["The client", "They", "We", "Together we", "The client"]
VERBS = ["described", "returned to", "talked about", "spent some time on", "came back to",
         "explored", "noticed", "mentioned", "reflected on", "named", "wondered about",
         "brought up", "stayed with", "tracked", "made sense of", "compared notes on"]
OBJECTS = [
    "the argument with their sister", "a difficult week at work", "their sleep",
    "the move to a new flat", "their father's illness", "the upcoming exam",
    "feeling on edge in the mornings", "the breathing exercise", "a memory from school",
    "the homework sheet", "a conflict with a flatmate", "what a good week would look like",
    "the urge to cancel plans", "their relationship with food", "the anniversary coming up",
    "the new job", "the commute", "a phone call with their brother", "the weekend away",
    "being late to everything", "the panic on the bus", "the thought record",
    "a dream that stayed with them", "money worries", "the neighbour's dog",
    "saying no to overtime", "the café where they used to meet friends",
    "the letter they never sent", "their partner's night shifts", "the gym plan",
]
TAILS = ["", "", " in some detail", " with more ease than last time",
         " for the first part of the session", " while staying fairly calm",
         " and seemed lighter afterwards", ", pausing often",
         " with visible tension in the shoulders", ", which felt important",
         " without much prompting", " and linked it to last week", " in their own words"]
OBSERVATIONS = [
    "Affect was {affect} throughout.", "There was a long silence, which I let sit.",
    "Energy dropped noticeably towards the end.", "Risk was reviewed; no current concerns.",
    "They laughed at one point, which felt like a shift.",
    "Homework from last week was {homework}.", "Eye contact was {contact} today.",
    "I offered a summary and they corrected one detail.",
    "We used the body scan for about five minutes.",
    "They checked the time twice near the end.",
    "I noticed my own urge to fix things and held back.",
    "Sleep has been {sleep} since the last session.",
    "They brought a notebook with a few written questions.",
]
FILLS = {
    "affect": ["flat", "bright", "anxious", "warm", "guarded", "tearful at times", "settled"],
    "homework": ["done in part", "not started", "done and discussed", "forgotten"],
    "contact": ["steady", "brief", "better than usual", "hard to hold"],
    "sleep": ["patchy", "a little better", "poor", "about the same"],
}
INTERVENTIONS = ["Psychoeducation on the stress response", "Thought record, column three",
                 "Grounding with five senses", "Values card sort", "Behavioural activation plan",
                 "Role-play of the conversation with the manager", "Chain analysis of Tuesday",
                 "Mapping the vicious flower", "Compassionate letter, first draft",
                 "Graded exposure hierarchy, step two"]
PLANS = ["Continue the activity diary", "Try the breathing exercise before bed",
         "Bring the thought record next week", "Review goals in two weeks",
         "Send the relaxation recording", "Agree a plan for the family visit",
         "Check in about the medication review", "Keep the walk on Sunday"]
INVITE_LINES = ["I asked how the pace felt today.", "I checked whether this was the right topic.",
                "I asked if anything I said did not sit right.",
                "At the end I asked what we should do differently.",
                "I invited them to tell me if we were going too fast."]
NO_INVITE_LINES = ["We ran over time and I did not check in about the session.",
                   "No check-in about the session itself today.",
                   "The session ended abruptly when the alarm went off."]
REUSE_LINES = ["Their teacher wrote that it was {p} again.",
               "I caught myself thinking of it as {p}.",
               "The letter from the school described the week as {p}.",
               "Their partner had called it {p} over dinner."]
NON_SESSION_TOPICS = ["Supervision notes", "Reading list", "CPD log", "Room booking",
                      "Ideas for the group", "Referral pathways", "Book notes"]


@dataclass
class Item:
    """One piece of client feedback planned for a session."""

    theme: str
    signal: str
    quote: str = ""
    phrase: str = ""
    response: str = ""
    by: str = ""


@dataclass
class ClientProfile:
    """Per-client tendencies, so that clients differ the way real ones do."""

    client_id: str
    invite_rate: float
    voice_rate: float
    unprompted_rate: float
    srs_rate: float
    srs_mean: float
    theme_weights: list[float]


# --------------------------------------------------------------------------------------
# Planning: how many notes, which clients, which dates.
# --------------------------------------------------------------------------------------

def client_ids(count: int) -> list[str]:
    width = max(3, len(str(count)))
    return [f"C-{n:0{width}d}" for n in range(1, count + 1)]


def make_profiles(rng: Random, ids: list[str]) -> list[ClientProfile]:
    return [
        ClientProfile(
            client_id=cid,
            invite_rate=rng.uniform(0.2, 0.95),
            voice_rate=rng.uniform(0.1, 0.9),
            unprompted_rate=rng.uniform(0.0, 0.3),
            srs_rate=rng.uniform(0.0, 0.9),
            srs_mean=rng.uniform(28, 39),
            theme_weights=[rng.uniform(0.2, 1.0) for _ in range(4)],
        )
        for cid in ids
    ]


def allocate_sessions(rng: Random, total: int, clients: int) -> list[int]:
    """Split `total` sessions over clients, unevenly but summing exactly to `total`."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(clients)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % clients] += 1
    return counts


def weekly_dates(rng: Random, count: int) -> list[dt.date]:
    """`count` session dates, one a week back from near END_DATE, oldest first."""
    day = END_DATE - dt.timedelta(days=rng.randrange(7))
    dates = []
    for _ in range(count):
        dates.append(day)
        gap = 14 if rng.random() < 0.05 else 7  # the odd missed week
        day -= dt.timedelta(days=gap)
    return dates[::-1]


# --------------------------------------------------------------------------------------
# Feedback items.
# --------------------------------------------------------------------------------------

def pick_item(rng: Random, profile: ClientProfile, by: str) -> Item:
    theme = rng.choices(["pacing", "words", "topic", "other"], profile.theme_weights)[0]
    if theme == "pacing" or theme == "topic":
        signal = rng.choice(PACING_SIGNALS if theme == "pacing" else TOPIC_SIGNALS)
        item = Item(theme, signal, quote=rng.choice(QUOTES[(theme, signal)]))
        if rng.random() < 0.05:
            item.signal = ""  # theme only: `feedback/pacing`
    elif theme == "words":
        phrase = rng.choice(FLAGGED_PHRASES)
        item = Item("words", phrase.replace(" ", "-"), phrase=phrase,
                    quote=rng.choice(WORDS_QUOTES).format(p=phrase))
    else:
        theme = rng.choice(sorted(OTHER_THEMES))
        item = Item(theme, rng.choice(OTHER_THEMES[theme]), quote=rng.choice(OTHER_QUOTES))
    if rng.random() < 0.35:
        item.response = rng.choice(RESPONSES)
    if rng.random() < 0.3:
        item.by = by if rng.random() < 0.9 else rng.choice(["therapist", "Client"])
    return item


def pick_items(rng: Random, profile: ClientProfile, invited: bool) -> list[Item]:
    if invited and rng.random() < profile.voice_rate:
        count, by = rng.choice([1, 1, 1, 2, 2, 3]), "invited"
    elif rng.random() < profile.unprompted_rate:
        count, by = 1, "client"
    else:
        return []
    items: list[Item] = []
    for _ in range(count):
        item = pick_item(rng, profile, by)
        if all((i.theme, i.signal) != (item.theme, item.signal) for i in items):
            items.append(item)
    return items


def item_key(item: Item) -> str:
    """`THEME/SIGNAL`, or `THEME` when the signal is empty."""
    return f"{item.theme}/{item.signal}" if item.signal else item.theme


def feedback_tag(item: Item) -> str:
    return f"feedback/{item_key(item)}"


# --------------------------------------------------------------------------------------
# Front-matter rendering. Each function returns YAML lines (without line ends).
# --------------------------------------------------------------------------------------

def yaml_string(text: str) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def yaml_plain_or_quoted(text: str) -> str:
    """Plain scalar when YAML would read it back unchanged as a string, else quoted."""
    plain_ok = re.fullmatch(r"[A-Za-z][A-Za-z ,.'!?-]*[A-Za-z.!?]", text)
    bool_words = {"yes", "no", "on", "off", "true", "false", "y", "n", "null"}
    if plain_ok and text.lower() not in bool_words:
        return text
    return yaml_string(text)


def render_client(rng: Random, ids: list[str]) -> list[str]:
    if len(ids) > 1:
        if rng.random() < 0.5:
            return ["client:"] + [f"  - {cid}" for cid in ids]
        links = ", ".join(yaml_string(f"[[{cid}]]") for cid in ids)
        return [f"client: [{links}]"]
    cid = ids[0]
    form = rng.choices(
        ["plain", "link", "folder_alias", "heading", "md", "unquoted", "spaced", "block_alias"],
        [40, 20, 10, 6, 5, 10, 3, 6])[0]
    if form == "plain":
        return [f"client: {cid}"]
    if form == "link":
        return [f'client: "[[{cid}]]"']
    if form == "folder_alias":
        return [f'client: "[[Clients/{cid}|{cid[0]}.{cid[-2:]}]]"']
    if form == "heading":
        return [f'client: "[[{cid}#{rng.choice(["Intake", "Formulation", "Risk"])}]]"']
    if form == "md":
        return [f'client: "[[Clients/{cid}.{rng.choice(["md", "MD"])}]]"']
    if form == "unquoted":
        return [f"client: [[{cid}]]"]
    if form == "spaced":
        return [f'client: "  {cid} "']
    return ["client:", f'  - "[[{cid}|{cid}]]"']


def render_date(rng: Random, day: dt.date) -> list[str]:
    """A `date` line in one of the allowed forms, or none (date only in the file name)."""
    hour, minute = rng.choice([9, 10, 11, 13, 14, 15, 16, 17]), rng.choice([0, 0, 15, 30])
    form = rng.choices(["date", "datetime", "iso", "quoted_t", "quoted_space", "none"],
                       [45, 8, 7, 10, 10, 20])[0]
    if form == "date":
        return [f"date: {day.isoformat()}"]
    if form == "datetime":
        return [f"date: {day.isoformat()} {hour:02d}:{minute:02d}:00"]
    if form == "iso":
        return [f"date: {day.isoformat()}T{hour:02d}:{minute:02d}:00"]
    if form == "quoted_t":
        return [f'date: "{day.isoformat()}T{hour:02d}:{minute:02d}"']
    if form == "quoted_space":
        return [f"date: '{day.isoformat()} {hour:02d}:{minute:02d}'"]
    return []


def render_invitation(rng: Random, invited: bool) -> tuple[list[str], str]:
    """The `feedback_invited` line (or none) and where the invitation tag goes, if anywhere.

    The second value is "frontmatter", "body" or "" (no invitation tag).
    """
    if invited:
        form = rng.choices(["bool", "word", "quoted", "fm_tag", "body_tag"],
                           [40, 15, 10, 20, 15])[0]
        if form == "fm_tag":
            return [], "frontmatter"
        if form == "body_tag":
            return [], "body"
        value = {"bool": rng.choice(["true", "True"]),
                 "word": rng.choice(["yes", "Yes", "on"]),
                 "quoted": rng.choice(['"true"', '"YES"', "'yes'", '"True"'])}[form]
        return [f"feedback_invited: {value}"], ""
    form = rng.choices(["bool", "word", "quoted", "absent", "empty"], [30, 15, 10, 40, 5])[0]
    if form == "absent":
        return [], ""
    value = {"bool": rng.choice(["false", "False"]),
             "word": rng.choice(["no", "No", "off"]),
             "quoted": rng.choice(['"false"', '"No"', "'no'"]),
             "empty": ""}[form]
    return [f"feedback_invited: {value}".rstrip()], ""


def render_tags(rng: Random, tags: list[str]) -> list[str]:
    if not tags:
        return [] if rng.random() < 0.7 else [rng.choice(["tags:", "tags: []", 'tags: ""'])]
    form = rng.choices(["block", "flow", "comma", "space", "hashes"], [35, 20, 20, 15, 10])[0]
    if form == "block":
        return ["tags:"] + [f"  - {yaml_string('#' + t) if rng.random() < 0.1 else t}"
                            for t in tags]
    if form == "flow":
        return [f"tags: [{', '.join(tags)}]"]
    if form == "comma":
        return [f"tags: {', '.join(tags)}"]
    if form == "space":
        return [f"tags: {' '.join(tags)}"]
    return [f"tags: {yaml_string(' '.join('#' + t for t in tags))}"]


def render_item_mapping(rng: Random, item: Item, indent: str) -> list[str]:
    """A full `theme:` mapping as a list entry (block or flow style), indented by `indent`."""
    fields = [("theme", item.theme if rng.random() < 0.9 else item.theme.title())]
    if item.theme == "words" and rng.random() < 0.6:
        fields.append(("phrase", item.phrase))  # no signal: the phrase becomes the signal
    elif item.signal:
        signal = item.signal
        if rng.random() < 0.1:
            signal = signal.replace("-", rng.choice([" ", "  "])).title()
        fields.append(("signal", signal))
        if item.phrase and rng.random() < 0.5:
            fields.append(("phrase", item.phrase))
    if item.quote and rng.random() < 0.8:
        fields.append(("quote", item.quote))
    if item.response:
        fields.append(("response", item.response))
    if item.by:
        fields.append(("by", item.by))
    if rng.random() < 0.15:
        pairs = ", ".join(f"{k}: {yaml_string(v)}" for k, v in fields)
        return [f"{indent}- {{{pairs}}}"]
    lines = []
    for n, (key, value) in enumerate(fields):
        lead = f"{indent}- " if n == 0 else f"{indent}  "
        lines.append(f"{lead}{key}: {yaml_plain_or_quoted(value)}")
    return lines


def render_item_entry(rng: Random, item: Item) -> list[str]:
    """One `feedback` list entry: a string, a one-key mapping, or a full mapping."""
    key = item_key(item)
    if item.response or item.by or (item.phrase and rng.random() < 0.5):
        return render_item_mapping(rng, item, "  ")
    form = rng.choices(["bare", "string", "one_key", "mapping"], [20, 30, 25, 25])[0]
    if form == "bare":
        return [f"  - {key}"]
    if form == "string":
        return [f"  - {yaml_string(f'{key}: {item.quote}')}"]
    if form == "one_key":
        return [f"  - {key}: {yaml_plain_or_quoted(item.quote)}"]
    return render_item_mapping(rng, item, "  ")


def render_feedback(rng: Random, items: list[Item]) -> list[str]:
    if not items:
        return [] if rng.random() < 0.85 else [rng.choice(["feedback:", "feedback: []"])]
    if len(items) == 1 and rng.random() < 0.15:  # a single string or mapping
        item = items[0]
        if rng.random() < 0.5:
            return [f"feedback: {yaml_string(f'{item_key(item)}: {item.quote}')}"]
        mapping = render_item_mapping(rng, item, "  ")
        if mapping[0].startswith("  - {"):  # flow style
            return ["feedback: " + mapping[0].strip()[2:]]
        return ["feedback:"] + ["  " + line[4:] for line in mapping]
    if rng.random() < 0.1 and not any(i.response or i.by for i in items):
        return [f"feedback: [{', '.join(item_key(i) for i in items)}]"]
    lines = ["feedback:"]
    for item in items:
        lines += render_item_entry(rng, item)
    return lines


def render_srs(rng: Random, profile: ClientProfile) -> list[str]:
    if rng.random() >= profile.srs_rate:
        return [] if rng.random() < 0.95 else ["srs_total:"]
    total = min(40.0, max(0.0, rng.gauss(profile.srs_mean, 3)))
    if rng.random() < 0.6:
        parts = [min(10.0, max(0.0, total / 4 + rng.uniform(-1, 1))) for _ in range(4)]
        values = [str(round(p)) if rng.random() < 0.6 else f"{p:.1f}" for p in parts]
        names = ["srs_relationship", "srs_goals", "srs_approach", "srs_overall"]
        return [f"{name}: {value}" for name, value in zip(names, values, strict=True)]
    return [f"srs_total: {round(total) if rng.random() < 0.5 else round(total, 1)}"]


def render_measures(profile: ClientProfile, number: int) -> list[str]:
    """Outcome measures (SPEC section 9): the ORS at most sessions, as four items or a
    total, and the PHQ-9 at some, as nine items; each client on a course of their own.
    Drawn from a generator of their own, so the rest of the vault stays as it was."""
    rng = Random(f"measures/{profile.client_id}/{number}")
    course = Random(f"course/{profile.client_id}")
    start, slope = course.uniform(12, 30), course.uniform(-0.4, 0.8)
    lines = []
    if rng.random() < 0.8:
        total = min(40.0, max(0.0, start + slope * number + rng.gauss(0, 2)))
        if rng.random() < 0.7:
            names = ["ors_individual", "ors_interpersonal", "ors_social", "ors_overall"]
            lines += [f"{name}: {min(10.0, max(0.0, total / 4 + rng.uniform(-1, 1))):.1f}"
                      for name in names]
        else:
            lines.append(f"ors_total: {total:.1f}")
    if rng.random() < 0.3:
        level = min(3.0, max(0.0, 2.2 - slope * number / 8))
        items = [min(3, max(0, round(rng.gauss(level, 0.7)))) for _ in range(9)]
        items[8] = 1 if rng.random() < 0.02 else 0  # a risk item, now and then
        lines.append(f"phq9_items: {items}")
    return lines


def render_extras(rng: Random, number: int) -> list[str]:
    lines = []
    if rng.random() < 0.6:
        lines.append("type: session")
    if rng.random() < 0.5:
        lines.append(f"session: {number}")
    if rng.random() < 0.3:
        lines.append(f"modality: {rng.choice(['CBT', 'ACT', 'DBT skills', 'person-centred'])}")
    if rng.random() < 0.3:
        lines.append(f"duration: {rng.choice([50, 50, 60, 90])}")
    return lines


# --------------------------------------------------------------------------------------
# Body rendering.
# --------------------------------------------------------------------------------------

def make_sentence(rng: Random) -> str:
    if rng.random() < 0.3:
        template = rng.choice(OBSERVATIONS)
        return re.sub(r"\{(\w+)\}", lambda m: rng.choice(FILLS[m.group(1)]), template)
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(TAILS)}."


def make_paragraph(rng: Random, sentences: int) -> str:
    chosen: list[str] = []
    while len(chosen) < sentences:
        sentence = make_sentence(rng)
        if sentence not in chosen:
            chosen.append(sentence)
    return " ".join(chosen)


def make_code_decoy(rng: Random) -> str:
    """A fenced block or inline code holding a tag that must not count."""
    tag = f"feedback/{rng.choice(['pacing/too-slow', 'topic/drifted', 'words/broken', 'invited'])}"
    if rng.random() < 0.6:
        fence = rng.choice(["```", "~~~", "```text"])
        close = fence[:3]
        return f"{fence}\n#{tag}  <- example from supervision, not this client\n{close}"
    return f"In supervision we wrote `#{tag}` on the board as an example."


def make_feedback_section(rng: Random, invited: bool, items: list[Item],
                          body_tags: list[str]) -> str:
    sentences = [rng.choice(INVITE_LINES if invited else NO_INVITE_LINES)]
    sentences += [f'They said: "{item.quote}".' for item in items if item.quote]
    if invited and not items:
        sentences.append("They said everything was fine.")
    text = " ".join(sentences)
    if body_tags:
        text += rng.choice(["\n", " "]) + " ".join(f"#{tag}" for tag in body_tags)
    return text


def make_session_body(rng: Random, title: str, invited: bool, items: list[Item],
                      body_tags: list[str], reused_phrases: list[str], budget: int) -> str:
    """Session prose of roughly `budget` characters around the given feedback."""
    head = [f"# {title}", "", "## Check-in", make_paragraph(rng, rng.randint(2, 3)), "",
            "## Main work"]
    tail = ["", "## Interventions"]
    tail += [f"- {x}" for x in rng.sample(INTERVENTIONS, rng.randint(1, 3))]
    tail += ["", "## Feedback", make_feedback_section(rng, invited, items, body_tags),
             "", "## Plan"]
    tail += [f"- {x}" for x in rng.sample(PLANS, rng.randint(1, 3))]
    if rng.random() < 0.03:
        tail += ["", make_code_decoy(rng)]
    if rng.random() < 0.003:
        tail += ["", "```", "#feedback/pacing/too-fast (fence never closed)"]

    main: list[str] = []
    for phrase in reused_phrases:
        main.append(make_paragraph(rng, 1) + " " + rng.choice(REUSE_LINES).format(p=phrase))
    if rng.random() < 0.04:
        main.append(make_code_decoy(rng))
    used = sum(len(line) + 1 for line in head + tail + main)
    while used < budget or not main:
        paragraph = make_paragraph(rng, rng.randint(2, 4))
        main.insert(rng.randint(0, len(main)), paragraph)
        used += len(paragraph) + 2
    body = head + ["\n\n".join(main)] + tail
    return "\n".join(body) + "\n"


# --------------------------------------------------------------------------------------
# Whole notes. Each returns the note as text (LF line ends).
# --------------------------------------------------------------------------------------

def assemble(rng: Random, front: list[list[str]], body: str) -> str:
    if rng.random() < 0.2:
        rng.shuffle(front)  # key order does not matter
    opener = "---" if rng.random() < 0.98 else "---  "
    lines = [opener] + [line for block in front for line in block] + ["---"]
    return "\n".join(lines) + "\n" + body


def make_session_note(rng: Random, profile: ClientProfile, ids: list[str], day: dt.date,
                      number: int, flagged: list[str], size: int) -> str:
    invited = rng.random() < profile.invite_rate
    items = pick_items(rng, profile, "invited" if invited else "client")
    invitation_lines, invitation_tag = render_invitation(rng, invited)

    fm_tags, body_tags, entries = ["session"], [], []
    if rng.random() < 0.3:
        fm_tags.append(rng.choice(["therapy", "cbt", "Session/Weekly", "clients"]))
    if invitation_tag == "frontmatter":
        fm_tags.append("feedback/invited")
    elif invitation_tag == "body":
        body_tags.append("feedback/invited")
    for item in items:
        needs_mapping = item.response or item.by
        where = "entry" if needs_mapping else rng.choices(["fm", "body", "entry"], [25, 25, 50])[0]
        if where == "fm":
            tag = feedback_tag(item)
            fm_tags.append(tag if rng.random() < 0.9 else tag.title())
        elif where == "body":
            body_tags.append(feedback_tag(item))
        else:
            entries.append(item)
            if rng.random() < 0.1:  # the same item also as a tag: still one item
                body_tags.append(feedback_tag(item))
    if rng.random() < 0.01:
        fm_tags.append("feedback/pacing/too-fast/extra")  # four parts: not a feedback tag
    if rng.random() < 0.25:
        fm_tags = fm_tags[1:]  # not everyone tags sessions

    reused = []
    if flagged and rng.random() < 0.12:
        reused.append(rng.choice(flagged))
    for item in items:
        if item.theme == "words" and item.phrase not in flagged:
            flagged.append(item.phrase)

    front = [render_client(rng, ids), render_date(rng, day), invitation_lines,
             render_tags(rng, fm_tags), render_feedback(rng, entries),
             render_srs(rng, profile), render_extras(rng, number),
             render_measures(profile, number)]
    front = [block for block in front if block]
    front_size = sum(len(line) + 1 for block in front for line in block) + 8
    title = f"{' & '.join(ids)} - session {number}"
    body = make_session_body(rng, title, invited, items, body_tags, reused, size - front_size)
    return assemble(rng, front, body)


def make_non_session_note(rng: Random, index: int, size: int) -> tuple[str, str]:
    """(path, text) of a note that is not a session: daily, admin, template or draft."""
    kind = index % 4
    body_budget = size - 120
    if kind == 0:
        day = END_DATE - dt.timedelta(days=3 * index + 1)
        body = f"# {day.isoformat()}\n\n" + make_paragraph(rng, 3) + "\n"
        while len(body) < body_budget:
            body += "\n- " + make_paragraph(rng, 1)
        return f"Daily/{day.isoformat()}.md", body + "\n"
    if kind == 1:
        topic = NON_SESSION_TOPICS[index % len(NON_SESSION_TOPICS)]
        front = [["tags: [admin, notes]"], [f"created: {END_DATE.isoformat()}"]]
        # Feedback tags in a non-session note are not feedback.
        body = f"# {topic}\n\nExample tag for the team: #feedback/pacing/too-fast\n\n"
        while len(body) < body_budget:
            body += make_paragraph(rng, 3) + "\n\n"
        return f"Notes/{topic} {index:04d}.md", assemble(rng, front, body)
    if kind == 2:
        front = [['client: "{{client}}"'], ['date: "{{date}}"'],
                 ['feedback_invited: "<% tp.system.suggester([\'yes\', \'no\']) %>"'],
                 ["tags: [session]"], ["feedback:"]]
        body = "# {{title}}\n\n## Check-in\n\n## Main work\n\n## Feedback\n\n## Plan\n\n"
        while len(body) < body_budget:
            body += "<!-- " + make_paragraph(rng, 2) + " -->\n"
        return f"Templates/Session template {index:04d}.md", assemble(rng, front, body)
    empty = rng.choice(["client:", 'client: ""', "client: []", "client: null"])
    front = [[empty], [f"date: {END_DATE.isoformat()}"], ["tags: draft"]]
    body = "# Draft\n\n"
    while len(body) < body_budget:
        body += make_paragraph(rng, 3) + "\n\n"
    return f"Drafts/Draft {index:04d}.md", assemble(rng, front, body)


def break_note(rng: Random, text: str, index: int, day: dt.date) -> bytes:
    """Damage a session note on purpose, in one of four ways (kind `index` mod 4)."""
    lines = text.split("\n")
    close = lines.index("---", 1)
    kind = index % 4
    if kind == 0:  # front-matter opened and never closed
        del lines[close]
    elif kind == 1:  # not valid YAML
        bad = rng.choice(["tags: [session, feedback/pacing", "summary: they said: too fast",
                          'quote: "never closed', "feedback:\n  - theme: pacing\n - oops: 1"])
        lines.insert(close, bad)
    elif kind == 2:  # an impossible date
        lines = [line for line in lines[:close] if not line.startswith("date:")] + lines[close:]
        close = lines.index("---", 1)
        lines.insert(close, f"date: {rng.choice(['2026-13-45', f'{day.year}-02-30'])}")
    data = "\n".join(lines).encode("utf-8")
    if kind == 3:  # bytes that are not UTF-8 (a Latin-1 e-acute)
        data = data.replace(b"## Check-in", b"## Check-in at the caf\xe9", 1)
    return data


def encode_note(rng: Random, text: str) -> bytes:
    """UTF-8 bytes, now and then with CRLF line ends or a BOM."""
    if rng.random() < 0.02:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if rng.random() < 0.01 else data


# --------------------------------------------------------------------------------------
# The vault.
# --------------------------------------------------------------------------------------

def build_vault(notes: int, clients: int, seed: int,
                note_kb: int = NOTE_KB) -> dict[str, bytes]:
    """All files of the vault, by POSIX path relative to its root."""
    rng = Random(seed)
    size_min, size_max = note_sizes(note_kb)
    n_other = int(notes * NON_SESSION_SHARE + 0.5)
    n_broken = int(notes * BROKEN_SHARE + 0.5)
    n_sessions = notes - n_other
    ids = client_ids(clients)
    profiles = make_profiles(rng, ids)
    counts = allocate_sessions(rng, n_sessions, clients)
    broken = set(rng.sample(range(n_sessions), min(n_broken, n_sessions)))

    files: dict[str, bytes] = {}
    slot = broken_so_far = 0
    for profile, count in zip(profiles, counts, strict=True):
        flagged: list[str] = []
        for number, day in enumerate(weekly_dates(rng, count), start=1):
            ids_here = [profile.client_id]
            if clients > 1 and rng.random() < 0.01:  # a joint session
                other = rng.choice([c for c in ids if c != profile.client_id])
                ids_here.append(other)
            size = rng.randint(size_min, size_max)
            text = make_session_note(rng, profile, ids_here, day, number, flagged, size)
            ext = "md" if rng.random() < 0.998 else "MD"
            path = f"Clients/{profile.client_id}/{day.isoformat()} {' + '.join(ids_here)}.{ext}"
            if slot in broken:
                files[path] = break_note(rng, text, broken_so_far, day)
                broken_so_far += 1
            else:
                files[path] = encode_note(rng, text)
            slot += 1
    for index in range(n_other):
        path, text = make_non_session_note(rng, index, rng.randint(size_min, size_max))
        files[path] = encode_note(rng, text)
    return files


def obsidian_config() -> dict[str, bytes]:
    app = {"alwaysUpdateLinks": True, "newFileLocation": "folder",
           "newFileFolderPath": "Clients", "showFrontmatter": True}
    return {".obsidian/app.json": (json.dumps(app, indent=2) + "\n").encode("utf-8")}


def write_files(root: Path, files: dict[str, bytes]) -> None:
    made: set[Path] = set()
    for rel, data in files.items():
        path = root / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Generate a synthetic vault of session notes.")
    parser.add_argument("out_dir", type=Path, help="folder to create (missing or empty)")
    parser.add_argument("--notes", type=int, default=10000, help="Markdown notes to write")
    parser.add_argument("--clients", type=int, default=50, help="client folders")
    parser.add_argument("--seed", type=int, default=1, help="seed of the pseudo-random choices")
    parser.add_argument("--note-kb", type=int, default=NOTE_KB,
                        help="about how many KB each note has (default %(default)s)")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty folder (overwrites, deletes nothing)")
    args = parser.parse_args(argv)
    if args.notes < 1 or args.clients < 1 or args.note_kb < 1:
        parser.error("--notes, --clients and --note-kb must be at least 1")
    if args.out_dir.exists() and not args.out_dir.is_dir():
        parser.error(f"{args.out_dir}: not a folder")
    if args.out_dir.is_dir() and any(args.out_dir.iterdir()) and not args.force:
        parser.error(f"{args.out_dir}: folder is not empty (use --force to write anyway)")
    return args


@contextmanager
def given_or_generated(vault: Path | None) -> Iterator[Path]:
    """The benchmark's vault: the one given, or 10,000 notes generated into a
    temporary folder that is removed afterwards."""
    if vault is not None:
        yield vault
        return
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "vault"
        main([str(root), "--notes", "10000", "--clients", "50"])
        yield root


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    notes = build_vault(args.notes, args.clients, args.seed, args.note_kb)
    write_files(args.out_dir, {**obsidian_config(), **notes})
    elapsed = time.perf_counter() - started
    folders = len({path.split("/")[1] for path in notes if path.startswith("Clients/")})
    mean = sum(len(data) for data in notes.values()) / len(notes)
    print(f"wrote {len(notes)} notes for {folders} clients, mean {mean:.0f} bytes, "
          f"in {elapsed:.2f}s, to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
