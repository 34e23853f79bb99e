"""The process owner's editor: a diagram or decision table of the latest version, its XML
edited in a text box (the page's script mounts bpmn-js or dmn-js on it), checked by
deployment's own validation without storing anything, and deployed as a new version through
the same command as the API once its changes have been shown.

A diagram's Welsh names (``bpmn/<diagram>.bpmn.cy.json``) are edited beside it: a new named
task needs its Welsh name before the set can be deployed.
"""

import json
from dataclasses import dataclass

from flask import (
    abort,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from lxml import etree

from workflows.catalog import MAX_FILE_BYTES
from workflows.diagram_diff import diff_files
from workflows.names import names_path
from workflows.new_diagram import is_new_diagram_path
from workflows.problems import DefinitionProblems, Problem, words
from workflows.safe_xml import SAFE_XML

from ...definitions import check, deploy, latest_files, latest_version, runner_for, with_edits
from ...problem_words import problem_message
from ...roles import role_catalogue, role_working
from ...versions import decision_tables
from ..language import page_language
from . import bp
from .dmn_styles import dmn_style_sources
from .routes import owner, process_names
from .words import change_rows, editor_labels

EDITABLE = (".bpmn", ".dmn")
SENDING = ("web.model.send_file", "web.model.check_file", "web.model.deploy_file")
# A diagram and its Welsh names, each at most MAX_FILE_BYTES, are sent in the form's fields.
FORM_BYTES = 2 * MAX_FILE_BYTES + 64 * 1024


@dataclass(frozen=True)
class Edit:
    """What the process owner sent: one diagram or decision table, and a diagram's Welsh names."""

    path: str
    xml: str
    names: str | None = None

    def files(self) -> dict[str, bytes]:
        files = {self.path: self.xml.encode("utf-8")}
        if self.names is not None:
            files[names_path(self.path)] = self.names.encode("utf-8")
        return files


class TooLarge(Exception):
    pass


class NotText(Exception):
    """A file chosen from the computer that is not UTF-8 text: said as a problem of the file."""

    def __init__(self, edit: "Edit"):
        self.edit = edit
        self.problem = Problem(edit.path, None, words("not_utf8"))


@bp.before_app_request
def room_for_a_diagram() -> None:
    """The editor's forms carry a whole diagram in a field, more than other forms may hold in
    memory (the request stays within MAX_CONTENT_LENGTH). Set before anything reads the form:
    the pages' CSRF check, after the service's own checks, which read no multipart form."""
    if request.endpoint in SENDING:
        request.max_form_memory_size = FORM_BYTES


@bp.get("/model/files/<path:path>")
def edit_file(path: str):
    owner()
    files = _editable(path)
    names = files.get(names_path(path)) if path.endswith(".bpmn") else None
    edit = Edit(path, _text(files[path]), _text(names) if names is not None else None)
    return editor(edit)


@bp.post("/model/files/<path:path>")
def send_file(path: str):
    """The editor's form: "Check" lists every problem; "Review and deploy" shows what would
    change before anything is deployed."""
    edit = _sent_to_the_page(path)
    problems = check(with_edits(edit.files()))
    if problems:
        return editor(edit, problems=problems, checked=True, status=422)
    if request.form.get("action") != "review":
        return editor(edit, checked=True)
    return _review(edit)


@bp.post("/model/files/<path:path>/check")
def check_file(path: str):
    """The editor's script asks here: the problems, for markers on the drawing, and the list
    drawn as the page draws it."""
    owner()
    _editable(path, new=True)
    try:
        edit = _submitted(path)
    except TooLarge:
        notice = _("The file is larger than %(size)d KiB.", size=MAX_FILE_BYTES // 1024)
        html = render_template("web/_model_problems.html", problems=[], notice=notice)
        return jsonify(problems=[], html=html), 413
    except NotText as refused:
        edit, problems = refused.edit, [refused.problem]
    else:
        problems = check(with_edits(edit.files()))
    rows = _problem_rows(edit, problems)
    return jsonify(
        problems=[{"element_id": row["element_id"], "message": row["message"]} for row in rows],
        html=render_template("web/_model_problems.html", problems=rows, checked=True),
    )


@bp.post("/model/files/<path:path>/deploy")
def deploy_file(path: str):
    edit = _sent_to_the_page(path)
    if str(latest_version().id) != request.form.get("base"):
        # Someone deployed since this was reviewed: check it and show what it changes in theirs.
        problems = check(with_edits(edit.files()))
        if problems:
            return editor(edit, problems=problems, checked=True, status=422)
        return _review(edit, moved_on=True, status=409)
    try:
        version, created = deploy(with_edits(edit.files()), actor=g.actor.name)
    except DefinitionProblems as error:
        return editor(edit, problems=error.problems, checked=True, status=422)
    if created:
        flash(
            _(
                "Version %(version)d is deployed: new cases start on it, and running cases stay "
                "on the version they started on.",
                version=version.id,
            )
        )
    else:
        flash(
            _("Nothing changed: version %(version)d already holds these files.", version=version.id)
        )
    return redirect(url_for("web.model.model"))


def _review(edit: Edit, moved_on: bool = False, status: int = 200):
    latest = latest_version()
    before = latest_files()
    diffs = diff_files(before, with_edits(edit.files()))
    if not diffs:
        return editor(edit, checked=True, unchanged=True)
    return (
        render_template(
            "web/model_review.html",
            title=_("Check what will change"),
            edit=edit,
            latest=latest,
            files=[change_rows(diff) for diff in diffs],
            moved_on=moved_on,
            new=_is_new(edit, latest),
            kind="bpmn",
            containerClasses="app-wide",
        ),
        status,
    )


def editor(
    edit: Edit,
    problems: list[Problem] | None = None,
    checked: bool = False,
    unchanged: bool = False,
    status: int = 200,
):
    language = page_language()
    latest = latest_version()
    kind = "dmn" if edit.path.endswith(".dmn") else "bpmn"
    if kind == "dmn":
        g.style_sources = dmn_style_sources()
    catalog = runner_for(latest.id).catalog
    lanes = {lane: role_working(lane, language) for lane in sorted(role_catalogue().lanes)}
    title = _title(edit, catalog, language)
    return (
        render_template(
            "web/model_file.html",
            title=title,
            edit=edit,
            kind=kind,
            latest=latest,
            problems=_problem_rows(edit, problems or []),
            new=_is_new(edit, latest),
            checked=checked,
            unchanged=unchanged,
            lanes=lanes,
            forms=_forms_used(edit),
            settings={"language": language, "labels": editor_labels(), "lanes": lanes},
            max_kib=MAX_FILE_BYTES // 1024,
            containerClasses="app-wide",
        ),
        status,
    )


def _is_new(edit: Edit, latest) -> bool:
    """Whether the edited file is a new process's diagram, which no version holds yet."""
    return all(stored.path != edit.path for stored in latest.files)


def _title(edit: Edit, catalog, language: str) -> str:
    if edit.path.endswith(".dmn"):
        (table,) = decision_tables({edit.path: catalog.files[edit.path]})
        return table.title
    names = [
        process_names(catalog, info.id, info.name, language)
        for info in catalog.processes.values()
        if info.file == edit.path
    ]
    return ", ".join(names or _own_process_names(edit, language)) or edit.path.rsplit("/", 1)[-1]


def _own_process_names(edit: Edit, language: str) -> list[str]:
    """A new diagram's processes by name (in Welsh from its Welsh names), as it stands."""
    try:
        root = etree.fromstring(edit.xml.encode("utf-8"), SAFE_XML)
    except (etree.XMLSyntaxError, ValueError):
        return []
    welsh = {}
    if language == "cy" and edit.names:
        try:
            welsh = json.loads(edit.names).get("names") or {}
        except (ValueError, AttributeError):
            welsh = {}
    found = []
    for process in root.iter("{*}process"):
        own = welsh.get(process.get("id")) if isinstance(welsh, dict) else None
        found.append(str(own or process.get("name") or process.get("id") or ""))
    return [name for name in found if name]


def _editable(path: str, new: bool = False) -> dict[str, bytes]:
    """The latest version's files, when ``path`` is one of its diagrams or decision tables, or
    (``new``: the diagram is sent whole) where a new process's diagram would be kept."""
    files = latest_files()
    if path.endswith(EDITABLE) and path in files:
        return files
    if new and is_new_diagram_path(path):
        return files
    abort(404)


def _sent_to_the_page(path: str) -> Edit:
    """The edit a process owner sent to a page of the editor; a file too large or not text
    is answered at once, with the error page or the editor saying so."""
    owner()
    _editable(path, new=True)
    try:
        return _submitted(path)
    except TooLarge:
        abort(make_response(_too_large(path)))
    except NotText as refused:
        page = editor(refused.edit, problems=[refused.problem], checked=True, status=422)
        abort(make_response(page))


def _submitted(path: str) -> Edit:
    """The edited file, from an uploaded file or the text box, and a diagram's Welsh names.

    Browsers send a text box's lines ending CRLF: they are read as LF, as the files are kept.
    """
    names = request.form.get("names") if path.endswith(".bpmn") else None
    upload = request.files.get("upload")
    if upload is not None and upload.filename:
        content = upload.read(MAX_FILE_BYTES + 1)
        if len(content) > MAX_FILE_BYTES:
            raise TooLarge
        try:
            xml = content.decode("utf-8")
        except UnicodeDecodeError:
            raise NotText(Edit(path, request.form.get("xml", ""), names)) from None
    else:
        xml = request.form.get("xml", "")
    for text in (xml, names or ""):
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            raise TooLarge
    return Edit(path, _lines(xml), _lines(names) if names is not None else None)


def _too_large(path: str):
    return (
        render_template(
            "web/error.html",
            title=_("The file is too large"),
            paragraphs=[
                _(
                    "A diagram, decision table or names file may be at most %(size)d KiB. "
                    "Nothing was checked or deployed.",
                    size=MAX_FILE_BYTES // 1024,
                )
            ],
            reference=None,
            back=(url_for("web.model.edit_file", path=path), _("Go back to the file")),
        ),
        413,
    )


def _problem_rows(edit: Edit, problems: list[Problem]) -> list[dict]:
    """Each problem as the page lists it: its element's name when the edited file has it, and
    whether it can be shown on the drawing (a problem of this file or of its Welsh names)."""
    names = _element_names(edit.xml)
    here = {edit.path, names_path(edit.path)}
    rows = []
    for problem in problems:
        # The link goes to the text holding the problem; the page's script shows its element
        # on the drawing instead.
        on_drawing = problem.file in here and problem.element_id in names
        if problem.file == edit.path:
            anchor = "xml"
        elif problem.file in here:
            anchor = "names"
        else:
            anchor = None  # another file of the set: said, not linked
        rows.append(
            {
                "anchor": anchor,
                "file": problem.file,
                "element_id": problem.element_id if on_drawing else None,
                "element": names.get(problem.element_id) or problem.element_id,
                "line": problem.line,
                "message": problem_message(problem),
            }
        )
    return rows


def _element_names(xml: str) -> dict[str, str]:
    """Element id -> its name (or its id), in an edited file that may not be well formed."""
    try:
        root = etree.fromstring(xml.encode("utf-8"), SAFE_XML)
    except (etree.XMLSyntaxError, ValueError):
        return {}
    return {
        node.get("id"): (node.get("name") or node.get("label") or node.get("id")).strip()
        for node in root.iter()
        if isinstance(node.tag, str) and node.get("id")
    }


def _forms_used(edit: Edit) -> list[str]:
    """The forms the edited diagram's tasks name, for their previews."""
    try:
        root = etree.fromstring(edit.xml.encode("utf-8"), SAFE_XML)
    except (etree.XMLSyntaxError, ValueError):
        return []
    found = {
        (node.get("value") or "").removesuffix(".schema.json")
        for node in root.iter("{*}property")
        if node.get("name") == "formJsonSchemaFilename"
    }
    return sorted(filter(None, found))


def _text(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
