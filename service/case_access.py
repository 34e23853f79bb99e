"""Who may read which case: need to know, as the role catalogue (roles.toml) grants it.

A user reads a case in full when one of their roles holds the ``read_all_cases`` grant, or
when they are involved in it: they started it, it has an open task in a lane one of their
roles works, or they hold (have claimed) or completed one of its tasks. A holder of the
``administer`` grant who is not involved runs the service, not the case: they see it with
its personal data withheld (``service.personal``). To anyone else the case does not exist.

The same rule is a clause for lists, ``readable_cases``, so that a list is one query
(EXISTS subqueries), and a yes or no for one case, ``reading_of``.
"""

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import aliased

from .auth import Actor
from .db import db
from .models import Case, Task
from .roles import holds_grant, role_catalogue

FULL, WITHHELD = "full", "personal data withheld"
OPEN = "open"


def reads_every_case(actor: Actor) -> bool:
    return holds_grant(actor, "read_all_cases")


def runs_the_service(actor: Actor) -> bool:
    return holds_grant(actor, "administer")


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
    )


def readable_cases(actor: Actor) -> ColumnElement[bool]:
    """True for a case (``Case``) the actor may see, in full or with personal data withheld."""
    if reads_every_case(actor) or runs_the_service(actor):
        return true()
    return involved(actor)


def of_readable_case(actor: Actor, case_id: ColumnElement) -> ColumnElement[bool]:
    """True for a row whose case (its id, ``case_id``) the actor may see: for lists of tasks."""
    if reads_every_case(actor) or runs_the_service(actor):
        return true()
    return exists().where(Case.id == case_id, involved(actor))


def reading_of(actor: Actor, case_id: str) -> str | None:
    """How the actor may read the case: FULL, WITHHELD (personal data withheld), or None,
    when it does not exist for them (nor, perhaps, at all)."""
    if reads_every_case(actor):
        return FULL
    if db.session.scalar(select(exists().where(Case.id == case_id, involved(actor)))):
        return FULL
    if runs_the_service(actor):
        return WITHHELD
    return None
