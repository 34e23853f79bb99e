"""A task or a new case refused for a reason that is no field's mistake (a limit of the diagram's
code, say) brings the form back with what was typed and the reason above it: nothing typed is
lost, and no error page stands in the way of sending it again."""

import html

import pytest

from service.auth import create_user
from service.db import db
from service.models import Case, TaskDraft
from tests.conftest import bearer
from tests.pages import PASSWORD, csrf_token, sign_in
from tests.test_api_deploy import NOTE_FORM, two_step, upload
from tests.test_catalog import flow, lane, process, user_task

# Case data past the limit set below: a refusal of the whole command, naming the limit.
OVERFLOW = "big = 'x' * 60000"
NOTE = "Spoke to the victim at 02:40; she is staying with her sister tonight."


@pytest.fixture
def small_data_limit(app):
    app.config.update(ENGINE_MAX_DATA_BYTES=50_000)


@pytest.fixture
def sergeant_user(app):
    with app.app_context():
        create_user("sgt-night", ["Sergeant"], PASSWORD)
    return "sgt-night"


def starts_with_a_form(process_id: str, script: str) -> str:
    """Start (with the note form) -> a script -> a Sergeant's task -> end."""
    form = (
        "<bpmn:extensionElements><spiffworkflow:properties>"
        '<spiffworkflow:property name="formJsonSchemaFilename" value="note.schema.json"/>'
        "</spiffworkflow:properties></bpmn:extensionElements>"
    )
    body = (
        f'<bpmn:startEvent id="start">{form}</bpmn:startEvent>'
        + f'<bpmn:scriptTask id="script"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
        + user_task("task")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "script")
        + flow("f2", "script", "task")
        + flow("f3", "task", "end")
    )
    return process(body, lane("Sergeant", "start", "script", "task", "end"), process_id=process_id)


@pytest.mark.usefixtures("small_data_limit")
def test_a_task_refused_by_a_limit_comes_back_with_what_was_typed(
    app, client, owner, sergeant, sergeant_user
):
    files = {"overflow.bpmn": two_step("overflow", OVERFLOW).encode(), **NOTE_FORM}
    assert upload(client, owner, files).status_code == 201
    started = client.post(
        "/api/v1/cases", json={"process": "overflow", "data": {}}, headers=bearer(sergeant)
    ).json
    task_id = started["open_tasks"][0]["id"]
    sign_in(client, sergeant_user)
    page = client.get(f"/tasks/{task_id}")
    response = client.post(
        f"/tasks/{task_id}", data={"csrf_token": csrf_token(page), "note": NOTE, "action": "send"}
    )
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    text = html.unescape(response.text)
    assert "There is a problem" in text and "case data size" in text
    assert "Your answers are kept below" in text and 'href="#answers"' in text
    assert NOTE in text  # still in the form, to send again
    assert "<title>Error: " in text
    with app.app_context():
        assert db.session.get(Case, started["id"]).version == 1  # nothing changed
        [draft] = db.session.query(TaskDraft).all()  # and kept as a draft too
        assert draft.task_id == task_id
    # Coming back later, it is there.
    assert NOTE in html.unescape(client.get(f"/tasks/{task_id}").text)


@pytest.mark.usefixtures("small_data_limit")
def test_a_case_refused_at_its_start_keeps_the_start_form_filled_in(
    app, client, owner, sergeant_user
):
    files = {"overflow_start.bpmn": starts_with_a_form("overflow_start", OVERFLOW).encode()}
    assert upload(client, owner, {**files, **NOTE_FORM}).status_code == 201
    sign_in(client, sergeant_user)
    page = client.get("/cases/new?process=overflow_start")
    assert page.status_code == 200
    form = {"csrf_token": csrf_token(page), "process": "overflow_start", "note": NOTE}
    response = client.post("/cases/new", data={**form, "action": "send"})
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "There is a problem" in text and "case data size" in text
    assert "Your answers are kept below" in text
    assert NOTE in text
    with app.app_context():
        assert db.session.query(Case).filter_by(process_id="overflow_start").count() == 0
    # In Welsh, the same.
    client.get("/language/cy")
    response = client.post("/cases/new", data={**form, "action": "send"})
    assert response.status_code == 422
    assert "Mae eich atebion wedi" in html.unescape(response.text)
