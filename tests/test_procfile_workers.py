"""The Procfile's web process, as a force runs it: two gunicorn workers sharing one database.

One case's commands are spread across both workers, so every command after the first is
served by a process that did not run the one before (the Sergeant's recurring review stalled
this way); and while two hostile commands burn their CPU limit, an ordinary read still answers
at once.
"""

import statistics
import threading
import time

import pytest
from flask_migrate import upgrade

from service import create_app
from service.auth import create_user
from service.config import PROJECT_ROOT
from service.db import db
from service.definitions import deploy_directory
from tests.names import with_welsh_names
from tests.roles import LANE_ROLES
from tests.samples import (
    CALL,
    REVIEW_CONTINUE,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
    to_investigation,
    victim_contacted,
)
from tests.test_api_deploy import NOTE_FORM, two_step
from tests.test_engine_limits import SELF_SHARING
from tests.web_server import Server, free_port, two_workers

ROLES = [*LANE_ROLES, "Process Owner"]


@pytest.fixture
def server(database_uri, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        upgrade()
        deploy_directory(PROJECT_ROOT, actor="tests")
        tokens = {role: create_user(role.lower(), [role])[1] for role in ROLES}
        db.session.commit()
    server = Server(database_uri, free_port(), tmp_path / "web.log")
    server.tokens = tokens
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


def test_one_case_worked_across_both_workers(server):
    workers = two_workers(server)
    served = set()
    status, case = workers[0].post(
        "/api/v1/cases",
        {"process": "stalking_harassment", "data": CALL},
        server.tokens["Call Handler"],
    )
    assert status == 201, case
    steps = [
        *to_investigation(SUSPECT_RELEASED_UNDER_INVESTIGATION),
        *[("sergeant_review", REVIEW_CONTINUE)] * 4,
    ]
    for number, (bpmn_id, data) in enumerate(steps):
        data = victim_contacted(bpmn_id, data, case["data"])
        [task] = [t for t in case["open_tasks"] if t["bpmn_id"] == bpmn_id]
        worker = workers[number % 2]  # each command on the other worker from the last
        status, case = worker.post(
            f"/api/v1/tasks/{task['id']}/complete", {"data": data}, server.tokens[task["lane"]]
        )
        assert status == 200, (bpmn_id, case)
        served.add(worker.worker)
        if bpmn_id == "sergeant_review":
            # Every round opened the next, whichever worker ran the last one.
            assert [t["bpmn_id"] for t in case["open_tasks"]] == ["sergeant_review"]
    assert len(served) == 2


def test_an_ordinary_read_answers_while_two_hostile_commands_run(server):
    owner = server.connect()
    files = with_welsh_names(
        {"hostile.bpmn": two_step("hostile", SELF_SHARING + "same = a == b"), **NOTE_FORM}
    )
    boundary = "gwarchod-test-boundary"
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + (content if isinstance(content, bytes) else content.encode())
            + b"\r\n"
            for name, content in files.items()
        )
        + f"--{boundary}--\r\n".encode()
    )
    owner.http.request(
        "POST",
        "/api/v1/processes",
        body,
        {
            "Authorization": f"Bearer {server.tokens['Process Owner']}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    deployed = owner.http.getresponse()
    assert deployed.status == 201, deployed.read()
    deployed.read()

    sergeant = server.tokens["Sergeant"]
    tasks = []
    for _ in range(2):
        status, case = server.connect().post(
            "/api/v1/cases", {"process": "hostile", "data": {}}, sergeant
        )
        assert status == 201, case
        tasks.append(case["open_tasks"][0]["id"])
    reader = server.connect()
    assert reader.get(f"/api/v1/cases/{case['id']}", sergeant)[0] == 200

    answers = []

    def hostile(task_id):
        answers.append(
            server.connect().post(
                f"/api/v1/tasks/{task_id}/complete", {"data": {"note": "go"}}, sergeant
            )
        )

    threads = [threading.Thread(target=hostile, args=(task_id,)) for task_id in tasks]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # both are in their engine processes now
    latencies = []
    while len(latencies) < 20 and all(thread.is_alive() for thread in threads):
        began = time.perf_counter()
        status, _ = reader.get(f"/api/v1/cases/{case['id']}", sergeant)
        if all(thread.is_alive() for thread in threads):  # measured while both still ran
            latencies.append(time.perf_counter() - began)
        assert status == 200
        time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in answers] == [422, 422], answers
    assert {answer["limit"] for _, answer in answers} == {"CPU time"}
    assert len(latencies) >= 10, f"only {len(latencies)} reads while both hostile commands ran"
    p95 = statistics.quantiles(latencies, n=20)[-1]
    assert p95 <= 0.2, f"p95 {p95 * 1000:.0f} ms while two hostile commands ran"
