"""Processes: list them, show one with its start form, deploy new diagrams."""

from flask import request

from workflows.problems import DefinitionProblems

from ..definitions import deploy, latest_process, latest_processes, runner_for, with_edits
from ..problem_words import problem_message
from ..problems import ApiProblem, not_found
from .access import require_grant
from .blueprint import Blueprint
from .language import request_language
from .representations import form_view
from .schemas import PROBLEM, DeployResultSchema, LanguageQuerySchema, ProcessSchema

blp = Blueprint("processes", __name__, url_prefix="/processes")
# The Welsh names of a diagram lie beside it (x.bpmn.cy.json); other .json files are forms.
UPLOAD_FOLDERS = {".bpmn": "bpmn", ".dmn": "bpmn", ".bpmn.cy.json": "bpmn", ".json": "forms"}
# Each problem's message is in the caller's language too (?lang=cy or Accept-Language: cy).
_NOT_DEPLOYED = {
    "en": "{count} problem(s) found; nothing was deployed.",
    "cy": "Problemau a gafwyd: {count}; ni osodwyd dim.",
}


def _process_view(process) -> dict:
    runner = runner_for(process.version_id)
    language = request_language()
    pid = process.process_id
    return {
        "id": pid,
        "name": runner.catalog.names.name(process.name, pid, language, pid),
        "version": process.version_id,
        "content_hash": process.version.content_hash,
        "file": process.file,
        "start_lane": process.start_lane,
        "start_form": form_view(runner.catalog.form(process.start_form), language),
        "called_by": runner.catalog.called_by.get(process.process_id),
    }


@blp.get("")
@blp.arguments(LanguageQuerySchema(), location="query")
@blp.response(200, ProcessSchema(many=True))
def list_processes(_query):
    """Every process, at its latest version."""
    return [_process_view(process) for process in latest_processes()]


@blp.get("/<process_id>")
@blp.arguments(LanguageQuerySchema(), location="query")
@blp.response(200, ProcessSchema)
def get_process(_query, process_id: str):
    """One process at its latest version, with its start form if it has one."""
    process = latest_process(process_id)
    if process is None:
        raise not_found("Process", process_id)
    return _process_view(process)


@blp.post("")
@blp.response(201, DeployResultSchema)
@blp.alt_response(200, schema=DeployResultSchema, description="Nothing changed")
@blp.alt_response(422, description="Every problem found, each with file and element id", **PROBLEM)
@blp.doc(
    requestBody={
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            }
        }
    }
)
def deploy_process():
    """Deploy uploaded .bpmn (with their Welsh names, .bpmn.cy.json), .dmn and form files
    on top of the latest version.

    Needs a role with the deploy_definitions grant (Process Owner). The whole set is validated;
    a valid set becomes a new definition version (201), the same set again changes nothing (200).
    """
    user = require_grant("deploy_definitions")
    uploads = request.files.getlist("file")
    if not uploads:
        raise ApiProblem(
            400, "No file uploaded", "Send the diagram as multipart/form-data in a 'file' field."
        )
    files = {}
    for upload in uploads:
        name = (upload.filename or "").rsplit("/", 1)[-1]
        suffix = next((s for s in UPLOAD_FOLDERS if name.endswith(s)), None)
        if not name or suffix is None:
            raise ApiProblem(
                422,
                "Unsupported file",
                f"'{name}' is not a .bpmn, .bpmn.cy.json (a diagram's Welsh names), .dmn or "
                "form .json file.",
            )
        files[f"{UPLOAD_FOLDERS[suffix]}/{name}"] = upload.read()
    try:
        version, created = deploy(with_edits(files), actor=user.name)
    except DefinitionProblems as error:
        language = request_language()
        found = _NOT_DEPLOYED.get(language, _NOT_DEPLOYED["en"])
        raise ApiProblem(
            422,
            "The definitions are not valid",
            found.format(count=len(error.problems)),
            problems=[
                {**problem.as_dict(), "message": problem_message(problem, language)}
                for problem in error.problems
            ],
        ) from error
    body = {
        "version": version.id,
        "content_hash": version.content_hash,
        "created": created,
        "processes": sorted(p.process_id for p in version.processes),
    }
    return body, 201 if created else 200
