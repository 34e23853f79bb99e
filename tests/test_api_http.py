"""The edges of the API: tokens, problem details, malformed and oversized bodies, OpenAPI."""

from tests.conftest import bearer

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.json
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_health_and_openapi_answer_without_a_token(client):
    health = client.get("/health")
    assert (health.status_code, health.json["status"]) == (200, "ok")
    spec = client.get("/api/v1/openapi.json").json
    assert spec["info"]["title"] == "Gwarchod"
    for path in ("/api/v1/cases", "/api/v1/tasks/{task_id}/complete", "/api/v1/processes"):
        assert path in spec["paths"]


def test_everything_else_needs_a_valid_token(client):
    for url in ("/api/v1/tasks", "/api/v1/cases", "/api/v1/processes"):
        assert_problem(client.get(url), 401)
        assert client.get(url).headers["WWW-Authenticate"] == "Bearer"
    assert_problem(client.get("/api/v1/tasks", headers=bearer("gw_not-a-token")), 401)
    assert_problem(client.get("/api/v1/tasks", headers={"Authorization": "Basic abc"}), 401)


def test_non_json_body_is_400(client, token_for):
    token = token_for("Call Handler")
    response = client.post(
        "/api/v1/cases",
        data="{not json",
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert_problem(response, 400)


def test_body_that_is_not_an_object_is_refused(client, token_for):
    token = token_for("Call Handler")
    response = client.post("/api/v1/cases", json=[1, 2], headers=bearer(token))
    assert response.status_code in (400, 422)
    assert response.mimetype == PROBLEM


def test_missing_and_wrongly_typed_fields_are_named(client, token_for):
    token = token_for("Call Handler")
    body = assert_problem(
        client.post("/api/v1/cases", json={"data": "x", "other": 1}, headers=bearer(token)), 422
    )
    assert {e["field"] for e in body["errors"]} == {"process", "data", "other"}


def test_a_bad_query_value_is_a_bad_request_naming_the_field(client, token_for):
    token = token_for("Sergeant", "Auditor")
    for url, field in (
        ("/api/v1/cases?limit=abc", "limit"),
        ("/api/v1/tasks?status=bogus", "status"),
        ("/api/v1/timers?due_before=soon", "due_before"),
        ("/api/v1/audit/reads?limit=0", "limit"),
    ):
        body = assert_problem(client.get(url, headers=bearer(token)), 400)
        assert [e["field"] for e in body["errors"]] == [field], url
        assert field in body["detail"]


def test_the_document_lists_400_for_query_values_and_422_for_bodies(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    with_query = {
        (method, path): operation["responses"]
        for path, operations in paths.items()
        for method, operation in operations.items()
        if method in ("get", "post", "delete")
        and any(p.get("in") == "query" for p in operation.get("parameters", []))
    }
    assert len(with_query) > 10
    for where, responses in with_query.items():
        assert "400" in responses, where
    assert "422" not in paths["/api/v1/cases"]["get"]["responses"]
    assert "422" in paths["/api/v1/cases"]["post"]["responses"]
    assert "422" in paths["/api/v1/tasks/{task_id}/complete"]["post"]["responses"]


def test_oversized_body_is_413(client, token_for):
    token = token_for("Call Handler")
    big = {"process": "stalking_harassment", "data": {"summary": "x" * 600_000}}
    assert_problem(client.post("/api/v1/cases", json=big, headers=bearer(token)), 413)


def test_unknown_address_and_method(client, token_for):
    token = token_for("Call Handler")
    assert_problem(client.get("/api/v1/nothing-here", headers=bearer(token)), 404)
    assert_problem(client.delete("/api/v1/cases", headers=bearer(token)), 405)


def test_processes_list_shows_the_start_form(client, token_for):
    token = token_for("Call Handler")
    processes = client.get("/api/v1/processes", headers=bearer(token)).json
    [process] = [p for p in processes if p["id"] == "stalking_harassment"]
    assert process["start_lane"] == "Call Handler"
    assert "storm_reference" in process["start_form"]["schema"]["properties"]
    one = client.get("/api/v1/processes/stalking_harassment?lang=cy", headers=bearer(token)).json
    assert one["start_form"]["language"] == "cy"
