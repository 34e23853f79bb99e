"""Input the database cannot hold is answered in plain words, never with a server error.

PostgreSQL refuses a NUL character in text and ids past 32 bits; before these guards such
requests answered 500 from many endpoints.
"""

import json

import pytest

from tests.conftest import bearer
from tests.samples import CALL
from workflows.forms import load_form

PROBLEM = "application/problem+json"


@pytest.fixture
def everyone(token_for):
    return bearer(token_for("Call Handler", "Sergeant", "Administrator", "Auditor"))


def test_a_nul_character_in_a_query_value_is_a_bad_request(client, everyone):
    for url in ("/api/v1/cases?process=a%00b", "/api/v1/tasks?lane=Serg%00eant"):
        response = client.get(url, headers=everyone)
        assert response.status_code == 400, response.json
        assert response.mimetype == PROBLEM
        assert "NUL character" in response.json["detail"]
        assert response.json["errors"][0]["field"] in ("process", "lane")


def test_a_nul_character_in_a_body_is_refused_naming_the_field(client, everyone):
    started = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": {**CALL, "location": "12 Heol\x00"}},
        headers=everyone,
    )
    assert started.status_code == 422, started.json
    assert started.json["errors"] == [
        {"field": "data.location", "message": "must not hold a NUL character"}
    ]
    case = client.post(
        "/api/v1/cases", json={"process": "stalking_harassment", "data": CALL}, headers=everyone
    ).json
    [task] = case["open_tasks"]
    completed = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"review_notes": ["ok", {"x\x00": 1}]}},
        headers=everyone,
    )
    assert completed.status_code == 422, completed.json
    assert completed.json["errors"][0]["field"] == "data.review_notes[1].x\\u0000"


def start_with_location(client, headers, location: str):
    """Start a case whose call's location is written into the body as given: JSON text that
    Python's own writer would not make."""
    data = json.dumps(CALL)[:-1] + f', "location": {location}}}'
    return client.post(
        "/api/v1/cases",
        data=f'{{"process": "stalking_harassment", "data": {data}}}',
        content_type="application/json",
        headers=headers,
    )


def test_half_a_surrogate_pair_in_a_body_is_refused_naming_the_field(client, everyone):
    """JSON can send half of a surrogate pair on its own as an escape; UTF-8 has no place for
    it. Before, starting a case or completing a task with one answered 500."""
    started = start_with_location(client, everyone, json.dumps("12 Heol \ud800"))
    assert started.status_code == 422, started.json
    assert started.mimetype == PROBLEM
    assert started.json["errors"] == [
        {
            "field": "data.location",
            "message": "must not hold half of a surrogate pair on its own (\\ud800)",
        }
    ]
    case = client.post(
        "/api/v1/cases", json={"process": "stalking_harassment", "data": CALL}, headers=everyone
    ).json
    [task] = case["open_tasks"]
    completed = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        data='{"data": {"review_notes": ["ok", {"x\\udc00": 1}]}}',
        content_type="application/json",
        headers=everyone,
    )
    assert completed.status_code == 422, completed.json
    assert completed.json["errors"][0]["field"] == "data.review_notes[1].x\\udc00"


@pytest.mark.parametrize(
    "value, words",
    [
        ("1" * 5000, "a whole number of more than 4300 digits"),
        ("[" * 5000 + "]" * 5000, "nests lists or objects more deeply than this service reads"),
        ('{"a": ' * 3000 + "1" + "}" * 3000, "nests lists or objects more deeply"),
    ],
    ids=["a number of 5,000 digits", "lists 5,000 deep", "objects 3,000 deep"],
)
def test_a_body_pythons_reader_cannot_hold_is_a_bad_request(client, everyone, value, words):
    """Before, each answered 500: the body's readers failed on it past their own checks."""
    response = start_with_location(client, everyone, value)
    assert response.status_code == 400, response.json
    assert response.mimetype == PROBLEM
    assert words in response.json["detail"]


def test_a_nul_character_or_an_id_too_large_in_a_path_names_nothing(client, everyone):
    for url in (
        "/api/v1/cases/abc%00def",
        "/api/v1/tasks/abc%00def",
        "/api/v1/processes/stalking%00harassment",
    ):
        response = client.get(url, headers=everyone)
        assert response.status_code == 404, (url, response.json)
        assert response.mimetype == PROBLEM
    for incident in (2**31, 2**70):
        response = client.post(f"/api/v1/incidents/{incident}/retry", headers=everyone)
        assert response.status_code == 404, response.json
        assert response.mimetype == PROBLEM
    assert client.post("/api/v1/incidents/2147483647/retry", headers=everyone).status_code == 404


def test_a_value_written_the_wrong_way_is_shown_an_example_never_a_pattern(client, everyone):
    for headers, message in (
        ({}, "write it like DP-20261128-0042"),
        ({"Accept-Language": "cy"}, "ysgrifennwch ef fel DP-20261128-0042"),
    ):
        response = client.post(
            "/api/v1/cases",
            json={"process": "stalking_harassment", "data": {**CALL, "storm_reference": "bad"}},
            headers={**everyone, **headers},
        )
        assert response.status_code == 422, response.json
        assert response.json["errors"] == [{"field": "storm_reference", "message": message}]


def test_a_patterned_field_needs_examples_that_match_it():
    schema = {
        "type": "object",
        "properties": {
            "bare": {"type": "string", "pattern": "^[A-Z]+$"},
            "wrong": {"type": "string", "pattern": "^[A-Z]+$", "examples": ["abc"]},
            "right": {"type": "string", "pattern": "^[A-Z]+$", "examples": ["ABC"]},
        },
    }
    files = {
        "forms/note.schema.json": json.dumps(schema).encode(),
        "forms/note.cy.json": json.dumps({"schema": {}}).encode(),
    }
    _, problems = load_form("note", files)
    messages = sorted(problem.message for problem in problems)
    assert messages == [
        '"pattern" at /properties/bare needs "examples": values written the right way',
        "\"pattern\" at /properties/wrong: the example 'abc' does not match it",
    ]


def test_a_body_that_is_not_json_is_refused_saying_how_to_send_it(client, everyone):
    response = client.post(
        "/api/v1/cases", data="process=stalking_harassment", headers=everyone
    )  # a form post, as a browser would send it
    assert response.status_code == 415, response.json
    assert response.mimetype == PROBLEM
    assert "Content-Type: application/json" in response.json["detail"]
    broken = client.post(
        "/api/v1/cases",
        data="{not json",
        headers={**everyone, "Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    assert broken.json["detail"] == "The request body must be a JSON object."


def test_a_filter_longer_than_the_read_log_holds_is_a_bad_request(client, token_for):
    auditor = bearer(token_for("Auditor"))
    response = client.get("/api/v1/audit/reads", query_string={"case": "x" * 37}, headers=auditor)
    assert response.status_code == 400, response.json
    assert response.mimetype == PROBLEM
    assert response.json["errors"][0]["field"] == "case"
    assert (
        client.get(
            "/api/v1/audit/reads", query_string={"case": "x" * 36}, headers=auditor
        ).status_code
        == 200
    )
