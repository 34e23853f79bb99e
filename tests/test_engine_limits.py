"""Diagram code cannot hold a worker or the service: every command runs in an engine process
under hard limits (CPU time, memory, engine steps, size of case data), and a breach refuses
the command, names the element, the limit and the figure, and leaves the case as it was.

The hostile diagrams here were each seen to hold a worker for about 30 s, or for good, before
commands ran in engine processes: work inside C code never yields to the sandbox's checks.
"""

import time

import pytest

from service.audit.models import CaseEvent
from service.db import db
from service.models import Case, Task
from tests.conftest import bearer
from tests.test_api_deploy import NOTE_FORM, two_step, upload
from tests.test_catalog import flow, lane, process, user_task

PROBLEM = "application/problem+json"
# Lists that share themselves: 2**64 paths through 64 levels, compared or written out in C.
SELF_SHARING = "a = [1]\nb = [1]\nfor i in range(64):\n    a = [a, a]\n    b = [b, b]\n"


@pytest.fixture
def owner(token_for):
    return token_for("Process Owner")


@pytest.fixture
def sergeant(token_for):
    return token_for("Sergeant")


@pytest.fixture
def quick_limits(app):
    # The defaults (2 s of CPU a command) hold here too; smaller ones keep the suite quick.
    app.config.update(ENGINE_CPU_SECONDS=0.5, ENGINE_TIMER_CPU_SECONDS=0.3)
    return app


def deploy_and_start(client, owner, sergeant, files, process_id):
    response = upload(client, owner, {**files, **NOTE_FORM})
    assert response.status_code == 201, response.json
    started = client.post(
        "/api/v1/cases", json={"process": process_id, "data": {}}, headers=bearer(sergeant)
    )
    assert started.status_code == 201, started.json
    return started.json


def complete_first(client, sergeant, started):
    task_id = started["open_tasks"][0]["id"]
    began = time.monotonic()
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": {"note": "hi"}}, headers=bearer(sergeant)
    )
    return response, time.monotonic() - began, task_id


def assert_refused_and_unchanged(app, response, started, task_id, limits, element=None):
    assert response.status_code == 422, response.json
    assert response.mimetype == PROBLEM
    assert response.json["limit"] in limits, response.json
    assert response.json["figure"]
    if element is not None:
        assert response.json["element_id"] == element
    assert response.json["limit"] in response.json["detail"]
    with app.app_context():
        case = db.session.get(Case, started["id"])
        assert case.version == 1  # the case is exactly as before the command
        assert case.state == db.session.get(Case, started["id"]).state
        assert db.session.get(Task, task_id).status == "open"
        kinds = db.session.scalars(
            db.select(CaseEvent.type).where(CaseEvent.case_id == started["id"])
        ).all()
        assert "diagram_error" in kinds  # the refusal is in the audit log


@pytest.mark.usefixtures("quick_limits")
def test_self_sharing_lists_compared_in_a_script(client, owner, sergeant, app):
    files = {"hostile.bpmn": two_step("hostile", SELF_SHARING + "same = a == b").encode()}
    started = deploy_and_start(client, owner, sergeant, files, "hostile")
    response, took, task_id = complete_first(client, sergeant, started)
    assert_refused_and_unchanged(app, response, started, task_id, {"CPU time"}, "script")
    assert took < 5
    assert client.get("/health").status_code == 200


@pytest.mark.usefixtures("quick_limits")
def test_self_sharing_lists_compared_in_a_condition(client, owner, sergeant, app):
    files = {"hostile.bpmn": two_step("hostile", SELF_SHARING, condition="a == b").encode()}
    started = deploy_and_start(client, owner, sergeant, files, "hostile")
    response, took, task_id = complete_first(client, sergeant, started)
    assert_refused_and_unchanged(app, response, started, task_id, {"CPU time"}, "gw")
    assert took < 5


@pytest.mark.usefixtures("quick_limits")
def test_self_sharing_lists_left_in_case_data(client, owner, sergeant, app):
    files = {"hostile.bpmn": two_step("hostile", SELF_SHARING).encode()}
    started = deploy_and_start(client, owner, sergeant, files, "hostile")
    response, took, task_id = complete_first(client, sergeant, started)
    assert_refused_and_unchanged(app, response, started, task_id, {"CPU time", "memory"})
    assert took < 5


@pytest.mark.usefixtures("quick_limits")
def test_a_huge_string_built_in_c(client, owner, sergeant, app):
    script = "s = 'x' * 1000\nt = str([s] * 1000000)\nn = len(t)"
    files = {"hostile.bpmn": two_step("hostile", script).encode()}
    started = deploy_and_start(client, owner, sergeant, files, "hostile")
    response, took, task_id = complete_first(client, sergeant, started)
    assert_refused_and_unchanged(app, response, started, task_id, {"memory", "CPU time"}, "script")
    assert took < 5


def test_case_data_past_its_size_limit(client, owner, sergeant, app):
    app.config.update(ENGINE_MAX_DATA_BYTES=50_000)
    script = "big = 'x' * 60000"
    files = {"hostile.bpmn": two_step("hostile", script).encode()}
    started = deploy_and_start(client, owner, sergeant, files, "hostile")
    response, _, task_id = complete_first(client, sergeant, started)
    assert_refused_and_unchanged(app, response, started, task_id, {"case data size"})
    assert "50000" in response.json["detail"]


def looping_script(characteristics: str, process_id: str = "looping"):
    body = (
        '<bpmn:startEvent id="start"/>'
        + user_task("task")
        + f'<bpmn:scriptTask id="spin">{characteristics}<bpmn:script>n = 1</bpmn:script>'
        "</bpmn:scriptTask>"
        + user_task("after")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "task")
        + flow("f2", "task", "spin")
        + flow("f3", "spin", "after")
        + flow("f4", "after", "end")
    )
    return process(
        body, lane("Sergeant", "start", "task", "spin", "after", "end"), process_id=process_id
    )


def test_a_standard_loop_whose_condition_never_ends(client, owner, sergeant, app):
    files = {
        "looping.bpmn": looping_script(
            "<bpmn:standardLoopCharacteristics><bpmn:loopCondition>True</bpmn:loopCondition>"
            "</bpmn:standardLoopCharacteristics>"
        ).encode()
    }
    started = deploy_and_start(client, owner, sergeant, files, "looping")
    response, took, task_id = complete_first(client, sergeant, started)
    # Each round costs more than the one before (the engine walks the whole tree), so the
    # CPU time runs out before 10,000 steps; with fewer steps allowed, the count stops it.
    assert_refused_and_unchanged(
        app, response, started, task_id, {"engine steps", "CPU time"}, "spin"
    )
    assert took < 10
    app.config.update(ENGINE_MAX_STEPS=200)
    response, _, task_id = complete_first(client, sergeant, started)
    assert_refused_and_unchanged(app, response, started, task_id, {"engine steps"}, "spin")
    assert response.json["figure"] == "more than 200"


@pytest.mark.parametrize("sequential", ["true", "false"])
def test_a_loop_cardinality_that_cannot_end(client, owner, sergeant, app, sequential):
    files = {
        "looping.bpmn": looping_script(
            f'<bpmn:multiInstanceLoopCharacteristics isSequential="{sequential}">'
            "<bpmn:loopCardinality>10**9</bpmn:loopCardinality>"
            "</bpmn:multiInstanceLoopCharacteristics>"
        ).encode()
    }
    started = deploy_and_start(client, owner, sergeant, files, "looping")
    response, took, task_id = complete_first(client, sergeant, started)
    assert response.status_code == 422, response.json
    assert response.mimetype == PROBLEM
    assert took < 10
    with app.app_context():
        assert db.session.get(Case, started["id"]).version == 1


def test_a_back_edge_loop_whose_condition_is_always_true(client, owner, sergeant, app):
    body = (
        '<bpmn:startEvent id="start"/>'
        + user_task("task")
        + '<bpmn:exclusiveGateway id="again" default="out"/>'
        + '<bpmn:scriptTask id="spin"><bpmn:script>n = 1</bpmn:script></bpmn:scriptTask>'
        + user_task("after")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "task")
        + flow("f2", "task", "spin")
        + flow("f3", "spin", "again")
        + flow("back", "again", "spin", "True")
        + flow("out", "again", "after")
        + flow("f4", "after", "end")
    )
    files = {
        "looping.bpmn": process(
            body,
            lane("Sergeant", "start", "task", "again", "spin", "after", "end"),
            process_id="looping",
        ).encode()
    }
    started = deploy_and_start(client, owner, sergeant, files, "looping")
    response, took, task_id = complete_first(client, sergeant, started)
    assert response.status_code == 422, response.json
    assert response.mimetype == PROBLEM
    assert response.json["element_id"] in ("spin", "again"), response.json
    assert took < 10
    with app.app_context():
        assert db.session.get(Case, started["id"]).version == 1
