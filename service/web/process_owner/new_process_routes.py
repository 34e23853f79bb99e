"""A new process, started from the process owner's workspace: its name in English and Welsh,
its id and the lane its cases are started in make the least diagram that deploys
(``workflows.new_diagram``), opened in the editor to be drawn on, checked and deployed as any
other: its first version is deployed by the same command as the API's."""

from flask import render_template
from flask_babel import gettext as _

from workflows.new_diagram import diagram_path, is_process_id, new_diagram, new_names

from ...definitions import latest_files, latest_process, latest_version
from ...roles import role_catalogue, role_working
from ..language import page_language
from . import bp
from .editor_routes import Edit, editor
from .forms import NewProcessForm
from .routes import owner


@bp.route("/model/new", methods=["GET", "POST"])
def new_process():
    owner()
    if latest_version() is None:  # the editor lays a diagram over a deployed version
        return render_template(
            "web/error.html",
            title=_("Nothing has been deployed yet"),
            paragraphs=[_("Load the process definitions first: new processes are added to them.")],
            reference=None,
        ), 404
    language = page_language()
    lanes = {lane: role_working(lane, language) for lane in sorted(role_catalogue().lanes)}
    form = NewProcessForm()
    form.lane.choices = list(lanes.items())
    valid = form.validate_on_submit()
    if _checked(form, lanes) and valid:
        process_id = form.process_id.data
        edit = Edit(
            diagram_path(process_id),
            new_diagram(process_id, form.name.data, form.lane.data),
            new_names(process_id, form.welsh_name.data),
        )
        return editor(edit)
    status = 422 if form.errors else 200
    return render_template(
        "web/model_new.html", title=_("New process"), form=form, lanes=lanes
    ), status


def _checked(form: NewProcessForm, lanes: dict[str, str]) -> bool:
    """The id and lane, each said wrong in words; True when both are right."""
    if not form.is_submitted():
        return False
    process_id = form.process_id.data or ""
    if process_id and not is_process_id(process_id):
        form.process_id.errors.append(
            _(
                "Enter an id of lower-case letters, digits and underscores, starting with a "
                "letter, such as anti_social_behaviour"
            )
        )
    elif process_id and (
        latest_process(process_id) is not None or diagram_path(process_id) in latest_files()
    ):
        form.process_id.errors.append(
            _("A process with the id %(id)s exists already: choose another", id=process_id)
        )
    if form.lane.data not in lanes:
        form.lane.errors = [_("Choose the lane the process is started in")]
    return not (form.process_id.errors or form.lane.errors)
