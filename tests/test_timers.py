"""Escalation timers fire when due, once, from the scheduler; a controlled clock moves time."""

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import func, select

from service.audit.models import CaseEvent
from service.auth import Actor, create_user
from service.commands import StartCase, start_case
from service.config import PROJECT_ROOT
from service.db import db
from service.definitions import deploy
from service.drafts import save_draft
from service.models import Incident, SchedulerHeartbeat, TaskDraft, Timer, User
from service.scheduler import (
    FAILED_ATTEMPT,
    FIRED,
    IDLE_CHECK,
    RETRY_BACKOFF,
    WAKE_AFTER_DUE,
    build_scheduler,
    fire_next_due,
    next_due_at,
)
from tests.conftest import bearer
from tests.lifecycle import drain
from tests.names import with_welsh_names
from tests.test_api_deploy import NOTE_FORM
from tests.test_catalog import HEAD, flow, user_task
from workflows.catalog import read_definition_files

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def diagram(process_id, body, lanes):
    lane_xml = "".join(
        f'<bpmn:lane id="lane_{i}" name="{name}">'
        + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs)
        + "</bpmn:lane>"
        for i, (name, refs) in enumerate(lanes.items())
    )
    return (
        f'{HEAD}<bpmn:process id="{process_id}" isExecutable="true">'
        f'<bpmn:laneSet id="ls">{lane_xml}</bpmn:laneSet>{body}</bpmn:process>'
        "</bpmn:definitions>"
    )


def timer(kind, text):
    return (
        f"<bpmn:timerEventDefinition><bpmn:{kind}>{text}</bpmn:{kind}></bpmn:timerEventDefinition>"
    )


def boundary(interrupting: bool):
    """A Vulnerability Desk review with a 30-minute SLA escalating to the Sergeant."""
    cancel = "true" if interrupting else "false"
    body = (
        '<bpmn:startEvent id="start"/>'
        + user_task("review")
        + f'<bpmn:boundaryEvent id="sla" name="Review overdue" attachedToRef="review" '
        f'cancelActivity="{cancel}">{timer("timeDuration", "PT30M")}</bpmn:boundaryEvent>'
        + user_task("escalated_review")
        + '<bpmn:endEvent id="end"/><bpmn:endEvent id="end_escalated"/>'
        + flow("f1", "start", "review")
        + flow("f2", "review", "end")
        + flow("f3", "sla", "escalated_review")
        + flow("f4", "escalated_review", "end_escalated")
    )
    lanes = {
        "Vulnerability Desk": ["start", "review", "end"],
        "Sergeant": ["escalated_review", "end_escalated"],
    }
    return diagram("boundary_nonint" if not interrupting else "boundary_int", body, lanes)


def waits(process_id, kind, text, then_script="waited = True"):
    """Start -> a timer event -> a script -> a Sergeant's task."""
    body = (
        '<bpmn:startEvent id="start"/>'
        + f'<bpmn:intermediateCatchEvent id="wait" name="Wait">{timer(kind, text)}'
        "</bpmn:intermediateCatchEvent>"
        + f'<bpmn:scriptTask id="after"><bpmn:script>{then_script}</bpmn:script></bpmn:scriptTask>'
        + user_task("check")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "wait")
        + flow("f2", "wait", "after")
        + flow("f3", "after", "check")
        + flow("f4", "check", "end")
    )
    return diagram(process_id, body, {"Sergeant": ["start", "wait", "after", "check", "end"]})


def cycle(process_id):
    """A Sergeant's check every hour, three times, beside the main task."""
    body = (
        '<bpmn:startEvent id="start"/>'
        + user_task("main")
        + '<bpmn:boundaryEvent id="hourly" name="Hourly check" attachedToRef="main" '
        f'cancelActivity="false">{timer("timeCycle", "R3/PT1H")}</bpmn:boundaryEvent>'
        + user_task("check")
        + '<bpmn:endEvent id="end"/><bpmn:endEvent id="end_check"/>'
        + flow("f1", "start", "main")
        + flow("f2", "main", "end")
        + flow("f3", "hourly", "check")
        + flow("f4", "check", "end_check")
    )
    return diagram(process_id, body, {"Sergeant": ["start", "main", "end", "check", "end_check"]})


def timer_start(process_id):
    """A process that starts by waiting for a date, as a report cycle does."""
    body = (
        f'<bpmn:startEvent id="start">{timer("timeDate", "2026-12-01T12:00:00Z")}'
        "</bpmn:startEvent>"
        + user_task("report")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "report")
        + flow("f2", "report", "end")
    )
    return diagram(process_id, body, {"Sergeant": ["start", "report", "end"]})


def due_in(process_id, due):
    prop = f'<spiffworkflow:property name="dueIn" value="{due}"/>'
    task = user_task("task").replace(
        "</spiffworkflow:properties>", prop + "</spiffworkflow:properties>"
    )
    body = (
        '<bpmn:startEvent id="start"/>'
        + task
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "task")
        + flow("f2", "task", "end")
    )
    return diagram(process_id, body, {"Sergeant": ["start", "task", "end"]})


@pytest.fixture
def deployed(app, clock):
    """Deploy the test diagrams beside the repository's."""
    files = read_definition_files(PROJECT_ROOT)
    files.update({f"forms/{name}": content for name, content in NOTE_FORM.items()})
    for name, xml in {
        "boundary_nonint": boundary(False),
        "boundary_int": boundary(True),
        "wait_duration": waits("wait_duration", "timeDuration", "PT2H"),
        "wait_date": waits("wait_date", "timeDate", "2026-12-01T10:15:00Z"),
        "wait_failing": waits("wait_failing", "timeDuration", "PT1M", then_script="x = 1 / 0"),
        "cycle": cycle("cycle"),
        "timer_start": timer_start("timer_start"),
        "due_in": due_in("due_in", "PT4H"),
    }.items():
        files[f"bpmn/{name}.bpmn"] = xml.encode()
    with app.app_context():
        deploy(with_welsh_names(files), actor="tests")
        db.session.commit()
    return app


@pytest.fixture
def people(token_for):
    return {
        "desk": token_for("Vulnerability Desk"),
        "sergeant": token_for("Sergeant"),
        "admin": token_for("Administrator"),
    }


def start(client, token, process):
    response = client.post(
        "/api/v1/cases", json={"process": process, "data": {}}, headers=bearer(token)
    )
    assert response.status_code == 201, response.json
    return response.json


def inbox(client, token, **query):
    response = client.get("/api/v1/tasks", query_string=query, headers=bearer(token))
    assert response.status_code == 200, response.json
    return response.json


def timers_of(app, case_id):
    with app.app_context():
        rows = db.session.query(Timer).filter_by(case_id=case_id).order_by(Timer.id).all()
        return [(row.bpmn_id, row.status, row.due_at) for row in rows]


def test_non_interrupting_escalation_fires_when_due_and_keeps_the_task_open(
    deployed, client, clock, people
):
    case = start(client, people["desk"], "boundary_nonint")
    assert case["timers"][0]["due_at"] == (T0 + timedelta(minutes=30)).isoformat()
    clock.move_to(T0 + timedelta(minutes=29, seconds=59))
    assert drain(deployed) == 0
    assert inbox(client, people["sergeant"]) == []
    clock.move_to(T0 + timedelta(minutes=30, seconds=1))
    assert drain(deployed) == 1
    [escalated] = inbox(client, people["sergeant"])
    assert escalated["bpmn_id"] == "escalated_review"
    assert [t["bpmn_id"] for t in inbox(client, people["desk"])] == ["review"]
    assert timers_of(deployed, case["id"]) == [("sla", "fired", T0 + timedelta(minutes=30))]
    assert drain(deployed) == 0  # exactly once


def test_interrupting_timer_cancels_the_task(deployed, client, clock, people):
    case = start(client, people["desk"], "boundary_int")
    review_id = case["open_tasks"][0]["id"]
    with deployed.app_context():  # someone had started typing into the review
        someone = db.session.scalar(select(User).limit(1))
        save_draft(Actor(someone.id, someone.name, frozenset()), review_id, {"notes": "half"})
    clock.shift(timedelta(minutes=31))
    assert drain(deployed) == 1
    with deployed.app_context():  # withdrawn with the task, in the same command
        assert db.session.scalar(select(func.count()).select_from(TaskDraft)) == 0
    assert inbox(client, people["desk"]) == []
    cancelled = inbox(client, people["desk"], status="cancelled")
    assert [t["id"] for t in cancelled] == [review_id]
    response = client.post(
        f"/api/v1/tasks/{review_id}/complete", json={"data": {}}, headers=bearer(people["desk"])
    )
    assert response.status_code == 409


def test_completing_the_task_first_cancels_its_timer(deployed, client, clock, people):
    case = start(client, people["desk"], "boundary_nonint")
    task_id = case["open_tasks"][0]["id"]
    clock.shift(timedelta(minutes=10))
    done = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": {}}, headers=bearer(people["desk"])
    )
    assert done.status_code == 200
    assert done.json["timers"] == []
    assert timers_of(deployed, case["id"])[0][1] == "cancelled"
    clock.shift(timedelta(hours=1))
    assert drain(deployed) == 0
    assert inbox(client, people["sergeant"]) == []


@pytest.mark.parametrize(
    ("process", "due"),
    [
        ("wait_duration", T0 + timedelta(hours=2)),
        ("wait_date", datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
    ],
)
def test_intermediate_timers_fire_exactly_when_due(deployed, client, clock, people, process, due):
    case = start(client, people["sergeant"], process)
    assert case["open_tasks"] == []
    clock.move_to(due - timedelta(seconds=1))
    assert drain(deployed) == 0
    clock.move_to(due + timedelta(milliseconds=1))
    assert drain(deployed) == 1
    shown = client.get(f"/api/v1/cases/{case['id']}", headers=bearer(people["sergeant"])).json
    assert shown["data"]["waited"] is True  # the work after the timer really ran
    assert [t["bpmn_id"] for t in shown["open_tasks"]] == ["check"]


def test_a_cycle_fires_each_repetition_once(deployed, client, clock, people):
    case = start(client, people["sergeant"], "cycle")
    for hour in (1, 2, 3):
        clock.move_to(T0 + timedelta(hours=hour, seconds=1))
        assert drain(deployed) == 1
        checks = [t for t in inbox(client, people["sergeant"]) if t["bpmn_id"] == "check"]
        assert len(checks) == hour
    checks = [t for t in inbox(client, people["sergeant"]) if t["bpmn_id"] == "check"]
    assert len(checks) == 3
    clock.move_to(T0 + timedelta(hours=5))
    assert drain(deployed) == 0
    fired = [row for row in timers_of(deployed, case["id"]) if row[1] == "fired"]
    assert [row[2] for row in fired] == [T0 + timedelta(hours=h) for h in (1, 2, 3)]


def test_a_timer_start_event_waits_for_its_date(deployed, client, clock, people):
    case = start(client, people["sergeant"], "timer_start")
    assert case["open_tasks"] == []
    clock.move_to(datetime(2026, 12, 1, 12, 0, 1, tzinfo=UTC))
    assert drain(deployed) == 1
    assert [t["bpmn_id"] for t in inbox(client, people["sergeant"])] == ["report"]


def test_overdue_timers_fire_oldest_first_on_start_up(deployed, client, clock, people):
    later = start(client, people["sergeant"], "wait_duration")  # due T0 + 2h
    earlier = start(client, people["sergeant"], "wait_date")  # due 10:15
    clock.move_to(T0 + timedelta(days=3))  # nothing ran for three days
    with deployed.app_context():
        assert next_due_at() == datetime(2026, 12, 1, 10, 15, tzinfo=UTC)
        assert fire_next_due() == FIRED
    assert timers_of(deployed, earlier["id"])[0][1] == "fired"
    assert timers_of(deployed, later["id"])[0][1] == "waiting"
    assert drain(deployed) == 1
    assert timers_of(deployed, later["id"])[0][1] == "fired"


def test_a_failing_timer_is_retried_then_becomes_an_incident(deployed, client, clock, people):
    case = start(client, people["sergeant"], "wait_failing")
    clock.shift(timedelta(minutes=2))
    assert drain(deployed) == 0
    with deployed.app_context():
        row = db.session.query(Timer).filter_by(case_id=case["id"]).one()
        assert (row.status, row.attempts) == ("waiting", 1)
        assert "division by zero" in row.last_error
    assert drain(deployed) == 0  # backing off
    for attempt, wait in enumerate(RETRY_BACKOFF, start=2):
        clock.shift(wait + timedelta(seconds=1))
        with deployed.app_context():
            assert fire_next_due() == FAILED_ATTEMPT
            assert db.session.query(Timer).filter_by(case_id=case["id"]).one().attempts == attempt
    with deployed.app_context():
        row = db.session.query(Timer).filter_by(case_id=case["id"]).one()
        assert (row.status, row.attempts) == ("failed", len(RETRY_BACKOFF) + 1)
        assert db.session.query(Incident).count() == 1
    shown = client.get(f"/api/v1/cases/{case['id']}", headers=bearer(people["sergeant"])).json
    assert "division by zero" in shown["last_error"]
    assert client.get("/api/v1/incidents", headers=bearer(people["sergeant"])).status_code == 403
    [incident] = client.get("/api/v1/incidents", headers=bearer(people["admin"])).json
    assert incident["case_id"] == case["id"]
    retried = client.post(
        f"/api/v1/incidents/{incident['id']}/retry", headers=bearer(people["admin"])
    )
    assert retried.status_code == 200
    assert client.get("/api/v1/incidents", headers=bearer(people["admin"])).json == []
    timers = client.get(
        "/api/v1/timers", query_string={"case": case["id"]}, headers=bearer(people["admin"])
    ).json
    assert [(t["status"], t["attempts"]) for t in timers] == [("waiting", 0)]
    again = client.post(
        f"/api/v1/incidents/{incident['id']}/retry", headers=bearer(people["admin"])
    )
    assert again.status_code == 409


def test_tasks_carry_due_dates_and_the_inbox_filters_overdue_work(deployed, client, clock, people):
    start(client, people["sergeant"], "due_in")
    clock.shift(timedelta(hours=1))
    start(client, people["sergeant"], "due_in")
    tasks = inbox(client, people["sergeant"])
    assert [t["due_at"] for t in tasks] == [
        (T0 + timedelta(hours=4)).isoformat(),
        (T0 + timedelta(hours=5)).isoformat(),
    ]
    assert inbox(client, people["sergeant"], overdue="true") == []
    clock.move_to(T0 + timedelta(hours=4, minutes=30))
    [overdue] = inbox(client, people["sergeant"], overdue="true")
    assert overdue["due_at"] == (T0 + timedelta(hours=4)).isoformat()


def test_admin_timer_list_filters(deployed, client, clock, people):
    start(client, people["sergeant"], "wait_duration")
    start(client, people["sergeant"], "wait_date")
    everything = client.get("/api/v1/timers", headers=bearer(people["admin"])).json
    assert [t["bpmn_id"] for t in everything] == ["wait", "wait"]
    soon = client.get(
        "/api/v1/timers",
        query_string={"due_before": "2026-12-01T10:30:00Z"},
        headers=bearer(people["admin"]),
    ).json
    assert len(soon) == 1
    assert client.get("/api/v1/timers", headers=bearer(people["sergeant"])).status_code == 403


def test_the_running_scheduler_keeps_waking_and_fires_new_timers(app, people, client):
    """The APScheduler loop itself, on the real clock: it catches up on an overdue timer at
    start-up, then wakes for a timer set while it runs, due a moment later."""
    import threading

    from apscheduler.events import EVENT_JOB_EXECUTED
    from apscheduler.schedulers.background import BackgroundScheduler

    files = read_definition_files(PROJECT_ROOT)
    files.update({f"forms/{name}": content for name, content in NOTE_FORM.items()})
    files["bpmn/wait_date.bpmn"] = waits("wait_date", "timeDate", "2026-01-01T00:00:00Z").encode()
    files["bpmn/wait_short.bpmn"] = waits("wait_short", "timeDuration", "PT0.2S").encode()
    with app.app_context():
        deploy(with_welsh_names(files), actor="tests")
        db.session.commit()
    first_fired, both_fired = threading.Event(), threading.Event()

    def on_tick(_event):
        with app.app_context():
            count = db.session.query(Timer).filter_by(status="fired").count()
            db.session.remove()
        if count >= 1:
            first_fired.set()
        if count == 2:
            both_fired.set()

    # Made before the scheduler runs: the clock is moved only while no scheduler is running.
    with time_machine.travel(datetime(2025, 12, 1, tzinfo=UTC), tick=False):
        start(client, people["sergeant"], "wait_date")
    scheduler = build_scheduler(
        app, BackgroundScheduler(timezone=UTC), idle_check=timedelta(milliseconds=500)
    )
    scheduler.add_listener(on_tick, EVENT_JOB_EXECUTED)
    scheduler.start()
    try:
        assert first_fired.wait(timeout=30), "the overdue timer did not fire on start-up"
        start(client, people["sergeant"], "wait_short")  # due while the scheduler sleeps
        assert both_fired.wait(timeout=30), "the scheduler did not wake for the new timer"
    finally:
        scheduler.shutdown(wait=True)
    assert len(inbox(client, people["sergeant"])) == 2


def test_a_timer_is_not_claimed_at_the_very_instant_it_falls_due(deployed, client, clock, people):
    """The engine counts a timer as fired strictly after its due time; claiming it at the
    instant itself would record a failed attempt and delay it by the first backoff."""
    case = start(client, people["sergeant"], "wait_duration")
    clock.move_to(T0 + timedelta(hours=2))
    assert drain(deployed) == 0
    with deployed.app_context():
        row = db.session.query(Timer).filter_by(case_id=case["id"]).one()
        assert (row.status, row.attempts) == ("waiting", 0)
    clock.move_to(T0 + timedelta(hours=2, microseconds=1))
    assert drain(deployed) == 1


class SteppedScheduler(BaseScheduler):
    """An APScheduler scheduler whose loop the test turns by hand: each ``_process_jobs()`` is
    one pass of APScheduler's own loop, running the due jobs in the test's thread."""

    def shutdown(self, wait=True):
        super().shutdown(wait)

    def wakeup(self):
        """The test is the loop: it looks at the job's next run time itself."""


def stepped_scheduler(app):
    return build_scheduler(
        app, SteppedScheduler(timezone=UTC, executors={"default": DebugExecutor()})
    )


def next_wake(scheduler) -> datetime:
    jobs = scheduler.get_jobs()
    assert len(jobs) == 1, "the scheduler has lost its wake-up job"
    assert jobs[0].next_run_time is not None
    return jobs[0].next_run_time


def test_thousands_of_wake_ups_on_a_fake_clock_never_lose_the_wake_up(app, clock):
    """APScheduler's loop, turned by hand on a clock that moves only to each wake-up: the
    job that wakes the scheduler is never lost, each timer fires once, and a timer the
    scheduler knows of fires just after it falls due, even when that is sooner than the
    scheduler's idle check."""
    delays = {"soon": 0.4, "within_check": 1.5, "after_a_check": 3.5, "later": 7.0}
    files = read_definition_files(PROJECT_ROOT)
    files.update({f"forms/{name}": content for name, content in NOTE_FORM.items()})
    for process, seconds in delays.items():
        files[f"bpmn/{process}.bpmn"] = waits(process, "timeDuration", f"PT{seconds}S").encode()
    with app.app_context():
        deploy(with_welsh_names(files), actor="tests")
        db.session.commit()
        user, _ = create_user("wake-up-test", ["Sergeant"])
        actor = Actor(user.id, user.name, frozenset({"Sergeant"}))
        db.session.remove()

    scheduler = stepped_scheduler(app)
    scheduler.start()
    seen_from = {}  # case id -> the first wake-up after it started, when the scheduler saw it
    unseen = []
    wakes, wake_at = 0, T0 - timedelta(seconds=1)
    try:
        while wakes < 2400 + 10:
            assert next_wake(scheduler) > wake_at, "the scheduler would not wake again"
            wake_at = next_wake(scheduler)
            clock.move_to(wake_at)
            scheduler._process_jobs()
            wakes += 1
            for case_id in unseen:
                seen_from[case_id] = wake_at
            unseen = []
            if wakes % 8 == 0 and wakes < 2400:
                process = list(delays)[wakes // 8 % len(delays)]
                with app.app_context():
                    unseen.append(start_case(StartCase(process, {}, actor)).case.id)
                    db.session.remove()
        last_wake = wake_at
    finally:
        scheduler.shutdown()

    with app.app_context():
        timers = db.session.execute(
            select(Timer.case_id, Timer.task_id, Timer.status, Timer.due_at, Timer.closed_at)
        ).all()
        fired_events = Counter(
            json.loads(payload)["task_id"]
            for (payload,) in db.session.execute(
                select(CaseEvent.payload).where(CaseEvent.type == "timer_fired")
            )
        )
        [beat] = db.session.scalars(select(SchedulerHeartbeat)).all()
    assert len(timers) == len(seen_from) == 2400 // 8 - 1
    assert {t.status for t in timers} == {"fired"}
    assert fired_events == Counter({t.task_id: 1 for t in timers})
    for timer in timers:
        late = timer.closed_at - timer.due_at
        assert timedelta(0) < late <= IDLE_CHECK + WAKE_AFTER_DUE
        if timer.due_at >= seen_from[timer.case_id]:
            assert late == WAKE_AFTER_DUE, "a timer the scheduler knew of fired late"
    # Many fell due sooner than the idle check after the wake-up that first saw them.
    known_and_sooner = [
        t for t in timers if timedelta(0) <= t.due_at - seen_from[t.case_id] < IDLE_CHECK
    ]
    assert len(known_and_sooner) > len(timers) // 8
    assert (beat.fired, beat.last_wake_at, beat.started_at) == (len(timers), last_wake, T0)


def health(client, status_code):
    answer = client.get("/health")
    assert answer.status_code == status_code, answer.json
    assert answer.mimetype == "application/json"
    return answer.json


def test_health_reports_the_scheduler_and_fails_when_overdue_timers_find_none(
    deployed, client, clock, people
):
    start(client, people["sergeant"], "wait_date")  # due 10:15
    start(client, people["sergeant"], "wait_duration")  # due 11:00
    # No scheduler has run yet, but nothing is overdue: nothing is harmed.
    assert health(client, 200) == {
        "status": "ok",
        "scheduler": {
            "last_wake_at": None,
            "schedulers": 0,
            "fired": 0,
            "oldest_overdue_seconds": 0,
            "stale_after_seconds": 60.0,
        },
    }
    clock.move_to(datetime(2026, 12, 1, 10, 15, 30, tzinfo=UTC))
    unhealthy = health(client, 503)
    assert unhealthy["status"] == "unhealthy"
    assert unhealthy["scheduler"]["oldest_overdue_seconds"] == 30.0
    assert unhealthy["scheduler"]["last_wake_at"] is None

    scheduler = stepped_scheduler(deployed)
    scheduler.start()
    try:
        scheduler._process_jobs()  # fires the 10:15 timer
    finally:
        scheduler.shutdown()
    assert health(client, 200)["scheduler"] == {
        "last_wake_at": "2026-12-01T10:15:30+00:00",
        "schedulers": 1,
        "fired": 1,
        "oldest_overdue_seconds": 0,
        "stale_after_seconds": 60.0,
    }
    # The scheduler stopped; the 11:00 timer falls due with no one to fire it.
    clock.move_to(datetime(2026, 12, 1, 11, 0, 20, tzinfo=UTC))
    deployed.config["SCHEDULER_STALE_AFTER_SECONDS"] = 3600  # woke 45 minutes ago: live
    assert health(client, 200)["scheduler"] == {
        "last_wake_at": "2026-12-01T10:15:30+00:00",
        "schedulers": 1,
        "fired": 1,
        "oldest_overdue_seconds": 20.0,
        "stale_after_seconds": 3600.0,
    }
    deployed.config["SCHEDULER_STALE_AFTER_SECONDS"] = 60
    stale = health(client, 503)
    assert stale["status"] == "unhealthy"
    assert stale["scheduler"] == {
        "last_wake_at": "2026-12-01T10:15:30+00:00",
        "schedulers": 0,
        "fired": 0,  # counts the schedulers that still wake
        "oldest_overdue_seconds": 20.0,
        "stale_after_seconds": 60.0,
    }
    result = deployed.test_cli_runner().invoke(args=["scheduler", "status"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "status: unhealthy",
        "last_wake_at: 2026-12-01T10:15:30+00:00",
        "schedulers: 0",
        "fired: 0",
        "oldest_overdue_seconds: 20.0",
        "stale_after_seconds: 60.0",
    ]


def test_a_timer_waiting_out_a_retry_is_not_overdue(deployed, client, clock, people):
    case = start(client, people["sergeant"], "wait_failing")  # due 09:01, and fails
    clock.move_to(T0 + timedelta(minutes=2))
    assert health(client, 503)["scheduler"]["oldest_overdue_seconds"] == 60.0
    assert drain(deployed) == 0  # a failed attempt: retried 5 s later
    assert timers_of(deployed, case["id"])[0][1] == "waiting"
    assert health(client, 200)["scheduler"]["oldest_overdue_seconds"] == 0
    result = deployed.test_cli_runner().invoke(args=["scheduler", "status"])
    assert result.exit_code == 0
    assert "status: ok" in result.output and "oldest_overdue_seconds: 0" in result.output
    clock.shift(RETRY_BACKOFF[0] + timedelta(seconds=1))
    assert health(client, 503)["scheduler"]["oldest_overdue_seconds"] == 66.0
