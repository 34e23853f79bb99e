"""Process owners deploy diagrams through the API; bad diagrams never reach a case."""

import io
import json

from service.db import db
from service.models import Case, Task
from tests.conftest import bearer
from tests.names import with_welsh_names
from tests.samples import CALL, REVIEW_NO_OFFENCE
from tests.test_catalog import FORM, WELSH, flow, lane, process, user_task

PROBLEM = "application/problem+json"


def two_step(process_id, script, condition="True"):
    """Start -> a Sergeant's note -> a script -> a gateway -> end."""
    body = (
        '<bpmn:startEvent id="start"/>'
        + user_task("task")
        + f'<bpmn:scriptTask id="script"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
        + '<bpmn:exclusiveGateway id="gw" default="f5"/>'
        + '<bpmn:endEvent id="end"/><bpmn:endEvent id="other_end"/>'
        + flow("f1", "start", "task")
        + flow("f2", "task", "script")
        + flow("f3", "script", "gw")
        + flow("f4", "gw", "end", condition)
        + flow("f5", "gw", "other_end")
    )
    return process(
        body,
        lane("Sergeant", "start", "task", "script", "gw", "end", "other_end"),
        process_id=process_id,
    )


def upload(client, token, files, welsh_names=True):
    """Upload files as a process owner would; each diagram with its Welsh names unless
    ``welsh_names`` is off."""
    if welsh_names:
        files = with_welsh_names(files)
    data = {"file": [(io.BytesIO(content), name) for name, content in files.items()]}
    return client.post(
        "/api/v1/processes",
        data=data,
        headers=bearer(token),
        content_type="multipart/form-data",
    )


NOTE_FORM = {
    "note.schema.json": json.dumps(FORM).encode(),
    "note.cy.json": json.dumps(WELSH).encode(),
}


def test_a_process_owner_deploys_a_diagram_once(client, owner):
    files = {"notes.bpmn": two_step("notes", "x = 1").encode(), **NOTE_FORM}
    first = upload(client, owner, files)
    assert first.status_code == 201, first.json
    assert first.json["created"] is True
    assert {"notes", "stalking_harassment"} <= set(first.json["processes"])
    again = upload(client, owner, files)
    assert again.status_code == 200
    assert again.json["created"] is False
    assert again.json["version"] == first.json["version"]


def test_only_process_owners_deploy(client, sergeant):
    response = upload(client, sergeant, {"notes.bpmn": two_step("notes", "x = 1").encode()})
    assert response.status_code == 403
    assert response.mimetype == PROBLEM


def test_a_bad_diagram_is_refused_with_every_problem_and_nothing_stored(client, owner):
    bad = two_step("notes", "import os", condition="open('/tmp/gwarchod-pwned', 'w')")
    before = client.get("/api/v1/processes", headers=bearer(owner)).json
    response = upload(client, owner, {"notes.bpmn": bad.encode()})
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    located = {(p["file"], p["element_id"]) for p in response.json["problems"]}
    assert ("bpmn/notes.bpmn", "script") in located  # import refused
    assert ("bpmn/notes.bpmn", "f4") in located  # the condition that writes a file
    assert ("bpmn/notes.bpmn", "task") in located  # its form is missing
    assert client.get("/api/v1/processes", headers=bearer(owner)).json == before


def test_upload_without_a_file_or_of_the_wrong_kind(client, owner):
    response = client.post("/api/v1/processes", headers=bearer(owner))
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    response = upload(client, owner, {"notes.exe": b"MZ"})
    assert response.status_code == 422


def test_a_runaway_script_stops_the_command_not_the_service(client, owner, sergeant, app):
    files = {"loop.bpmn": two_step("loop", "while True:\n    pass").encode(), **NOTE_FORM}
    assert upload(client, owner, files).status_code == 201
    started = client.post(
        "/api/v1/cases", json={"process": "loop", "data": {}}, headers=bearer(sergeant)
    ).json
    task_id = started["open_tasks"][0]["id"]
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": {"note": "hi"}}, headers=bearer(sergeant)
    )
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.json["element_id"] == "script"
    assert "stopped" in response.json["detail"]
    with app.app_context():
        case = db.session.get(Case, started["id"])
        assert case.version == 1  # the state is as it was before the command
        assert "stopped" in case.last_error
        assert db.session.get(Task, task_id).status == "open"
    shown = client.get(f"/api/v1/cases/{started['id']}", headers=bearer(sergeant)).json
    assert "stopped" in shown["last_error"]
    assert client.get("/health").status_code == 200


def test_running_cases_stay_on_their_version(client, owner, token_for, app):
    handler, desk = token_for("Call Handler"), token_for("Vulnerability Desk")
    old_case = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(handler),
    ).json
    # A process owner renames the review task in a new version.
    from service.config import PROJECT_ROOT

    diagram = (PROJECT_ROOT / "bpmn" / "stalking_harassment.bpmn").read_text()
    renamed = diagram.replace('name="Live-time review"', 'name="Live review (v2)"', 1)
    assert renamed != diagram
    deployed = upload(client, owner, {"stalking_harassment.bpmn": renamed.encode()})
    assert deployed.status_code == 201, deployed.json
    new_case = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(handler),
    ).json
    assert new_case["definition_version"] == deployed.json["version"]
    assert old_case["definition_version"] != new_case["definition_version"]
    assert new_case["open_tasks"][0]["name"] == "Live review (v2)"
    assert old_case["open_tasks"][0]["name"] == "Live-time review"
    done = client.post(
        f"/api/v1/tasks/{old_case['open_tasks'][0]['id']}/complete",
        json={"data": REVIEW_NO_OFFENCE},
        headers=bearer(desk),
    )
    assert done.status_code == 200
    assert done.json["definition_version"] == old_case["definition_version"]


def note_form(note: dict) -> dict[str, bytes]:
    """The note form, its field ``note`` being ``note``."""
    schema = {**FORM, "properties": {"note": {"title": "Note", **note}}}
    return {**NOTE_FORM, "note.schema.json": json.dumps(schema).encode()}


def test_a_justification_field_holds_words_and_a_bad_mark_is_refused(client, owner, sergeant):
    diagram = {"notes.bpmn": two_step("notes", "x = 1").encode()}
    misused = upload(
        client, owner, {**diagram, **note_form({"type": "integer", "justification": "yes"})}
    )
    assert misused.status_code == 422
    assert misused.mimetype == PROBLEM
    found = {(p["file"], p["message"]) for p in misused.json["problems"]}
    assert {
        (
            "forms/note.schema.json",
            '"justification" at /properties/note must be true (or left out)',
        ),
        (
            "forms/note.schema.json",
            '"justification" at /properties/note is only for a text field, with "type": "string"',
        ),
    } <= found

    marked = note_form({"type": "string", "minLength": 5, "justification": True})
    assert upload(client, owner, {**diagram, **marked}).status_code == 201
    started = client.post(
        "/api/v1/cases", json={"process": "notes", "data": {}}, headers=bearer(sergeant)
    ).json
    complete = f"/api/v1/tasks/{started['open_tasks'][0]['id']}/complete"
    for note, query, message in (
        (
            " .  ,  ; ",
            "?lang=cy",
            "ysgrifennwch o leiaf 5 nod, heb gyfrif bylchau ar y naill ben na'r llall, gydag o "
            "leiaf dair llythyren: nid yw bylchau, rhifau nac atalnodau'n unig yn rheswm",
        ),
        (
            " Seen ",
            "",
            "write at least 5 characters, not counting spaces at either end, with at least three "
            "letters: spaces, figures or punctuation alone are not a reason",
        ),
    ):
        response = client.post(
            complete + query, json={"data": {"note": note}}, headers=bearer(sergeant)
        )
        assert response.status_code == 422
        assert response.mimetype == PROBLEM
        assert response.json["errors"] == [{"field": "note", "message": message}]
    done = client.post(complete, json={"data": {"note": "Seen it"}}, headers=bearer(sergeant))
    assert done.status_code == 200, done.json
