"""Form rules (forms/<name>.rules.json): checked when loaded, evaluated in the sandbox after the
JSON Schema, with messages in the caller's language. And JSON Schema messages in Welsh."""

import json
from datetime import UTC, datetime

import pytest
import time_machine

from service.config import PROJECT_ROOT
from tests.samples import CALL, CALL_DOMESTIC, CRIME_S2, CRIME_S4A, RISK_DASH, RISK_SDASH_HIGH
from workflows.catalog import build_catalog, read_definition_files
from workflows.form_rules import FormRule
from workflows.forms import load_form
from workflows.problems import DefinitionProblems, FieldError

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Visit",
    "type": "object",
    "additionalProperties": False,
    "required": ["visited_at", "grade"],
    "properties": {
        "visited_at": {"title": "Visited at", "type": "string", "format": "date-time"},
        "grade": {
            "title": "Grade",
            "type": "string",
            "oneOf": [{"const": "low", "title": "Low"}, {"const": "high", "title": "High"}],
        },
        "score": {"title": "Score", "type": "integer", "minimum": 0},
        "reason": {"title": "Reason", "type": "string", "minLength": 3},
    },
}
WELSH = {
    "schema": {
        "/title": "Ymweliad",
        "/properties/visited_at/title": "Amser yr ymweliad",
        "/properties/grade/title": "Gradd",
        "/properties/grade/oneOf/0/title": "Isel",
        "/properties/grade/oneOf/1/title": "Uchel",
        "/properties/score/title": "Sgôr",
        "/properties/reason/title": "Rheswm",
    },
    "uischema": {},
}
DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d"
             namespace="https://gwarchod.example/test">
  <decision id="grading" name="Grading">
    <decisionTable id="t" hitPolicy="UNIQUE">
      <input id="i1" label="Score">
        <inputExpression id="e1" typeRef="integer"><text>score</text></inputExpression>
      </input>
      <output id="o1" label="Grade" name="minimum_grade" typeRef="string" />
      <rule id="r1">
        <inputEntry id="r1i"><text>&lt; 10</text></inputEntry>
        <outputEntry id="r1o"><text>"low"</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="r2i"><text>&gt;= 10</text></inputEntry>
        <outputEntry id="r2o"><text>"high"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def rule(field="grade", when="grade == 'low'", en="Too low.", cy="Rhy isel."):
    return {"field": field, "when": when, "message": {"en": en, "cy": cy}}


def files(rules=None, dmn=DMN):
    found = {
        "forms/visit.schema.json": json.dumps(SCHEMA).encode(),
        "forms/visit.cy.json": json.dumps(WELSH).encode(),
    }
    if rules is not None:
        found["forms/visit.rules.json"] = (
            rules if isinstance(rules, bytes) else json.dumps(rules).encode()
        )
    if dmn:
        found["bpmn/grading.dmn"] = dmn.encode()
    return found


def visit(rules):
    form, problems = load_form("visit", files(rules))
    assert not problems, problems
    return form


def messages(problems) -> list[str]:
    return [problem.message for problem in problems]


# --- loading -------------------------------------------------------------------------------------


def test_a_form_without_rules_has_none():
    form = visit(None)
    assert form.rules == [] and form.decisions == {}


def test_rules_are_loaded_with_the_decisions_they_call():
    form = visit(
        [rule(), rule(when="grade == 'low' and decide('grading')['minimum_grade'] == 'high'")]
    )
    assert form.rules[0] == FormRule(
        "grade", "grade == 'low'", {"en": "Too low.", "cy": "Rhy isel."}
    )
    assert set(form.decisions) == {"grading"}


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        pytest.param(b"{not json", "not valid JSON", id="not-json"),
        pytest.param({"field": "grade"}, "must be a JSON list of rules", id="not-a-list"),
        pytest.param(["grade"], "rule 1: must be an object", id="rule-not-an-object"),
        pytest.param([rule(field="colour")], "'colour' is not a field of the form", id="field"),
        pytest.param([rule(when="")], "'when' must be an expression", id="empty-when"),
        pytest.param(
            [{"field": "grade", "when": "True", "message": {"en": "x"}}],
            "rule 1 (grade): no message in 'cy'",
            id="no-welsh",
        ),
        pytest.param(
            [{**rule(), "message": {"en": "x", "cy": "y", "fr": "z"}}],
            "unknown language 'fr'",
            id="unknown-language",
        ),
        pytest.param([{**rule(), "severity": "high"}], "unknown keys severity", id="unknown-key"),
        pytest.param(
            [rule(when="__import__('os').system('id')")], "rule 1 (grade): when:", id="import"
        ),
        pytest.param(
            [rule(when="().__class__.__base__.__subclasses__()")], "when:", id="dunder-escape"
        ),
        pytest.param([rule(when="grade ==")], "when:", id="syntax"),
        pytest.param(
            [rule(when="decide('nowhere')['x'] == 1")],
            "decide('nowhere'), but no DMN file of the set defines that decision",
            id="unknown-decision",
        ),
        pytest.param(
            [rule(when="decide(grade)['x'] == 1")],
            'write decide("decision_id") with the id as text',
            id="decision-not-literal",
        ),
    ],
)
def test_bad_rules_files_are_problems_of_that_file(rules, expected):
    form, problems = load_form("visit", files(rules))
    assert form is None
    assert {problem.file for problem in problems} == {"forms/visit.rules.json"}
    on_rules = [p.message for p in problems if p.file == "forms/visit.rules.json"]
    assert any(expected in message for message in on_rules), on_rules


def test_every_bad_rule_is_reported_at_once():
    _, problems = load_form("visit", files([rule(field="colour"), rule(), rule(when="import os")]))
    found = messages(problems)
    assert any(m.startswith("rule 1 (colour)") for m in found)
    assert any(m.startswith("rule 3 (grade): when:") for m in found)
    assert not any(m.startswith("rule 2") for m in found)


def test_the_catalog_refuses_a_set_with_a_bad_rules_file():
    definition_files = read_definition_files(PROJECT_ROOT)
    definition_files["forms/risk_assessment.rules.json"] = json.dumps(
        [rule(field="risk_grade", when="open('/etc/passwd')")]
    ).encode()
    with pytest.raises(DefinitionProblems) as raised:
        build_catalog(definition_files)
    found = {(p.file, p.element_id): p.message for p in raised.value.problems}
    assert "open() is not available" in found[("forms/risk_assessment.rules.json", None)]
    assert "is not valid" in found[("bpmn/stalking_harassment.bpmn", "risk_assessment")]


# --- evaluation ----------------------------------------------------------------------------------

GOOD = {"visited_at": "2026-11-28T10:00:00Z", "grade": "high"}


def test_a_broken_rule_names_its_field_in_the_callers_language():
    form = visit([rule()])
    low = {**GOOD, "grade": "low"}
    assert form.validate(low) == [FieldError("grade", "Too low.")]
    assert form.validate(low, language="cy") == [FieldError("grade", "Rhy isel.")]
    assert form.validate(GOOD) == []


def test_rules_see_the_case_data_and_the_submitted_data_over_it():
    form = visit(
        [rule(field="visited_at", when="parse_datetime(visited_at) < parse_datetime(reported_at)")]
    )
    context = {"reported_at": "2026-11-28T11:00:00Z", "grade": "low"}
    assert [e.field for e in form.validate(GOOD, context=context)] == ["visited_at"]
    assert form.validate({**GOOD, "visited_at": "2026-11-28T12:00:00Z"}, context=context) == []


def test_form_fields_not_given_are_none():
    form = visit([rule(field="reason", when="score is not None and score > 5 and reason is None")])
    assert [e.field for e in form.validate({**GOOD, "score": 7})] == ["reason"]
    assert form.validate({**GOOD, "score": 7, "reason": "checked"}) == []
    assert form.validate(GOOD) == []


def test_rules_wait_until_the_data_matches_the_schema():
    form = visit([rule(when="True")])
    errors = form.validate({"grade": "low"})
    assert errors == [FieldError("visited_at", "this field is required")]


def test_a_rule_that_fails_to_run_refuses_the_data():
    form = visit([rule(field="score", when="score > 5")])  # score may be None
    [error] = form.validate(GOOD)
    assert error.field == "score"
    assert error.message.startswith("this rule could not be checked: ")
    [welsh] = form.validate(GOOD, language="cy")
    assert welsh.message.startswith("nid oedd modd gwirio'r rheol hon: ")


def test_rules_run_in_the_sandbox_with_a_work_budget():
    form = visit([rule(when="len([i for i in range(100000) for j in range(3)]) > 0")])
    [error] = form.validate(GOOD)
    assert "could not be checked" in error.message


def test_decide_gives_a_decision_tables_outputs_for_the_data():
    order = "{'low': 0, 'high': 1}"
    form = visit(
        [
            rule(
                field="grade",
                when=f"{order}[grade] < {order}[decide('grading')['minimum_grade']]",
                en="Never lower than the table.",
                cy="Byth yn is na'r tabl.",
            )
        ]
    )
    assert form.validate({**GOOD, "grade": "low", "score": 12}) == [
        FieldError("grade", "Never lower than the table.")
    ]
    assert form.validate({**GOOD, "grade": "low", "score": 3}) == []
    assert form.validate({**GOOD, "grade": "high", "score": 12}) == []


def test_a_decision_with_no_matching_rule_refuses_rather_than_passes():
    form = visit([rule(when="decide('grading')['minimum_grade'] == 'high'")])
    [error] = form.validate(GOOD)  # score is None: '< 10' cannot be compared
    assert "could not be checked" in error.message


# --- JSON Schema messages in Welsh ---------------------------------------------------------------


def test_schema_messages_in_welsh():
    form = visit(None)
    bad = {"visited_at": "2026-11-28T10:00:00", "grade": "medium", "score": -1, "colour": "x"}
    english = {e.field: e.message for e in form.validate({**bad, "grade": None})}
    assert english["colour"] == "this field is not part of the form"
    welsh = {e.field: e.message for e in form.validate(bad, language="cy")}
    assert welsh == {
        "colour": "nid yw'r maes hwn yn rhan o'r ffurflen",
        "grade": "rhaid iddo fod yn un o 'low', 'high'",
        "score": "rhaid iddo fod yn 0 neu'n fwy",
        "visited_at": "nid yw'n ddyddiad ac amser dilys: mae angen gwrthbwyso UTC ar ddyddiad "
        "ac amser, e.e. 2026-11-28T09:30:00Z",
    }
    assert form.validate({}, language="cy") == [
        FieldError("grade", "mae angen llenwi'r maes hwn"),
        FieldError("visited_at", "mae angen llenwi'r maes hwn"),
    ]
    [typed] = form.validate({**GOOD, "score": "many"}, language="cy")
    assert typed == FieldError("score", "rhaid iddo fod o'r math rhif cyfan")


def test_english_format_messages_keep_the_reason():
    form = visit(None)
    [error] = form.validate({**GOOD, "visited_at": "2026-11-28T10:00:00"})
    assert "needs a UTC offset" in error.message
    [error] = form.validate({**GOOD, "visited_at": "last Tuesday"})
    assert error.message.startswith("not a real date and time: write it as ISO 8601")


# --- the project's own rules ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    return build_catalog(read_definition_files(PROJECT_ROOT))


def test_risk_grade_never_below_the_dash_grade(catalog):
    form = catalog.forms["risk_assessment"]
    context = {**CALL_DOMESTIC, "risk_screening_required": True}
    for count, lowest in ((9, "standard"), (10, "medium"), (13, "medium"), (14, "high")):
        for grade in ("standard", "medium", "high"):
            data = {**RISK_DASH, "dash_yes_count": count, "risk_grade": grade}
            errors = [e.field for e in form.validate(data, context=context)]
            allowed = ["standard", "medium", "high"].index(grade) >= [
                "standard",
                "medium",
                "high",
            ].index(lowest)
            assert errors == ([] if allowed else ["risk_grade"]), (count, grade)


def test_sdash_leaves_the_grade_to_the_officer(catalog):
    form = catalog.forms["risk_assessment"]
    context = {**CALL, "risk_screening_required": True}
    standard = {k: v for k, v in RISK_SDASH_HIGH.items() if k != "risk_plan"}
    assert form.validate({**standard, "risk_grade": "standard"}, context=context) == []


def test_recorded_offence_never_below_the_classification(catalog):
    form = catalog.forms["crime_recording"]
    assert form.validate(CRIME_S4A) == []
    for lower in ("s2A", "s4"):
        errors = form.validate({**CRIME_S4A, "recorded_offence": lower})
        assert [e.field for e in errors] == ["recorded_offence"], lower
    reason = {"not_stalking_reason": "No stalking behaviour at all."}
    assert form.validate({**CRIME_S2, **reason}) == []
    # Fear of violence on two occasions without stalking acts is s4: s2 is too low.
    fear = {**CRIME_S2, **reason, "feared_violence_on_two_occasions": True}
    assert [e.field for e in form.validate(fear)] == ["recorded_offence"]


def test_marac_meeting_not_before_the_referral(catalog):
    form = catalog.forms["marac_referral"]
    data = {
        "marac_referral_sent_at": "2026-11-28T13:00:00Z",
        "marac_meeting_date": "2026-11-27",
        "victim_consent": "given",
        "victim_informed_of_referral": True,
    }
    with time_machine.travel(datetime(2026, 11, 28, 14, 0, tzinfo=UTC)):
        assert [e.field for e in form.validate(data)] == ["marac_meeting_date"]
        assert form.validate({**data, "marac_meeting_date": "2026-12-03"}) == []
        future = {
            **data,
            "marac_referral_sent_at": "2026-11-29T09:00:00Z",
            "marac_meeting_date": "2026-12-03",
        }
        assert [e.field for e in form.validate(future, language="cy")] == ["marac_referral_sent_at"]
