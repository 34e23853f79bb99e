"""The inbox, as the API and the pages read it: the tasks in the lanes of a user's roles, of
cases they may read (``service.case_access``), soonest due first."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .auth import Actor
from .case_access import tasks_reaching
from .db import db
from .models import Task, utcnow
from .roles import role_catalogue

OPEN = "open"
_SOONEST_DUE = (Task.due_at.is_(None), Task.due_at, Task.created_at, Task.id)


@dataclass(frozen=True)
class InboxQuery:
    status: str = OPEN  # open, completed, cancelled or all
    case: str | None = None
    lane: str | None = None
    due_before: datetime | None = None
    overdue: bool = False
    limit: int = 100
    offset: int = 0


def _statement(actor: Actor, query: InboxQuery):
    lanes = role_catalogue().lanes_of(actor.role_names)
    open_only = query.status == OPEN or query.overdue
    statement = select(Task).where(
        Task.lane.in_(lanes), tasks_reaching(actor, Task.case_id, open_in_lanes=open_only)
    )
    if query.status != "all":
        statement = statement.where(Task.status == query.status)
    if query.case is not None:
        statement = statement.where(Task.case_id == query.case)
    if query.lane is not None:
        statement = statement.where(Task.lane == query.lane)
    if query.due_before is not None:
        statement = statement.where(Task.due_at < query.due_before)
    if query.overdue:
        statement = statement.where(Task.status == OPEN, Task.due_at < utcnow())
    return statement


def inbox_tasks(actor: Actor, query: InboxQuery) -> list[Task]:
    """A page of the actor's inbox, soonest due first (tasks with no due time last).

    The page's tasks are found by their ids alone (ix_tasks_inbox holds every column that
    takes), and only those are read whole: sorting thousands of whole tasks, instructions and
    all, to keep fifty cost more than everything else the inbox does."""
    page = (
        _statement(actor, query)
        .with_only_columns(Task.id)
        .order_by(*_SOONEST_DUE)
        .limit(query.limit)
        .offset(query.offset)
        .subquery()
    )
    statement = (
        select(Task)
        .join(page, Task.id == page.c.id)
        .options(joinedload(Task.assignee), joinedload(Task.completed_by))
        .order_by(*_SOONEST_DUE)
    )
    return list(db.session.scalars(statement))


def inbox_count(actor: Actor, query: InboxQuery) -> int:
    """How many tasks the whole inbox holds, for the query's filters."""
    counted = _statement(actor, query).with_only_columns(func.count()).order_by(None)
    return db.session.scalar(counted)
