"""A process owner starts a new process from the workspace: its names, id and start lane make
the least diagram that deploys, opened in the editor, checked and deployed as any other (its
first version by the same command as the API); a taken or malformed id, or no lane, brings the
form back with the GOV.UK error summary, in the owner's language."""

import io
import json

import pytest

from service.auth import create_user
from service.db import db
from service.models import DefinitionVersion, ProcessDefinition
from tests.conftest import bearer
from tests.pages import PASSWORD, csrf_token, sign_in
from tests.test_model_pages import process_owner  # noqa: F401 (a fixture)
from tests.test_modeller_pages import field, send, text_of

ASB = {
    "name": "Anti-social behaviour case",
    "welsh_name": "Achos ymddygiad gwrthgymdeithasol",
    "process_id": "anti_social_behaviour",
    "lane": "Vulnerability Desk",
}


@pytest.fixture
def owner_client(client, process_owner):  # noqa: F811
    sign_in(client, process_owner)
    return client


def asked(client, **changes):
    page = client.get("/model/new")
    assert page.status_code == 200, page.text
    return client.post("/model/new", data={"csrf_token": csrf_token(page), **ASB, **changes})


def test_the_workspace_offers_a_new_process(owner_client):
    assert 'href="/model/new"' in owner_client.get("/model").text
    page = owner_client.get("/model/new")
    assert "New process" in text_of(page)
    assert 'name="lane" type="radio" value="Vulnerability Desk"' in page.text


def test_others_are_refused(client, app):
    with app.app_context():
        create_user("sergeant.bryn", ["Sergeant"], PASSWORD)
    sign_in(client, "sergeant.bryn")
    assert client.get("/model/new").status_code == 403


def test_a_new_process_opens_in_the_editor_and_deploys_as_its_first_version(owner_client, app):
    editor = asked(owner_client)
    assert editor.status_code == 200, editor.text
    assert 'data-app-modeller="bpmn"' in editor.text
    assert "This process is new" in text_of(editor)
    assert '<h1 class="govuk-heading-l">Anti-social behaviour case</h1>' in editor.text
    xml, names = field(editor, "xml"), field(editor, "names")
    assert 'id="anti_social_behaviour"' in xml and 'name="Vulnerability Desk"' in xml
    assert json.loads(names) == {
        "names": {"anti_social_behaviour": "Achos ymddygiad gwrthgymdeithasol"}
    }
    path = "bpmn/anti_social_behaviour.bpmn"
    form = {"csrf_token": csrf_token(editor), "xml": xml, "names": names}
    checked = send(owner_client, f"/model/files/{path}/check", form)
    assert checked.status_code == 200 and checked.json["problems"] == []
    review = send(owner_client, f"/model/files/{path}", {**form, "action": "review"})
    assert review.status_code == 200, review.text
    assert "Check what will change" in text_of(review)
    assert "Back to the diagram" in text_of(review)
    assert f'formaction="/model/files/{path}"' in review.text  # with the diagram, as it is
    back = send(owner_client, f"/model/files/{path}", {**form, "action": "check"})
    assert back.status_code == 200 and field(back, "xml") == xml
    with app.app_context():
        before = db.session.query(DefinitionVersion).count()
    base = review.text.split('name="base" value="', 1)[1].split('"', 1)[0]
    deployed = send(owner_client, f"/model/files/{path}/deploy", {**form, "base": base})
    assert deployed.status_code == 302
    with app.app_context():
        assert db.session.query(DefinitionVersion).count() == before + 1
        (process,) = db.session.query(ProcessDefinition).filter_by(
            process_id="anti_social_behaviour"
        )
        assert (process.file, process.start_lane) == (path, "Vulnerability Desk")
    overview = owner_client.get("/model")
    assert "Anti-social behaviour case" in text_of(overview)
    assert f'href="/model/files/{path}"' in overview.text
    # Once deployed, it is edited as any other, and its id is taken.
    assert owner_client.get(f"/model/files/{path}").status_code == 200
    again = asked(owner_client)
    assert again.status_code == 422
    assert "A process with the id anti_social_behaviour exists already" in text_of(again)


def test_the_api_deploys_the_same_way(owner_client, client, owner):
    editor = asked(owner_client, process_id="by_the_api")
    response = client.post(
        "/api/v1/processes",
        data={
            "file": [
                (io.BytesIO(field(editor, "xml").encode()), "by_the_api.bpmn"),
                (
                    io.BytesIO(field(editor, "names").encode()),
                    "by_the_api.bpmn.cy.json",
                ),
            ]
        },
        headers=bearer(owner),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    assert "by_the_api" in response.json["processes"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"process_id": "psd_complaint"}, "A process with the id psd_complaint exists already"),
        ({"process_id": "Anti Social"}, "Enter an id of lower-case letters, digits and"),
        ({"process_id": "1st"}, "Enter an id of lower-case letters, digits and"),
        ({"process_id": ""}, "Enter an id for the process"),
        ({"name": "  "}, "Enter the process's name"),
        ({"welsh_name": ""}, "Enter the process's name in Welsh"),
        ({"lane": "Nobody"}, "Choose the lane the process is started in"),
        ({"lane": ""}, "Choose the lane the process is started in"),
    ],
)
def test_bad_input_brings_the_form_back_saying_what_is_wrong(owner_client, changes, message):
    page = asked(owner_client, **changes)
    assert page.status_code == 422
    assert "There is a problem" in text_of(page)
    assert message in text_of(page)
    assert page.text.count(message.split(" ")[0]) >= 2  # in the summary and by its field
    assert 'class="govuk-error-summary"' in page.text
    assert "<title>Error:" in page.text
    kept = {**ASB, **changes}
    if kept["name"].strip():
        assert f'value="{kept["name"]}"' in page.text


def test_bad_input_is_said_in_welsh(owner_client):
    owner_client.get("/language/cy")
    page = asked(owner_client, process_id="psd_complaint", lane="")
    assert page.status_code == 422
    said = text_of(page)
    assert "Mae problem" in said
    assert "Mae proses â'r dynodydd psd_complaint yn bod yn barod: dewiswch un arall" in said
    assert "Dewiswch y lôn y dechreuir y broses ynddi" in said


def test_a_new_diagram_is_only_sent_whole_and_only_where_diagrams_are_kept(owner_client):
    assert owner_client.get("/model/files/bpmn/not_yet.bpmn").status_code == 404
    editor = asked(owner_client, process_id="not_yet")
    form = {"csrf_token": csrf_token(editor), "xml": field(editor, "xml"), "names": '{"names": {}}'}
    for path in ("bpmn/Not_Yet.bpmn", "forms/not_yet.bpmn", "bpmn/not_yet.dmn"):
        assert send(owner_client, f"/model/files/{path}/check", form).status_code == 404
    checked = send(owner_client, "/model/files/bpmn/not_yet.bpmn/check", form)
    assert checked.status_code == 200
    assert {problem["message"] for problem in checked.json["problems"]} == {
        "no Welsh name for 'Anti-social behaviour case'"
    }


def test_with_nothing_deployed_the_page_says_to_load_the_definitions_first(
    owner_client, monkeypatch
):
    monkeypatch.setattr("service.web.process_owner.new_process_routes.latest_version", lambda: None)
    page = owner_client.get("/model/new")
    assert page.status_code == 404
    assert "Load the process definitions first" in text_of(page)
