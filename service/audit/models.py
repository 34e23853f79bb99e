"""Audit tables: case events (hash-chained), each case's chain head, its checkpoints, and the
read log.

The application only ever inserts into case_events, case_checkpoints and read_log; it never
updates or deletes them. The head row moves forward with each command and lets verification
notice a chain whose last events were removed.
"""

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db
from ..models import UTCDateTime, utcnow


class CaseEvent(db.Model):
    """One thing that happened to a case. ``type == "command"`` starts each command's events."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str | None] = mapped_column(String(200))
    actor_role: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Canonical JSON text (sorted keys, no spaces): hashed exactly as stored, on any database.
    payload: Mapped[str] = mapped_column(Text)
    state_hash: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class CaseAuditHead(db.Model):
    """The last event of a case's chain, moved forward in each command's transaction."""

    __tablename__ = "case_audit_heads"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    state_hash: Mapped[str | None] = mapped_column(String(64))
    # The event of the case's last checkpoint, so the next is written K events on (None: none
    # yet, as for a case recorded before checkpoints).
    checkpoint_seq: Mapped[int | None] = mapped_column(Integer)


class CaseCheckpoint(db.Model):
    """The case as it stood after the command whose last event is ``seq`` (a ``checkpoint``
    event, whose payload holds this row's digest): point in time replays from here instead of
    from the first event."""

    __tablename__ = "case_checkpoints"
    __table_args__ = (PrimaryKeyConstraint("case_id", "seq", name="pk_case_checkpoints"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", name="fk_case_checkpoints_case"))
    seq: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    # Canonical JSON text, as replay shows them: the case's data, and its open tasks with
    # their recorded ids and assignees.
    data: Mapped[str] = mapped_column(Text)
    open_tasks: Mapped[str] = mapped_column(Text)
    # The saved engine state after the command (its SHA-256 is the event's state_hash),
    # compressed with zlib: it is most of a checkpoint's size.
    state: Mapped[bytes] = mapped_column(LargeBinary)


class ReadLogEntry(db.Model):
    """Who consulted what, and when (Data Protection Act 2018, Part 3, s.62 logging)."""

    __tablename__ = "read_log"
    __table_args__ = (
        Index("ix_read_log_case_at", "case_id", "at"),
        Index("ix_read_log_actor_at", "actor_name", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str | None] = mapped_column(String(1000))
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[str | None] = mapped_column(String(36))
    task_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[str | None] = mapped_column(Text)
