"""Tables: definition versions, cases, the task projection (the inbox), users and tokens, timers
and the schedulers that fire them, and the counts behind rate limits."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import db

LARGEST_ID = 2**31 - 1  # the largest number an INTEGER column holds (PostgreSQL's int4)


class UTCDateTime(TypeDecorator):
    """A time stored in UTC and always read back with its offset (SQLite drops it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("times must carry a time zone")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, _dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class DefinitionVersion(db.Model):
    """An immutable set of BPMN, DMN and form files, stored once and named by its hash."""

    __tablename__ = "definition_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))
    files: Mapped[list["DefinitionFile"]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )
    processes: Mapped[list["ProcessDefinition"]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )


class DefinitionFile(db.Model):
    __tablename__ = "definition_files"

    version_id: Mapped[int] = mapped_column(ForeignKey("definition_versions.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[DefinitionVersion] = relationship(back_populates="files")


class ProcessDefinition(db.Model):
    """A process of a definition version, as the API lists it."""

    __tablename__ = "process_definitions"
    __table_args__ = (UniqueConstraint("version_id", "process_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("definition_versions.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(500))
    file: Mapped[str] = mapped_column(String(500))
    start_form: Mapped[str | None] = mapped_column(String(500))
    start_lane: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[DefinitionVersion] = relationship(back_populates="processes")


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    definition_version_id: Mapped[int] = mapped_column(ForeignKey("definition_versions.id"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    state: Mapped[str] = mapped_column(Text)
    library_version: Mapped[str] = mapped_column(String(20))
    serializer_version: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    last_error: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Optimistic concurrency: an UPDATE that finds another version fails, and a person
    # gets 409 instead of silently overwriting another command's work. Commands write the
    # case with a plain UPDATE that checks the version itself (service.commands); the
    # mapper's check guards any write made through the ORM.
    __mapper_args__ = {"version_id_col": version}


class Task(db.Model):
    """The task projection: what the inbox reads, without loading any workflow."""

    __tablename__ = "tasks"
    __table_args__ = (
        # The inbox: a lane's open tasks soonest due first, found without reading a whole task
        # (the case, for its restriction, and the id are all a page needs before it is read).
        Index("ix_tasks_inbox", "lane", "status", "due_at", "created_at", "id", "case_id"),
        Index("ix_tasks_case_status", "case_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    bpmn_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    lane: Mapped[str | None] = mapped_column(String(200))
    form: Mapped[str | None] = mapped_column(String(500))
    ui_form: Mapped[str | None] = mapped_column(String(500))
    instructions: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who gave the task to its assignee (a Sergeant or Inspector); none when they claimed it.
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignee: Mapped["User | None"] = relationship(foreign_keys=[assignee_id])
    assigned_by: Mapped["User | None"] = relationship(foreign_keys=[assigned_by_id])
    completed_by: Mapped["User | None"] = relationship(foreign_keys=[completed_by_id])


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A deactivated user keeps their name in case histories but can no longer sign in.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An argon2 hash of the password the user signs in to the pages with (none: no password).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # The language the user last chose for the pages ("en" or "cy"; none: the browser's).
    language: Mapped[str | None] = mapped_column(String(2))
    # The force account a user signs in with (the provider's issuer and subject, see
    # service.auth.provided_user); none for a user made here, who no provider can sign in as.
    provider_account: Mapped[str | None] = mapped_column(String(700), unique=True, index=True)
    roles: Mapped[list["UserRole"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def role_names(self) -> set[str]:
        return {role.role for role in self.roles}


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(100), primary_key=True)


class ApiToken(db.Model):
    """A bearer token, kept only as its SHA-256 hash, with its first characters to tell it apart
    (none for tokens issued before they were kept) and an optional label."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Moved forward at most once every few minutes, not on every request (service.auth).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship(lazy="joined")


class Timer(db.Model):
    """A timer a case is waiting on, with its due time, so that a scheduler can wake the case."""

    __tablename__ = "timers"
    __table_args__ = (
        Index("ix_timers_status_due", "status", "due_at"),
        Index("ix_timers_case_status", "case_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Incident(db.Model):
    """Work the service could not do by itself (a timer that kept failing), for an Administrator."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    timer_id: Mapped[int | None] = mapped_column(ForeignKey("timers.id"))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(200))


class SchedulerHeartbeat(db.Model):
    """One scheduler process's sign of life, written each time it wakes to look for due timers."""

    __tablename__ = "scheduler_heartbeats"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # host:pid
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_wake_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    fired: Mapped[int] = mapped_column(Integer, default=0)  # timers fired since it started


class CaseRestriction(db.Model):
    """A case restricted to the users named on it (and Auditors), with the reason given."""

    __tablename__ = "case_restrictions"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    restricted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    restricted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseRestrictionUser(db.Model):
    """One user named on a case's restriction."""

    __tablename__ = "case_restriction_users"

    case_id: Mapped[str] = mapped_column(
        ForeignKey("case_restrictions.case_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class CaseAccessGrant(db.Model):
    """A user's stated reason to read a case they are not involved in ("break glass"), and
    until when it lets them read it."""

    __tablename__ = "case_access_grants"
    __table_args__ = (Index("ix_case_access_grants_user_case", "user_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseMatchKey(db.Model):
    """A value a case is found by (a name, a date of birth, a phone number, a STORM
    reference), written one way (workflows.matching)."""

    __tablename__ = "case_match_keys"
    __table_args__ = (Index("ix_case_match_keys_kind_value", "kind", "value"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)


class RateLimitCounter(db.Model):
    """One rate limit's count for one client in its current window (service/limits.py): the
    failed sign-ins from an address. Every web worker counts here, and counts outlive a restart."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    # When the window ends, in seconds since the epoch (the clock the rate limits keep).
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class TaskDraft(db.Model):
    """What a user has typed into a task's form but not sent: kept so nothing typed is lost to
    a timeout, a mistake or someone else finishing first; dropped when the task completes."""

    __tablename__ = "task_drafts"

    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    answers: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseMigration(db.Model):
    """A process owner's request to move running cases of a process onto another version,
    worked case by case by the scheduler (service/migrations.py)."""

    __tablename__ = "case_migrations"
    __table_args__ = (Index("ix_case_migrations_status", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200))
    to_version_id: Mapped[int] = mapped_column(
        ForeignKey("definition_versions.id", name="fk_case_migrations_to_version")
    )
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20))  # running, finished
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_case_migrations_created_by")
    )
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CaseMigrationItem(db.Model):
    """One case of a migration: waiting to be worked, moved, blocked (with the reasons), or
    failed. A case is moved in the same transaction that marks it so, so a scheduler that
    stops part-way leaves every case either moved and marked, or waiting as it was."""

    __tablename__ = "case_migration_items"
    __table_args__ = (Index("ix_case_migration_items_status", "migration_id", "status"),)

    migration_id: Mapped[int] = mapped_column(
        ForeignKey("case_migrations.id", name="fk_case_migration_items_migration"),
        primary_key=True,
    )
    case_id: Mapped[str] = mapped_column(
        ForeignKey("cases.id", name="fk_case_migration_items_case"), primary_key=True
    )
    from_version_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # waiting, moved, blocked, failed
    reasons: Mapped[list | None] = mapped_column(JSON)  # why blocked or failed
    changes: Mapped[dict | None] = mapped_column(JSON)  # what moving it changed
    worked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
