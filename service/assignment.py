"""Giving a task to a named officer: a Sergeant's or Inspector's command (the ``assign_tasks``
grant). The officer must be active, hold the role that works the task's lane and, on a
restricted case, be named on its restriction. The assignment is recorded in the case's
history; the officer's inbox shows who gave them the task."""

from sqlalchemy import select, update

from .audit import trail as audit
from .case_access import reading_of, restriction_of
from .db import db
from .messages import AssignTask
from .models import Task, User, utcnow
from .names import ShownNames
from .problems import ApiProblem, not_found
from .roles import holds_grant, role_catalogue, role_working

OPEN = "open"
_TEXTS = {
    "grant": {
        "en": "Giving tasks to officers needs the assign_tasks grant (Sergeant, Inspector).",
        "cy": "Mae angen yr hawl assign_tasks i roi tasgau i swyddogion (Rhingyll, Arolygydd).",
    },
    "closed": {
        "en": "The task '{task}' is no longer open.",
        "cy": "Nid yw'r dasg '{task}' ar agor mwyach.",
    },
    "no_user": {
        "en": "There is no active user called '{name}'.",
        "cy": "Nid oes defnyddiwr gweithredol o'r enw '{name}'.",
    },
    "no_role": {
        "en": "{name} cannot work '{task}': it needs the {role} role.",
        "cy": "Ni all {name} weithio ar '{task}': mae angen y rôl {role}.",
    },
    "not_named": {
        "en": "{name} is not named on this case's restriction, so cannot work its tasks.",
        "cy": "Nid yw {name} wedi'i enwi ar gyfyngiad yr achos hwn, felly ni all weithio ar ei "
        "dasgau.",
    },
}


def _text(key: str, language: str, **values) -> str:
    return _TEXTS[key].get(language, _TEXTS[key]["en"]).format(**values)


def assign_task(command: AssignTask) -> Task:
    language, actor = command.language, command.actor
    if not holds_grant(actor, "assign_tasks"):
        raise ApiProblem(403, "Forbidden", _text("grant", language))
    task = db.session.get(Task, command.task_id)
    if task is None or reading_of(actor, task.case_id) is None:
        raise not_found("Task", command.task_id)
    name = ShownNames(language).element(task.case_id, task.bpmn_id, task.name)
    if task.status != OPEN:
        raise ApiProblem(409, "Task is not open", _text("closed", language, task=name))
    officer = db.session.scalar(
        select(User).where(User.name == command.assignee, User.deactivated_at.is_(None))
    )
    if officer is None:
        text = _text("no_user", language, name=command.assignee)
        raise ApiProblem(422, "Unprocessable Content", text, errors=[_field(text)])
    if task.lane not in role_catalogue().lanes_of(officer.role_names):
        role = role_working(task.lane, language)
        text = _text("no_role", language, name=officer.name, task=name, role=role)
        raise ApiProblem(422, "Unprocessable Content", text, errors=[_field(text)])
    restricted, _ = restriction_of(actor, task.case_id)
    if restricted and not restriction_of(officer, task.case_id)[1]:
        text = _text("not_named", language, name=officer.name)
        raise ApiProblem(422, "Unprocessable Content", text, errors=[_field(text)])
    given = db.session.execute(
        update(Task)
        .where(Task.id == task.id, Task.status == OPEN)
        .values(assignee_id=officer.id, assigned_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if given.rowcount != 1:
        db.session.rollback()
        raise ApiProblem(409, "Task is not open", _text("closed", language, task=name))
    granting = [r.name for r in role_catalogue().holding(("assign_tasks",))]
    role = next((r for r in granting if r in actor.role_names), None)
    audit.task_assigned(command, task, role, utcnow())
    db.session.commit()
    return db.session.get(Task, task.id, populate_existing=True)


def _field(text: str) -> dict:
    return {"field": "user", "message": text}
