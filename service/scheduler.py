"""The scheduler: fire due timers through the same command path as a person's action.

Any number of scheduler processes may share one database. Each claims one due row at a time
(on PostgreSQL with FOR UPDATE SKIP LOCKED, so they never wait on each other) and fires the
case's due timers in the same transaction that holds the claim: a timer fires once or not at
all. Between firings the scheduler sleeps until the next due time, checking for new timers
every few seconds at most; an idle scheduler makes one small indexed query per check.

After the timers, each wake-up works the cases of migrations (service.case_migrations) for a
while: there is no second job runner.

Each wake-up is recorded in the scheduler's heartbeat row, so that `GET /health` and
`flask scheduler status` can tell a scheduler that has stopped waking from one with no work.
"""

import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from apscheduler.events import EVENT_JOB_SUBMITTED
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from sqlalchemy import and_, case, delete, func, insert, or_, select, update

from .auth import Actor
from .case_migrations import waiting_migrations, work_migrations
from .commands import fire_timers
from .db import db
from .definitions import warm_up
from .messages import FireTimers
from .models import Case, Incident, SchedulerHeartbeat, Timer, utcnow
from .problems import ApiProblem
from .timers import FAILED, FIRED, FIRING, WAITING

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
# The engine counts a timer as fired strictly after its due time: wake just after it.
WAKE_AFTER_DUE = timedelta(milliseconds=1)
RECHECK_TAKEN = timedelta(milliseconds=10)
# A heartbeat not written for this long belongs to a scheduler that has gone; it is dropped
# when a scheduler starts, so the table keeps one row per scheduler process that still runs.
FORGET_HEARTBEAT_AFTER = timedelta(days=7)


# The scheduler reads and claims timer rows with plain statements, as the commands write them
# (service.timers): no copy of a row stays in the session to go stale under the command.
_timers = Timer.__table__


def _is_due(now: datetime):
    """A waiting timer whose time has come, and which no retry's backoff holds back."""
    return and_(
        # Strictly after the due time, as the engine itself counts a timer as fired.
        _timers.c.status == WAITING,
        _timers.c.due_at < now,
        or_(_timers.c.not_before.is_(None), _timers.c.not_before <= now),
    )


def _due(now: datetime):
    return (
        select(_timers.c.id, _timers.c.case_id)
        .where(_is_due(now))
        .order_by(_timers.c.due_at, _timers.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


FAILED_ATTEMPT, LOST_RACE = "failed", "lost race"


class Fired(NamedTuple):
    """What firing due timers did: how many cases moved on, and how many timers that took."""

    cases: int
    timers: int


def _fired_with(timer_id: int):
    """The claimed timer's status, and how many of its case's timers the same command fired
    (a command closes all the timers it fires at one time)."""
    claimed, same_case = _timers.alias("claimed"), _timers.alias("same_case")
    fired_together = (
        select(func.count())
        .where(
            same_case.c.case_id == claimed.c.case_id,
            same_case.c.status == FIRED,
            same_case.c.closed_at == claimed.c.closed_at,
        )
        .scalar_subquery()
    )
    return select(claimed.c.status, fired_together).where(claimed.c.id == timer_id)


def _fire_next(now: datetime) -> tuple[str | None, int]:
    timer = db.session.execute(_due(now)).first()
    if timer is None:
        db.session.rollback()
        return None, 0
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
        return LOST_RACE, 0
    try:
        fire_timers(FireTimers(case_id, SCHEDULER_ACTOR))
    except ApiProblem as error:
        db.session.rollback()
        if error.status == 409:
            return LOST_RACE, 0
        _record_failure(timer_id, f"{error.title}: {error.detail}")
        return FAILED_ATTEMPT, 0
    status, timers = db.session.execute(_fired_with(timer_id)).one()
    db.session.rollback()  # ends the read
    if status == WAITING:
        # The engine did not take the timer as due; without this it would be claimed forever.
        _record_failure(timer_id, "the engine did not fire the timer at its due time")
        return FAILED_ATTEMPT, 0
    return FIRED, timers


def fire_next_due(now: datetime | None = None) -> str | None:
    """Fire the oldest due timer, with the rest of its case's due timers.

    Returns None when nothing is due, else what happened: FIRED, FAILED_ATTEMPT (retried later
    with backoff) or LOST_RACE (another command changed the case first; tried again at once).
    """
    return _fire_next(now or utcnow())[0]


def fire_due(now: datetime | None = None, for_at_most: timedelta | None = None) -> Fired:
    """Fire due timers, oldest first, until none is due (or, given ``for_at_most``, until that
    long has passed, so that a scheduler catching up on many still shows it is alive)."""
    deadline = None if for_at_most is None else time.monotonic() + for_at_most.total_seconds()
    cases = timers = 0
    while deadline is None or time.monotonic() < deadline:
        result, fired = _fire_next(now or utcnow())
        if result is None:
            break
        cases += result == FIRED
        timers += fired
    return Fired(cases, timers)


def fire_all_due(now: datetime | None = None) -> int:
    """Fire due timers, oldest first, until none is due; return how many cases were fired."""
    return fire_due(now).cases


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


_heartbeats = SchedulerHeartbeat.__table__


def scheduler_id() -> str:
    """This scheduler process's name in the heartbeat table."""
    return f"{socket.gethostname()}:{os.getpid()}"


def record_wake(scheduler: str, started_at: datetime, now: datetime, fired: int) -> None:
    """Write the scheduler's heartbeat: it woke at ``now`` and fired ``fired`` more timers."""
    beat = db.session.execute(
        update(_heartbeats)
        .where(_heartbeats.c.id == scheduler)
        .values(last_wake_at=now, fired=_heartbeats.c.fired + fired)
    )
    if beat.rowcount == 0:
        db.session.execute(
            insert(_heartbeats).values(
                id=scheduler, started_at=started_at, last_wake_at=now, fired=fired
            )
        )
    db.session.commit()


def forget_gone_schedulers(now: datetime) -> None:
    db.session.execute(
        delete(_heartbeats).where(_heartbeats.c.last_wake_at < now - FORGET_HEARTBEAT_AFTER)
    )
    db.session.commit()


@dataclass(frozen=True)
class SchedulerHealth:
    """Whether timers are being fired: the figures `GET /health` and `scheduler status` show."""

    healthy: bool
    last_wake_at: datetime | None  # the latest wake-up of any scheduler
    schedulers: int  # schedulers that woke within the stale limit
    fired: int  # timers fired by those schedulers since each started
    oldest_overdue_seconds: float  # how late the most overdue waiting timer is; 0 when none is
    stale_after_seconds: float

    def view(self) -> dict:
        return {
            "status": "ok" if self.healthy else "unhealthy",
            "scheduler": {
                "last_wake_at": self.last_wake_at.isoformat() if self.last_wake_at else None,
                "schedulers": self.schedulers,
                "fired": self.fired,
                "oldest_overdue_seconds": round(self.oldest_overdue_seconds, 3),
                "stale_after_seconds": self.stale_after_seconds,
            },
        }


def scheduler_health(
    stale_after: timedelta | None = None, now: datetime | None = None
) -> SchedulerHealth:
    """Unhealthy when a timer is overdue and no scheduler has woken within ``stale_after``
    (by default the application's SCHEDULER_STALE_AFTER_SECONDS).

    Two small indexed queries: the heartbeats (a row per running scheduler), and the oldest
    waiting timer that is due (one waiting out a retry's backoff is not yet due).
    """
    now = now or utcnow()
    if stale_after is None:
        stale_after = timedelta(seconds=current_app.config["SCHEDULER_STALE_AFTER_SECONDS"])
    live = _heartbeats.c.last_wake_at >= now - stale_after
    last_wake_at, schedulers, fired = db.session.execute(
        select(
            func.max(_heartbeats.c.last_wake_at),
            func.count(case((live, 1))),
            func.coalesce(func.sum(case((live, _heartbeats.c.fired), else_=0)), 0),
        )
    ).one()
    oldest_due = db.session.scalar(select(func.min(_timers.c.due_at)).where(_is_due(now)))
    db.session.rollback()  # ends the read
    overdue = (now - oldest_due).total_seconds() if oldest_due is not None else 0.0
    stale = last_wake_at is None or last_wake_at < now - stale_after
    return SchedulerHealth(
        healthy=not (overdue > 0 and stale),
        last_wake_at=last_wake_at,
        schedulers=schedulers,
        fired=fired,
        oldest_overdue_seconds=overdue,
        stale_after_seconds=stale_after.total_seconds(),
    )


TICK_JOB = "fire-due-timers"
# The tick runs in the scheduler's own thread, inside APScheduler's loop (_process_jobs), so
# that the loop has written the job's next run time, and counted the run as finished, before
# the tick's own choice of next run time is applied (see build_scheduler).
_IN_LOOP = "in-loop"


def build_scheduler(app: Flask, scheduler: BaseScheduler, idle_check: timedelta = IDLE_CHECK):
    """Give an APScheduler scheduler the job of firing timers, waking for each due time.

    The job is one long-lived interval job, every ``idle_check``, that is never removed: after
    each run its next run time is moved to just after the next timer's due time when that is
    sooner. The first run, at once, catches up on everything overdue, oldest first.
    """
    name = scheduler_id()
    started_at = utcnow()
    next_wake: list[datetime | None] = [None]  # the last tick's choice, not yet applied

    def tick() -> None:
        upcoming = None
        with app.app_context():
            try:
                woke_at = utcnow()
                fired = fire_due(for_at_most=idle_check)
                if fired.timers:
                    log.info("fired %d timer(s) of %d case(s)", fired.timers, fired.cases)
                record_wake(name, started_at, woke_at, fired.timers)
                # Then cases being moved onto another version, a while at a time, so that a
                # long migration never holds up a timer falling due.
                moved = work_migrations(for_at_most=idle_check)
                if moved:
                    log.info("worked %d case(s) of migrations", moved)
                upcoming = next_due_at()
                if waiting_migrations():
                    upcoming = min(filter(None, (upcoming, utcnow())))
            except Exception:
                # A database hiccup must not stop the scheduler: log it and look again soon.
                log.exception("firing due timers failed; trying again shortly")
            finally:
                db.session.remove()
        if upcoming is not None:
            now = utcnow()
            # A timer still due now is being fired by another scheduler, or is left from a
            # catch-up that stopped to write the heartbeat: look again shortly.
            next_wake[0] = max(upcoming + WAKE_AFTER_DUE, now + RECHECK_TAKEN)

    def wake_for_next_due(event) -> None:
        # APScheduler sends "submitted" once its loop has run the job (in this same thread), set
        # the interval's next run time and counted the run as finished. Moving the next run time
        # from inside the tick instead would be overwritten by the loop; moving it while the run
        # still counted would have the loop skip it as a second instance.
        wake_at, next_wake[0] = next_wake[0], None
        if event.job_id == TICK_JOB and wake_at is not None:
            job = scheduler.get_job(TICK_JOB)
            if job is not None and job.next_run_time and wake_at < job.next_run_time:
                scheduler.modify_job(TICK_JOB, next_run_time=wake_at)

    with app.app_context():
        forget_gone_schedulers(started_at)
        db.session.remove()
    scheduler.add_executor(DebugExecutor(), _IN_LOOP)
    scheduler.add_listener(wake_for_next_due, EVENT_JOB_SUBMITTED)
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=idle_check.total_seconds(), timezone=UTC),
        id=TICK_JOB,
        executor=_IN_LOOP,
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    return scheduler


def run(app: Flask) -> None:
    """Run until stopped."""
    # A line per task or per wake-up would bury the firings and failures worth reading.
    for noisy in ("SpiffWorkflow", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    scheduler = build_scheduler(app, BlockingScheduler(timezone=UTC))
    with app.app_context():
        # The versions of the cases waiting on timers, loaded before the first falls due.
        warm_up(
            db.session.scalars(
                select(Case.definition_version_id)
                .join(Timer, Timer.case_id == Case.id)
                .where(Timer.status == WAITING)
                .distinct()
            ).all()
        )
        db.session.remove()
    log.info("scheduler started")
    scheduler.start()
