"""Notes as Obsidian and its plugins really write them: no session silently missed,
split, doubled or misread (SPEC sections 2 and 3)."""

import datetime as dt
import json
import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mutuality_plugins.errors import NoteProblem
from mutuality_plugins.model import NoteWarning, ScanResult, Session
from mutuality_plugins.reading.warnings import vault_warnings

from support import note, ok, read_note, run

DATE = "date: 2026-11-20"


def scan_json(vault, *args):
    return json.loads(ok(run("scan", vault, "--format", "json", *args)))


# 1. Client ids as written, whatever YAML 1.1 makes of them

ids_yaml_reads_otherwise = st.one_of(
    st.from_regex(r"0[0-7]{1,5}", fullmatch=True),  # octal: 0042 is 34
    st.from_regex(r"[1-9][0-9]?:[0-5][0-9](:[0-5][0-9])?", fullmatch=True),  # 12:30 is 750
    st.from_regex(r"[1-9][0-9]{0,2}\.[0-9]{0,2}0", fullmatch=True),  # 12.50 is 12.5
    st.from_regex(r"[1-9](_?[0-9]){1,6}", fullmatch=True),  # 1_000 is 1000
    st.from_regex(r"0x[0-9A-F]{1,4}|0o[0-7]{1,4}|0b[01]{1,8}", fullmatch=True),
    st.from_regex(r"20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])", fullmatch=True),
    st.from_regex(r"[+-]?[0-9]{1,3}(\.[0-9]+)?[eE][+-]?[0-9]", fullmatch=True),
)


@given(ids_yaml_reads_otherwise)
@example("0042")
@example("12:30")
@example("12.50")
@example("2026-01-05")
def test_a_client_id_is_read_as_written_quoted_or_not(written):
    unquoted = read_note(note(f"client: {written}\n{DATE}"))
    quoted = read_note(note(f"client: '{written}'\n{DATE}"))
    in_a_link = read_note(note(f"client: [[{written}]]\n{DATE}"))
    in_a_list = read_note(note(f"client: [{written}, RM-07]\n{DATE}"))
    assert unquoted.clients == quoted.clients == in_a_link.clients == (written,)
    assert in_a_list.clients == (written, "RM-07")


@pytest.mark.parametrize("value, client", [
    ('"[[Clients/R%C3%A9a|R.]]"', "R%C3%A9a"),
    ('"[R.](Clients/R%C3%A9a.md)"', "Réa"),  # a Markdown link, with wikilinks turned off
    ("Re\u0301a", "Réa"),  # e and an accent, as macOS writes it: one spelling
    ("'  R\u00e9a  '", "Réa"),
])
def test_a_client_is_one_client_however_the_link_or_letters_are_written(value, client):
    assert read_note(note(f"client: {value}\n{DATE}")).clients == (client,)


@pytest.mark.parametrize("value", [
    '"[[RM-07]], [[PT-11]]"', '"[[RM-07]] and [[PT-11]]"', '"[[RM-07]] (couple work)"',
    "RM-07]]",
])
def test_a_link_with_other_text_is_a_problem_never_a_made_up_client(value):
    assert str(read_note(note(f"client: {value}\n{DATE}"))) == (
        "client is not one link: it has other text with the link, or the link is not closed; "
        "write one link, like [[RM-07]], or one link for each client of a joint session")
    inline = read_note(f"client:: {value.strip(chr(34))}\ndate:: 2026-11-20\n".encode())
    if "," in value:  # inline, links apart by commas are a list: a joint session
        assert inline.clients == ("RM-07", "PT-11")
    else:
        assert str(inline).startswith("client is not one link")


def test_one_client_written_quoted_in_one_note_and_not_in_another_is_one_client(vault):
    vault.session("2026-11-13 a.md", client="0042")
    vault.session("2026-11-20 b.md", client="'0042'")
    vault.session("2026-11-20 c.md", client="12:30")
    assert ok(run("scan", vault)).splitlines()[:5] == [
        f"Read 3 notes in {vault}: 3 session notes, 2 clients.", "",
        "Sessions per client:", "  0042   2", "  12:30  1"]


@pytest.mark.parametrize("written, total", [("036", 36.0), ("09", 9.0), ("0x10", 16.0),
                                            ("3_6", 36.0), ("35.50", 35.5)])
def test_a_score_written_oddly_is_the_number_a_person_wrote(written, total):
    assert read_note(note(f"client: A\n{DATE}\nsrs_total: {written}")).srs_total == total
    assert read_note(f"client:: A\ndate:: 2026-11-20\n[srs_total:: {written}]\n".encode()
                     ).srs_total == total


# 2. Property names in any case


def spellings(name):
    return st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
        lambda upper: "".join(c.upper() if u else c for c, u in zip(name, upper, strict=True)))


@given(spellings("client"), spellings("date"), spellings("feedback_invited"))
def test_property_names_match_in_any_case(client, date, invited):
    session = read_note(note(f"{client}: RM-07\n{date}: 2026-11-20\n{invited}: yes"))
    assert (session.clients, session.date, session.invited) == (
        ("RM-07",), dt.date(2026, 11, 20), True)


@pytest.mark.parametrize("front_matter, client", [
    ("Client: B\nclient: A", "A"),  # the lowercase spelling wins
    ("client: A\nClient: B", "A"),  # wherever it comes
    ("client:\nClient: B", "B"),  # unless it is absent
    ("Client: B\nCLIENT: C\nclient: ''", "C"),  # then the last other spelling
    ("CLIENT: C\nClient: B", "B"),
])
def test_of_several_spellings_the_lowercase_one_wins_unless_absent(front_matter, client):
    assert read_note(note(f"{front_matter}\n{DATE}")).clients == (client,)


def test_feedback_fields_and_scores_match_in_any_case():
    session = read_note(note(f"client: A\n{DATE}\nFeedback:\n  - Theme: pacing\n"
                             "    Signal: too-fast\n    Response: Pending\n"
                             "SRS_Total: 31"))
    assert [(i.theme, i.signal, i.response) for i in session.items] == [
        ("pacing", "too-fast", "pending")]
    assert session.srs_total == 31.0


# 3. Dataview inline fields


@pytest.mark.parametrize("body", [
    "client:: [[PT-11]]\ndate:: 2026-11-20\nfeedback_invited:: yes\n",
    "- client:: PT-11\n- date:: [[2026-11-20]]\n* feedback_invited:: true\n",
    "> client:: PT-11\n> date:: 2026-11-20\n> feedback_invited:: Yes\n",
    "**Client**:: [[Clients/PT-11|P.]]\n**Date**:: 2026-11-20\nFeedback_Invited:: yes\n",
    "We met [client:: PT-11] on (date:: 2026-11-20); I asked [feedback_invited:: yes].\n",
])
def test_inline_fields_in_the_body_make_a_session(body):
    session = read_note(note("tags: [session]", body))
    assert (session.clients, session.date, session.invited) == (
        ("PT-11",), dt.date(2026, 11, 20), True)
    assert read_note(body.encode()) == session  # with no front-matter at all


@st.composite
def inline_field(draw, name, value):
    """One inline field as people write it: on a line of its own (after a list marker
    or a quote mark, the name perhaps in bold), or in brackets within a sentence."""
    spelled = draw(spellings(name))
    if draw(st.booleans()):
        marker = draw(st.sampled_from(["", "- ", "* ", "> ", "> - ", "  - "]))
        bold = draw(st.booleans())
        named = f"**{spelled}**" if bold else spelled
        space = draw(st.sampled_from([" ", "  ", ""]))
        return f"{marker}{named}::{space}{value}"
    opening, closing = draw(st.sampled_from(["[]", "()"]))
    before = draw(st.sampled_from(["", "We met ", "Rating: "]))
    after = draw(st.sampled_from(["", ".", " and more"]))
    return f"{before}{opening}{spelled}:: {value}{closing}{after}"


@given(inline_field("client", "[[PT-11]]"), inline_field("date", "2026-11-20"),
       inline_field("feedback_invited", "yes"), inline_field("srs_total", "37"))
def test_inline_fields_in_any_spelling(client, date, invited, score):
    body = f"# Session\n{client}\n\n{date}\n{invited}\nSome prose.\n{score}\n"
    session = read_note(body.encode())
    assert (session.clients, session.date, session.invited, session.srs_total) == (
        ("PT-11",), dt.date(2026, 11, 20), True, 37.0)


def test_inline_fields_are_read_as_the_yaml_they_spell():
    session = read_note(note("tags: [session]",
                             "client:: [[DS-21]], [[EO-22]]\ndate:: 2026-11-20\n"
                             "Rating: [srs_total:: 37]\n"
                             "feedback:: pacing/too-fast: slow down\n"
                             "feedback:: words/acting-out\n"))
    assert session.clients == ("DS-21", "EO-22")
    assert session.srs_total == 37.0
    assert [(i.theme, i.signal, i.quote) for i in session.items] == [
        ("pacing", "too-fast", "slow down"), ("words", "acting-out", None)]


def test_of_inline_fields_in_several_spellings_the_lowercase_one_wins():
    body = "Client:: A\nclient:: B\nCLIENT:: C\ndate:: 2026-11-20\n"
    assert read_note(body.encode()).clients == ("B",)


def test_two_client_lines_are_a_joint_session():
    body = "client:: DS-21\nclient:: EO-22\ndate:: 2026-11-20\n"
    assert read_note(body.encode()).clients == ("DS-21", "EO-22")


def test_the_front_matter_wins_over_an_inline_field_of_any_spelling():
    session = read_note(note("client: A\ndate: 2026-11-20",
                             "Client:: B\ndate:: 2026-01-01\n"))
    assert (session.clients, session.date) == (("A",), dt.date(2026, 11, 20))
    assert read_note(note("client: ''", "client:: B\ndate:: 2026-11-20\n")).clients == ("B",)


@pytest.mark.parametrize("body", [
    "```\nclient:: A\ndate:: 2026-11-20\n```\n",
    "~~~yaml\nclient:: A\n~~~\ndate:: 2026-11-20\n",
    "`client:: A` and `date:: 2026-11-20`\n",
    "client: A\ndate: 2026-11-20\n",  # one colon: prose, not a field
    "client:: {{client}}\ndate:: <% tp.date.now() %>\n",  # a template's placeholders
])
def test_fields_in_code_prose_and_templates_are_not_fields(body):
    assert read_note(body.encode()) is None


@pytest.mark.parametrize("hidden", [
    "%% Tag #feedback/invited when you asked for feedback %%",
    "<!-- #feedback/invited if asked -->",
    "%%\nfeedback_invited:: yes\n#feedback/pacing/too-fast\n%%",
    "<!--\nfeedback:: pacing/too-fast\n-->",
    "%% a comment never closed hides the rest #feedback/invited",
])
def test_comments_hide_tags_and_fields_as_obsidian_hides_them(hidden):
    session = read_note(note(f"client: A\n{DATE}", f"Notes.\n{hidden}\nMore notes.\n"))
    assert (session.invited, session.items) == (False, ())


@pytest.mark.parametrize("body", [
    "%% hint: type ` for code %%\nclient:: RM-07\ndate:: 2026-11-20\nWe used `grounding`.\n",
    "<!-- a ` here --> client:: RM-07\ndate:: 2026-11-20\n`code` and more\n",
    "Use `%%` to hide text.\nclient:: RM-07\ndate:: 2026-11-20\n",
    "%% don`t forget %%\nType `%%` for a comment.\nclient:: RM-07\ndate:: 2026-11-20\n",
    "<!-- don`t share -->\nI wrote `<!--` by mistake.\nclient:: RM-07\ndate:: 2026-11-20\n",
    "Write `<!--` to open a comment.\nclient:: RM-07\ndate:: 2026-11-20\n",
    "```\n%% not a comment in code\n```\nclient:: RM-07\ndate:: 2026-11-20\n",
    "client:: RM-07 [date:: 2026-11-20]\n",
    "(date:: 2026-11-20) client:: RM-07\n",
])
def test_code_is_never_a_comment_and_a_line_may_hold_both_kinds_of_field(body):
    session = read_note(body.encode())
    assert (session.clients, session.date) == (("RM-07",), dt.date(2026, 11, 20))


@pytest.mark.parametrize("value, clients", [
    ('"Jones, Mary", "Jones, Tom"', ("Jones, Mary", "Jones, Tom")),
    ("[[RM-07|Rosa, M.]], [[PT-11]]", ("RM-07", "PT-11")),
    ('["[[DS-21]]", "[[EO-22]]"]', ("DS-21", "EO-22")),
    ("[DS-21, EO-22]", ("DS-21", "EO-22")),
    ("Smith, John", ("Smith, John",)),
])
def test_an_inline_list_of_clients_however_written(value, clients):
    assert read_note(f"client:: {value}\ndate:: 2026-11-20\n".encode()).clients == clients


@pytest.mark.parametrize("field, read", [
    ("date:: 2026-11-20, 10:00", ("date", dt.date(2026, 11, 20))),
    ("feedback:: pacing/too-fast, topic/not-now", ("items", 2)),
    ("feedback:: pacing/too-fast: slow down, please", ("items", 1)),
])
def test_a_comma_in_a_value_of_one_stays_in_it(field, read):
    dated = "" if field.startswith("date") else "date:: 2026-11-20\n"
    session = read_note(f"client:: A\n{dated}{field}\n".encode())
    assert (read[0], session.date if read[0] == "date" else len(session.items)) == read


@pytest.mark.parametrize("body", [
    "Asked \\`x #feedback/invited \\`\n",  # escaped backticks: no code span
    "Asked <!--> #feedback/invited\n",  # an empty comment, closed at once
    "Asked <!---> #feedback/invited\n",
    "- `x\n- Asked #feedback/invited\n- y`\n",  # no code span across list items
    "# `x\n## Asked #feedback/invited\n`\n",  # nor across headings
])
def test_what_obsidian_shows_as_text_is_read_as_text(body):
    assert read_note(note(f"client: A\n{DATE}", body)).invited is True


@pytest.mark.parametrize("body", [
    "> ~~~\n> #feedback/pacing/too-fast\n> ~~~\n",
    "- ~~~\n  #feedback/pacing/too-fast\n  ~~~\n",
    "- ```\n  #feedback/pacing/too-fast\n\n  ```\n",
    "1. ```python\n   x = 1 #feedback/pacing/too-fast\n   ```\n",
])
def test_code_fenced_in_a_quote_or_a_list_item_is_code(body):
    session = read_note(note(f"client: A\n{DATE}", body + "After the code #feedback/invited\n"))
    assert (session.items, session.invited) == ((), True)


@pytest.mark.parametrize("line, client", [("client:: `BB-02` CC-03", "CC-03"),
                                          ("client:: CC-03 `x`", "CC-03")])
def test_a_code_span_in_a_field_value_leaves_no_mark(line, client):
    assert read_note(f"{line}\ndate:: 2026-11-20\n".encode()).clients == (client,)


def test_a_comma_splits_a_list_of_values_but_never_prose():
    body = ("client:: [[DS-21]], [[EO-22]]\ndate:: 2026-11-20\n"
            "feedback:: pacing/too-slow: \"We could go quicker, honestly\"\n"
            "feedback:: topic/wants-other: work, and my brother\n")
    session = read_note(body.encode())
    assert session.clients == ("DS-21", "EO-22")
    assert [(i.label, i.quote) for i in session.items] == [
        ("pacing/too-slow", "We could go quicker, honestly"),
        ("topic/wants-other", "work, and my brother")]
    assert read_note(b"client:: DS-21, EO-22\ndate:: 2026-11-20\n").clients == ("DS-21", "EO-22")


def test_many_fields_of_another_plugin_never_hide_the_session_fields():
    tasks = "".join(f"- [ ] task {n} [due:: 2026-11-{n % 28 + 1:02}]\n" for n in range(500))
    others = "".join(f"[field{n}:: {n}]\n" for n in range(300))
    session = read_note(f"## Tasks\n{tasks}{others}## Session\nclient:: A\n"
                        "feedback_invited:: yes\n[srs_total:: 20]\n".encode(), "2026-11-20 A.md")
    assert (session.clients, session.invited, session.srs_total) == (("A",), True, 20.0)


LARGE = 4 * 1024 * 1024 - 100  # just under the largest note read


@pytest.mark.parametrize("hostile", [
    ("a::" + "1," * 9990 + "\n") * 100 + ("[b:: " + "x," * 5000 + "]\n") * 100,
    (("[a" + " " * 61) * 63 + " ::\n") * (LARGE // 4100),
    "%%" * (LARGE // 2), "<!--" * (LARGE // 4), "<%" + "x" * (LARGE - 10),
    ":" * LARGE, "a::1\n" * (LARGE // 5), "[a:: " * (LARGE // 5), "(a:: [b:: " * (LARGE // 10),
    "[" * (LARGE // 2) + "a::" + "]" * (LARGE // 2 - 10),
], ids=["commas", "openings", "comments", "html comments", "template", "colons", "lines",
        "nested", "mixed", "deep"])
def test_a_note_of_endless_fields_comments_or_brackets_is_read_in_one_pass(hostile):
    assert read_note(hostile.encode()) is None
    session = read_note(f"---\nclient: A\n{DATE}\n---\n{hostile}"[:LARGE].encode())
    if not isinstance(session, Session):  # as many marks as no session note holds
        assert str(session).startswith("the note holds more than 50,000 comment marks")
    else:
        assert session.clients == ("A",)


@pytest.mark.parametrize("template", [
    "---\nclient: <%*\ntR += await tp.system.prompt(\"Client\")\n%>\n"
    "date: <% tp.date.now(\"YYYY-MM-DD\") %>\nfeedback_invited: false\n---\n",
    "# Session\nclient:: <%*\nconst c = await tp.system.prompt(\"Client\");\ntR += c;\n%>\n"
    "date:: <% tp.date.now() %>\n",
])
def test_a_template_command_over_several_lines_is_a_placeholder(template):
    assert read_note(template.encode(), "Templates/Session.md") is None


@given(st.text(string.printable + "[]()*:>-`", max_size=300))
def test_any_body_of_fields_gives_an_answer(body):
    result = read_note(f"client:: A\ndate:: 2026-11-20\n{body}".encode())
    assert isinstance(result, (Session, NoteWarning, NoteProblem, type(None)))


def test_a_long_line_of_brackets_and_colons_is_read_quickly():
    hostile = ("[a::" * 200_000 + "\n" + "(" * 100_000 + "b:: " * 100_000 + "\n"
               + " " * 100_000 + "x" + " " * 100_000 + "::\n")
    assert read_note(note(f"client: A\n{DATE}", hostile)).clients == ("A",)


# 4. Dates as therapists write them


@pytest.mark.parametrize("value", [
    '"[[2026-11-20]]"', "[[2026-11-20]]", '"[[Daily/2026-11-20|Fri]]"',
    "[[Daily/2026-11-20|Fri]]", '"[[2026-11-20.md#Morning]]"', "2026-11-20T10:00",
])
def test_a_date_property_may_be_a_link_to_the_daily_note(value):
    assert read_note(note(f"client: A\ndate: {value}")).date == dt.date(2026, 11, 20)


NAME_FORMS = [
    ("{y}-{m}-{d}", "YYYY-MM-DD"), ("{y}_{m}_{d}", "YYYY_MM_DD"), ("{y}.{m}.{d}", "YYYY.MM.DD"),
    ("{y}{m}{d}", "YYYYMMDD"), ("{d}.{m}.{y}", "DD.MM.YYYY"),
]


@given(st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)),
       st.sampled_from(NAME_FORMS), st.sampled_from(["", "RM-07 ", "Session ("]),
       st.sampled_from(["", " RM-07", ")", " 10h30"]))
def test_a_date_in_the_file_name_in_any_form(day, form, before, after):
    written = form[0].format(y=f"{day.year:04}", m=f"{day.month:02}", d=f"{day.day:02}")
    path = f"Clients/{before}{written}{after}.md"
    assert read_note(note("client: A"), path).date == day


@pytest.mark.parametrize("name, day", [
    ("2026-11-20 20261121.md", dt.date(2026, 11, 20)),  # the forms in their order
    ("20261121 then 2026_11_22.md", dt.date(2026, 11, 22)),
    ("21.11.2026 or 2026.11.22.md", dt.date(2026, 11, 22)),
    ("RM 20.11.2026 and 21.11.2026.md", dt.date(2026, 11, 20)),  # the leftmost of a form
    ("RM 20261120 202611211030.md", dt.date(2026, 11, 20)),
])
def test_the_first_form_found_in_a_name_wins(name, day):
    assert read_note(note("client: A"), name).date == day


def test_an_empty_date_link_leaves_the_date_to_the_file_name():
    assert read_note(note('client: A\ndate: "[[]]"'), "2026-11-20 A.md").date == dt.date(
        2026, 11, 20)


@pytest.mark.parametrize("name, reason", [
    ("202611201030 RM-07.md", "no date"),  # a unique-note id holds no date
    ("RM-07 120261120.md", "no date"),
    ("RM-07 20261320.md", "the date in the file name is not a real day"),
    ("RM-07 31.02.2026.md", "the date in the file name is not a real day"),
])
def test_what_is_not_a_date_in_a_name(name, reason):
    assert str(read_note(note("client: A"), name)).startswith(reason)


# 5. Sync-conflict copies; Excalidraw drawings


@pytest.mark.parametrize("name", [
    "2026-11-20 RM-07 (Anna's conflicted copy 2026-11-21).md",
    "2026-11-20 RM-07 (Conflicted Copy).md",
    "2026-11-20 RM-07.sync-conflict-20261121-101500-ABCDEFG.md",
])
def test_a_sync_conflict_copy_is_a_problem_told_by_its_name(vault, name):
    invited = "client: RM-07\nfeedback: [pacing/too-fast]"
    vault.write("Clients/2026-11-20 RM-07.md", note(invited))
    vault.write(f"Clients/{name}", b"\xff\xfe never read: not even UTF-8")
    scanned = scan_json(vault)
    assert (scanned["notes"], scanned["sessions"]) == (2, 1)
    assert scanned["problems"] == [{"path": f"Clients/{name}", "message": (
        "a copy made by a sync program when the note changed in two places at once: "
        "merge what it adds into the original note, then delete this copy")}]


def test_a_conflict_copy_raises_no_alert_of_its_own(vault):
    for day in ("13", "20"):
        vault.write(f"2026-11-{day} A.md", note("client: A\nfeedback: [pacing/too-fast]"))
    vault.write("2026-11-13 A (conflicted copy).md", note("client: A\nfeedback: [pacing/too-fast]"))
    raised = json.loads(ok(run("alerts", vault, "--all", "--format", "json")))
    assert [(a["date"], a["rule"]) for a in raised if a["rule"] == "recurring-signal"] == [
        ("2026-11-20", "recurring-signal")]


def test_an_excalidraw_drawing_is_never_read(vault):
    vault.write("Drawings/Genogram.excalidraw.md",
                note("excalidraw-plugin: parsed\nclient: A\ndate: 2026-11-20"))
    vault.write("Drawings/Map.Excalidraw.MD", b"\xff not UTF-8")
    assert scan_json(vault)["notes"] == 0


# 6. Warnings: exactly the kinds SPEC section 2 lists


def warnings_of(vault, *args):
    return [(w["path"], w["message"]) for w in scan_json(vault, *args)["warnings"]]


def test_an_unknown_response_or_by_is_a_warning_naming_the_likely_value(vault):
    vault.write("2026-11-20 A.md", note(
        "client: A\nfeedback:\n  - {theme: pacing, signal: too-fast, response: pendig,"
        " by: therapist}\n  - {theme: topic, response: noted}"))
    assert warnings_of(vault) == [
        ("2026-11-20 A.md", 'the response "pendig" is not one mutuality knows (did you mean '
                            "pending?); it is kept as written"),
        ("2026-11-20 A.md", "`by: therapist` is not one mutuality knows (client or invited); "
                            "it is read as client (who spoke up unprompted), as feedback was "
                            "not invited"),
        ("2026-11-20 A.md", 'the response "noted" is not one mutuality knows (adjusted, '
                            "explored, declined or pending); it is kept as written"),
    ]


def test_an_unknown_signal_or_a_theme_that_looks_like_a_typo_is_a_warning(vault):
    vault.write("2026-11-20 A.md", note(
        "client: A\ntags: [feedback/pacing/too-fst, feedback/topic/new-thing, "
        "feedback/pacnig/too-fast, feedback/words/anything, feedback/family/mother, "
        "feedback/pacing]"))
    assert [message for _, message in warnings_of(vault)] == [
        'the pacing signal "too-fst" is not one mutuality knows (did you mean too-fast?); '
        "it is kept as written",
        'the topic signal "new-thing" is not one mutuality knows (drifted, not-now, '
        "wants-other or unsure); it is kept as written",
        'the feedback theme "pacnig" looks like a typo of pacing; it is kept as a theme of '
        "its own",
    ]


@pytest.mark.parametrize("tag", ["feedback/invite", "feedback/invted", "feedback/Invitd"])
def test_a_typo_in_the_invitation_tag_is_a_warning(vault, tag):
    theme = tag.split("/")[1].lower()
    vault.write("2026-11-20 A.md", note(f"client: A\ntags: [{tag}]"))
    vault.write("2026-11-27 A.md", note(f"client: A\nfeedback_invited: yes\ntags: [{tag}]"))
    assert warnings_of(vault, "--as-of", "2026-11-30") == [
        ("2026-11-20 A.md", f'the feedback theme "{theme}" looks like a typo of invited, but '
                            "only the tag feedback/invited alone says you invited feedback; "
                            "this one is kept as feedback of that theme, and the session is "
                            "not read as invited"),
        ("2026-11-27 A.md", f'the feedback theme "{theme}" looks like a typo of invited, but '
                            "only the tag feedback/invited alone says you invited feedback; "
                            "this one is kept as feedback of that theme")]


def test_a_signal_after_the_invitation_tag_is_a_warning(vault):
    vault.write("2026-11-20 A.md", note("client: A\ntags: [feedback/invited/yes]"))
    assert [message for _, message in warnings_of(vault)] == [
        'the feedback theme "invited" is invited, but only the tag feedback/invited alone '
        "says you invited feedback; this one is kept as feedback of that theme, and the "
        "session is not read as invited"]


def test_a_date_given_twice_says_so():
    assert str(read_note(b"client:: A\ndate:: 2026-11-20\ndate:: 2026-11-21\n")) == (
        "date is given more than once: keep one, like `date: 2026-11-20`")


def test_an_inline_value_after_a_hash_is_no_yaml_comment():
    assert read_note(b"client:: #12\ndate:: 2026-11-20\n").clients == ("#12",)


def test_feedback_invited_twice_says_so(vault):
    assert str(read_note(b"client:: A\ndate:: 2026-11-20\nfeedback_invited:: Yes\n"
                         b"feedback_invited:: no\n")) == (
        "feedback_invited is given more than once: keep one, yes or no")


def test_sessions_only_after_today_are_no_empty_vault(vault):
    vault.session("2026-12-01 A.md", client="A")
    result = run("alerts", vault)
    assert result.stdout == "No alerts for sessions since 2026-10-30.\n"
    assert "1 note looks wrong" in result.stderr


def test_a_session_after_today_is_a_warning_and_left_out_of_alerts(vault):
    vault.streak("A")  # 16, 17 and 18 November
    assert warnings_of(vault, "--as-of", "2026-11-17") == [(
        "2026-11-18 A.md", "the session is dated 2026-11-18, after today (2026-11-17): alerts, "
                           "gaps and digests leave it out until then; check the date")]
    assert warnings_of(vault) == []  # today is 2026-11-26
    result = run("alerts", vault, "--all", "--as-of", "2026-11-17")
    assert result.stderr == ("mutuality: 1 note looks wrong; `mutuality scan "
                             f"{vault} --as-of 2026-11-17` lists why\n")


def test_two_session_notes_of_the_same_clients_on_one_date_are_each_warned(vault):
    vault.session("A/2026-11-20 A.md", client="A")
    vault.session("A/2026-11-20 A copy.md", client="A")
    vault.session("2026-11-20 joint.md", client="[A, B]")
    vault.session("2026-11-20 joint again.md", client="[B, A]")
    vault.session("2026-11-21 A.md", client="A")
    assert warnings_of(vault) == [
        ("2026-11-20 joint again.md", "another session note has the same clients on "
                                      "2026-11-20: 2026-11-20 joint.md; if one is a copy, "
                                      "merge them and delete it"),
        ("2026-11-20 joint.md", "another session note has the same clients on 2026-11-20: "
                                "2026-11-20 joint again.md; if one is a copy, merge them "
                                "and delete it"),
        ("A/2026-11-20 A copy.md", "another session note has the same client on 2026-11-20: "
                                   "A/2026-11-20 A.md; if one is a copy, merge them and "
                                   "delete it"),
        ("A/2026-11-20 A.md", "another session note has the same client on 2026-11-20: "
                              "A/2026-11-20 A copy.md; if one is a copy, merge them and "
                              "delete it"),
    ]


_JOINT_SESSIONS = st.lists(
    st.tuples(st.sampled_from([dt.date(2026, 11, day) for day in (19, 20)]),
              st.lists(st.sampled_from("ABC"), min_size=1, max_size=3, unique=True)),
    max_size=12)


@given(_JOINT_SESSIONS)
def test_each_session_note_with_the_same_clients_on_one_date_names_the_others(sessions):
    # The same clients in any order; a session of other clients (A with B, A alone)
    # on that date is not the same.
    read = tuple(Session(f"{number:02} {day}.md", day, tuple(clients))
                 for number, (day, clients) in enumerate(sessions))
    told = {warning.path: warning.message
            for warning in vault_warnings(ScanResult(len(read), read, ()), dt.date(2026, 12, 1))}
    for session in read:
        others = [other.path for other in read if other is not session
                  and other.date == session.date and set(other.clients) == set(session.clients)]
        if not others:
            assert session.path not in told
            continue
        whose = "client" if len(session.clients) == 1 else "clients"
        more = f" and {len(others) - 1} more" if len(others) > 1 else ""
        assert told[session.path] == (
            f"another session note has the same {whose} on {session.date}: {others[0]}"
            f"{more}; if one is a copy, merge them and delete it")


@pytest.mark.parametrize("front_matter, body", [
    ("date: 2026-11-20\nfeedback_invited: no", ""),
    ("date: 2026-11-20", "She said #feedback/pacing/too-fast\n"),
    ("date: 2026-11-20\ntags: feedback/invited", ""),
    ("date: 2026-11-20\nsrs_total: 38", ""),
    ("date: 2026-11-20\nsrs_total: 99", ""),  # a score it cannot read: a session all the same
    ("Date: 2026-11-20\ntags: [Feedback/Words/acting-out]", ""),
    ("tags: [journal]", "date:: [[2026-11-20]]\nRating [srs_goals:: 8]\n"),
    ("date: 2026-11-20\nfeedback: [pacing/too-fast]", ""),
])
def test_a_note_with_a_date_and_feedback_but_no_client_is_a_warning(vault, front_matter, body):
    vault.write("Supervision.md", note(front_matter, body))
    assert warnings_of(vault) == [("Supervision.md", (
        "this note has a date and what a session note has (feedback_invited, a feedback tag "
        "or a score) but no `client`, so it is not read as a session: add `client: ` with "
        "the client's id if it is one"))]


@pytest.mark.parametrize("front_matter, body", [
    ("date: 2026-11-20\ntags: [journal]", "Feedback from my supervisor: #growth\n"),
    ("tags: [feedback/pacing]", ""),  # feedback, but no date
    ("date: 2026-11-20", "A `#feedback/pacing` tag in code\n"),
    ("client:\ndate: 2026-11-20\nstatus: draft", ""),
])
def test_an_ordinary_note_is_no_warning(vault, front_matter, body):
    vault.write("Journal.md", note(front_matter, body))
    assert scan_json(vault)["warnings"] == []


def test_warnings_are_listed_in_text_and_counted_by_the_other_commands(vault):
    vault.write("2026-11-20 A.md", note("client: A\nfeedback:\n  - {theme: topic, response: pendig}"))
    vault.write("2026-11-27 A.md", note("client: A"))
    lines = ok(run("scan", vault)).splitlines()
    assert lines[-3:] == [
        "2 notes were read but look wrong:",
        '  2026-11-20 A.md: the response "pendig" is not one mutuality knows (did you mean '
        "pending?); it is kept as written",
        "  2026-11-27 A.md: the session is dated 2026-11-27, after today (2026-11-26): alerts, "
        "gaps and digests leave it out until then; check the date"]
    for command in ("alerts", "digest", "gaps"):
        assert run(command, vault).stderr == (
            f"mutuality: 2 notes look wrong; `mutuality scan {vault}` lists why\n")


def test_warnings_survive_the_index(vault, reads):
    vault.write("2026-11-20 A.md", note("client: A\nfeedback:\n  - {theme: topic, by: therapist}"))
    vault.write("Supervision.md", note("date: 2026-11-20\nfeedback_invited: yes"))
    vault.age()  # old enough to be kept in the index
    cold = scan_json(vault)
    assert len(cold["warnings"]) == 2
    reads.clear()
    assert scan_json(vault) == cold
    assert reads == []  # taken from the index
    assert json.loads(ok(run("--no-cache", "scan", vault, "--format", "json"))) == cold


# A vault that has nothing to do with therapy: nothing in it is a session, a problem or a
# warning (the forms of Obsidian's own documentation vault, which scans with none).

DOCUMENTATION = {
    "Home.md": "---\naliases:\n  - Start here\ncssclasses:\n  - list-cards\npublish: true\n"
               "---\nWelcome. See [[Properties]] and ![[banner.png]].\n",
    "Editing/Properties.md": "---\npermalink: properties\nmobile: true\n---\nProperties look "
                             "like this:\n\n```yaml\n---\nclient: RM-07\ndate: 2024-01-01\n"
                             "feedback_invited: yes\n---\n```\n",
    "Plugins/Dataview-like fields.md": "Write `rating:: 9` inline, or:\n\n```\nclient:: A\n"
                                       "date:: 2024-05-01\n```\n| Bear | `::highlight::` |\n",
    "Release notes/2023-01-01 Obsidian 1.1.md": "---\ndate: 2023-01-01\ntags: [release]\n---\n"
                                                "Fixed #123 and #feedback from users.\n",
    "Contributing/Give feedback.md": "---\ndate: 2024-02-02\ntags: feedback\n---\nTell us "
                                     "what you think: #feedback\n",
    "Movies/Alien.md": "---\nyear: 1977\nfavorite: true\nstatus: watched\n---\n%%a comment "
                       "client:: nobody%%\n> [!note] Rated\n> Great:: yes\n",
    "Zettel/202401011030 An idea.md": "---\ntags: [zettel]\n---\nIdeas::links and more.\n",
    "Drawings/Diagram.excalidraw.md": "---\nexcalidraw-plugin: parsed\n---\n# Text Elements\n",
}


def test_a_documentation_vault_holds_no_session_problem_or_warning(vault):
    for path, text in DOCUMENTATION.items():
        vault.write(path, text)
    assert scan_json(vault) == {"notes": len(DOCUMENTATION) - 1, "sessions": 0, "clients": 0,
                                "problems": [], "warnings": []}


def test_a_note_that_could_not_be_opened_is_read_again_next_time(vault, monkeypatch):
    from mutuality_plugins.files import OpenFolders

    vault.streak("A")
    vault.age()  # old enough to be kept in the index
    opened = OpenFolders.read

    def locked(self, relative, cap):
        if relative == "2026-11-17 A.md":
            raise PermissionError(13, "Permission denied")
        return opened(self, relative, cap)

    with monkeypatch.context() as patched:
        patched.setattr(OpenFolders, "read", locked)
        assert [p["message"] for p in scan_json(vault)["problems"]] == [
            "could not be opened: permission denied"]
    assert scan_json(vault)["problems"] == []  # unlocked: read again, unchanged as it is
    assert scan_json(vault)["sessions"] == 3


def test_notes_moved_into_a_new_folder_never_count_twice_whatever_is_told_first(vault):
    from mutuality_plugins.config import Settings
    from mutuality_plugins.vault import VaultState

    from support import BUILT_IN

    vault.streak("RM-07")
    state = VaultState(vault.root, BUILT_IN, Settings())
    state.rescan()
    (vault.root / "RM-07").mkdir()
    for note_path in sorted(vault.root.glob("*.md")):
        note_path.rename(vault.root / "RM-07" / note_path.name)
    state.refresh(["RM-07"])  # the new folder is told of before the notes are told gone
    assert sorted(session.path for session in state.result().sessions) == [
        "RM-07/2026-11-16 RM-07.md", "RM-07/2026-11-17 RM-07.md", "RM-07/2026-11-18 RM-07.md"]


def test_the_command_that_lists_the_warnings_reads_with_the_same_settings(vault, tmp_path):
    settings = tmp_path / "my settings.toml"
    settings.write_text('feedback_tag = "fb"\n')
    vault.write("2026-11-20 A.md", note("client: A", "She said #fb/pacnig/too-fast\n"))
    result = run("alerts", vault, "--config", settings, "--as-of", "2026-11-21")
    assert result.stderr == (f"mutuality: 1 note looks wrong; `mutuality scan {vault} --config "
                             f"'{settings}' --as-of 2026-11-21` lists why\n")


def test_the_command_that_lists_the_warnings_loads_the_same_plugins(vault, tmp_path):
    hooks = tmp_path / "my hooks"
    hooks.mkdir()
    (hooks / "quick.py").write_text(
        "from mutuality_plugins import Feedback, FeedbackItem, hookimpl\n\n"
        "@hookimpl\ndef mutuality_extract_feedback(note):\n"
        "    if 'too quick' in note.text:\n"
        "        return Feedback(items=(FeedbackItem('pacing', 'too-quick'),))\n")
    vault.write("2026-11-20 A.md", note("client: A", "That was too quick for A.\n"))
    result = run("--hooks-dir", hooks, "alerts", vault)
    assert result.stderr == (f"mutuality: 1 note looks wrong; `mutuality --hooks-dir '{hooks}' "
                             f"scan {vault}` lists why\n")


def test_a_vault_whose_sessions_all_have_problems_says_so(vault):
    vault.write("RM-07.md", note("client: RM-07\ndate: 2026-13-01"))
    assert run("gaps", vault).stdout == (
        f"no session note in {vault} could be used: 1 note was left out: `mutuality scan` says "
        "why\n")


def test_watch_tells_of_a_note_that_cannot_be_used_once(vault):
    from support import Watching

    vault.streak("A")
    vault.write("Broken.md", "---\nclient: [A\n---\n")
    vault.write("Broken too.md", "---\nclient: [A\n---\n")
    with Watching(vault) as watching:
        assert watching.until_said("could not be read") == (
            f"2 notes could not be read and are left out; `mutuality scan {vault}` lists them")
        vault.session("2026-11-17 A.md", client="A", feedback_invited="maybe")
        said = watching.until_said("2026-11-17 A.md")
        assert said.endswith("2026-11-17 A.md: feedback_invited should be yes or no (or true or "
                             "false) (it is left out until it is put right)")
        vault.session("2026-11-17 A.md", client="A", feedback_invited="maybe")  # saved again
        vault.session("2026-11-19 B.md", client="B", date="2026-13-01")
        watching.until_said("2026-11-19 B.md")
        assert sum("2026-11-17 A.md" in line for line in watching.said) == 1
