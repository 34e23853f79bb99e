"""Drafts of task forms: what a person typed but has not sent, kept for them alone, so that a
timeout, a mistake or someone else finishing first loses nothing. A draft is written in a short
transaction of its own and dropped inside the command that completes or withdraws its task."""

from datetime import datetime

from sqlalchemy import delete, insert, select, update

from .auth import Actor
from .db import db
from .models import TaskDraft, utcnow

_drafts = TaskDraft.__table__
# A draft holds at most this much: a form's answers, not a document store.
LARGEST_DRAFT = 200_000


def save_draft(actor: Actor, task_id: str, answers: dict) -> datetime | None:
    """Keep the answers as the actor's draft of the task (committed); None when too large."""
    if len(repr(answers)) > LARGEST_DRAFT:
        return None
    now = utcnow()
    key = (_drafts.c.task_id == task_id) & (_drafts.c.user_id == actor.id)
    with db.engine.begin() as connection:
        changed = connection.execute(
            update(_drafts).where(key).values(answers=answers, saved_at=now)
        ).rowcount
        if not changed:
            connection.execute(
                insert(_drafts).values(
                    task_id=task_id, user_id=actor.id, answers=answers, saved_at=now
                )
            )
    return now


def draft_of(actor: Actor, task_id: str) -> TaskDraft | None:
    return db.session.scalar(
        select(TaskDraft).where(TaskDraft.task_id == task_id, TaskDraft.user_id == actor.id)
    )


def drop_drafts(*task_ids: str) -> None:
    """Inside the command that completes or withdraws the tasks: their drafts go with them."""
    db.session.execute(delete(_drafts).where(_drafts.c.task_id.in_(task_ids)))
