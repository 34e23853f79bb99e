"""Task forms drawn from their JSON Schema as GOV.UK questions, and the answers read back.

Every real form is drawn in English and Welsh with an error on every question: each question
is labelled, each id is used once, each message stands beside its question and the error
summary links to an input that exists. Sample answers go through the page and back unchanged,
as a browser would post them, and pass the form's own validation. The posted form is untrusted:
unknown names, names that try to reach outside the schema, numbers and dates that are not, and
ten thousand list items are all taken calmly.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from service.web.schema_form import (
    MAX_ITEMS,
    Field,
    add_item,
    error_summary_items,
    errors_by_field,
    form_fields,
    item_action,
    parse_submission,
    remove_item,
)
from tests.samples import CALL, FIRST_RESPONSE, REVIEW_NO_OFFENCE, REVIEW_OFFENCES
from workflows.forms import Form, load_form
from workflows.problems import FieldError

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "forms"
FORM_NAMES = sorted(p.name.removesuffix(".schema.json") for p in FORMS.glob("*.schema.json"))
LONDON = ZoneInfo("Europe/London")
MACRO = '{% from "web/_schema_form.html" import schema_fields %}{{ schema_fields(fields) }}'


def definition_files() -> dict[str, bytes]:
    files = {f"forms/{p.name}": p.read_bytes() for p in FORMS.glob("*.json")}
    files.update({f"bpmn/{p.name}": p.read_bytes() for p in (ROOT / "bpmn").glob("*.dmn")})
    return files


FILES = definition_files()


def form(name: str) -> Form:
    loaded, problems = load_form(name, FILES)
    assert not problems, problems
    return loaded


def every_field(fields: list[Field]):
    for top in fields:
        yield from top.walk()


# --- the inverse of parse_submission: data as a browser would post it --------------------------


def posted(schema: dict, data: dict, prefix: str = "") -> MultiDict:
    """The form fields a caseworker's browser posts for ``data``, written from the schema alone
    (independently of schema_form), so that reading them back checks parse_submission."""
    pairs: list[tuple[str, str]] = []
    _post_object(schema, data, prefix, pairs)
    return MultiDict(pairs)


def _post_object(schema: dict, data: dict, prefix: str, pairs: list) -> None:
    for key, sub in schema.get("properties", {}).items():
        if key in data:
            _post_value(sub, data[key], f"{prefix}.{key}" if prefix else key, pairs)


def _post_value(schema: dict, value, name: str, pairs: list) -> None:
    if schema.get("type") == "object":
        _post_object(schema, value, name, pairs)
    elif schema.get("type") == "array":
        items = schema.get("items", {})
        if "oneOf" in items or "enum" in items:
            pairs.extend((name, str(each)) for each in value)
        else:
            for index, each in enumerate(value):
                _post_value(items, each, f"{name}.{index}", pairs)
    elif schema.get("format") == "date":
        year, month, day = value.split("-")
        pairs += [(f"{name}.day", day), (f"{name}.month", month), (f"{name}.year", year)]
    elif schema.get("format") == "date-time":
        local = datetime.fromisoformat(value).astimezone(LONDON)
        pairs += [
            (f"{name}.day", str(local.day)),
            (f"{name}.month", str(local.month)),
            (f"{name}.year", str(local.year)),
            (f"{name}.time", local.strftime("%H:%M")),
        ]
    elif isinstance(value, bool):
        pairs.append((name, "true" if value else "false"))
    else:
        pairs.append((name, str(value)))


def instants(value):
    """``value`` with every date-time as its moment in UTC: the page writes a moment with the
    Europe/London offset, the samples with Z."""
    if isinstance(value, dict):
        return {key: instants(each) for key, each in value.items()}
    if isinstance(value, list):
        return [instants(each) for each in value]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T.+", value):
        return datetime.fromisoformat(value).astimezone(UTC)
    return value


# --- reading the drawn page ---------------------------------------------------------------------


class Page(HTMLParser):
    """The ids, labels, fieldsets and form controls of a drawn form, and what it would post."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[dict] = []  # inputs, textareas and selects
        self.fieldsets = self.legends = 0
        self.posts: list[tuple[str, str]] = []
        self._textarea: dict | None = None
        self._select: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "label" and attributes.get("for"):
            self.label_for.add(attributes["for"])
        if tag == "fieldset":
            self.fieldsets += 1
        if tag == "legend":
            self.legends += 1
        if tag in ("input", "textarea", "select"):
            self.controls.append({"tag": tag, **attributes})
        if tag == "input":
            kind = attributes.get("type", "text")
            # As a browser does: every text input, even empty, and the ticked choices.
            if kind == "text" or (kind in ("radio", "checkbox") and "checked" in attributes):
                self.posts.append((attributes["name"], attributes.get("value") or ""))
        if tag == "textarea":
            self._textarea = {"name": attributes["name"], "text": ""}
        if tag == "select":
            self._select = attributes["name"]
        if tag == "option" and self._select and "selected" in attributes:
            self.posts.append((self._select, attributes.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.posts.append((self._textarea["name"], self._textarea["text"]))
            self._textarea = None
        if tag == "select":
            self._select = None


def draw(app, fields: list[Field], language: str = "en") -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        return render_template_string(MACRO, fields=fields)


def localized(name: str, language: str) -> tuple[dict, dict]:
    return form(name).localized(language)


# --- every real form, drawn -------------------------------------------------------------------


def test_every_form_is_drawn_labelled_in_english_and_welsh_with_each_error_beside_its_question(
    app,
):
    for name in FORM_NAMES:
        for language in ("en", "cy"):
            schema, ui_schema = localized(name, language)
            plain = form_fields(schema, ui_schema, {}, {})
            # A message on every question and group of questions.
            errors = {
                each.name: f"Problem {number} <b>&</b>"
                for number, each in enumerate(every_field(plain))
            }
            fields = form_fields(schema, ui_schema, {}, errors)
            text = draw(app, fields, language)
            page = Page(text)
            where = f"{name} ({language})"

            assert fields, where
            for each in every_field(fields):
                assert each.label.strip(), f"{where}: {each.name} has no label"
                assert each.error == errors[each.name], where
            duplicates = [id_ for id_, count in Counter(page.ids).items() if count > 1]
            assert not duplicates, f"{where}: ids used twice: {duplicates}"
            assert page.fieldsets == page.legends, f"{where}: a fieldset without a legend"
            for control in page.controls:
                if control.get("type") not in ("hidden", "submit"):
                    assert control["id"] in page.label_for, f"{where}: {control['id']} unlabelled"
            for each in every_field(fields):
                # The message, escaped, right after the visually hidden "Error:" of its question.
                beside = re.search(
                    rf'id="{re.escape(each.id)}-error"[^>]*>\s*<span class="govuk-visually-hidden">'
                    rf"[^<]+</span>\s*{re.escape('Problem')} \d+ &lt;b&gt;&amp;&lt;/b&gt;",
                    text,
                )
                assert beside, f"{where}: no message beside {each.name}"
            summary = error_summary_items(fields, errors)
            assert len(summary) == len(list(every_field(fields))), where
            for item in summary:
                assert item["href"].removeprefix("#") in page.ids, f"{where}: {item}"
            if language == "cy":
                assert "Gwall:" in text and "Error:" not in text, where


def test_a_question_shows_its_kind_of_input_with_its_answer(app):
    schema, ui_schema = localized("first_response", "en")
    fields = form_fields(schema, ui_schema, FIRST_RESPONSE, {})
    by_name = {each.name: each for each in every_field(fields)}

    assert [each.name for each in fields] == ui_schema["ui:order"]
    assert by_name["attended_at"].kind == "datetime"
    assert by_name["attended_at"].value == {
        "day": "28",
        "month": "11",
        "year": "2026",
        "time": "11:00",
    }
    assert by_name["four_test"].kind == "object"
    assert by_name["four_test.fixated"].kind == "boolean"
    assert by_name["four_test.fixated"].value == "true"
    assert by_name["victim_account"].kind == "textarea"
    assert by_name["victim_account"].rows == 10
    assert by_name["incident_timeline"].kind == "array"
    assert len(by_name["incident_timeline"].children) == 3
    assert by_name["incident_timeline.2.storm_reference"].value == "DP-20261127-0311"
    assert by_name["incident_timeline.2"].label == "Incident 3"
    assert by_name["incident_timeline"].add_action == "add:incident_timeline"
    assert by_name["incident_timeline.1"].remove_action == "remove:incident_timeline.1"
    assert by_name["behaviour_change_details"].conditional == {
        "field": "behaviour_changed",
        "values": ["true"],
    }
    text = draw(app, fields)
    assert 'data-app-when="behaviour_changed" data-app-when-values="true"' in text
    assert 'name="action" class="govuk-button govuk-button--secondary' in text
    assert re.search(r'value="add:incident_timeline"[^>]*id="f-incident_timeline-add"', text)

    schema, ui_schema = localized("call_receipt", "cy")
    fields = form_fields(schema, ui_schema, CALL, {})
    by_name = {each.name: each for each in every_field(fields)}
    assert by_name["flags"].kind == "checkboxes"
    assert by_name["flags"].value == ["stalking"]
    assert by_name["victim_language"].kind == "radios"
    assert by_name["victim.date_of_birth"].kind == "date"
    assert by_name["prior_incidents"].kind == "array"
    assert by_name["prior_incidents"].children == []  # optional: none until one is added
    text = draw(app, fields, "cy")
    assert re.search(r'id="f-flags" name="flags" type="checkbox" value="stalking"\s+checked', text)
    assert re.search(r">\s*Diwrnod\s*<", text)
    assert "(dewisol)" in text and "Ychwanegu un arall" in text and "Amser" in text

    schema, ui_schema = localized("risk_assessment", "en")
    fields = form_fields(schema, ui_schema, {"dash_yes_count": 12}, {})
    count = next(each for each in fields if each.name == "dash_yes_count")
    assert (count.kind, count.value) == ("integer", "12")
    assert 'inputmode="numeric"' in draw(app, [count])


def test_a_yes_or_no_question_without_titles_says_yes_and_no_in_the_page_language(app):
    schema = {
        "type": "object",
        "required": ["ok"],
        "properties": {"ok": {"title": "All right?", "type": "boolean"}},
    }
    fields = form_fields(schema, {}, {"ok": False}, {})
    assert [option["value"] for option in fields[0].options] == ["true", "false"]
    english, welsh = draw(app, fields), draw(app, fields, "cy")
    assert re.search(r">\s*Yes\s*<", english) and re.search(r">\s*No\s*<", english)
    assert re.search(r">\s*Ie\s*<", welsh) and re.search(r">\s*Na\s*<", welsh)
    assert re.search(r'value="false"\s+checked', english)


def test_a_select_a_hidden_question_and_a_read_only_one(app):
    schema = {
        "type": "object",
        "properties": {
            "colour": {"title": "Colour", "type": "string", "enum": ["red", "green"]},
            "secret": {"title": "Secret", "type": "string"},
            "reference": {"title": "Reference", "type": "string", "readOnly": True},
        },
    }
    ui_schema = {"colour": {"ui:widget": "select"}, "secret": {"ui:widget": "hidden"}}
    fields = form_fields(schema, ui_schema, {"colour": "green", "reference": "R1"}, {})
    assert [(each.name, each.kind) for each in fields] == [
        ("colour", "select"),
        ("reference", "readonly"),
    ]
    text = draw(app, fields)
    assert re.search(r'<option value="green" selected>', text)
    assert "R1" in text and 'name="reference"' not in text
    # A read-only or hidden question is never the form's to change.
    form_data = MultiDict({"colour": "red", "secret": "x", "reference": "R2"})
    assert parse_submission(schema, form_data, ui_schema) == {"colour": "red"}


# --- round trips ------------------------------------------------------------------------------

SAMPLES = [
    ("live_time_review", REVIEW_OFFENCES),
    ("live_time_review", REVIEW_NO_OFFENCE),
    ("call_receipt", CALL),
    (
        "call_receipt",
        {
            **CALL,
            "reported_at": "2026-07-01T22:45:00+01:00",  # in summer time
            "victim": {"name": "Sian Jones", "date_of_birth": "1990-02-03"},
            "suspect": {"name": "Rhys Morgan", "date_of_birth": "1988-12-30"},
            "prior_incidents": ["DP-20260101-0001", "DP-20260202-0002"],
            "flags": ["stalking", "domestic_abuse"],
        },
    ),
    ("first_response", FIRST_RESPONSE),
]


@pytest.mark.parametrize(("name", "data"), SAMPLES)
def test_sample_answers_are_read_back_unchanged_and_pass_the_forms_validation(name, data):
    schema = form(name).schema
    read = parse_submission(schema, posted(schema, data))
    assert instants(read) == instants(data)
    with time_machine.travel(datetime(2026, 11, 28, 14, 0, tzinfo=UTC), tick=False):
        assert form(name).validate(read, context=CALL) == []


@pytest.mark.parametrize(("name", "data"), SAMPLES)
def test_what_the_drawn_page_posts_is_read_back_unchanged(app, name, data):
    """The browser's view: the inputs drawn with the sample's answers, posted as they stand."""
    schema, ui_schema = form(name).schema, form(name).ui_schema
    text = draw(app, form_fields(schema, ui_schema, data, {}))
    read = parse_submission(schema, MultiDict(Page(text).posts), ui_schema)
    assert instants(read) == instants(data)


def test_a_date_time_is_read_in_london_time_with_that_moments_offset():
    schema = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}

    def at(day, month, year, clock):
        parts = {"at.day": day, "at.month": month, "at.year": year, "at.time": clock}
        return parse_submission(schema, MultiDict(parts))["at"]

    assert at("1", "7", "2026", "10:00") == "2026-07-01T10:00:00+01:00"
    assert at("28", "11", "2026", "9:30") == "2026-11-28T09:30:00+00:00"
    assert at(" 05 ", "01", "2027", "23.59") == "2027-01-05T23:59:00+00:00"
    fields = form_fields(schema, {}, {"at": "2026-07-01T09:00:00Z"}, {})
    assert fields[0].value == {"day": "1", "month": "7", "year": "2026", "time": "10:00"}


# --- what a caseworker gets wrong -------------------------------------------------------------


def test_an_empty_form_says_what_each_required_question_needs_beside_it(app):
    first_response = form("first_response")
    schema, ui_schema = first_response.schema, first_response.ui_schema
    read = parse_submission(schema, MultiDict(), ui_schema)
    # The FOUR test's questions and the first incident's say so themselves.
    assert read == {"four_test": {}, "incident_timeline": [{}]}
    errors = errors_by_field(first_response.validate(read), schema)
    assert set(errors) == {
        "attended_at",
        "four_test.fixated",
        "four_test.obsessive",
        "four_test.unwanted",
        "four_test.repeated",
        "behaviour_changed",
        "victim_account",
        "victim_very_frightened",
        "incident_timeline.0.occurred_at",
        "incident_timeline.0.description",
        "spo_considered",
        "spo_note",
    }
    fields = form_fields(schema, ui_schema, read, errors)
    with_errors = {each.name: each.error for each in every_field(fields) if each.error}
    assert with_errors == {path: "This field is required" for path in errors}
    summary = error_summary_items(fields, errors)
    assert summary[0] == {
        "text": "Time of first contact: This field is required",
        "href": "#f-attended_at-day",
    }
    assert {
        "text": "Incident 1, What happened: This field is required",
        "href": "#f-incident_timeline-0-description",
    } in summary
    assert {"text": "Fixated?: This field is required", "href": "#f-four_test-fixated"} in summary
    ids = Page(draw(app, fields)).ids
    assert all(item["href"][1:] in ids for item in summary)

    live = form("live_time_review")
    errors = errors_by_field(live.validate(parse_submission(live.schema, MultiDict())))
    assert set(errors) == {"offences_disclosed", "first_response"}


def test_dates_that_are_not_dates_are_kept_shown_again_and_reported():
    call_receipt = form("call_receipt")
    schema, ui_schema = call_receipt.schema, call_receipt.ui_schema
    fields = posted(schema, CALL)
    for part, typed in (("day", "40"), ("month", "13"), ("time", "25:00")):
        fields.setlist(f"reported_at.{part}", [typed])
    fields.update({"victim.date_of_birth.day": "31", "victim.date_of_birth.month": "2"})
    fields.update({"victim.date_of_birth.year": "1990", "suspect.date_of_birth.day": "abc"})
    read = parse_submission(schema, fields, ui_schema)
    assert read["reported_at"] == "2026-13-40T25:00"
    assert read["victim"]["date_of_birth"] == "1990-02-31"
    assert read["suspect"] == {"date_of_birth": "--abc"}
    errors = errors_by_field(call_receipt.validate(read), schema)
    assert {"reported_at", "victim.date_of_birth", "suspect.date_of_birth"} <= set(errors)
    drawn = {each.name: each for each in every_field(form_fields(schema, ui_schema, read, errors))}
    assert drawn["reported_at"].value == {
        "day": "40",
        "month": "13",
        "year": "2026",
        "time": "25:00",
    }
    assert drawn["suspect.date_of_birth"].value == {"day": "abc", "month": "", "year": ""}
    # Said as GOV.UK says it, for dates typed in boxes (the service's own message names ISO).
    assert drawn["victim.date_of_birth"].error == "Enter a real date, for example 23 4 1990"
    assert drawn["reported_at"].error == (
        "Enter a real date and a time, for example 23 4 2026 and 09:30"
    )
    missing = form_fields(schema, ui_schema, {}, {"reported_at": "this field is required"})
    assert {each.name: each for each in every_field(missing)}["reported_at"].error == (
        "This field is required"
    )
    # A date with its time left out, and a time with no date, are reported too.
    fields.setlist("reported_at.day", ["28"])
    fields.setlist("reported_at.month", ["11"])
    fields.setlist("reported_at.time", [""])
    assert parse_submission(schema, fields)["reported_at"] == "2026-11-28T"
    only_time = MultiDict({"reported_at.time": "09:30"})
    assert parse_submission(schema, only_time)["reported_at"] == "T09:30"
    assert "reported_at" in errors_by_field(
        call_receipt.validate({**CALL, "reported_at": "T09:30"})
    )


def test_a_number_that_is_not_one_is_kept_and_reported():
    risk = form("risk_assessment")
    for typed, read in (("abc", "abc"), ("12", 12), (" 1,2 ", 12), ("9" * 5000, "9" * 5000)):
        data = parse_submission(risk.schema, MultiDict({"dash_yes_count": typed}))
        assert data["dash_yes_count"] == read
    data = parse_submission(risk.schema, MultiDict({"dash_yes_count": "abc"}))
    assert "dash_yes_count" in errors_by_field(risk.validate(data))
    schema = {"type": "object", "properties": {"n": {"type": "number"}}}
    for typed, read in (("2.5", 2.5), ("-3", -3), ("1e309", "1e309"), ("nan", "nan")):
        assert parse_submission(schema, MultiDict({"n": typed})) == {"n": read}


def test_a_yes_or_no_that_is_neither_is_kept_for_validation_to_report():
    live = form("live_time_review")
    data = parse_submission(live.schema, MultiDict({"offences_disclosed": "maybe"}))
    assert data == {"offences_disclosed": "maybe"}
    assert "offences_disclosed" in errors_by_field(live.validate(data))


def test_text_is_trimmed_and_an_empty_answer_is_left_out():
    call_receipt = form("call_receipt")
    fields = MultiDict(
        {
            "storm_reference": "  DP-20261128-0042 ",
            "location": "   ",
            "summary": " Line one\r\nLine two ",
            "caller.name": "",
            "victim.name": "",
        }
    )
    data = parse_submission(call_receipt.schema, fields)
    assert data == {
        "storm_reference": "DP-20261128-0042",
        "summary": "Line one\nLine two",
        "caller": {},  # required: its questions say what they need
    }


def test_names_the_schema_does_not_have_are_ignored():
    call_receipt = form("call_receipt")
    schema = call_receipt.schema
    fields = posted(schema, CALL)
    fields.update(
        {
            "is_admin": "true",
            "caller.is_admin": "true",
            "caller.name.first": "Sian",
            "caller..name": "x",
            ".caller.name": "x",
            "__class__": "x",
            "caller.__dict__": "x",
            "storm_reference.0": "x",
            "flags.0": "harassment",
            "victim_language.day": "1",
        }
    )
    assert instants(parse_submission(schema, fields)) == instants(CALL)


def test_dotted_names_that_reach_outside_a_list_are_ignored():
    schema = form("first_response").schema
    outside = MultiDict(
        {
            "incident_timeline.-1.description": "minus one",
            "incident_timeline.01.description": "leading zero",
            "incident_timeline.1e3.description": "exponent",
            "incident_timeline.\u0661.description": "an Arabic-Indic one",
            "incident_timeline.99999999999.description": "far away",
            "incident_timeline.0.description.__class__": "x",
            "incident_timeline.0.__proto__": "x",
            "incident_timeline..description": "x",
            "incident_timeline.0": "x",
        }
    )
    assert parse_submission(schema, outside) == parse_submission(schema, MultiDict())
    # Positions need not run from nought: the items come in order, without gaps.
    spread = MultiDict(
        {"incident_timeline.7.description": "later", "incident_timeline.3.description": "first"}
    )
    assert parse_submission(schema, spread)["incident_timeline"] == [
        {"description": "first"},
        {"description": "later"},
    ]


def test_ten_thousand_list_items_are_capped():
    schema = form("first_response").schema
    many = MultiDict(
        [(f"incident_timeline.{index}.description", f"Incident {index}") for index in range(10_000)]
        + [(f"prior_incidents.{index}", "DP-20260101-0001") for index in range(10_000)]
    )
    started = time.monotonic()
    data = parse_submission(schema, many)
    assert time.monotonic() - started < 5
    assert len(data["incident_timeline"]) == MAX_ITEMS
    assert data["incident_timeline"][-1] == {"description": f"Incident {MAX_ITEMS - 1}"}
    call_receipt = form("call_receipt").schema
    data = parse_submission(call_receipt, many)
    assert "incident_timeline" not in data
    ticked = MultiDict([("flags", "stalking")] * 10_000)
    assert len(parse_submission(call_receipt, ticked)["flags"]) == MAX_ITEMS
    shown = form_fields(schema, {}, {"incident_timeline": [{}] * 10_000}, {})
    timeline = next(each for each in shown if each.name == "incident_timeline")
    assert len(timeline.children) == MAX_ITEMS and timeline.add_action is None


def test_lists_take_an_item_more_or_less():
    schema = form("first_response").schema
    values = {"incident_timeline": [{"description": "one"}]}
    more = add_item(values, "incident_timeline", schema)
    assert more == {"incident_timeline": [{"description": "one"}, {}]}
    assert values == {"incident_timeline": [{"description": "one"}]}  # not changed in place
    assert remove_item(more, "incident_timeline", 0) == {"incident_timeline": [{}]}
    assert remove_item(more, "incident_timeline", 5) == more
    assert remove_item(more, "nowhere", 0) == more
    call_receipt = form("call_receipt").schema
    assert add_item({}, "prior_incidents", call_receipt) == {"prior_incidents": [""]}
    for path in ("caller", "flags", "nothing", "incident_timeline.0.description", "__class__"):
        assert add_item(values, path, schema) == values
    full = {"incident_timeline": [{}] * 500}
    assert len(add_item(full, "incident_timeline", schema)["incident_timeline"]) == 500
    assert add_item({}, "incident_timeline") == {"incident_timeline": [{}]}

    assert item_action("add:incident_timeline") == ("add", "incident_timeline", None)
    assert item_action("remove:incident_timeline.2") == ("remove", "incident_timeline", 2)
    for nonsense in (None, "", "save", "remove:incident_timeline", "remove:x.-1", "add:"):
        assert item_action(nonsense) is None

    # Drawn: an added item appears empty; the first of a required list cannot be removed.
    fields = form_fields(schema, {}, {}, {})
    timeline = next(each for each in fields if each.name == "incident_timeline")
    assert len(timeline.children) == 1 and timeline.children[0].remove_action is None
    fields = form_fields(schema, {}, add_item({}, "incident_timeline", schema), {})
    timeline = next(each for each in fields if each.name == "incident_timeline")
    assert [child.label for child in timeline.children] == ["Incident 1"]
    fields = form_fields(schema, {}, more, {})
    timeline = next(each for each in fields if each.name == "incident_timeline")
    assert [child.remove_action for child in timeline.children] == [
        "remove:incident_timeline.0",
        "remove:incident_timeline.1",
    ]


def test_errors_are_placed_on_their_question():
    schema = form("call_receipt").schema
    errors = errors_by_field(
        [
            FieldError("reported_at.time", "give the time"),
            FieldError("reported_at", "second message"),
            FieldError("caller.name", "give a name"),
            FieldError("caller.name", "another"),
            FieldError("flags.1", "not a flag"),
            FieldError("(form)", "something about the whole form"),
        ],
        schema,
    )
    assert errors == {
        "reported_at": "give the time",
        "caller.name": "give a name",
        "flags.1": "not a flag",
        "(form)": "something about the whole form",
    }
    fields = form_fields(schema, {}, {}, errors)
    by_name = {each.name: each for each in every_field(fields)}
    assert by_name["flags"].error == "Not a flag"
    summary = error_summary_items(fields, errors)
    assert summary[-1] == {"text": "Something about the whole form"}
    assert [item.get("href") for item in summary] == [
        "#f-reported_at-day",
        "#f-caller-name",
        "#f-flags",
        None,
    ]
