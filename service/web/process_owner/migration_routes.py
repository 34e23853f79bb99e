"""Moving running cases onto another version, for process owners (``deploy_definitions``
grant): choose the version and any mapping, see the dry run case by case, start the move, and
follow its progress. The pages build the same commands as the API (service.case_migrations)."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...case_migrations import MoveCases, migration_view, migrations_of, plan_move, start_move
from ...problems import ApiProblem
from ...roles import holds_grant
from ...versions import versions_holding
from ..forms import ButtonForm
from . import bp

GRANT = "deploy_definitions"


def _owner() -> None:
    if not holds_grant(g.actor, GRANT):
        abort(403)


def _versions(process_id: str) -> list[int]:
    """The versions holding the process, newest first; 404 when none does."""
    versions = versions_holding(process_id)
    if not versions:
        abort(404)
    return versions


def _mapping(text: str) -> dict[str, str]:
    """``old new`` (or ``old = new``) a line: the element of the new version taking the place
    of one of the old."""
    mapping = {}
    for line in text.splitlines():
        parts = line.replace("=", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ValueError(line.strip())
        mapping[parts[0]] = parts[1]
    return mapping


def _command(process_id: str, source) -> MoveCases | None:
    """The move the form asks for, or None (with a message) when it cannot be read."""
    try:
        to_version = int(source.get("to_version", ""))
    except ValueError:
        flash(_("Choose the version to move the cases onto."), "error")
        return None
    try:
        mapping = _mapping(source.get("mapping", ""))
    except ValueError as error:
        flash(
            _(
                "Write each line of the mapping as two element ids, the old then the new: "
                "'%(line)s' is not.",
                line=str(error),
            ),
            "error",
        )
        return None
    return MoveCases(process_id, to_version, None, mapping, g.actor)


@bp.get("/model/processes/<process_id>/migrations")
def migrations(process_id: str):
    _owner()
    versions = _versions(process_id)
    plan, command = None, None
    if "to_version" in request.args:
        command = _command(process_id, request.args)
        if command is not None:
            try:
                plan = plan_move(command)
            except ApiProblem as problem:
                details = [e["message"] for e in problem.extra.get("errors", [])]
                flash(" ".join([problem.detail, *details]), "error")
    return render_template(
        "web/migration.html",
        title=_("Move running cases"),
        process_id=process_id,
        versions=versions,
        chosen=command.to_version if command else versions[0],
        mapping_text=request.args.get("mapping", ""),
        plan=plan,
        earlier=migrations_of(process_id),
        button_form=ButtonForm(),
    )


@bp.post("/model/processes/<process_id>/migrations")
def start_migration(process_id: str):
    _owner()
    _versions(process_id)
    command = _command(process_id, request.form)
    if command is None:
        return redirect(url_for("web.model.migrations", process_id=process_id))
    try:
        job = start_move(command)
    except ApiProblem as problem:
        flash(problem.detail, "error")
        return redirect(url_for("web.model.migrations", process_id=process_id))
    flash(_("The move has started: the scheduler moves the cases one by one."))
    return redirect(url_for("web.model.migration_progress", migration_id=job.id))


@bp.get("/model/migrations/<id:migration_id>")
def migration_progress(migration_id: int):
    _owner()
    try:
        progress = migration_view(migration_id)
    except ApiProblem:
        abort(404)
    return render_template(
        "web/migration_progress.html",
        title=_("Moving cases onto version %(version)s", version=progress["to_version"]),
        progress=progress,
    )
