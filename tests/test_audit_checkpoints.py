"""Checkpoints: the case kept every few events, chained like any event, so that an auditor
asking for the case at event N is answered from the nearest checkpoint instead of a replay of
the whole history, with the same answer."""

import json
import os
import subprocess
import sys
import zlib

import pytest
from sqlalchemy import select, text

from service import create_app
from service.audit.chain import event_hash, time_text
from service.audit.models import CaseAuditHead, CaseCheckpoint, CaseEvent
from service.audit.replay import state_at
from service.config import PROJECT_ROOT
from service.db import db
from tests.audit_diagrams import LOOP
from tests.audit_helpers import complete, run_rounds, start_loop
from tests.conftest import bearer
from tests.lifecycle import Case, investigation_tokens, to_investigation
from tests.samples import INVESTIGATION_PLAN, REVIEW_CONTINUE, SUSPECT_ON_BAIL
from workflows.path import path_in_saved_state, path_taken
from workflows.saved_states import first_difference

EVERY = 6
SHOWN = ("as_of_seq", "as_of", "status", "data", "open_tasks", "path", "consistent")


@pytest.fixture
def settings():
    return {"AUDIT_CHECKPOINT_EVERY": EVERY}


def events(client, auditor, case_id) -> list[dict]:
    response = client.get(f"/api/v1/cases/{case_id}/events", headers=bearer(auditor))
    assert response.status_code == 200, response.json
    return response.json


def checkpoint_seqs(client, auditor, case_id) -> list[int]:
    return [e["seq"] for e in events(client, auditor, case_id) if e["type"] == "checkpoint"]


def view(client, auditor, case_id, seq):
    response = client.get(f"/api/v1/cases/{case_id}/state?at_seq={seq}", headers=bearer(auditor))
    assert response.status_code == 200, response.json
    return response.json


def verify(client, auditor, case_id) -> dict:
    response = client.get(f"/api/v1/cases/{case_id}/verify", headers=bearer(auditor))
    assert response.status_code == 200, response.json
    return response.json


def replay(client, auditor, case_id) -> dict:
    response = client.post(f"/api/v1/cases/{case_id}/replay", headers=bearer(auditor))
    assert response.status_code == 200, response.json
    return response.json


def both_ways(app, case_id, seq) -> tuple[dict, dict]:
    with app.app_context():
        near = state_at(case_id, seq)
        first = state_at(case_id, seq, from_checkpoint=False)
    assert first["checkpoint_seq"] is None
    return near, first


def tamper(app, sql, **params):
    with app.app_context():
        db.session.execute(text(sql), params)
        db.session.commit()


# --- writing them ----------------------------------------------------------------------------


def test_a_checkpoint_ends_a_command_every_k_events(app, client, loop, investigator, auditor):
    case = start_loop(client, investigator)
    task_id = case["open_tasks"][0]["id"]
    # Claims change no state: they are counted, but never checkpointed.
    client.post(f"/api/v1/tasks/{task_id}/claim", headers=bearer(investigator))
    client.post(f"/api/v1/tasks/{task_id}/unclaim", headers=bearer(investigator))
    for number in range(1, 5):
        response = complete(client, investigator, task_id, {"note": f"round {number}"})
        assert response.status_code == 200, response.json
        task_id = response.json["open_tasks"][0]["id"]
    history = events(client, auditor, case["id"])
    seqs = [e["seq"] for e in history if e["type"] == "checkpoint"]
    # The start (5 events) ends with one; the claim and unclaim (4 events) none, though the
    # first round then ends 10 events on; each round after it (5 events) ends with one.
    assert seqs == [6, 16, 22, 28, 34]
    for seq in seqs:
        event = history[seq - 1]
        # The last event of an engine command, sharing its time and state.
        assert history[seq - 2]["at"] == event["at"]
        assert history[seq - 2]["state_hash"] == event["state_hash"]
        following = history[seq] if seq < len(history) else None
        assert following is None or following["type"] == "command"
        assert set(event["payload"]) == {"digest"}
    assert all(b - a >= EVERY for a, b in zip(seqs, seqs[1:], strict=False))
    with app.app_context():
        rows = db.session.scalars(
            select(CaseCheckpoint).where(CaseCheckpoint.case_id == case["id"])
        ).all()
        assert [row.seq for row in rows] == seqs
        assert db.session.get(CaseAuditHead, case["id"]).checkpoint_seq == 34
        last = rows[-1]
        assert json.loads(last.data)["note"] == "round 4"
        assert last.status == "running"
        stored = db.session.execute(
            text("SELECT state FROM cases WHERE id = :c"), {"c": case["id"]}
        )
        assert zlib.decompress(last.state).decode() == stored.scalar()
    assert verify(client, auditor, case["id"])["checkpoints"] == 5


def test_no_checkpoints_when_the_setting_is_zero(app, client, loop, investigator, auditor):
    app.config["AUDIT_CHECKPOINT_EVERY"] = 0
    case = run_rounds(client, investigator, 4)
    assert checkpoint_seqs(client, auditor, case["id"]) == []
    assert verify(client, auditor, case["id"])["ok"] is True


# --- point in time from them -----------------------------------------------------------------


def test_point_in_time_from_a_checkpoint_equals_the_view_from_the_first_event(
    app, client, loop, investigator, auditor
):
    case = start_loop(client, investigator)
    task_id = case["open_tasks"][0]["id"]
    for number in range(1, 7):
        if number == 3:  # a claim held across a checkpoint shows after it
            client.post(f"/api/v1/tasks/{task_id}/claim", headers=bearer(investigator))
        if number == 5:  # a diagram error changes nothing, and is replayed as one
            assert complete(client, investigator, task_id, {"note": "boom"}).status_code == 422
        response = complete(client, investigator, task_id, {"note": f"round {number}"})
        assert response.status_code == 200, response.json
        task_id = response.json["open_tasks"][0]["id"]
    client.post(f"/api/v1/tasks/{task_id}/claim", headers=bearer(investigator))
    history = events(client, auditor, case["id"])
    seqs = [e["seq"] for e in history if e["type"] == "checkpoint"]
    assert len(seqs) >= 5
    starts = [e["seq"] for e in history if e["type"] == "command"]
    replayed = set()
    for seq in range(1, len(history) + 1):
        near, first = both_ways(app, case["id"], seq)
        assert {k: near[k] for k in SHOWN} == {k: first[k] for k in SHOWN}, seq
        assert near["consistent"] is True
        # The nearest checkpoint at or before the end of the command holding the event.
        end = next((start - 1 for start in starts if start > seq), len(history))
        assert near["checkpoint_seq"] == max(c for c in seqs if c <= end), seq
        assert near["commands_replayed"] < first["commands_replayed"]
        replayed.add(near["commands_replayed"])
    assert replayed == {0, 1}  # a claim or a failed command after a checkpoint is replayed
    for seq in seqs:
        # At the checkpoint, and anywhere in its command, nothing is replayed.
        for inside in range(seq, seq - 3, -1):
            at = view(client, auditor, case["id"], inside)
            assert (at["checkpoint_seq"], at["commands_replayed"]) == (seq, 0), inside
    latest = view(client, auditor, case["id"], len(history))
    assert latest["open_tasks"][0]["assignee"].startswith("user-")
    assert latest["data"]["note"] == "round 6"


def test_a_case_recorded_before_checkpoints_is_rebuilt_from_its_first_event_until_its_next_command(
    app, client, loop, investigator, auditor
):
    app.config["AUDIT_CHECKPOINT_EVERY"] = 0  # as the service recorded before checkpoints
    case = run_rounds(client, investigator, 3)
    with app.app_context():
        assert db.session.get(CaseAuditHead, case["id"]).checkpoint_seq is None
    before = len(events(client, auditor, case["id"]))
    old = view(client, auditor, case["id"], before - 2)
    assert (old["checkpoint_seq"], old["consistent"]) == (None, True)
    app.config["AUDIT_CHECKPOINT_EVERY"] = EVERY
    # Its next command writes a checkpoint at once: the case has none.
    response = complete(client, investigator, case["open_tasks"][0]["id"], {"note": "round 4"})
    assert response.status_code == 200, response.json
    [seq] = checkpoint_seqs(client, auditor, case["id"])
    assert seq == before + 6
    for at_seq in (1, before - 2, before, before + 1, seq):
        near, first = both_ways(app, case["id"], at_seq)
        assert {k: near[k] for k in SHOWN} == {k: first[k] for k in SHOWN}, at_seq
        assert near["checkpoint_seq"] == (seq if at_seq > before else None)
    assert verify(client, auditor, case["id"])["ok"] is True
    assert replay(client, auditor, case["id"])["match"] is True


def test_checkpoints_need_nothing_kept_in_memory(app, client, loop, investigator, auditor):
    case = run_rounds(client, investigator, 2)
    seqs = checkpoint_seqs(client, auditor, case["id"])
    # Another service process on the same database: the schedule of checkpoints goes on from
    # the case's head, and the checkpoints the first process wrote serve the second.
    again = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "ENGINE_FRESH", "TESTING")},
            "AUDIT_CHECKPOINT_EVERY": EVERY,
            "TOKEN_DAYS": app.config["TOKEN_DAYS"],
        }
    )
    other = again.test_client()
    task_id = case["open_tasks"][0]["id"]
    for number in (3, 4):
        response = complete(other, investigator, task_id, {"note": f"round {number}"})
        assert response.status_code == 200, response.json
        task_id = response.json["open_tasks"][0]["id"]
    after = checkpoint_seqs(other, auditor, case["id"])
    assert after[: len(seqs)] == seqs and len(after) == len(seqs) + 2
    assert all(b - a >= EVERY for a, b in zip(after, after[1:], strict=False))
    at = view(other, auditor, case["id"], seqs[-1] - 1)
    assert at["checkpoint_seq"] == seqs[-1] and at["data"]["note"] == "round 2"
    with again.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def bail_tokens(token_for):
    return investigation_tokens(token_for)


def test_a_case_with_parallel_work_and_a_called_process_from_its_checkpoints(
    app, client, bail_tokens, auditor, afternoon_of_the_call
):
    """Bail rounds run as a called process beside the Sergeant's reviews; a claimed bail
    review stays open across checkpoints."""
    case = Case(client, bail_tokens)
    to_investigation(case)
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_ON_BAIL)
    [bail] = [t for t in case.last["open_tasks"] if t["bpmn_id"] == "bail_review"]
    claimed = client.post(
        f"/api/v1/tasks/{bail['id']}/claim", headers=bearer(bail_tokens["investigator"])
    )
    assert claimed.status_code == 200, claimed.json
    for _ in range(3):
        case.complete("sergeant_review", "sergeant", REVIEW_CONTINUE)
    seqs = checkpoint_seqs(client, auditor, case.id)
    last = len(events(client, auditor, case.id))
    for seq in sorted({seqs[0], seqs[-2] - 1, seqs[-2], seqs[-2] + 1, seqs[-1], last}):
        near, first = both_ways(app, case.id, seq)
        assert {k: near[k] for k in SHOWN} == {k: first[k] for k in SHOWN}, seq
        assert near["consistent"] is True
    latest = view(client, auditor, case.id, last)
    assert latest["checkpoint_seq"] == seqs[-1]
    [held] = [t for t in latest["open_tasks"] if t["bpmn_id"] == "bail_review"]
    assert held["id"] == bail["id"] and held["assignee"].startswith("user-")
    report = replay(client, auditor, case.id)
    assert report["match"] is True, report
    assert report["checkpoints"] == len(seqs)


# --- tampering -------------------------------------------------------------------------------


@pytest.fixture
def case(client, loop, investigator):
    # Five events a command, and a checkpoint after each: at events 6, 12, 18 and 24.
    return run_rounds(client, investigator, 3)


def test_the_fixture_case_has_its_checkpoints(client, case, auditor):
    assert checkpoint_seqs(client, auditor, case["id"]) == [6, 12, 18, 24]
    report = verify(client, auditor, case["id"])
    assert (report["ok"], report["events"], report["checkpoints"]) == (True, 24, 4)


@pytest.mark.parametrize(
    "change",
    [
        "data = REPLACE(data, 'round 1', 'round 9')",
        "status = 'completed'",
        "open_tasks = REPLACE(open_tasks, '\"note\"', '\"other\"')",
    ],
)
def test_an_edited_checkpoint_is_detected_naming_its_event(app, client, case, auditor, change):
    tamper(app, f"UPDATE case_checkpoints SET {change} WHERE case_id = :c AND seq = 12",
           c=case["id"])  # fmt: skip
    report = verify(client, auditor, case["id"])
    assert (report["ok"], report["first_bad_seq"], report["problem"]) == (False, 12, "altered")
    assert "checkpoint at event 12" in report["detail"]


def test_an_edited_saved_state_in_a_checkpoint_is_detected(app, client, case, auditor):
    with app.app_context():
        row = db.session.get(CaseCheckpoint, (case["id"], 18))
        state = zlib.decompress(row.state).decode().replace("round 2", "round 7")
        row.state = zlib.compress(state.encode())
        db.session.commit()
    report = verify(client, auditor, case["id"])
    assert (report["first_bad_seq"], report["problem"]) == (18, "altered")
    # The auditor's view does not use it: it is rebuilt from the first event, and says why.
    at = view(client, auditor, case["id"], 17)
    assert at["checkpoint_seq"] is None and at["consistent"] is False
    assert at["difference"]["seq"] == 18 and at["difference"]["what"] == "checkpoint"
    near, first = both_ways(app, case["id"], 17)
    assert {k: near[k] for k in SHOWN[:-1]} == {k: first[k] for k in SHOWN[:-1]}
    difference = replay(client, auditor, case["id"])["first_difference"]
    assert (difference["seq"], difference["what"]) == (18, "checkpoint")


def test_a_removed_or_added_checkpoint_is_detected(app, client, case, auditor):
    tamper(app, "DELETE FROM case_checkpoints WHERE case_id = :c AND seq = 18", c=case["id"])
    report = verify(client, auditor, case["id"])
    assert (report["first_bad_seq"], report["problem"]) == (18, "missing")
    assert replay(client, auditor, case["id"])["first_difference"]["seq"] == 18
    # A copy put at an event that records none is not a checkpoint.
    tamper(
        app,
        "INSERT INTO case_checkpoints (case_id, seq, status, data, open_tasks, state) "
        "SELECT case_id, 16, status, data, open_tasks, state FROM case_checkpoints "
        "WHERE case_id = :c AND seq = 12",
        c=case["id"],
    )
    report = verify(client, auditor, case["id"])
    assert (report["first_bad_seq"], report["problem"]) == (16, "altered")
    at = view(client, auditor, case["id"], 15)
    assert at["checkpoint_seq"] is None and at["difference"]["seq"] == 16
    assert at["data"]["note"] == "round 2"


def test_a_checkpoint_and_its_digest_changed_together_break_the_chain(app, client, case, auditor):
    with app.app_context():
        row = db.session.get(CaseCheckpoint, (case["id"], 12))
        row.data = row.data.replace("round 1", "round 9")
        from service.audit import checkpoints
        from service.audit.canonical import state_digest

        state = zlib.decompress(row.state).decode()
        digest = checkpoints._digest(case["id"], 12, row, state_digest(state))
        event = db.session.scalar(
            select(CaseEvent).where(CaseEvent.case_id == case["id"], CaseEvent.seq == 12)
        )
        event.payload = json.dumps({"digest": digest}, separators=(",", ":"))
        db.session.commit()
    report = verify(client, auditor, case["id"])
    assert (report["first_bad_seq"], report["problem"]) == (12, "altered")
    assert report["detail"].endswith("does not match its hash: it was changed.")


def rechain(app, case_id):
    """Recompute every hash of a case's chain and its head, as someone able to rewrite the
    whole history could: ordinary verification then passes."""
    with app.app_context():
        rows = db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        ).all()
        prev = "0" * 64
        for row in rows:
            row.prev_hash = prev
            row.hash = prev = event_hash(
                case_id, row.seq, row.type, row.actor_id, row.actor_name, row.actor_role,
                time_text(row.at), row.payload, row.state_hash, prev,
            )  # fmt: skip
        db.session.get(CaseAuditHead, case_id).hash = prev
        db.session.commit()


def test_verify_full_replays_and_finds_a_checkpoint_that_does_not_match_the_replay(
    app, client, case, auditor
):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify", "--case", case["id"], "--full"])
    assert ok.exit_code == 0, ok.output
    assert f"ok  {case['id']}: 24 events, 4 checkpoint(s); replayed 4 commands" in ok.output
    # A checkpoint rewritten with its digest and the whole chain after it: the chain holds,
    # only a replay from the first event shows the checkpoint is not what the commands made.
    from service.audit import checkpoints
    from service.audit.canonical import state_digest

    with app.app_context():
        row = db.session.get(CaseCheckpoint, (case["id"], 12))
        row.data = row.data.replace("round 1", "round 9")
        state = zlib.decompress(row.state).decode()
        digest = checkpoints._digest(case["id"], 12, row, state_digest(state))
        event = db.session.scalar(
            select(CaseEvent).where(CaseEvent.case_id == case["id"], CaseEvent.seq == 12)
        )
        event.payload = json.dumps({"digest": digest}, separators=(",", ":"))
        db.session.commit()
    rechain(app, case["id"])
    plain = runner.invoke(args=["audit", "verify", "--case", case["id"]])
    assert plain.exit_code == 0, plain.output
    full = runner.invoke(args=["audit", "verify", "--case", case["id"], "--full"])
    assert full.exit_code == 1
    assert f"DAMAGED  {case['id']}: event 12 replay_differs (checkpoint.data)" in full.output
    report = replay(client, auditor, case["id"])
    assert report["first_difference"]["what"] == "checkpoint.data"


def test_cli_verify_names_a_damaged_checkpoint(app, case):
    tamper(app, "UPDATE case_checkpoints SET status = 'x' WHERE case_id = :c AND seq = 6",
           c=case["id"])  # fmt: skip
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--all"])
    assert result.exit_code == 1
    assert f"DAMAGED  {case['id']}: event 6 altered: the checkpoint at event 6" in result.output


def test_the_path_read_from_a_saved_state_is_the_restored_workflows(afternoon_of_the_call):
    """Point in time reads the path from the saved text; replay compares it with the path of
    the restored workflow at every checkpoint. Here too, on states with called processes."""
    from tests.test_review_rounds_scale import APPROVAL_TASKS, PROCESS, Driver

    driver = Driver()
    driver.to_investigation(SUSPECT_ON_BAIL)
    states = [driver.outcome.state]
    extend = {
        "bail_decision": "extend",
        "bail_extension_to_months": 4,
        "victim_views_on_extension_sought": True,
        "bail_decision_reason": "The phone download is still awaited.",
    }
    driver.complete("bail_review", extend)
    states.append(driver.outcome.state)
    [approval] = [bpmn_id for bpmn_id in driver.open if bpmn_id in APPROVAL_TASKS]
    driver.complete(approval, APPROVAL_TASKS[approval])
    states.append(driver.outcome.state)
    driver.complete("sergeant_review", REVIEW_CONTINUE)
    states.append(driver.outcome.state)
    assert all(json.loads(state)["subprocesses"] for state in states)
    specs = driver.runner.catalog.spec(PROCESS)
    for state in states:
        restored = path_taken(driver.runner.restore(PROCESS, state))
        assert path_in_saved_state(state, *specs) == restored
        assert len(restored) > 10


def test_verify_full_finds_a_checkpoint_holding_another_saved_state(app, client, case, auditor):
    """The state of an earlier checkpoint put in a later one, with its digest, the event's
    state hash and the chain after it all rewritten to match: only a replay finds it."""
    from service.audit import checkpoints
    from service.audit.canonical import state_digest

    with app.app_context():
        earlier = db.session.get(CaseCheckpoint, (case["id"], 12))
        row = db.session.get(CaseCheckpoint, (case["id"], 18))
        row.state = earlier.state
        state_hash = state_digest(zlib.decompress(earlier.state).decode())
        for event in db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case["id"], CaseEvent.seq.between(13, 18))
        ):
            event.state_hash = state_hash
        event.payload = json.dumps(
            {"digest": checkpoints._digest(case["id"], 18, row, state_hash)}, separators=(",", ":")
        )
        db.session.commit()
    rechain(app, case["id"])
    assert verify(client, auditor, case["id"])["ok"] is True
    difference = replay(client, auditor, case["id"])["first_difference"]
    assert (difference["seq"], difference["what"]) == (18, "checkpoint.state")
    assert "is not the state replayed to it" in difference["detail"]


RUN_A_BAIL_CASE = """
import json
from datetime import UTC, datetime

import time_machine

from tests.audit_diagrams import LOOP, loop_files
from tests.names import with_welsh_names
from tests.samples import REVIEW_CONTINUE, SUSPECT_ON_BAIL
from tests.test_review_rounds_scale import APPROVAL_TASKS, Driver
from workflows.catalog import build_catalog
from workflows.runner import Runner

with time_machine.travel(datetime(2026, 11, 28, 14, tzinfo=UTC), tick=False):
    driver = Driver()
    driver.to_investigation(SUSPECT_ON_BAIL)
    states = [driver.outcome.state]
    driver.complete("bail_review", {
        "bail_decision": "extend",
        "bail_extension_to_months": 4,
        "victim_views_on_extension_sought": True,
        "bail_decision_reason": "The phone download is still awaited.",
    })
    states.append(driver.outcome.state)
    [approval] = [bpmn_id for bpmn_id in driver.open if bpmn_id in APPROVAL_TASKS]
    driver.complete(approval, APPROVAL_TASKS[approval])
    driver.complete("sergeant_review", REVIEW_CONTINUE)
    states.append(driver.outcome.state)
    # The audit tests' loop, whose first step deletes two fields from the start's data.
    loop = Runner(build_catalog(with_welsh_names(loop_files())))
    outcome = loop.start(LOOP, {"rounds": 0, "done": False})
    states.append(outcome.state)
    outcome = loop.complete(LOOP, outcome.state, outcome.open_tasks[0].id, {"note": "seen"})
    states.append(outcome.state)
print(json.dumps(states))
"""


def test_a_case_run_again_in_another_process_saves_the_same_states():
    """What replay compares a checkpoint's state with: the same commands run in a process
    whose string hashing differs give states that differ only in task ids and times."""
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", RUN_A_BAIL_CASE],
                env={**os.environ, "PYTHONHASHSEED": seed},
                cwd=PROJECT_ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for seed in ("1", "2")
    ]
    for recorded, replayed in zip(*runs, strict=True):
        assert recorded != replayed  # other ids, other times
        assert first_difference(recorded, replayed)[0] is None
    where, _ = first_difference(runs[0][1], runs[1][2])
    assert where is not None
    where, _ = first_difference(runs[0][3], runs[1][4])
    assert where is not None


def test_a_start_whose_data_was_recorded_in_another_order_replays_to_its_checkpoint(app, loop):
    """The history keeps a command's data as canonical JSON, its names sorted; the engine notes
    the names a task drops in the order its data held them. The same case all the same."""
    from service.audit.replay import replay_case
    from service.commands import CompleteTask, StartCase, complete_task, start_case
    from tests.audit_diagrams import investigator

    with app.app_context():
        actor, _ = investigator("loop-officer")
        changed = start_case(StartCase(LOOP, {"rounds": 0, "done": False}, actor))
        changed = complete_task(CompleteTask(changed.open_tasks[0].id, {"note": "seen"}, actor))
        report = replay_case(changed.case.id)
    assert report["match"] is True, report
    assert report["checkpoints"] == 2
