"""The process owner's workspace (``deploy_definitions`` grant): every process with its
versions and the cases running on each, the latest version's decision tables and forms, what
changed between any two versions, a version's files, and a form as caseworkers will see it.
Editing a diagram or decision table is ``editor_routes``."""

from flask import Response, abort, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from workflows.diagram_diff import diff_files

from ...definitions import latest_version, runner_for
from ...roles import holds_grant
from ...versions import (
    all_versions,
    decision_tables,
    form_files,
    form_users,
    process_versions,
    version_files,
)
from ..language import LANGUAGES, page_language
from ..schema_form import form_fields
from . import bp
from .words import change_rows

GRANT = "deploy_definitions"


def owner() -> None:
    """Only process owners see the workspace: anyone else is refused (403)."""
    if not holds_grant(g.actor, GRANT):
        abort(403)


def process_names(catalog, process_id: str, english: str, language: str) -> str:
    return catalog.names.name(english, process_id, language, process_id)


@bp.get("/model")
def model():
    owner()
    language = page_language()
    latest = latest_version()
    catalog = runner_for(latest.id).catalog if latest is not None else None
    processes = process_versions()
    for process in processes:
        if catalog is not None:
            process.name = process_names(catalog, process.process_id, process.name, language)
    return render_template(
        "web/model.html",
        title=_("Processes and versions"),
        latest=latest,
        processes=processes,
        versions=all_versions(),
        tables=decision_tables(catalog.files) if catalog else [],
        forms=form_files(catalog.forms, language) if catalog else [],
    )


@bp.get("/model/compare")
def compare():
    """What changed from one version to another: files, and elements by id in each diagram and
    decision table (drawn on the diagrams by the page's script)."""
    owner()
    versions = all_versions()
    known = {version.id for version in versions}
    before, after = _version_number("before"), _version_number("after")
    if before is None or after is None:
        if len(versions) < 2:
            abort(404)
        return redirect(url_for("web.model.compare", before=versions[1].id, after=versions[0].id))
    if before not in known or after not in known:
        abort(404)
    diffs = diff_files(version_files(before), version_files(after)) if before != after else []
    return render_template(
        "web/model_compare.html",
        title=_("Changes from version %(before)d to version %(after)d", before=before, after=after),
        before=before,
        after=after,
        versions=versions,
        files=[change_rows(diff) for diff in diffs],
        kind="bpmn",
        containerClasses="app-wide",
    )


@bp.get("/model/versions/<id:version_id>/files/<path:path>")
def version_file(version_id: int, path: str):
    """One file of a version, as it was deployed: to download, or for the page's script to
    draw. Never shown as a page of this site (diagrams are untrusted input)."""
    owner()
    content = version_files(version_id).get(path)
    if content is None:
        abort(404)
    return Response(
        content,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{path.rsplit("/", 1)[-1]}"'},
    )


@bp.get("/model/forms/<name>")
def form_preview(name: str):
    """A form of the latest version drawn as caseworkers see it, in English or Welsh, by the
    same renderer as a task's page; with the tasks that use it."""
    owner()
    latest = latest_version()
    catalog = runner_for(latest.id).catalog if latest is not None else None
    form = catalog.forms.get(name) if catalog is not None else None
    if form is None:
        abort(404)
    shown = request.args.get("lang")
    if shown not in LANGUAGES:
        shown = page_language()
    schema, ui_schema = form.localized(shown)
    with force_locale(shown):  # the form's own words ("(optional)") in its language too
        questions = Markup(
            render_template(
                "web/_model_form_preview.html", fields=form_fields(schema, ui_schema, {}, {})
            )
        )
    language = page_language()
    users = [
        {
            **user,
            "name": catalog.names.name(user["name"], user["element_id"], language),
        }
        for user in form_users(catalog.files, name)
    ]
    return render_template(
        "web/model_form.html",
        title=_("Form %(name)s", name=name),
        name=name,
        shown=shown,
        form_title=schema.get("title"),
        form_description=schema.get("description"),
        questions=questions,
        users=users,
        has_welsh=bool(form.welsh),
    )


def _version_number(name: str) -> int | None:
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None
