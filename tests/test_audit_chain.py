"""Tamper evidence: rows edited, deleted or reordered in the database are each detected."""

import pytest
from sqlalchemy import text

from service.db import db
from tests.audit_helpers import run_rounds
from tests.conftest import bearer

PROBLEM = "application/problem+json"


@pytest.fixture
def case(client, loop, investigator):
    # 5 + 3 * 5 = 20 events, and a checkpoint after each of the 4 commands (6, 12, 18, 24)
    return run_rounds(client, investigator, 3)


@pytest.fixture
def settings():
    # These tests count events: a checkpoint ends a command once six have gone by since the
    # last one (the service's setting, pinned here; tests/test_audit_checkpoints.py tests it).
    return {"AUDIT_CHECKPOINT_EVERY": 6}


def tamper(app, sql, **params):
    with app.app_context():
        db.session.execute(text(sql), params)
        db.session.commit()


def verify(client, auditor, case_id):
    response = client.get(f"/api/v1/cases/{case_id}/verify", headers=bearer(auditor))
    assert response.status_code == 200, response.json
    return response.json


def test_an_untouched_chain_verifies(client, case, auditor):
    report = verify(client, auditor, case["id"])
    assert report == {
        "case_id": case["id"],
        "ok": True,
        "events": 24,
        "first_bad_seq": None,
        "problem": None,
        "detail": None,
        "checkpoints": 4,
    }


def test_an_edited_payload_is_detected(app, client, case, auditor):
    tamper(
        app,
        "UPDATE case_events SET payload = REPLACE(payload, 'round 2', 'round 9') "
        "WHERE case_id = :c AND seq = 13",  # the command of the second round
        c=case["id"],
    )
    report = verify(client, auditor, case["id"])
    assert (report["ok"], report["first_bad_seq"], report["problem"]) == (False, 13, "altered")


@pytest.mark.parametrize("column", ["actor_name", "type", "actor_role"])
def test_an_edited_column_is_detected(app, client, case, auditor, column):
    tamper(
        app, f"UPDATE case_events SET {column} = 'x' WHERE case_id = :c AND seq = 7", c=case["id"]
    )
    report = verify(client, auditor, case["id"])
    assert (report["first_bad_seq"], report["problem"]) == (7, "altered")


def test_an_edited_time_is_detected(app, client, case, auditor):
    tamper(
        app,
        "UPDATE case_events SET at = :at WHERE case_id = :c AND seq = 3",
        c=case["id"],
        at="2020-01-01 00:00:00.000000",
    )
    assert verify(client, auditor, case["id"])["first_bad_seq"] == 3


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(app, client, case, auditor):
    tamper(app, "UPDATE case_events SET hash = :h WHERE case_id = :c AND seq = 4",
           c=case["id"], h="f" * 64)  # fmt: skip
    report = verify(client, auditor, case["id"])
    assert report["first_bad_seq"] == 4 and report["problem"] == "altered"


def test_a_deleted_event_is_detected(app, client, case, auditor):
    tamper(app, "DELETE FROM case_events WHERE case_id = :c AND seq = 6", c=case["id"])
    report = verify(client, auditor, case["id"])
    assert (report["first_bad_seq"], report["problem"]) == (6, "missing")
    assert report["events"] == 5


def test_deleted_last_events_are_detected(app, client, case, auditor):
    tamper(app, "DELETE FROM case_events WHERE case_id = :c AND seq >= 15", c=case["id"])
    report = verify(client, auditor, case["id"])
    assert (report["first_bad_seq"], report["problem"]) == (15, "missing")


def test_reordered_events_are_detected(app, client, case, auditor):
    swap = "UPDATE case_events SET seq = :to WHERE case_id = :c AND seq = :frm"
    tamper(app, swap, c=case["id"], frm=8, to=-1)
    tamper(app, swap, c=case["id"], frm=9, to=8)
    tamper(app, swap, c=case["id"], frm=-1, to=9)
    report = verify(client, auditor, case["id"])
    assert (report["first_bad_seq"], report["problem"]) == (8, "out_of_order")


def test_a_state_changed_outside_the_application_is_detected(app, client, case, auditor):
    tamper(app, "UPDATE cases SET state = REPLACE(state, 'round 3', 'round 4') WHERE id = :c",
           c=case["id"])  # fmt: skip
    report = verify(client, auditor, case["id"])
    assert (report["first_bad_seq"], report["problem"]) == (24, "state_altered")


def test_a_garbled_row_is_a_finding_not_a_crash(app, client, case, auditor, database_uri):
    tamper(app, "UPDATE case_events SET payload = '{not json' WHERE case_id = :c AND seq = 2",
           c=case["id"])  # fmt: skip
    if database_uri.startswith("sqlite"):  # PostgreSQL refuses a time that is not a time
        tamper(app, "UPDATE case_events SET at = :at WHERE case_id = :c AND seq = 2",
               c=case["id"], at="2026-13-45 99:00:00")  # fmt: skip
    report = verify(client, auditor, case["id"])
    assert report["ok"] is False and report["first_bad_seq"] == 2
    # The history and the export still answer.
    assert (
        client.get(f"/api/v1/cases/{case['id']}/events", headers=bearer(auditor)).status_code == 200
    )
    assert (
        client.post(f"/api/v1/cases/{case['id']}/replay", headers=bearer(auditor)).status_code
        == 200
    )


def test_cli_verifies_one_case_or_all(app, client, case, investigator):
    other = run_rounds(client, investigator, 1)
    runner = app.test_cli_runner()
    one = runner.invoke(args=["audit", "verify", "--case", case["id"]])
    assert one.exit_code == 0, one.output
    assert f"ok  {case['id']}: 24 events, 4 checkpoint(s)" in one.output
    every = runner.invoke(args=["audit", "verify", "--all"])
    assert every.exit_code == 0 and "2 case(s) checked, 0 damaged" in every.output
    tamper(app, "DELETE FROM case_events WHERE case_id = :c AND seq = 6", c=other["id"])
    broken = runner.invoke(args=["audit", "verify", "--all"])
    assert broken.exit_code == 1
    assert f"DAMAGED  {other['id']}: event 6 missing" in broken.output
    assert "2 case(s) checked, 1 damaged" in broken.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 2
    unknown = runner.invoke(args=["audit", "verify", "--case", "nope"])
    assert unknown.exit_code == 1 and "no case 'nope'" in unknown.output


def test_verify_an_unknown_case_is_404(client, auditor):
    response = client.get("/api/v1/cases/nope/verify", headers=bearer(auditor))
    assert response.status_code == 404 and response.mimetype == PROBLEM
