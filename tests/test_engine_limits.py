"""Diagram code cannot hold a worker or the service: every command runs in an engine process
under hard limits (CPU time, memory, engine steps, size of case data), and a breach refuses
the command, names the element, the limit and the figure, and leaves the case as it was.

The hostile diagrams here were each seen to hold a worker for about 30 s, or for good, before
commands ran in engine processes: work inside C code never yields to the sandbox's checks.
"""

import contextlib
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.audit.models import CaseEvent
from service.config import PROJECT_ROOT
from service.db import db
from service.definitions import deploy
from service.models import Case, Incident, Task
from service.scheduler import FAILED_ATTEMPT, FIRED, RETRY_BACKOFF, fire_next_due
from tests.conftest import bearer
from tests.lifecycle import drain
from tests.names import with_welsh_names
from tests.test_api_deploy import NOTE_FORM, two_step, upload
from tests.test_catalog import flow, lane, process, user_task
from tests.test_timers import diagram, inbox, start, timer, waits
from workflows import isolation
from workflows.catalog import build_catalog, read_definition_files
from workflows.limits import EngineLimits

PROBLEM = "application/problem+json"
# Lists that share themselves: 2**64 paths through 64 levels, compared or written out in C.
SELF_SHARING = "a = [1]\nb = [1]\nfor i in range(64):\n    a = [a, a]\n    b = [b, b]\n"


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


def assert_refused_as_unsavable(app, response, started, task_id, element, words):
    assert response.status_code == 422, response.json
    assert response.mimetype == PROBLEM
    assert response.json["element_id"] == element
    assert words in response.json["detail"]
    with app.app_context():
        assert db.session.get(Case, started["id"]).version == 1
        assert db.session.get(Task, task_id).status == "open"
        kinds = db.session.scalars(
            db.select(CaseEvent.type).where(CaseEvent.case_id == started["id"])
        ).all()
        assert "diagram_error" in kinds


@pytest.mark.parametrize(
    "script, words",
    [
        ("a = [1]\na.append(a)", "contains itself ('a')"),
        ("a = {}\na['me'] = a", "contains itself ('a')"),
        ("a = []\nfor i in range(100000):\n    a = [a]", "nested too deeply to be saved ('a')"),
        ("a = {1, 2}", "not text, a number, true or false, a list or a dict with text keys ('a')"),
        ("a = {(1, 2): 'x'}", "a dict with text keys ('a')"),
        ("a = b'x'", "a dict with text keys ('a')"),
        ("a = float('nan')", "infinite or not a number ('a')"),
        ("a = 10**5000", "a number too long to be saved ('a')"),
        ("a = 'x' + chr(0xD800)", "half of a surrogate pair on its own ('a')"),
    ],
    ids=[
        "a list holding itself",
        "a dict holding itself",
        "lists nested 100,000 deep",
        "a set",
        "a dict with a tuple for a key",
        "bytes",
        "not a number",
        "a number of 5,000 digits",
        "half of a surrogate pair",
    ],
)
def test_case_data_json_cannot_hold_is_refused_at_the_script(
    client, owner, sergeant, app, script, words
):
    """Before, the engine process failed on writing the case, and the caller was told to try
    again (503), which failed the same way every time; a value that is not a number was saved,
    though JSON has no such value."""
    files = {"hostile.bpmn": two_step("hostile", script).encode()}
    started = deploy_and_start(client, owner, sergeant, files, "hostile")
    response, _, task_id = complete_first(client, sergeant, started)
    assert_refused_as_unsavable(app, response, started, task_id, "script", words)
    assert client.get("/health").status_code == 200


@pytest.mark.parametrize(
    "kind, expression, words",
    [
        (
            "timeDuration",
            "None",
            "a timer's duration must be ISO 8601 text such as 'P5D', not None",
        ),
        ("timeDate", "12345", "a timer's date must be ISO 8601 text"),
        ("timeDate", "'P' + '1D'", "a timer's date must be ISO 8601 text such as"),
        ("timeDuration", "'P' + '9' * 5000 + 'D'", "a timer's duration must be ISO 8601 text"),
    ],
    ids=[
        "a duration that is None",
        "a date that is a number",
        "a date that is a duration",
        "a duration of 5,000 digits",
    ],
)
def test_a_timer_expression_the_engine_cannot_read_is_refused_at_the_timer(
    client, owner, sergeant, kind, expression, words
):
    """Before, the engine failed reading the value outside any check: 503, 'please try
    again', the same every time."""
    response = upload(client, owner, {"t.bpmn": waits("t", kind, expression).encode(), **NOTE_FORM})
    assert response.status_code == 201, response.json
    started = client.post(
        "/api/v1/cases", json={"process": "t", "data": {}}, headers=bearer(sergeant)
    )
    assert started.status_code == 422, started.json
    assert started.mimetype == PROBLEM
    assert started.json["element_id"] == "wait"
    assert words in started.json["detail"]


def test_a_value_holding_itself_that_a_later_step_let_go_is_refused(client, owner, sergeant, app):
    """The case's data no longer shows it, but the step that made it still holds it."""
    body = (
        '<bpmn:startEvent id="start"/>'
        + user_task("task")
        + '<bpmn:scriptTask id="script"><bpmn:script>a = [1]\na.append(a)</bpmn:script>'
        "</bpmn:scriptTask>"
        + '<bpmn:scriptTask id="later"><bpmn:script>del a</bpmn:script></bpmn:scriptTask>'
        + user_task("after")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "task")
        + flow("f2", "task", "script")
        + flow("f3", "script", "later")
        + flow("f4", "later", "after")
        + flow("f5", "after", "end")
    )
    xml = process(
        body,
        lane("Sergeant", "start", "task", "script", "later", "after", "end"),
        process_id="hostile",
    )
    started = deploy_and_start(client, owner, sergeant, {"hostile.bpmn": xml.encode()}, "hostile")
    response, _, task_id = complete_first(client, sergeant, started)
    assert_refused_as_unsavable(app, response, started, task_id, "script", "contains itself")


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


# --- a hostile timer, fired by the scheduler -----------------------------------------------

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# A duration whose working-out builds a string of 10**12 characters, inside C.
HOSTILE_DURATION = "'PT' + str(len(str(['x' * 1000000] * 1000000))) + 'S'"


def two_waits(process_id: str, second: str) -> str:
    """Start -> wait an hour -> wait ``second`` -> a Sergeant's check."""
    body = (
        '<bpmn:startEvent id="start"/>'
        + f'<bpmn:intermediateCatchEvent id="first">{timer("timeDuration", "PT1H")}'
        "</bpmn:intermediateCatchEvent>"
        + f'<bpmn:intermediateCatchEvent id="second">{timer("timeDuration", second)}'
        "</bpmn:intermediateCatchEvent>"
        + user_task("check")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "first")
        + flow("f2", "first", "second")
        + flow("f3", "second", "check")
        + flow("f4", "check", "end")
    )
    return diagram(process_id, body, {"Sergeant": ["start", "first", "second", "check", "end"]})


def test_a_hostile_timer_becomes_an_incident_and_other_timers_fire_on_time(
    app, client, clock, sergeant
):
    files = read_definition_files(PROJECT_ROOT)
    files.update({f"forms/{name}": content for name, content in NOTE_FORM.items()})
    files["bpmn/hostile_wait.bpmn"] = two_waits("hostile_wait", HOSTILE_DURATION).encode()
    files["bpmn/calm_wait.bpmn"] = waits("calm_wait", "timeDuration", "PT1H").encode()
    with app.app_context():
        deploy(with_welsh_names(files), actor="tests")
        db.session.commit()
    hostile = start(client, sergeant, "hostile_wait")
    calm = start(client, sergeant, "calm_wait")

    clock.move_to(T0 + timedelta(hours=1, seconds=1))
    began = time.monotonic()
    with app.app_context():
        # Both fell due together; the hostile one is older, so it is fired first and stopped
        # at the limit on a timer's firing (0.5 s of CPU time by default).
        assert fire_next_due() == FAILED_ATTEMPT
        assert fire_next_due() == FIRED
    late = time.monotonic() - began
    assert late <= 1.0, f"the calm timer fired {late:.2f} s after it was due"
    assert [t["bpmn_id"] for t in inbox(client, sergeant, case=calm["id"])] == ["check"]
    # The hostile firing is tried again after each backoff, then becomes an incident.
    for wait in RETRY_BACKOFF:
        clock.shift(wait + timedelta(seconds=1))
        drain(app)
    with app.app_context():
        [incident] = db.session.scalars(
            db.select(Incident).where(Incident.case_id == hostile["id"])
        ).all()
        assert "limit" in incident.message
        case = db.session.get(Case, hostile["id"])
        assert case.version == 1  # nothing of the failed firings was kept


HOSTILE_INSTRUCTIONS = (
    "{% set ns = namespace(a=[1], b=[1]) %}{% for i in range(64) %}"
    "{% set ns.a = [ns.a, ns.a] %}{% set ns.b = [ns.b, ns.b] %}{% endfor %}{{ ns.a == ns.b }}"
)


@pytest.mark.usefixtures("quick_limits")
def test_hostile_instructions_cannot_hold_a_read(client, owner, sergeant):
    body = (
        '<bpmn:startEvent id="start"/>'
        + user_task(
            "task",
            extra="<spiffworkflow:instructionsForEndUser>"
            f"{HOSTILE_INSTRUCTIONS}</spiffworkflow:instructionsForEndUser>",
        )
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "task")
        + flow("f2", "task", "end")
    )
    files = {
        "hostile.bpmn": process(
            body, lane("Sergeant", "start", "task", "end"), process_id="hostile"
        ).encode()
    }
    started = deploy_and_start(client, owner, sergeant, files, "hostile")
    task_id = started["open_tasks"][0]["id"]
    began = time.monotonic()
    shown = client.get(f"/api/v1/tasks/{task_id}", headers=bearer(sergeant))
    assert time.monotonic() - began < 5
    assert shown.status_code == 200, shown.json
    assert "could not be shown" in shown.json["instructions"]
    assert "CPU time" in shown.json["instructions"]


def engine_processes() -> list[int]:
    """The engine processes this test's service process started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if parent == os.getpid() and b"workflows.engine_process" in command:
            found.append(int(entry.name))
    return found


def test_an_engine_process_that_dies_mid_command_changes_nothing(client, owner, sergeant, app):
    app.config.update(ENGINE_CPU_SECONDS=30)
    files = {"hostile.bpmn": two_step("hostile", SELF_SHARING + "same = a == b").encode()}
    started = deploy_and_start(client, owner, sergeant, files, "hostile")
    answer = {}
    completing = threading.Thread(
        target=lambda: answer.update(response=complete_first(client, sergeant, started))
    )
    completing.start()
    time.sleep(1)  # the command is in its engine process, comparing
    for pid in engine_processes():
        os.kill(pid, signal.SIGKILL)  # as the kernel's OOM killer or an operator would
    completing.join(timeout=30)
    response, took, task_id = answer["response"]
    assert response.status_code == 503, response.json
    assert response.mimetype == PROBLEM
    assert "Nothing was changed" in response.json["detail"]
    assert took < 10
    with app.app_context():
        assert db.session.get(Case, started["id"]).version == 1
        assert db.session.get(Task, task_id).status == "open"
    # The service starts new engine processes for the next command.
    shown = client.get(f"/api/v1/tasks/{task_id}", headers=bearer(sergeant))
    assert shown.status_code == 200, shown.json


def waits_then_stalls(process_id: str) -> str:
    """Start -> wait an hour -> wait for a message nothing ever sends -> a check."""
    body = (
        '<bpmn:startEvent id="start"/>'
        + f'<bpmn:intermediateCatchEvent id="wait">{timer("timeDuration", "PT1H")}'
        "</bpmn:intermediateCatchEvent>" + '<bpmn:intermediateCatchEvent id="never">'
        '<bpmn:messageEventDefinition id="never_sent" messageRef="unsent"/>'
        "</bpmn:intermediateCatchEvent>"
        + user_task("check")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "wait")
        + flow("f2", "wait", "never")
        + flow("f3", "never", "check")
        + flow("f4", "check", "end")
    )
    xml = diagram(process_id, body, {"Sergeant": ["start", "wait", "never", "check", "end"]})
    return xml.replace("<bpmn:process", '<bpmn:message id="unsent" name="unsent"/><bpmn:process', 1)


def test_a_firing_that_would_leave_a_case_waiting_on_nothing_becomes_an_incident(
    app, client, clock, sergeant
):
    files = read_definition_files(PROJECT_ROOT)
    files.update({f"forms/{name}": content for name, content in NOTE_FORM.items()})
    files["bpmn/stalls.bpmn"] = waits_then_stalls("stalls").encode()
    with app.app_context():
        deploy(with_welsh_names(files), actor="tests")
        db.session.commit()
    case = start(client, sergeant, "stalls")

    clock.move_to(T0 + timedelta(hours=1, seconds=1))
    with app.app_context():
        assert fire_next_due() == FAILED_ATTEMPT
    for wait in RETRY_BACKOFF:
        clock.shift(wait + timedelta(seconds=1))
        drain(app)
    with app.app_context():
        [incident] = db.session.scalars(
            db.select(Incident).where(Incident.case_id == case["id"])
        ).all()
        assert "waiting on nothing" in incident.message
        assert "'never'" in incident.message  # where it stopped
        assert db.session.get(Case, case["id"]).version == 1  # never saved stuck


def niceness(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def test_a_long_command_yields_the_cpu_and_its_process_returns_to_the_service_priority(
    client, owner, sergeant, app
):
    # About half a second of comparing: far longer than any ordinary command, within its limit.
    script = SELF_SHARING.replace("range(64)", "range(25)") + "same = a == b\na = b = None"
    files = {"long.bpmn": two_step("long", script).encode()}
    started = deploy_and_start(client, owner, sergeant, files, "long")
    ours = niceness(0)
    answer = {}
    completing = threading.Thread(
        target=lambda: answer.update(response=complete_first(client, sergeant, started))
    )
    completing.start()
    seen = set()
    while completing.is_alive():
        for pid in engine_processes():
            with contextlib.suppress(OSError):  # a process that ended meanwhile
                seen.add(niceness(pid))
        time.sleep(0.01)
    completing.join()
    response, _, _ = answer["response"]
    assert response.status_code == 200, response.json
    assert ours + isolation.YIELDING_NICENESS in seen  # reads came first while it ran
    # Its process is back at the service's priority for the next command, or was let go.
    assert {niceness(pid) for pid in engine_processes()} == {ours}


def test_an_engine_process_that_cannot_regain_its_priority_is_let_go(monkeypatch):
    process = isolation.EngineProcess()
    try:
        process._yield()
        assert niceness(process.process.pid) == niceness(0) + isolation.YIELDING_NICENESS

        def refused(which, who, priority):
            raise PermissionError("raising priority needs CAP_SYS_NICE")

        monkeypatch.setattr(isolation.os, "setpriority", refused)
        pool = isolation.EnginePool(running=1)
        pool._finished(process, keep=True)
        assert pool.idle == []
        assert not process.alive
    finally:
        process.close()


def held_to(pid: int) -> set[int]:
    return os.sched_getaffinity(pid)


@pytest.mark.skipif(isolation._sched_getcpu is None, reason="no sched_getcpu in this C library")
def test_a_lone_command_runs_beside_its_caller_and_two_at_once_run_anywhere(monkeypatch):
    anywhere = os.sched_getaffinity(0)
    cpu = min(anywhere)
    monkeypatch.setattr(isolation, "_sched_getcpu", lambda: cpu)
    pool = isolation.EnginePool()
    runner = isolation.IsolatedRunner(
        build_catalog(read_definition_files(PROJECT_ROOT)), {}, EngineLimits(), engines=pool
    )
    try:
        runner.instructions(None, {})  # alone: held to the caller's CPU while it runs
        [lone] = [process for process in pool.idle if process.beside is not None]
        assert held_to(lone.process.pid) == {cpu}
        # The caller is held there too until the answer is in, then goes where it went before.
        assert held_to(0) == anywhere
        first = runner.begin("instructions", None, {})
        assert held_to(first.process.process.pid) == {cpu} and held_to(0) == {cpu}
        second = runner.begin("instructions", None, {})  # two at once: neither is held
        assert held_to(second.process.process.pid) == anywhere
        first.result(), second.result()
        assert held_to(0) == anywhere
        assert pool.running == 0
        # A caller that fails while its command runs gives it up, and is let go with it.
        abandoned = runner.begin("instructions", None, {})
        assert held_to(0) == {cpu}
        abandoned.abandon()
        assert held_to(0) == anywhere
    finally:
        os.sched_setaffinity(0, anywhere)
        pool.close()


def test_a_command_that_yields_is_let_go_to_any_cpu():
    process = isolation.EngineProcess()
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(process.process.pid, {cpu})
        process.beside = cpu
        anywhere = os.sched_getaffinity(0)
        process.caller_anywhere = anywhere  # its caller held beside it
        os.sched_setaffinity(0, {cpu})
        process._yield()
        assert held_to(process.process.pid) == anywhere
        assert process.beside is None
        assert held_to(0) == anywhere and process.caller_anywhere is None
    finally:
        process.close()
