"""The read log: who consulted which case, its data or its history, and when.

Each read is written in a short transaction of its own, on its own connection, so that a read
never holds the request's session open for writing and a failed log write is not hidden.
"""

from datetime import datetime

from sqlalchemy import insert, select

from ..auth import Actor
from ..db import db
from ..models import utcnow
from .chain import canonical_json
from .models import ReadLogEntry

_INSERT = insert(ReadLogEntry.__table__)


def log_read(
    actor: Actor | None,
    action: str,
    case_id: str | None = None,
    task_id: str | None = None,
    detail: dict | None = None,
    actor_name: str | None = None,
) -> None:
    """Record one consultation. ``actor_name`` names a reader with no account (the CLI)."""
    row = {
        "at": utcnow(),
        "actor_id": actor.id if actor is not None else None,
        "actor_name": actor.name if actor is not None else (actor_name or "unknown"),
        "roles": ", ".join(sorted(actor.role_names)) if actor is not None else None,
        "action": action,
        "case_id": case_id,
        "task_id": task_id,
        "detail": canonical_json(detail) if detail else None,
    }
    with db.engine.begin() as connection:
        connection.execute(_INSERT, row)


def reads(
    case_id: str | None = None,
    user: str | None = None,
    before: datetime | None = None,
    limit: int = 100,
) -> list[dict]:
    """Entries, newest first, for one case and/or one user."""
    statement = select(ReadLogEntry).order_by(ReadLogEntry.at.desc(), ReadLogEntry.id.desc())
    if case_id is not None:
        statement = statement.where(ReadLogEntry.case_id == case_id)
    if user is not None:
        statement = statement.where(ReadLogEntry.actor_name == user)
    if before is not None:
        statement = statement.where(ReadLogEntry.at < before)
    return [
        {
            "at": entry.at,
            "user": entry.actor_name,
            "user_id": entry.actor_id,
            "roles": entry.roles,
            "action": entry.action,
            "case_id": entry.case_id,
            "task_id": entry.task_id,
            "detail": entry.detail,
        }
        for entry in db.session.scalars(statement.limit(limit))
    ]
