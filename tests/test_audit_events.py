"""Every command appends its events to the case's history, in the command's transaction."""

import hashlib
import json

import pytest
from sqlalchemy import select

from service.audit.models import CaseAuditHead, CaseEvent
from service.db import db
from service.models import Case
from tests.audit_helpers import complete, run_rounds, start_loop
from tests.conftest import bearer
from tests.samples import CALL


@pytest.fixture
def settings():
    # These tests count events: a checkpoint ends a command once six have gone by since the
    # last one (the service's setting, pinned here; tests/test_audit_checkpoints.py tests it).
    return {"AUDIT_CHECKPOINT_EVERY": 6}


def events_of(app, case_id):
    with app.app_context():
        rows = db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        ).all()
        return [(e.seq, e.type, e.actor_name, e.actor_role, json.loads(e.payload), e) for e in rows]


def test_start_and_complete_record_commands_and_what_happened(app, client, loop, investigator):
    case = start_loop(client, investigator)
    task_id = case["open_tasks"][0]["id"]
    assert (
        complete(client, investigator, task_id, {"note": "seen", "done": True}).status_code == 200
    )
    events = events_of(app, case["id"])
    # Each command ends with a checkpoint here: the setting's six events have gone by.
    assert [e[1] for e in events] == [
        "command", "definition_version", "case_started", "data_changed", "task_opened",
        "checkpoint",
        "command", "task_completed", "decision_taken", "data_changed", "case_completed",
        "checkpoint",
    ]  # fmt: skip
    assert [e[0] for e in events] == list(range(1, 13))
    start, version = events[0][4], events[1][4]
    assert start == {
        "name": "start_case",
        "process": "audit_loop",
        "data": {"rounds": 0, "done": False},
        "language": "en",
    }
    assert version["version_id"] == case["definition_version"]
    assert len(version["content_hash"]) == 64
    assert events[6][4]["data"] == {"note": "seen", "done": True}
    assert events[6][4]["task_id"] == task_id
    assert events[8][4] == {
        "kind": "gateway", "bpmn_id": "more", "name": events[8][4]["name"], "taken": ["end"],
    }  # fmt: skip
    changed = events[9][4]["fields"]
    assert changed["note"] == {"before": None, "after": "seen"}
    assert changed["rounds"] == {"before": 0, "after": 1}
    assert {e[3] for e in events} == {"Investigator"}  # the role used: the lane
    assert {e[2] for e in events} == {events[0][2]} and events[0][2].startswith("user-")
    with app.app_context():
        stored = db.session.get(Case, case["id"])
        last = events[-1][5]
        assert last.state_hash == hashlib.sha256(stored.state.encode()).hexdigest()
        head = db.session.get(CaseAuditHead, case["id"])
        assert (head.seq, head.hash) == (12, last.hash)
    links = [(e[5].prev_hash, e[5].hash) for e in events]
    assert links[0][0] == "0" * 64
    assert all(links[i][0] == links[i - 1][1] for i in range(1, len(links)))


def test_times_are_utc_and_one_per_command(app, client, loop, investigator):
    case = run_rounds(client, investigator, 2)
    events = events_of(app, case["id"])
    for _seq, _type, _name, _role, _payload, row in events:
        assert row.at.utcoffset().total_seconds() == 0
    commands = [row for *_rest, row in events if row.type == "command"]
    assert commands[0].at < commands[1].at < commands[2].at


def test_a_task_still_open_is_not_opened_again(app, client, loop, investigator):
    case = run_rounds(client, investigator, 3)
    opened = [e for e in events_of(app, case["id"]) if e[1] == "task_opened"]
    assert len(opened) == 4  # one per round, plus the first
    assert len({e[4]["task_id"] for e in opened}) == 4


def test_claim_and_unclaim_are_recorded_with_the_lane_role(app, client, loop, investigator):
    case = start_loop(client, investigator)
    task_id = case["open_tasks"][0]["id"]
    assert (
        client.post(f"/api/v1/tasks/{task_id}/claim", headers=bearer(investigator)).status_code
        == 200
    )
    assert (
        client.post(f"/api/v1/tasks/{task_id}/unclaim", headers=bearer(investigator)).status_code
        == 200
    )
    events = events_of(app, case["id"])[6:]
    assert [(e[1], e[4].get("name")) for e in events] == [
        ("command", "claim_task"), ("task_claimed", None),
        ("command", "unclaim_task"), ("task_unclaimed", None),
    ]  # fmt: skip
    assert all(e[3] == "Investigator" and e[4]["task_id"] == task_id for e in events)
    # Claims do not change the engine state: the state hash carries forward.
    assert len({e[5].state_hash for e in events_of(app, case["id"])}) == 1


def test_a_diagram_error_is_recorded_and_the_state_is_unchanged(app, client, loop, investigator):
    case = start_loop(client, investigator)
    task_id = case["open_tasks"][0]["id"]
    failed = complete(client, investigator, task_id, {"note": "boom"})
    assert failed.status_code == 422
    events = events_of(app, case["id"])
    assert [e[1] for e in events[-2:]] == ["command", "diagram_error"]
    assert events[-2][4]["data"] == {"note": "boom"}
    assert events[-1][4]["element_id"] == "count"
    assert "division" in events[-1][4]["message"]
    assert events[-1][5].state_hash == events[4][5].state_hash


def test_refused_commands_leave_no_trace(app, client, loop, investigator, token_for):
    case = start_loop(client, investigator)
    task_id = case["open_tasks"][0]["id"]
    before = len(events_of(app, case["id"]))
    assert complete(client, investigator, task_id, {"colour": "blue"}).status_code == 422
    other = token_for("Sergeant")
    assert complete(client, other, task_id, {"note": "x"}).status_code == 403
    assert len(events_of(app, case["id"])) == before


def test_the_first_stage_case_is_recorded_too(app, client, token_for):
    handler = token_for("Call Handler")
    response = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(handler),
    )
    assert response.status_code == 201
    events = events_of(app, response.json["id"])
    assert events[0][3] == "Call Handler"
    assert events[2][4]["data"]["storm_reference"] == CALL["storm_reference"]


def test_gateway_and_decision_table_outcomes_are_recorded(app, client, token_for):
    from tests.samples import REVIEW_OFFENCES

    handler, desk = token_for("Call Handler"), token_for("Vulnerability Desk")
    case = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(handler),
    ).json
    review = case["open_tasks"][0]["id"]
    done = client.post(
        f"/api/v1/tasks/{review}/complete", json={"data": REVIEW_OFFENCES}, headers=bearer(desk)
    )
    assert done.status_code == 200
    decisions = [e[4] for e in events_of(app, case["id"]) if e[1] == "decision_taken"]
    assert decisions == [
        {
            "kind": "gateway",
            "bpmn_id": "gw_offences_disclosed",
            "name": decisions[0]["name"],
            "taken": ["first_response"],
        }
    ]
