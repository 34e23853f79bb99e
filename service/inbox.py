"""The inbox, as the API and the pages read it: the tasks in the lanes of a user's roles, of
cases they may read (``service.case_access``), soonest due first."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .auth import Actor
from .case_access import tasks_reaching
from .db import db
from .models import Task, User, utcnow
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
        .options(
            joinedload(Task.assignee),
            joinedload(Task.assigned_by),
            joinedload(Task.completed_by),
        )
        .order_by(*_SOONEST_DUE)
    )
    return list(db.session.scalars(statement))


def inbox_count(actor: Actor, query: InboxQuery) -> int:
    """How many tasks the whole inbox holds, for the query's filters."""
    counted = _statement(actor, query).with_only_columns(func.count()).order_by(None)
    return db.session.scalar(counted)


def team_tasks(actor: Actor, limit: int = 500) -> list[Task]:
    """Every open task of the cases the actor may read, in any lane, soonest due first: what a
    Sergeant or Inspector oversees (the team page)."""
    statement = (
        select(Task)
        .where(Task.status == OPEN, tasks_reaching(actor, Task.case_id))
        .options(joinedload(Task.assignee), joinedload(Task.assigned_by))
        .order_by(*_SOONEST_DUE)
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def officers_working(lanes: set[str]) -> dict[str, list[str]]:
    """For each lane, the active users whose roles work it, by name."""
    catalogue = role_catalogue()
    found: dict[str, list[str]] = {lane: [] for lane in lanes}
    users = db.session.scalars(
        select(User).where(User.deactivated_at.is_(None)).order_by(User.name)
    )
    for user in users:
        for lane in catalogue.lanes_of(user.role_names) & lanes:
            found[lane].append(user.name)
    return found
