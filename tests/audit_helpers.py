"""Helpers shared by the audit tests: a looping case driven through the API."""

from tests.audit_diagrams import LOOP
from tests.conftest import bearer


def start_loop(client, token) -> dict:
    response = client.post(
        "/api/v1/cases",
        json={"process": LOOP, "data": {"rounds": 0, "done": False}},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.json
    return response.json


def complete(client, token, task_id: str, data: dict):
    return client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": data}, headers=bearer(token)
    )


def run_rounds(client, token, rounds: int, finish: bool = False) -> dict:
    """Start a case and write ``rounds`` notes; the last one ends it if ``finish``."""
    case = start_loop(client, token)
    for number in range(1, rounds + 1):
        done = finish and number == rounds
        response = complete(
            client, token, case["open_tasks"][0]["id"], {"note": f"round {number}", "done": done}
        )
        assert response.status_code == 200, response.json
        case = response.json
    return case
