"""Input the database cannot hold is answered in plain words, never with a server error.

PostgreSQL refuses a NUL character in text and ids past 32 bits; before these guards such
requests answered 500 from many endpoints.
"""

import pytest

from tests.conftest import bearer
from tests.samples import CALL

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
