"""The live-time review's SLA through the API: due in 30 minutes, escalated to the Sergeant.

A call is logged at T0 on a clock that only moves when the test moves it; the scheduler's work
is done by ``fire_all_due()``, as ``flask scheduler drain`` does it. The review stays open with
the Vulnerability Desk when it is escalated (the timer is non-interrupting).
"""

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import bearer
from tests.lifecycle import WELSH, drain, refused
from tests.samples import CALL, REVIEW_NO_OFFENCE, REVIEW_OFFENCES, SRAU_CALL_CLEAR

T0 = datetime(2026, 11, 28, 9, 31, tzinfo=UTC)  # the call (reported 09:30) is logged a minute on
DUE = T0 + timedelta(minutes=30)


@pytest.fixture
def people(token_for):
    return {
        "call": token_for("Call Handler"),
        "desk": token_for("Vulnerability Desk"),
        "sergeant": token_for("Sergeant"),
        "officer": token_for("Attending Officer"),
        "srau": token_for("SRAU"),
        "admin": token_for("Administrator"),
        "auditor": token_for("Auditor"),
        "reader": token_for("Vulnerability Desk", "Sergeant", "Attending Officer"),
    }


def log_call(client, people) -> dict:
    response = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(people["call"]),
    )
    assert response.status_code == 201, response.json
    return response.json


def inbox(client, token, **query) -> list[dict]:
    response = client.get("/api/v1/tasks", query_string=query, headers=bearer(token))
    assert response.status_code == 200, response.json
    return response.json


def case_of(client, people, case_id) -> dict:
    return client.get(f"/api/v1/cases/{case_id}", headers=bearer(people["reader"])).json


def complete(client, token, task_id, data, headers=None):
    return client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json={"data": data},
        headers={**bearer(token), **(headers or {})},
    )


def escalate(app, client, clock, people) -> tuple[dict, dict]:
    """Log a call and let the review's 30 minutes pass: the case and the Sergeant's task."""
    case = log_call(client, people)
    clock.move_to(DUE + timedelta(seconds=1))
    assert drain(app) == 1
    [escalation] = inbox(client, people["sergeant"])
    return case, escalation


def test_the_review_is_due_in_30_minutes_and_escalates_to_the_sergeant_when_missed(
    app, client, clock, people
):
    case = log_call(client, people)
    [review] = case["open_tasks"]
    assert (review["bpmn_id"], review["lane"]) == ("live_time_review", "Vulnerability Desk")
    assert review["due_at"] == DUE.isoformat()
    assert [(t["bpmn_id"], t["due_at"]) for t in case["timers"]] == [
        ("live_review_sla", DUE.isoformat())
    ]

    clock.move_to(T0 + timedelta(minutes=29, seconds=59))
    assert drain(app) == 0
    assert inbox(client, people["sergeant"]) == []
    assert inbox(client, people["desk"], overdue="true") == []

    clock.move_to(T0 + timedelta(minutes=30, seconds=1))
    assert drain(app) == 1
    [escalation] = inbox(client, people["sergeant"])
    assert escalation["bpmn_id"] == "live_review_escalation"
    assert escalation["name"] == "Live-time review overdue"
    assert (escalation["case_id"], escalation["lane"]) == (case["id"], "Sergeant")
    # The review is still the desk's, open, and now overdue.
    [still_open] = inbox(client, people["desk"])
    assert (still_open["id"], still_open["status"]) == (review["id"], "open")
    [overdue] = inbox(client, people["desk"], overdue="true")
    assert (overdue["id"], overdue["due_at"]) == (review["id"], DUE.isoformat())
    # The escalation is the Sergeant's work, not the desk's.
    assert [t["bpmn_id"] for t in inbox(client, people["desk"])] == ["live_time_review"]
    shown = case_of(client, people, case["id"])
    assert shown["status"] == "running"
    assert sorted(t["bpmn_id"] for t in shown["open_tasks"]) == [
        "live_review_escalation",
        "live_time_review",
    ]
    assert shown["timers"] == []  # fired, once
    clock.move_to(DUE + timedelta(hours=2))
    assert drain(app) == 0
    assert len(inbox(client, people["sergeant"])) == 1


def test_the_sergeant_is_told_which_call_and_how_overdue_in_english_and_welsh(
    app, client, clock, people
):
    _, escalation = escalate(app, client, clock, people)
    url, headers = f"/api/v1/tasks/{escalation['id']}", bearer(people["sergeant"])
    english = client.get(url, headers=headers).json
    assert CALL["storm_reference"] in english["instructions"]
    assert "was not completed within 30 minutes" in english["instructions"]
    assert "less than a minute so far" in english["instructions"]
    assert english["form"]["schema"]["title"] == "Live-time review overdue"

    clock.move_to(DUE + timedelta(minutes=15, seconds=30))
    english = client.get(url, headers=headers).json["instructions"]
    # Overdue since the timer fired, a second after the review fell due (London time, GMT).
    assert "overdue since 28 November 2026, 10:01: 15 minutes" in english
    assert "The victim has asked for contact in Welsh." in english
    welsh = client.get(url, headers={**headers, **WELSH}).json
    assert CALL["storm_reference"] in welsh["instructions"]
    assert "Mae wedi bod yn hwyr ers 28 Tachwedd 2026, 10:01" in welsh["instructions"]
    assert ": 15 munud hyd yma" in welsh["instructions"]
    assert welsh["form"]["schema"]["title"] == "Adolygiad amser real yn hwyr"
    choices = welsh["form"]["schema"]["properties"]["escalation_action"]["oneOf"]
    assert choices[0] == {"const": "reviewed_personally", "title": "Rwy'n adolygu'r alwad fy hun"}


def test_completing_the_review_in_time_closes_the_timer(app, client, clock, people):
    case = log_call(client, people)
    clock.move_to(T0 + timedelta(minutes=29))
    done = complete(client, people["desk"], case["open_tasks"][0]["id"], REVIEW_OFFENCES)
    assert done.status_code == 200, done.json
    assert done.json["timers"] == []
    assert [t["bpmn_id"] for t in done.json["open_tasks"]] == ["first_response"]
    timers = client.get(
        "/api/v1/timers", query_string={"case": case["id"]}, headers=bearer(people["admin"])
    ).json
    assert [(t["bpmn_id"], t["status"]) for t in timers] == [("live_review_sla", "cancelled")]

    clock.move_to(T0 + timedelta(hours=3))
    assert drain(app) == 0
    assert inbox(client, people["sergeant"]) == []
    assert inbox(client, people["desk"], overdue="true") == []
    assert "live_review_escalated_at" not in case_of(client, people, case["id"])["data"]


def test_a_call_with_no_offence_reviewed_in_time_goes_to_the_srau_without_escalation(
    app, client, clock, people
):
    case = log_call(client, people)
    clock.move_to(T0 + timedelta(minutes=5))
    done = complete(client, people["desk"], case["open_tasks"][0]["id"], REVIEW_NO_OFFENCE)
    assert done.status_code == 200, done.json
    assert [t["bpmn_id"] for t in done.json["open_tasks"]] == ["srau_call_review"]
    assert done.json["timers"] == []
    clock.move_to(T0 + timedelta(hours=1))
    assert drain(app) == 0
    assert inbox(client, people["sergeant"]) == []


def test_the_sergeant_records_the_action_and_bad_values_are_refused(app, client, clock, people):
    case, escalation = escalate(app, client, clock, people)
    sergeant = people["sergeant"]

    message = refused(
        complete(client, sergeant, escalation["id"], {"escalation_action": "ignored"}),
        "escalation_action",
    )
    assert message.startswith("must be one of 'reviewed_personally'")
    welsh = refused(
        complete(client, sergeant, escalation["id"], {"escalation_action": "ignored"}, WELSH),
        "escalation_action",
    )
    assert welsh.startswith("rhaid iddo fod yn un o 'reviewed_personally'")
    assert refused(complete(client, sergeant, escalation["id"], {}), "escalation_action") == (
        "this field is required"
    )
    no_reason = {"escalation_action": "no_longer_required"}
    assert refused(complete(client, sergeant, escalation["id"], no_reason), "escalation_note") == (
        "this field is required"
    )
    welsh = refused(
        complete(client, sergeant, escalation["id"], no_reason, WELSH), "escalation_note"
    )
    assert welsh == "mae angen llenwi'r maes hwn"
    unknown = {"escalation_action": "reviewed_personally", "risk_grade": "high"}
    assert refused(complete(client, sergeant, escalation["id"], unknown), "risk_grade") == (
        "this field is not part of the form"
    )
    # Only the Sergeant's lane may complete it.
    desk_try = complete(
        client, people["desk"], escalation["id"], {"escalation_action": "reviewed_personally"}
    )
    assert desk_try.status_code == 403

    clock.move_to(DUE + timedelta(minutes=4))
    action = {
        "escalation_action": "reviewed_personally",
        "escalation_note": "Call still live; reviewing it myself now.",
    }
    done = complete(client, sergeant, escalation["id"], action)
    assert done.status_code == 200, done.json
    assert done.json["status"] == "running"
    assert done.json["data"]["escalation_action"] == "reviewed_personally"
    assert done.json["data"]["live_review_escalated_at"] == (DUE + timedelta(seconds=1)).isoformat()
    assert [t["bpmn_id"] for t in done.json["open_tasks"]] == ["live_time_review"]
    assert inbox(client, sergeant) == []
    again = complete(client, sergeant, escalation["id"], action)
    assert again.status_code == 409

    # The review itself is still the desk's to complete, and the case runs on from it.
    [review] = inbox(client, people["desk"])
    done = complete(client, people["desk"], review["id"], REVIEW_OFFENCES)
    assert done.status_code == 200, done.json
    assert [t["bpmn_id"] for t in done.json["open_tasks"]] == ["first_response"]
    # The case's data keeps what the Sergeant's branch recorded beside the review's.
    assert done.json["data"]["escalation_action"] == "reviewed_personally"
    assert done.json["data"]["pha_sections"] == REVIEW_OFFENCES["pha_sections"]
    assert inbox(client, people["desk"], overdue="true") == []
    history = inbox(client, people["reader"], case=case["id"], status="completed")
    assert sorted(t["bpmn_id"] for t in history) == ["live_review_escalation", "live_time_review"]
    # The escalation's time was recorded with the timer's firing, so a replay days later (the
    # pre-script reads the clock) rebuilds the same case.
    clock.move_to(DUE + timedelta(days=3))
    replayed = client.post(f"/api/v1/cases/{case['id']}/replay", headers=bearer(people["auditor"]))
    assert replayed.status_code == 200, replayed.json
    assert replayed.json["match"] is True, replayed.json


def test_a_review_completed_after_the_escalation_leaves_the_sergeant_to_close_it(
    app, client, clock, people
):
    case, escalation = escalate(app, client, clock, people)
    [review] = inbox(client, people["desk"])
    clock.move_to(DUE + timedelta(minutes=2))
    done = complete(client, people["desk"], review["id"], REVIEW_NO_OFFENCE)
    assert done.status_code == 200, done.json
    [srau_review] = inbox(client, people["srau"])
    done = complete(client, people["srau"], srau_review["id"], SRAU_CALL_CLEAR)
    assert done.status_code == 200, done.json
    # The case is not finished while the Sergeant's escalation is open.
    assert done.json["status"] == "running"
    assert [t["bpmn_id"] for t in done.json["open_tasks"]] == ["live_review_escalation"]
    assert [t["id"] for t in inbox(client, people["sergeant"])] == [escalation["id"]]

    clock.move_to(DUE + timedelta(minutes=10))
    done = complete(
        client, people["sergeant"], escalation["id"], {"escalation_action": "completed_by_desk"}
    )
    assert done.status_code == 200, done.json
    assert done.json["status"] == "completed"
    assert done.json["open_tasks"] == []
    assert case_of(client, people, case["id"])["status"] == "completed"


def test_two_people_completing_tasks_of_one_case_at_once_one_is_asked_to_retry(
    app, clock, people, monkeypatch
):
    """The desk's review and the Sergeant's escalation, completed at the same moment: both read
    the case before either writes, so one must lose (409) rather than overwrite the other."""
    import threading

    from service import commands
    from service.db import db
    from service.models import Case

    case, escalation = escalate(app, app.test_client(), clock, people)
    [review] = [t for t in case["open_tasks"] if t["bpmn_id"] == "live_time_review"]
    with app.app_context():
        version_before = db.session.get(Case, case["id"]).version
    both_read = threading.Barrier(2, timeout=10)
    original = commands._mark_completed

    def mark_once_both_have_read(*args):
        # Both commands have read the case and set their engines going; neither has written.
        both_read.wait()
        return original(*args)

    monkeypatch.setattr(commands, "_mark_completed", mark_once_both_have_read)
    answers = {}
    work = {
        review["id"]: (people["desk"], REVIEW_NO_OFFENCE),
        escalation["id"]: (people["sergeant"], {"escalation_action": "reviewed_personally"}),
    }

    def submit(task_id):
        token, data = work[task_id]
        with app.test_client() as client:
            answers[task_id] = complete(client, token, task_id, data)

    threads = [threading.Thread(target=submit, args=(task_id,)) for task_id in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(a.status_code for a in answers.values()) == [200, 409]
    [loser] = [task_id for task_id, answer in answers.items() if answer.status_code == 409]
    assert answers[loser].mimetype == "application/problem+json"
    with app.app_context():
        assert db.session.get(Case, case["id"]).version == version_before + 1
    client = app.test_client()
    still_open = [t["id"] for t in case_of(client, people, case["id"])["open_tasks"]]
    assert [t for t in still_open if t in work] == [loser]  # nothing of the loser was kept

    monkeypatch.setattr(commands, "_mark_completed", original)
    token, data = work[loser]
    retried = complete(client, token, loser, data)
    assert retried.status_code == 200, retried.json
    assert [t["bpmn_id"] for t in retried.json["open_tasks"]] == ["srau_call_review"]
