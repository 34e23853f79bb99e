"""Need to know: a user reads the cases they started or work on, or every case when one of
their roles grants it; to anyone else a case does not exist. An Administrator runs the service,
not the cases: they see every case with its personal data withheld."""

import pytest

from service.db import db
from service.definitions import deploy, latest_files
from service.personal import WITHHELD
from tests.conftest import bearer
from tests.names import with_welsh_names
from tests.roles import SHIPPED
from tests.samples import CALL, REVIEW_OFFENCES
from tests.test_catalog import HEAD, flow, form_files, user_task

EVERY_LANE = "every_lane"
STARTING_LANE = "Call Handler"
LANES = sorted(SHIPPED.lanes)
PERSONAL = (CALL["caller"]["name"], CALL["caller"]["phone"], CALL["location"], CALL["summary"])


def every_lane_bpmn() -> str:
    """A case that opens one task in every lane of the shipped catalogue at once."""
    ids = {lane: f"task_{index}" for index, lane in enumerate(LANES)}
    lanes = "".join(
        f'<bpmn:lane id="lane_{index}" name="{lane}">'
        + (
            "<bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>split</bpmn:flowNodeRef>"
            if lane == STARTING_LANE
            else ""
        )
        + f"<bpmn:flowNodeRef>{ids[lane]}</bpmn:flowNodeRef>"
        + f"<bpmn:flowNodeRef>end_{index}</bpmn:flowNodeRef></bpmn:lane>"
        for index, lane in enumerate(LANES)
    )
    body = '<bpmn:startEvent id="start"/><bpmn:parallelGateway id="split"/>' + flow(
        "f_start", "start", "split"
    )
    for index, lane in enumerate(LANES):
        body += (
            user_task(ids[lane])
            + f'<bpmn:endEvent id="end_{index}"/>'
            + flow(f"f_in_{index}", "split", ids[lane])
            + flow(f"f_out_{index}", ids[lane], f"end_{index}")
        )
    return (
        f'{HEAD}<bpmn:process id="{EVERY_LANE}" isExecutable="true">'
        f'<bpmn:laneSet id="lanes">{lanes}</bpmn:laneSet>{body}</bpmn:process></bpmn:definitions>'
    )


def reads_all(role: str) -> bool:
    return "read_all_cases" in SHIPPED.role(role).grants


def runs_the_service(role: str) -> bool:
    return "administer" in SHIPPED.role(role).grants and not reads_all(role)


def get(client, token, url, **query):
    return client.get(f"/api/v1{url}", query_string=query or None, headers=bearer(token))


@pytest.fixture
def every_lane(app):
    with app.app_context():
        files = {**latest_files(), "bpmn/every_lane.bpmn": every_lane_bpmn().encode()}
        deploy(with_welsh_names({**files, **form_files()}), actor="tests")
        db.session.commit()


@pytest.fixture
def two_cases(client, token_for, every_lane):
    """Two cases a Call Handler started: ``working``, with a task open in every lane, and
    ``done``, each of whose tasks someone else of the lane's role has completed."""
    starter = token_for(STARTING_LANE)
    ids = {}
    for name in ("working", "done"):
        response = client.post(
            "/api/v1/cases", json={"process": EVERY_LANE, "data": {}}, headers=bearer(starter)
        )
        assert response.status_code == 201, response.json
        ids[name] = response.json
    for task in ids["done"]["open_tasks"]:
        worker = token_for(SHIPPED.working(task["lane"]).name)
        response = client.post(
            f"/api/v1/tasks/{task['id']}/complete", json={"data": {}}, headers=bearer(worker)
        )
        assert response.status_code == 200, response.json
    assert response.json["status"] == "completed"
    return ids


def test_each_role_reads_the_cases_it_works_on_and_no_other(client, token_for, two_cases):
    for role in (role.name for role in SHIPPED.roles):
        check_role(client, token_for(role), role, two_cases)


def check_role(client, token, role, two_cases):
    working, done = two_cases["working"], two_cases["done"]
    lanes, grants = SHIPPED.role(role).lanes, SHIPPED.role(role).grants
    # The open tasks in its lanes are the role's work: that case it reads.
    may_read = {
        working["id"]: bool(lanes) or reads_all(role) or runs_the_service(role),
        done["id"]: reads_all(role) or runs_the_service(role),
    }
    listed = {case["id"] for case in get(client, token, "/cases").json}
    assert {case_id for case_id in may_read if case_id in listed} == {
        case_id for case_id, readable in may_read.items() if readable
    }, role
    for case, readable in ((working, may_read[working["id"]]), (done, may_read[done["id"]])):
        response = get(client, token, f"/cases/{case['id']}")
        assert response.status_code == (200 if readable else 404), (role, response.json)
        if not readable:
            assert response.mimetype == "application/problem+json"
            assert response.json["title"] == "Case not found"
        tasks = get(client, token, "/tasks", case=case["id"], status="all").json
        assert {task["lane"] for task in tasks} == (set(lanes) if readable else set()), role
        # The task in the role's lane, or any for a role with no lane.
        [task] = [t for t in case["open_tasks"] if t["lane"] == (lanes[0] if lanes else "SRAU")]
        response = get(client, token, f"/tasks/{task['id']}")
        if not readable:
            assert (response.status_code, response.json["title"]) == (404, "Task not found"), role
        elif lanes or grants & {"audit", "administer"}:
            assert response.status_code == 200, (role, response.json)
        if grants & {"audit", "administer"}:
            for url in ("events", "events?format=csv", "verify", "state"):
                response = get(client, token, f"/cases/{case['id']}/{url}")
                assert response.status_code == (200 if readable else 404), (role, url)
            response = client.post(f"/api/v1/cases/{case['id']}/replay", headers=bearer(token))
            assert response.status_code == (200 if readable else 404), role


@pytest.fixture
def logged_call(client, token_for):
    """A call a Call Handler logged and a Vulnerability Desk officer reviewed: tokens for both,
    another of each role, and the case as the review left it."""
    tokens = {
        "call": token_for("Call Handler"),
        "other call": token_for("Call Handler"),
        "desk": token_for("Vulnerability Desk"),
        "other desk": token_for("Vulnerability Desk"),
        "auditor": token_for("Auditor"),
        "admin": token_for("Administrator"),
    }
    started = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(tokens["call"]),
    ).json
    [review] = started["open_tasks"]
    response = client.post(
        f"/api/v1/tasks/{review['id']}/complete",
        json={"data": REVIEW_OFFENCES},
        headers=bearer(tokens["desk"]),
    )
    assert response.status_code == 200, response.json
    return tokens, response.json, review["id"]


def test_the_starter_and_whoever_did_a_task_read_the_case_others_of_their_roles_do_not(
    client, logged_call
):
    tokens, case, review_id = logged_call
    for reader in ("call", "desk"):
        assert get(client, tokens[reader], f"/cases/{case['id']}").status_code == 200
        assert case["id"] in {c["id"] for c in get(client, tokens[reader], "/cases").json}
    assert get(client, tokens["desk"], f"/tasks/{review_id}").status_code == 200
    for outsider in ("other call", "other desk"):
        assert get(client, tokens[outsider], f"/cases/{case['id']}").status_code == 404
        assert case["id"] not in {c["id"] for c in get(client, tokens[outsider], "/cases").json}
    # The review is in the other desk officer's lane, but they did not do it.
    other = tokens["other desk"]
    assert get(client, other, "/tasks", case=case["id"], status="all").json == []
    assert get(client, other, f"/tasks/{review_id}").status_code == 404
    response = client.post(
        f"/api/v1/tasks/{review_id}/complete", json={"data": {}}, headers=bearer(other)
    )
    assert response.status_code == 404, response.json


def test_a_refused_read_is_in_the_read_log(client, logged_call):
    tokens, case, review_id = logged_call
    get(client, tokens["other desk"], f"/cases/{case['id']}")
    get(client, tokens["other desk"], f"/tasks/{review_id}")
    entries = get(client, tokens["auditor"], "/audit/reads", case=case["id"]).json
    refused = [entry for entry in entries if entry["action"].endswith(".refused")]
    assert [(entry["action"], entry["task_id"]) for entry in reversed(refused)] == [
        ("case.view.refused", None),
        ("task.view.refused", review_id),
    ]
    assert refused[0]["roles"] == "Vulnerability Desk"


def test_an_administrator_sees_every_case_without_its_personal_data(client, logged_call):
    tokens, case, review_id = logged_call
    admin = tokens["admin"]
    assert case["id"] in {c["id"] for c in get(client, admin, "/cases").json}
    view = get(client, admin, f"/cases/{case['id']}")
    assert view.status_code == 200
    body = view.json
    assert {key: body[key] for key in ("id", "process_id", "status")} == {
        "id": case["id"],
        "process_id": "stalking_harassment",
        "status": "running",
    }
    assert body["created_at"] and body["updated_at"] and body["open_tasks"]
    assert body["data"]["caller"] == {
        "name": WITHHELD,
        "phone": WITHHELD,
        "relationship_to_victim": "victim",
    }
    assert body["data"]["storm_reference"] == CALL["storm_reference"]
    assert body["data"]["review_notes"] == WITHHELD
    task = get(client, admin, f"/tasks/{review_id}")
    assert task.status_code == 200 and task.json["status"] == "completed"
    assert task.json["instructions"] is None and task.json["letter"] is None
    answers = [view, task]
    for url in ("events", "events?format=jsonl", "events?format=csv", "verify", "state?at_seq=1"):
        answers.append(client.get(f"/api/v1/cases/{case['id']}/{url}", headers=bearer(admin)))
    answers.append(client.post(f"/api/v1/cases/{case['id']}/replay", headers=bearer(admin)))
    answers.append(get(client, admin, "/timers", case=case["id"]))
    answers.append(get(client, admin, "/incidents", case=case["id"], open="false"))
    for answer in answers:
        assert answer.status_code == 200, answer.request.path
        text = answer.get_data(as_text=True)
        assert not [value for value in PERSONAL if value in text], answer.request.path
    # The Auditor reads it all.
    text = get(client, tokens["auditor"], f"/cases/{case['id']}").get_data(as_text=True)
    assert all(value in text for value in PERSONAL)
