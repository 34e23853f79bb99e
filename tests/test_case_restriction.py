"""A restricted case: only the users named on it and Auditors read it, only named users work its
tasks, and a restriction that would leave a task with no one to work it is refused."""

import pytest
from sqlalchemy import select

from service.auth import Actor, find_user
from service.case_access import tasks_reaching
from service.db import db
from service.models import Task
from service.roles import role_catalogue
from tests.conftest import bearer
from tests.samples import CALL, REVIEW_OFFENCES

REASON = "The suspect is a serving officer in this force."


@pytest.fixture
def reviewed_call(client, user_for):
    """A call logged and reviewed, with its next tasks open: the people involved, and the case."""
    people = {
        role: user_for(role)
        for role in (
            "Call Handler",
            "Vulnerability Desk",
            "Inspector",
            "Sergeant",
            "Auditor",
            "Administrator",
        )
    }
    started = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(people["Call Handler"][1]),
    ).json
    [review] = started["open_tasks"]
    case = client.post(
        f"/api/v1/tasks/{review['id']}/complete",
        json={"data": REVIEW_OFFENCES},
        headers=bearer(people["Vulnerability Desk"][1]),
    ).json
    assert case["open_tasks"], case
    for task in case["open_tasks"]:
        people.setdefault(task["lane"], user_for(task["lane"]))
    return people, case


def restrict(client, token, case_id, users, reason=REASON, **headers):
    return client.put(
        f"/api/v1/cases/{case_id}/restriction",
        json={"reason": reason, "users": users},
        headers={**bearer(token), **headers},
    )


def status_of(client, token, case_id) -> int:
    return client.get(f"/api/v1/cases/{case_id}", headers=bearer(token)).status_code


def listed(client, token, case_id) -> bool:
    cases = client.get("/api/v1/cases", headers=bearer(token)).json
    return case_id in {case["id"] for case in cases}


def lanes_of(case) -> list[str]:
    return sorted({task["lane"] for task in case["open_tasks"]})


def test_a_restriction_leaving_an_open_task_with_no_one_to_work_it_is_refused_naming_the_lane(
    client, reviewed_call
):
    people, case = reviewed_call
    inspector = people["Inspector"][1]
    response = restrict(client, inspector, case["id"], [])
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["lane"] in lanes_of(case)
    assert f"in the {response.json['lane']} lane" in response.json["detail"]
    assert response.json["errors"][0]["field"] == "users"
    # In Welsh, too.
    response = restrict(client, inspector, case["id"], [], **{"Accept-Language": "cy"})
    assert response.status_code == 422
    assert f"yn lôn {response.json['lane']}" in response.json["detail"]
    # Naming someone for every lane but one is not enough either.
    workers = [people[lane][0] for lane in lanes_of(case)]
    response = restrict(client, inspector, case["id"], workers[1:])
    assert response.status_code == 422
    assert response.json["lane"] == lanes_of(case)[0]
    # Nothing was restricted.
    assert status_of(client, people["Sergeant"][1], case["id"]) == 200


def test_only_the_named_and_auditors_read_a_restricted_case_and_only_the_named_work_it(
    client, reviewed_call, user_for
):
    people, case = reviewed_call
    inspector_name, inspector = people["Inspector"]
    lane = lanes_of(case)[0]
    named_worker, unnamed_worker = people[lane], user_for(lane)
    workers = [people[other][0] for other in lanes_of(case)]
    response = restrict(client, inspector, case["id"], workers)
    assert response.status_code == 200, response.json
    assert response.json["users"] == sorted({*workers, inspector_name})
    assert response.json["restricted_by"] == inspector_name

    # Named: the restricting Inspector and the workers read it and see its tasks.
    for token in (inspector, named_worker[1]):
        assert status_of(client, token, case["id"]) == 200
        assert listed(client, token, case["id"])
    inbox = client.get("/api/v1/tasks", headers=bearer(named_worker[1])).json
    assert case["id"] in {task["case_id"] for task in inbox}
    # Auditors read it; an Administrator sees it without its personal data.
    assert status_of(client, people["Auditor"][1], case["id"]) == 200
    admin_view = client.get(
        f"/api/v1/cases/{case['id']}", headers=bearer(people["Administrator"][1])
    ).json
    assert CALL["caller"]["name"] not in str(admin_view)
    # Everyone else, whatever their roles: the Sergeant who reads every case, the Call Handler
    # who started it, the Vulnerability Desk officer who reviewed it, another of the lane.
    for role in ("Sergeant", "Call Handler", "Vulnerability Desk"):
        assert status_of(client, people[role][1], case["id"]) == 404, role
        assert not listed(client, people[role][1], case["id"]), role
    other_inbox = client.get("/api/v1/tasks", headers=bearer(unnamed_worker[1])).json
    assert case["id"] not in {task["case_id"] for task in other_inbox}
    [task] = [t for t in case["open_tasks"] if t["lane"] == lane]
    for verb in ("claim", "complete"):
        response = client.post(
            f"/api/v1/tasks/{task['id']}/{verb}",
            json={"data": {}},
            headers=bearer(unnamed_worker[1]),
        )
        assert response.status_code == 404, (verb, response.json)
    # The named worker claims it.
    response = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=bearer(named_worker[1]))
    assert response.status_code == 200, response.json

    # The restriction and the refused reads are in the case's history and the read log.
    auditor = people["Auditor"][1]
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=bearer(auditor)).json
    [marked] = [event for event in events if event["type"] == "case_restricted"]
    assert marked["payload"] == {"reason": REASON, "users": sorted({*workers, inspector_name})}
    assert marked["actor"]["name"] == inspector_name
    reads = client.get(
        "/api/v1/audit/reads", query_string={"case": case["id"]}, headers=bearer(auditor)
    ).json
    assert {"case.view.refused"} <= {entry["action"] for entry in reads}
    # Replay passes over who may see the case: the history still reproduces the state.
    replay = client.post(f"/api/v1/cases/{case['id']}/replay", headers=bearer(auditor)).json
    assert replay["match"] is True, replay

    # Lifted: the Sergeant reads it again, and the lifting is in the history.
    response = client.delete(f"/api/v1/cases/{case['id']}/restriction", headers=bearer(inspector))
    assert response.status_code == 204
    assert status_of(client, people["Sergeant"][1], case["id"]) == 200
    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=bearer(auditor)).json
    assert events[-1]["type"] == "case_restriction_lifted"
    response = client.delete(f"/api/v1/cases/{case['id']}/restriction", headers=bearer(inspector))
    assert (response.status_code, response.json["title"]) == (404, "Not restricted")


def test_an_inspector_not_named_on_a_restriction_cannot_see_or_change_it(
    client, reviewed_call, user_for
):
    people, case = reviewed_call
    workers = [people[lane][0] for lane in lanes_of(case)]
    assert restrict(client, people["Inspector"][1], case["id"], workers).status_code == 200
    _, other_inspector = user_for("Inspector")
    assert restrict(client, other_inspector, case["id"], workers).status_code == 404
    response = client.delete(
        f"/api/v1/cases/{case['id']}/restriction", headers=bearer(other_inspector)
    )
    assert response.status_code == 404


def test_restricting_needs_the_grant_a_reason_in_words_and_active_users(
    client, reviewed_call, user_for
):
    people, case = reviewed_call
    workers = [people[lane][0] for lane in lanes_of(case)]
    response = restrict(client, people["Sergeant"][1], case["id"], workers)
    assert response.status_code == 403
    assert "Inspector" in response.json["detail"]
    inspector = people["Inspector"][1]
    for reason in ("            ", "n/a", "1234567890!!"):
        response = restrict(client, inspector, case["id"], workers, reason=reason)
        assert response.status_code == 422, reason
        assert response.json["errors"][0]["field"] == "reason"
        assert "at least three letters" in response.json["errors"][0]["message"]
    response = restrict(client, inspector, case["id"], [*workers, "nobody-by-this-name"])
    assert response.status_code == 422
    assert "'nobody-by-this-name'" in response.json["detail"]
    response = client.get(f"/api/v1/cases/{case['id']}/restriction", headers=bearer(inspector))
    assert (response.status_code, response.json["title"]) == (404, "Not restricted")
    assert restrict(client, inspector, case["id"], workers).status_code == 200
    shown = client.get(f"/api/v1/cases/{case['id']}/restriction", headers=bearer(inspector))
    assert shown.status_code == 200
    assert shown.json["reason"] == REASON


def test_the_inbox_rule_for_open_work_in_ones_lanes_agrees_with_the_whole_rule(
    app, client, reviewed_call, user_for
):
    """An open task in one's lanes involves one in its case, so the inbox asks only about the
    restriction (service.case_access.tasks_reaching): the tasks it finds are the same."""
    people, case = reviewed_call
    lane = lanes_of(case)[0]
    unnamed = user_for(lane)
    workers = [people[other][0] for other in lanes_of(case)]
    assert restrict(client, people["Inspector"][1], case["id"], workers).status_code == 200
    # And a case no one restricted, its review still open in the desk's lane.
    client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(people["Call Handler"][1]),
    )
    with app.app_context():
        found = {}
        for name, _token in [*people.values(), unnamed]:
            user = find_user(name)
            actor = Actor(user.id, user.name, frozenset(user.role_names))
            lanes = role_catalogue().lanes_of(actor.role_names)

            def open_work(quick: bool, actor=actor, lanes=lanes) -> set[str]:
                reaching = tasks_reaching(actor, Task.case_id, open_in_lanes=quick)
                return set(
                    db.session.scalars(
                        select(Task.case_id).where(
                            Task.lane.in_(lanes), Task.status == "open", reaching
                        )
                    )
                )

            found[name] = open_work(quick=True)
            assert found[name] == open_work(quick=False), name
    assert case["id"] in found[people[lane][0]]
    assert case["id"] not in found[unnamed[0]]
    assert found[people["Vulnerability Desk"][0]]  # the unrestricted case's review
