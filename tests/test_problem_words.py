"""A problem in a process owner's files is said in the reader's language: every kind of problem
has its Welsh, a broken diagram checked in Welsh is listed in Welsh (by the page's script and
without it), and the API says it in the caller's language, with the problem's kind."""

import html
import io
import re

import pytest

from scripts.welsh import WELSH
from tests.conftest import bearer
from tests.names import with_welsh_names
from tests.test_api_deploy import two_step, upload
from tests.test_model_pages import process_owner  # noqa: F401 (a fixture)
from tests.test_modeller_pages import PSD, opened, owner_client, send, text_of  # noqa: F401
from workflows.problems import TEXTS, Problem, words

PARAMETER = re.compile(r"%\((\w+)\)([sd])")


def sample_params(text: str) -> dict:
    return {name: 3 if kind == "d" else f"<{name}>" for name, kind in PARAMETER.findall(text)}


def test_every_kind_of_problem_has_its_welsh_with_the_same_parameters(app):
    from service.problem_words import problem_message

    lacking = [kind for kind, english in TEXTS.items() if english not in WELSH]
    assert not lacking, f"scripts/welsh.py has no Welsh for the problems {lacking}"
    with app.test_request_context():
        for kind, english in TEXTS.items():
            welsh, params = WELSH[english], sample_params(english)
            assert welsh != english, kind
            assert sorted(PARAMETER.findall(welsh)) == sorted(PARAMETER.findall(english)), kind
            problem = Problem("bpmn/x.bpmn", None, words(kind, **params))
            assert problem_message(problem, "en") == english % params
            assert problem_message(problem, "cy") == welsh % params, "make translations?"


def test_a_kind_of_problem_without_words_is_refused_where_it_is_made():
    with pytest.raises(KeyError, match="add them to TEXTS"):
        words("a_problem_nobody_described")


def test_words_within_words_are_said_in_the_same_language(app):
    from service.problem_words import problem_message

    rule = words("rule_of_field", number=2, field="reason")
    problem = Problem("forms/x.rules.json", None, words("rule_no_when", rule=rule))
    assert problem.message == (
        "rule 2 (reason): 'when' must be an expression (true when the rule is broken)"
    )
    with app.test_request_context():
        assert problem_message(problem, "cy") == (
            "rheol 2 (reason): rhaid i 'when' fod yn fynegiad (gwir pan fydd y rheol wedi'i thorri)"
        )


def broken(form: dict) -> dict:
    return {**form, "xml": form["xml"].replace("psd_assessment.schema.json", "missing.schema.json")}


def test_a_broken_diagram_checked_in_welsh_is_listed_in_welsh(owner_client):  # noqa: F811
    owner_client.get("/language/cy")
    form = broken(opened(owner_client))
    answer = send(owner_client, f"/model/files/{PSD}/check", form)
    assert answer.status_code == 200
    assert answer.json["problems"] == [
        {
            "element_id": "psd_assessment",
            "message": "nid yw'r ffurflen 'missing.schema.json' yn bodoli",
        }
    ]
    assert "nid yw'r ffurflen 'missing.schema.json' yn bodoli" in html.unescape(answer.json["html"])
    # Without the page's script: the 422 page lists it in Welsh too.
    page = send(owner_client, f"/model/files/{PSD}", {**form, "action": "check"})
    assert page.status_code == 422
    assert "nid yw'r ffurflen 'missing.schema.json' yn bodoli" in text_of(page)
    assert "does not exist" not in text_of(page)


def test_the_same_check_in_english_is_listed_in_english(owner_client):  # noqa: F811
    page = send(
        owner_client, f"/model/files/{PSD}", {**broken(opened(owner_client)), "action": "check"}
    )
    assert "form 'missing.schema.json' does not exist" in text_of(page)


def test_the_api_says_each_problem_in_the_callers_language_with_its_kind(client, owner):
    diagram = with_welsh_names({"notes.bpmn": two_step("notes", "x = 1").encode()})
    english = upload(client, owner, diagram)
    assert english.status_code == 422
    (problem,) = [p for p in english.json["problems"] if p["element_id"] == "task"]
    assert problem["kind"] == "form_missing"
    assert problem["message"] == "form 'note.schema.json' does not exist"
    welsh = client.post(
        "/api/v1/processes",
        data={"file": [(io.BytesIO(content), name) for name, content in diagram.items()]},
        headers={**bearer(owner), "Accept-Language": "cy"},
        content_type="multipart/form-data",
    )
    assert welsh.status_code == 422
    assert welsh.json["detail"].startswith("Problemau a gafwyd:")
    (problem,) = [p for p in welsh.json["problems"] if p["element_id"] == "task"]
    assert problem["kind"] == "form_missing"
    assert problem["message"] == "nid yw'r ffurflen 'note.schema.json' yn bodoli"
