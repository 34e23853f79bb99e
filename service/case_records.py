"""A case's task and timer rows, as the API and the pages show them: read models, so that
neither entry point queries the database of its own."""

from sqlalchemy import select

from .db import db
from .models import Task, Timer
from .timers import WAITING

OPEN = "open"


def open_tasks_of(case_id: str) -> list[Task]:
    """The case's open tasks, oldest first."""
    return list(
        db.session.scalars(
            select(Task)
            .where(Task.case_id == case_id, Task.status == OPEN)
            .order_by(Task.created_at, Task.id)
        )
    )


def waiting_timers_of(case_id: str) -> list[Timer]:
    """The case's timers still waiting, soonest due first."""
    return list(
        db.session.scalars(
            select(Timer)
            .where(Timer.case_id == case_id, Timer.status == WAITING)
            .order_by(Timer.due_at, Timer.id)
        )
    )


def every_task_of(case_id: str) -> list[Task]:
    """Every task the case has had, open or not."""
    return list(db.session.scalars(select(Task).where(Task.case_id == case_id)))


def every_timer_of(case_id: str) -> list[Timer]:
    """Every timer the case has had, waiting, fired or cancelled."""
    return list(db.session.scalars(select(Timer).where(Timer.case_id == case_id)))
