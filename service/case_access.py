"""Who may read which case: need to know, as the role catalogue (roles.toml) grants it.

A user reads a case in full when one of their roles holds the ``read_all_cases`` grant, or
when they are involved in it: they started it, it has an open task in a lane one of their
roles works, they hold (have claimed) or completed one of its tasks, or they gave a reason to
open it and the time that bought has not run out (``service.restrictions``, "break glass"). A
holder of the ``administer`` grant who is not involved runs the service, not the case: they see
it with its personal data withheld (``service.personal``). To anyone else the case does not
exist.

A restricted case is read only by the users named on its restriction and by Auditors (the
``audit`` grant with ``read_all_cases``), whatever else their roles hold; its tasks reach only
named users, and only named users work them. An Administrator still sees it with its personal
data withheld.

The same rule is a clause for lists, ``readable_cases``, so that a list is one query
(EXISTS subqueries), and a yes or no for one case, ``reading_of``.
"""

from sqlalchemy import ColumnElement, and_, exists, not_, or_, select, true
from sqlalchemy.orm import aliased

from .audit.reads import log_read
from .auth import Actor
from .db import db
from .models import Case, CaseAccessGrant, CaseRestriction, CaseRestrictionUser, Task, utcnow
from .problems import not_found
from .roles import holds_grant, role_catalogue

FULL, WITHHELD = "full", "personal data withheld"
OPEN = "open"


def reads_every_case(actor: Actor) -> bool:
    return holds_grant(actor, "read_all_cases")


def runs_the_service(actor: Actor) -> bool:
    return holds_grant(actor, "administer")


def reads_restricted(actor: Actor) -> bool:
    """Auditors: the ``audit`` grant, with reading every case, reads restricted cases too."""
    return holds_grant(actor, "audit") and reads_every_case(actor)


def involved(actor: Actor) -> ColumnElement[bool]:
    """True for a case (``Case``) the actor is involved in."""
    task = aliased(Task)  # the caller's query may be on tasks itself
    lanes = role_catalogue().lanes_of(actor.role_names)
    return or_(
        Case.created_by_id == actor.id,
        exists().where(task.case_id == Case.id, task.status == OPEN, task.lane.in_(lanes)),
        exists().where(
            task.case_id == Case.id,
            or_(task.assignee_id == actor.id, task.completed_by_id == actor.id),
        ),
        _granted(actor, Case.id),
    )


def _restricted(case_id: ColumnElement) -> ColumnElement[bool]:
    return exists().where(CaseRestriction.case_id == case_id)


def _named(actor: Actor, case_id: ColumnElement) -> ColumnElement[bool]:
    return exists().where(
        CaseRestrictionUser.case_id == case_id, CaseRestrictionUser.user_id == actor.id
    )


def _granted(actor: Actor, case_id: ColumnElement) -> ColumnElement[bool]:
    return exists().where(
        CaseAccessGrant.case_id == case_id,
        CaseAccessGrant.user_id == actor.id,
        CaseAccessGrant.expires_at > utcnow(),
    )


def _readable(actor: Actor, case_id: ColumnElement, involvement) -> ColumnElement[bool]:
    if reads_restricted(actor) or runs_the_service(actor):
        return true()
    unrestricted = true() if reads_every_case(actor) else involvement()
    return or_(and_(not_(_restricted(case_id)), unrestricted), _named(actor, case_id))


def readable_cases(actor: Actor) -> ColumnElement[bool]:
    """True for a case (``Case``) the actor may see, in full or with personal data withheld."""
    return _readable(actor, Case.id, lambda: involved(actor))


def tasks_reaching(
    actor: Actor, case_id: ColumnElement, open_in_lanes: bool = False
) -> ColumnElement[bool]:
    """True for a task (of the case ``case_id``) the actor may see in an inbox: its case is one
    they may read and, when it is restricted, they are named on it.

    ``open_in_lanes`` says the caller's query holds only open tasks in the actor's lanes. Such
    a task makes its case one they are involved in, so whatever their grants only the
    restriction is left to ask about: the same answer, with two lookups a task instead of
    one for each way of being involved (the inbox counts thousands of tasks this way)."""
    if open_in_lanes:
        return or_(not_(_restricted(case_id)), _named(actor, case_id))
    readable = _readable(
        actor, case_id, lambda: exists().where(Case.id == case_id, involved(actor))
    )
    return and_(readable, or_(not_(_restricted(case_id)), _named(actor, case_id)))


def restriction_of(actor: Actor, case_id: str) -> tuple[bool, bool]:
    """Whether the case is restricted, and whether the actor is named on its restriction."""
    restricted, named = db.session.execute(
        select(_restricted(case_id), _named(actor, case_id))
    ).one()
    return bool(restricted), bool(named)


def reading_of(actor: Actor, case_id: str) -> str | None:
    """How the actor may read the case: FULL, WITHHELD (personal data withheld), or None,
    when it does not exist for them (nor, perhaps, at all)."""
    restricted, named = restriction_of(actor, case_id)
    if restricted:
        if named or reads_restricted(actor):
            return FULL
        return WITHHELD if runs_the_service(actor) else None
    if reads_every_case(actor):
        return FULL
    if db.session.scalar(select(exists().where(Case.id == case_id, involved(actor)))):
        return FULL
    if runs_the_service(actor):
        return WITHHELD
    return None


def readable_case(actor: Actor, case_id: str, action: str) -> tuple[Case, str]:
    """The case and how the actor reads it (FULL or WITHHELD). A case they
    may not read does not exist for them: 404, as for no such case, and the refusal is in the
    read log as ``<action>.refused``."""
    case = db.session.get(Case, case_id)
    if case is None or (reading := _reading(actor, case_id, action)) is None:
        raise not_found("Case", case_id)
    return case, reading


def readable_task(actor: Actor, task: Task, action: str) -> str:
    """How the actor reads the task's case; 404, as for no such task, when they may not."""
    reading = _reading(actor, task.case_id, action, task.id)
    if reading is None:
        raise not_found("Task", task.id)
    return reading


def _reading(actor: Actor, case_id: str, action: str, task_id: str | None = None) -> str | None:
    reading = reading_of(actor, case_id)
    if reading is None:
        log_read(actor, f"{action}.refused", case_id, task_id)
    return reading
