"""Finding earlier reports, and opening one for a stated reason ("break glass"): repeat reports
are how stalking is spotted, but a case's details stay need to know."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import delete

from service.db import db
from service.models import CaseMatchKey
from tests.conftest import bearer
from tests.samples import CALL
from tests.test_case_restriction import restrict, status_of
from workflows.matching import match_fields, match_keys, match_problems, normalised

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
EARLIER = {
    **CALL,
    "victim": {"name": "Sîan Jones", "date_of_birth": "1990-04-23", "phone": "07700 900123"},
    "suspect": {"name": "Gareth Evans", "date_of_birth": "1988-02-01"},
    "prior_incidents": ["DP-20261001-0007"],
}
OPENING = "A new call names the same victim; checking the earlier report for risk."


def search(client, token, **query):
    return client.get("/api/v1/cases/matches", query_string=query, headers=bearer(token))


@pytest.fixture
def earlier_case(client, user_for):
    starter = user_for("Call Handler")
    response = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": EARLIER},
        headers=bearer(starter[1]),
    )
    assert response.status_code == 201, response.json
    return response.json


def test_a_call_handler_finds_an_earlier_case_however_its_values_are_written(
    client,
    user_for,
    earlier_case,
):
    _, handler = user_for("Call Handler")
    assert status_of(client, handler, earlier_case["id"]) == 404
    for query, kinds in (
        ({"name": "  sîan   JONES "}, ["name"]),
        ({"name": "gareth evans"}, ["name"]),
        ({"date_of_birth": "1990-04-23"}, ["date_of_birth"]),
        ({"phone": "+44 7700 900123"}, ["phone"]),
        ({"phone": "(01267) 226-440"}, ["phone"]),  # the caller's number
        ({"storm_reference": "dp-20261001-0007"}, ["storm_reference"]),
        ({"name": "Sîan Jones", "date_of_birth": "1990-04-23"}, ["name", "date_of_birth"]),
    ):
        response = search(client, handler, **query)
        assert response.status_code == 200, (query, response.json)
        [found] = response.json
        assert found["case_id"] == earlier_case["id"]
        assert found["matched_on"] == kinds, query
        assert found["restricted"] is False
        # Minimal form: no details of the case.
        assert set(found) == {
            "case_id",
            "process_id",
            "process_name",
            "status",
            "started_at",
            "restricted",
            "matched_on",
        }
    for query in ({"name": "Sian Jones Evans"}, {"date_of_birth": "1990-04-24"}):
        assert search(client, handler, **query).json == [], query


def test_finding_is_for_those_who_start_cases_and_asks_for_a_real_value(
    client,
    user_for,
    earlier_case,
):
    _, auditor = user_for("Auditor")
    response = search(client, auditor, name="Sîan Jones")
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    handler_name, handler = user_for("Call Handler")
    response = search(client, handler)
    assert response.status_code in (400, 422)
    assert "give at least one of" in str(response.json["errors"])
    response = search(client, handler, date_of_birth="23/04/1990")
    assert response.status_code == 400
    assert response.json["errors"] == [
        {"field": "date_of_birth", "message": "write it like 1990-04-23"}
    ]
    # Each search is in the read log, with what was searched for.
    assert search(client, handler, name="Sîan Jones").status_code == 200
    reads = client.get(
        "/api/v1/audit/reads", query_string={"user": handler_name}, headers=bearer(auditor)
    ).json
    [logged] = [entry for entry in reads if entry["action"] == "case.matches"]
    assert json.loads(logged["detail"]) == {"found": 1, "searched": [["name", "sîan jones"]]}


def test_a_restricted_case_is_found_as_restricted_and_never_opened(
    client,
    user_for,
    earlier_case,
):
    inspector_name, inspector = user_for("Inspector")
    [review] = earlier_case["open_tasks"]
    desk = user_for(review["lane"])[0]
    assert restrict(client, inspector, earlier_case["id"], [desk]).status_code == 200
    _, handler = user_for("Call Handler")
    [found] = search(client, handler, name="Sîan Jones").json
    assert found["restricted"] is True
    response = client.post(
        f"/api/v1/cases/{earlier_case['id']}/access",
        json={"reason": OPENING},
        headers=bearer(handler),
    )
    assert response.status_code == 403
    assert "restricted" in response.json["detail"]
    assert status_of(client, handler, earlier_case["id"]) == 404


def test_opening_a_case_for_a_reason_lets_its_opener_read_it_for_a_day_and_auditors_see_it(
    client,
    user_for,
    earlier_case,
):
    handler_name, handler = user_for("Call Handler")
    _, auditor = user_for("Auditor")
    url = f"/api/v1/cases/{earlier_case['id']}/access"
    response = client.post(url, json={"reason": "   ...   "}, headers=bearer(handler))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "reason"
    with time_machine.travel(T0, tick=False) as clock:
        response = client.post(url, json={"reason": OPENING}, headers=bearer(handler))
        assert response.status_code == 201, response.json
        assert response.json["expires_at"].startswith("2026-12-02T09:00:00")
        assert status_of(client, handler, earlier_case["id"]) == 200
        cases = client.get("/api/v1/cases", headers=bearer(handler)).json
        assert earlier_case["id"] in {case["id"] for case in cases}
        clock.move_to(T0 + timedelta(hours=23, minutes=59))
        assert status_of(client, handler, earlier_case["id"]) == 200
        clock.move_to(T0 + timedelta(hours=24, seconds=1))
        assert status_of(client, handler, earlier_case["id"]) == 404
    # Auditors review every opening; others may not list them.
    openings = client.get(
        "/api/v1/access-openings", query_string={"user": handler_name}, headers=bearer(auditor)
    ).json
    assert [(o["case_id"], o["reason"]) for o in openings] == [(earlier_case["id"], OPENING)]
    assert client.get("/api/v1/access-openings", headers=bearer(handler)).status_code == 403
    events = client.get(f"/api/v1/cases/{earlier_case['id']}/events", headers=bearer(auditor)).json
    assert events[-1]["type"] == "case_access_opened"
    assert events[-1]["payload"]["reason"] == OPENING
    verified = client.get(
        f"/api/v1/cases/{earlier_case['id']}/verify", headers=bearer(auditor)
    ).json
    assert verified["ok"] is True, verified


def test_the_opening_time_is_a_setting(app, client, user_for, earlier_case):
    app.config["CASE_ACCESS_HOURS"] = 2
    _, handler = user_for("Call Handler")
    with time_machine.travel(T0, tick=False):
        response = client.post(
            f"/api/v1/cases/{earlier_case['id']}/access",
            json={"reason": OPENING},
            headers=bearer(handler),
        )
    assert response.json["expires_at"].startswith("2026-12-01T11:00:00")


def test_values_are_written_one_way():
    assert normalised("name", "  Sîan\tJONES ") == "sîan jones"
    assert normalised("phone", "+44 (0)1267 226440") == "001267226440"  # as written: kept apart
    assert normalised("phone", "+44 1267 226440") == normalised("phone", "01267 226440")
    assert normalised("phone", "0044 1267 226440") == "01267226440"
    assert normalised("phone", "12-34") is None
    assert normalised("date_of_birth", "1990-02-30") is None
    assert normalised("storm_reference", " dp-1 ") == "DP-1"
    fields = match_fields(
        {
            "properties": {
                "who": {"properties": {"name": {"type": "string", "match": "name"}}},
                "refs": {"items": {"type": "string", "match": "storm_reference"}},
            }
        }
    )
    assert match_keys({"who": {"name": "A B"}, "refs": ["x1", "X2"]}, fields) == {
        ("name", "a b"),
        ("storm_reference", "X1"),
        ("storm_reference", "X2"),
    }


def said(schema: dict) -> list[str]:
    return [found.say() for found in match_problems(schema)]


def test_a_match_mark_must_name_a_kind_on_a_text_field_reached_through_properties():
    assert said({"properties": {"n": {"type": "string", "match": "name"}}}) == []
    assert said({"properties": {"n": {"type": "string", "match": "surname"}}}) == [
        '"match" at /properties/n must be one of name, date_of_birth, phone, storm_reference'
    ]
    assert said({"properties": {"n": {"type": "integer", "match": "phone"}}}) == [
        '"match" at /properties/n is only for a text field, with "type": "string"'
    ]
    assert said({"oneOf": [{"properties": {"n": {"type": "string", "match": "name"}}}]}) == [
        '"match" is only for fields reached through "properties" and "items"'
    ]


def test_cases_started_before_matching_existed_are_found_once_reindexed(
    app, client, user_for, earlier_case
):
    with app.app_context():
        db.session.execute(delete(CaseMatchKey))  # as after the upgrade that added them
        db.session.commit()
    _, handler = user_for("Call Handler")
    assert search(client, handler, name="Gareth Evans").json == []
    result = app.test_cli_runner().invoke(args=["cases", "reindex-matches"])
    assert result.exit_code == 0, result.output
    assert "1 case(s) can be found" in result.output
    [found] = search(client, handler, name="Gareth Evans").json
    assert found["case_id"] == earlier_case["id"]
