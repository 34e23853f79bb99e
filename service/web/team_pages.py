"""The team page: a Sergeant's or Inspector's view of every open task, by officer, overdue first,
with a task given to a named officer from there (``service.assignment``)."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..assignment import assign_task
from ..inbox import officers_working, team_tasks
from ..messages import AssignTask
from ..models import utcnow
from ..names import ShownNames
from ..problems import ApiProblem
from ..roles import holds_grant
from .language import page_language
from .routes import inbox_row, web


@web.get("/team")
def team():
    if not holds_grant(g.actor, "assign_tasks"):
        abort(403)
    language = page_language()
    tasks = team_tasks(g.actor)
    names = ShownNames(language).know_cases({task.case_id for task in tasks})
    now = utcnow()
    officers = officers_working({task.lane for task in tasks if task.lane})
    groups: dict[str, list[dict]] = {}
    for task in tasks:
        row = inbox_row(task, names, language, now, g.actor)
        row["officers"] = officers.get(task.lane, [])
        key = task.assignee.name if task.assignee is not None else ""
        groups.setdefault(key, []).append(row)
    # Officers with overdue work first, then by name; work no one has taken comes first of all.
    ordered = sorted(
        groups.items(),
        key=lambda item: (
            item[0] != "",
            not any(row["state"] == "overdue" for row in item[1]),
            item[0].casefold(),
        ),
    )
    return render_template("web/team.html", title=_("Team"), groups=ordered, total=len(tasks))


@web.post("/team/tasks/<task_id>/assign")
def assign(task_id: str):
    officer = request.form.get("user", "").strip()
    try:
        task = assign_task(AssignTask(task_id, officer, g.actor, page_language()))
    except ApiProblem as problem:
        if problem.status in (409, 422):
            flash(problem.detail, "error")
            return redirect(url_for("web.team"))
        raise
    name = ShownNames(page_language()).element(task.case_id, task.bpmn_id, task.name)
    flash(_("%(task)s is now %(officer)s's.", task=name, officer=officer))
    return redirect(url_for("web.team"))
