"""The scheduler: fire due timers through the same command path as a person's action.

Any number of scheduler processes may share one database. Each claims one due row at a time
(on PostgreSQL with FOR UPDATE SKIP LOCKED, so they never wait on each other) and fires the
case's due timers in the same transaction that holds the claim: a timer fires once or not at
all. Between firings the scheduler sleeps until the next due time, checking for new timers
every few seconds at most; an idle scheduler makes one small indexed query per check.
"""

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger
from flask import Flask
from sqlalchemy import func, or_, select, update

from .auth import Actor
from .commands import FireTimers, fire_timers
from .db import db
from .models import Incident, Timer, utcnow
from .problems import ApiProblem
from .timers import FAILED, FIRING, WAITING

log = logging.getLogger(__name__)

SCHEDULER_ACTOR = Actor(id=None, name="scheduler", role_names=frozenset())
# Waits before each retry of a failing timer; after the last one the timer becomes an incident.
RETRY_BACKOFF = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
)
IDLE_CHECK = timedelta(seconds=2)


# The scheduler reads and claims timer rows with plain statements, as the commands write them
# (service.timers): no copy of a row stays in the session to go stale under the command.
_timers = Timer.__table__


def _due(now: datetime):
    return (
        select(_timers.c.id, _timers.c.case_id)
        # Strictly after the due time, as the engine itself counts a timer as fired.
        .where(_timers.c.status == WAITING, _timers.c.due_at < now)
        .where(or_(_timers.c.not_before.is_(None), _timers.c.not_before <= now))
        .order_by(_timers.c.due_at, _timers.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


FIRED, FAILED_ATTEMPT, LOST_RACE = "fired", "failed", "lost race"


def fire_next_due(now: datetime | None = None) -> str | None:
    """Fire the oldest due timer, with the rest of its case's due timers.

    Returns None when nothing is due, else what happened: FIRED, FAILED_ATTEMPT (retried later
    with backoff) or LOST_RACE (another command changed the case first; tried again at once).
    """
    now = now or utcnow()
    timer = db.session.execute(_due(now)).first()
    if timer is None:
        db.session.rollback()
        return None
    timer_id, case_id = timer.id, timer.case_id
    # The claim is a write, so a second scheduler on SQLite (which has no row locks) waits
    # for this transaction and then finds the row no longer waiting.
    claimed = db.session.execute(
        update(_timers)
        .where(_timers.c.id == timer_id, _timers.c.status == WAITING)
        .values(status=FIRING)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return LOST_RACE
    try:
        fire_timers(FireTimers(case_id, SCHEDULER_ACTOR))
    except ApiProblem as error:
        db.session.rollback()
        if error.status == 409:
            return LOST_RACE
        _record_failure(timer_id, f"{error.title}: {error.detail}")
        return FAILED_ATTEMPT
    still_waiting = db.session.scalar(
        select(func.count()).where(Timer.id == timer_id, Timer.status == WAITING)
    )
    if still_waiting:
        # The engine did not take the timer as due; without this it would be claimed forever.
        _record_failure(timer_id, "the engine did not fire the timer at its due time")
        return FAILED_ATTEMPT
    return FIRED


def fire_all_due(now: datetime | None = None) -> int:
    """Fire due timers, oldest first, until none is due; return how many cases were fired."""
    fired = 0
    while (result := fire_next_due(now)) is not None:
        fired += result == FIRED
    return fired


def next_due_at() -> datetime | None:
    """When the next waiting timer falls due (a retry counts from its wait)."""
    due = func.coalesce(Timer.not_before, Timer.due_at)
    return db.session.scalar(select(func.min(due)).where(Timer.status == WAITING))


def _record_failure(timer_id: int, message: str) -> None:
    timer = db.session.get(Timer, timer_id)
    timer.attempts += 1
    timer.last_error = message
    if timer.attempts > len(RETRY_BACKOFF):
        timer.status = FAILED
        timer.closed_at = utcnow()
        db.session.add(
            Incident(
                case_id=timer.case_id,
                timer_id=timer.id,
                message=f"Timer '{timer.name}' failed {timer.attempts} times: {message}",
            )
        )
        log.error("timer %s of case %s became an incident: %s", timer.id, timer.case_id, message)
    else:
        timer.not_before = utcnow() + RETRY_BACKOFF[timer.attempts - 1]
        log.warning("timer %s of case %s failed, will retry: %s", timer.id, timer.case_id, message)
    db.session.commit()


def retry_incident(incident: Incident, actor: Actor) -> Incident:
    """An Administrator's retry: the timer waits again, due now, with a fresh set of attempts."""
    now = utcnow()
    if incident.timer_id is not None:
        db.session.execute(
            update(Timer)
            .where(Timer.id == incident.timer_id)
            .values(status=WAITING, attempts=0, not_before=None, closed_at=None)
        )
    incident.resolved_at = now
    incident.resolved_by = actor.name
    db.session.commit()
    return incident


def build_scheduler(app: Flask, scheduler: BaseScheduler, idle_check: timedelta = IDLE_CHECK):
    """Give an APScheduler scheduler the job of firing timers, waking for each due time.

    The first tick catches up on everything overdue, oldest first.
    """
    wake_at = [datetime.now(UTC)]

    def tick() -> None:
        upcoming = None
        with app.app_context():
            try:
                fired = fire_all_due()
                if fired:
                    log.info("fired %d timer(s)", fired)
                upcoming = next_due_at()
            except Exception:
                # A database hiccup must not stop the scheduler: log it and look again soon.
                log.exception("firing due timers failed; trying again shortly")
            finally:
                db.session.remove()
        now = datetime.now(UTC)
        wake_at[0] = (
            now + idle_check if upcoming is None else max(now, min(now + idle_check, upcoming))
        )

    def schedule_next(_event=None) -> None:
        # Called once a tick has finished: a job that re-adds itself while still running is
        # skipped by APScheduler as a second instance, and the scheduler would fall silent.
        scheduler.add_job(
            tick,
            DateTrigger(run_date=wake_at[0]),
            id="tick",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    scheduler.add_listener(schedule_next, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    schedule_next()
    return scheduler


def run(app: Flask) -> None:
    """Run until stopped."""
    # A line per task or per wake-up would bury the firings and failures worth reading.
    for noisy in ("SpiffWorkflow", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    scheduler = build_scheduler(app, BlockingScheduler(timezone=UTC))
    log.info("scheduler started")
    scheduler.start()
