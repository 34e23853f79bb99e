"""The read log, the history export and who may read histories."""

import csv
import io
import json
import threading
from datetime import UTC, datetime

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from tests.audit_helpers import run_rounds, start_loop
from tests.conftest import bearer
from workflows import clock, diagram_functions

PROBLEM = "application/problem+json"


@pytest.fixture
def settings():
    # These tests count events: a checkpoint ends a command once six have gone by since the
    # last one (the service's setting, pinned here; tests/test_audit_checkpoints.py tests it).
    return {"AUDIT_CHECKPOINT_EVERY": 6}


def reads(client, auditor, **query):
    response = client.get("/api/v1/audit/reads", query_string=query, headers=bearer(auditor))
    assert response.status_code == 200, response.json
    return response.json


def test_every_read_of_a_case_is_logged(client, loop, investigator, auditor):
    case = start_loop(client, investigator)
    case_id, task_id = case["id"], case["open_tasks"][0]["id"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=bearer(investigator)).status_code == 200
    assert client.get(f"/api/v1/tasks/{task_id}", headers=bearer(investigator)).status_code == 200
    for url in ("events", "events?format=csv", "verify", "state?at_seq=1"):
        assert (
            client.get(f"/api/v1/cases/{case_id}/{url}", headers=bearer(auditor)).status_code == 200
        )
    assert (
        client.post(f"/api/v1/cases/{case_id}/replay", headers=bearer(auditor)).status_code == 200
    )
    logged = reads(client, auditor, case=case_id)
    assert [entry["action"] for entry in reversed(logged)] == [
        "case.view", "task.view", "case.events", "case.events", "case.verify", "case.state",
        "case.replay",
    ]  # fmt: skip
    view, task = logged[-1], logged[-2]
    assert view["user"].startswith("user-") and view["roles"] == "Investigator"
    assert task["task_id"] == task_id
    assert json.loads(logged[3]["detail"]) == {"format": "csv"}
    assert all(entry["at"].endswith("+00:00") for entry in logged)


def test_reads_by_user_and_the_auditors_own_reads(client, loop, investigator, auditor):
    case = start_loop(client, investigator)
    client.get(f"/api/v1/cases/{case['id']}", headers=bearer(investigator))
    mine = reads(client, auditor, case=case["id"])
    reader = mine[0]["user"]
    by_user = reads(client, auditor, user=reader)
    assert {entry["user"] for entry in by_user} == {reader}
    # Listing the read log is itself a read the log keeps.
    auditor_name = reads(client, auditor, case=case["id"])[0]
    assert auditor_name["action"] in ("read_log.list", "case.view")
    everything = reads(client, auditor)
    assert any(entry["action"] == "read_log.list" for entry in everything)


def test_only_auditors_list_the_read_log(client, token_for):
    for role in ("Administrator", "Investigator"):
        response = client.get("/api/v1/audit/reads", headers=bearer(token_for(role)))
        assert response.status_code == 403 and response.mimetype == PROBLEM


def test_histories_are_for_auditors_and_administrators(client, loop, investigator, token_for):
    case = start_loop(client, investigator)
    admin = token_for("Administrator")
    base = f"/api/v1/cases/{case['id']}"
    for token, allowed in ((investigator, False), (token_for("Sergeant"), False), (admin, True)):
        for method, url in (("get", "/events"), ("get", "/verify"), ("get", "/state"),
                            ("post", "/replay")):  # fmt: skip
            response = getattr(client, method)(base + url, headers=bearer(token))
            assert (response.status_code == 200) is allowed, (url, response.json)
            if not allowed:
                assert response.status_code == 403 and response.mimetype == PROBLEM


def test_auditors_change_nothing(client, loop, investigator, auditor):
    case = start_loop(client, investigator)
    task_id = case["open_tasks"][0]["id"]
    assert client.get(f"/api/v1/tasks/{task_id}", headers=bearer(auditor)).status_code == 200
    for action in ("claim", "unclaim"):
        response = client.post(f"/api/v1/tasks/{task_id}/{action}", headers=bearer(auditor))
        assert response.status_code == 403
    done = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": {"note": "x"}}, headers=bearer(auditor)
    )
    assert done.status_code == 403
    started = client.post(
        "/api/v1/cases", json={"process": "audit_loop", "data": {}}, headers=bearer(auditor)
    )
    assert started.status_code == 403


def test_history_export_as_json_jsonl_and_csv(client, loop, investigator, auditor):
    case = run_rounds(client, investigator, 1)
    base = f"/api/v1/cases/{case['id']}/events"
    as_json = client.get(base, headers=bearer(auditor))
    assert as_json.mimetype == "application/json"
    events = as_json.json
    assert [e["seq"] for e in events] == list(range(1, 13))  # a checkpoint ends each command
    assert events[0]["actor"]["role"] == "Investigator"
    assert events[0]["payload"]["name"] == "start_case"
    lines = client.get(f"{base}?format=jsonl", headers=bearer(auditor))
    assert lines.mimetype == "application/jsonl"
    assert [json.loads(line) for line in lines.text.splitlines()] == events
    table = client.get(f"{base}?format=csv", headers=bearer(auditor))
    assert table.mimetype == "text/csv"
    assert "attachment" in table.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [int(row["seq"]) for row in rows] == list(range(1, 13))
    assert json.loads(rows[0]["payload"]) == events[0]["payload"]
    assert rows[-1]["hash"] == events[-1]["hash"]
    bad = client.get(f"{base}?format=xml", headers=bearer(auditor))
    assert bad.status_code == 400 and bad.mimetype == PROBLEM
    assert bad.json["errors"][0]["field"] == "format"
    assert client.get("/api/v1/cases/nope/events", headers=bearer(auditor)).status_code == 404


def test_the_engine_clock_is_per_thread_and_reaches_timers_and_diagram_code():
    fixed = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
    seen = {}

    def elsewhere():
        seen["other"] = diagram_functions.now()

    with clock.engine_clock(fixed):
        assert diagram_functions.now() == fixed
        assert spiff_timer.datetime.now(UTC) == fixed  # SpiffWorkflow's timers read it
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
    assert seen["other"] != fixed  # another thread kept the real clock
    assert diagram_functions.now() != fixed


def test_cli_exports_histories_with_a_progress_line(app, client, loop, investigator, tmp_path):
    from service.audit.models import ReadLogEntry
    from service.db import db

    cases = [run_rounds(client, investigator, 1) for _ in range(3)]
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["audit", "export", "--all", "--format", "jsonl", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "exported 3/3 case(s)" in result.output
    assert "Exported the history of 3 case(s)" in result.output
    for case in cases:
        lines = (tmp_path / f"{case['id']}.jsonl").read_text().splitlines()
        assert [json.loads(line)["seq"] for line in lines] == list(range(1, 13))
    one = runner.invoke(
        args=[
            "audit",
            "export",
            "--case",
            cases[0]["id"],
            "--format",
            "csv",
            "--out",
            str(tmp_path),
        ]
    )
    assert one.exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / f"{cases[0]['id']}.csv").read_text())))
    assert len(rows) == 12
    with app.app_context():
        assert db.session.query(ReadLogEntry).filter_by(action="case.events").count() == 4
    assert runner.invoke(args=["audit", "export", "--out", str(tmp_path)]).exit_code != 0
    missing = runner.invoke(args=["audit", "export", "--case", "nope", "--out", str(tmp_path)])
    assert missing.exit_code != 0 and "nope" in missing.output
