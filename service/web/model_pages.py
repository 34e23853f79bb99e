"""The process owner's workspace (``deploy_definitions`` grant): every process with its
versions and the cases running on each, and the latest version's decision tables and forms."""

from flask import abort, g, render_template
from flask_babel import gettext as _

from ..definitions import latest_version, runner_for
from ..roles import holds_grant
from ..versions import decision_tables, form_files, process_versions
from .language import page_language
from .routes import web

GRANT = "deploy_definitions"


def _owner() -> None:
    if not holds_grant(g.actor, GRANT):
        abort(403)


@web.get("/model")
def model():
    _owner()
    language = page_language()
    latest = latest_version()
    catalog = runner_for(latest.id).catalog if latest is not None else None
    processes = process_versions()
    for process in processes:
        if catalog is not None:
            process.name = catalog.names.name(
                process.name, process.process_id, language, process.process_id
            )
    return render_template(
        "web/model.html",
        title=_("Processes and versions"),
        latest=latest,
        processes=processes,
        tables=decision_tables(catalog.files) if catalog else [],
        forms=form_files(catalog.forms) if catalog else [],
    )
