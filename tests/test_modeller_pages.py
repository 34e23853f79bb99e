"""The process owner's editor without a browser: a diagram's XML checked by deployment's own
validation (nothing stored), reviewed and deployed as a new version, versions compared, a
version's files read, forms previewed; and every refusal: other roles, no CSRF token, a file
too large, XML that is not well formed, a file that is not a diagram."""

import html
import io
import re

import pytest

from service.config import PROJECT_ROOT
from service.db import db
from service.models import DefinitionVersion
from service.web.process_owner.dmn_styles import JOINED, WRITTEN
from tests.pages import csrf_token, sign_in
from tests.test_model_pages import process_owner  # noqa: F401 (a fixture)

PSD = "bpmn/psd_complaint.bpmn"
PSD_NAMES = "bpmn/psd_complaint.bpmn.cy.json"
RISK = "bpmn/risk_grading.dmn"


def field(page, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page.text, re.S)
    return html.unescape(found.group(1)).removeprefix("\n")


def opened(client, path=PSD) -> dict:
    """The editor's form as a browser would send it back unchanged."""
    page = client.get(f"/model/files/{path}")
    assert page.status_code == 200, page.text
    form = {"csrf_token": csrf_token(page), "xml": field(page, "xml")}
    if path.endswith(".bpmn"):
        form["names"] = field(page, "names")
    return form


def send(client, url: str, form: dict):
    """A form sent as the editor's pages send it: multipart, as a file upload may be."""
    return client.post(url, data=form, content_type="multipart/form-data")


def versions(app) -> int:
    with app.app_context():
        return db.session.query(DefinitionVersion).count()


def text_of(page) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page.text)).split())


@pytest.fixture
def owner_client(client, process_owner):  # noqa: F811
    sign_in(client, process_owner)
    return client


def test_the_editor_holds_the_latest_files_xml_and_welsh_names(owner_client):
    form = opened(owner_client)
    assert form["xml"] == (PROJECT_ROOT / PSD).read_text(encoding="utf-8")
    assert form["names"] == (PROJECT_ROOT / PSD_NAMES).read_text(encoding="utf-8")
    page = owner_client.get(f"/model/files/{PSD}")
    assert 'data-app-modeller="bpmn"' in page.text
    assert "vendor/bpmn-js/properties-panel.css" in page.text
    assert "Preview psd_assessment" in text_of(page)
    assert 'href="/model" class="govuk-back-link' in page.text
    # The overview links each process, decision table and form here.
    overview = owner_client.get("/model").text
    assert f'href="/model/files/{PSD}"' in overview
    assert f'href="/model/files/{RISK}"' in overview
    assert 'href="/model/forms/live_time_review"' in overview


@pytest.mark.parametrize(
    "path", ["forms/live_time_review.schema.json", "bpmn/nothing.bpmn", "bpmn/../roles.toml"]
)
def test_only_the_latest_versions_diagrams_and_tables_are_edited(owner_client, path):
    assert owner_client.get(f"/model/files/{path}").status_code == 404


def test_checking_a_form_that_does_not_exist_lists_the_problem_and_stores_nothing(
    app, owner_client
):
    form = opened(owner_client)
    form["xml"] = form["xml"].replace("psd_assessment.schema.json", "psd_assesment.schema.json")
    page = send(owner_client, f"/model/files/{PSD}", {**form, "action": "check"})
    assert page.status_code == 422
    said = text_of(page)
    assert "1 problem: nothing can be deployed until it is put right" in said
    assert (
        "Assess the complaint against the policy: form 'psd_assesment.schema.json' does not exist"
        in said
    )
    assert 'data-element-id="psd_assessment"' in page.text
    assert page.text.count("psd_assesment.schema.json") >= 2  # listed, and kept in the XML
    assert versions(app) == 1


def test_a_task_in_a_lane_no_role_works_is_a_problem_of_its_task(owner_client):
    form = opened(owner_client)
    form["xml"] = form["xml"].replace('name="Policy Owner"', 'name="Policy Team"')
    page = send(owner_client, f"/model/files/{PSD}", {**form, "action": "check"})
    assert page.status_code == 422
    assert "the user task is in lane 'Policy Team', which no role" in text_of(page)
    assert 'data-element-id="psd_learning_actions"' in page.text


def test_xml_that_is_not_well_formed_is_a_problem_not_an_error(owner_client):
    form = opened(owner_client)
    form["xml"] = form["xml"][:500]
    page = send(owner_client, f"/model/files/{PSD}", {**form, "action": "check"})
    assert page.status_code == 422
    assert "not well-formed XML" in text_of(page)
    assert 'href="#xml"' in page.text  # no element to show it on: the text box alone


def test_a_check_that_finds_nothing_says_so(owner_client):
    page = send(owner_client, f"/model/files/{PSD}", {**opened(owner_client), "action": "check"})
    assert page.status_code == 200
    assert "No problems found: this can be deployed." in text_of(page)


def test_the_pages_script_checks_for_json_with_the_token(owner_client):
    form = opened(owner_client)
    form["xml"] = form["xml"].replace("psd_assessment.schema.json", "missing.schema.json")
    answer = send(owner_client, f"/model/files/{PSD}/check", form)
    assert answer.status_code == 200
    assert answer.json["problems"] == [
        {"element_id": "psd_assessment", "message": "form 'missing.schema.json' does not exist"}
    ]
    assert "nothing can be deployed" in answer.json["html"]
    del form["csrf_token"]
    assert send(owner_client, f"/model/files/{PSD}/check", form).status_code == 400


def test_a_new_task_needs_its_welsh_name_shown_on_the_task(owner_client):
    form = opened(owner_client)
    form["xml"] = form["xml"].replace(
        'name="Act on the learning"', 'name="Act on what was learned"'
    )
    form["names"] = form["names"].replace('"psd_learning_actions": "Gweithredu ar y gwersi",', "")
    answer = send(owner_client, f"/model/files/{PSD}/check", form)
    assert answer.json["problems"] == [
        {
            "element_id": "psd_learning_actions",
            "message": "no Welsh name for 'Act on what was learned'",
        }
    ]


def test_a_file_chosen_from_the_computer_takes_the_place_of_the_text(owner_client):
    form = opened(owner_client)
    broken = form["xml"].replace("psd_assessment.schema.json", "chosen.schema.json")
    form["upload"] = (io.BytesIO(broken.encode()), "psd_complaint.bpmn")
    page = owner_client.post(
        f"/model/files/{PSD}",
        data={**form, "action": "check"},
        content_type="multipart/form-data",
    )
    assert page.status_code == 422
    assert "form 'chosen.schema.json' does not exist" in text_of(page)


def test_a_file_that_is_not_utf8_text_is_a_problem_of_the_file(owner_client):
    form = opened(owner_client)
    form["upload"] = (io.BytesIO("<?xml version='1.0'?><a>é</a>".encode("utf-16")), "x.bpmn")
    page = send(owner_client, f"/model/files/{PSD}", {**form, "action": "check"})
    assert page.status_code == 422
    assert "the file chosen is not UTF-8 text" in text_of(page)
    assert field(page, "xml") == form["xml"]  # the text as it was


def test_a_file_too_large_is_refused_before_anything_is_checked(app, owner_client):
    form = opened(owner_client)
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    form["xml"] = form["xml"] + "<!--" + "x" * (2 * 1024 * 1024) + "-->"
    page = send(owner_client, f"/model/files/{PSD}", {**form, "action": "check"})
    assert page.status_code == 413
    assert "may be at most 2048 KiB" in text_of(page)
    assert send(owner_client, f"/model/files/{PSD}/check", form).status_code == 413
    # A request larger than the service takes at all is refused by the server, as a page.
    app.config["MAX_CONTENT_LENGTH"] = 512_000
    page = send(owner_client, f"/model/files/{PSD}", {**form, "action": "check"})
    assert page.status_code == 413
    assert "What you sent is too large" in text_of(page)


def test_deploying_shows_the_changes_first_then_makes_a_version(app, owner_client):
    form = opened(owner_client)
    form["xml"] = form["xml"].replace(
        'value="psd_assessment_due_at"', 'value="add_working_days(complaint_received_at, 15)"'
    )
    review = send(owner_client, f"/model/files/{PSD}", {**form, "action": "review"})
    assert review.status_code == 200
    said = text_of(review)
    assert "Check what will change" in said
    assert "Due at: psd_assessment_due_at → add_working_days(complaint_received_at, 15)" in said
    assert "0 added, 1 changed, 0 removed." in said
    assert versions(app) == 1  # nothing deployed yet
    assert re.search(r'name="base" value="1"', review.text)
    assert f'href="/model/files/{PSD}" class="govuk-back-link' in review.text
    assert "vendor/bpmn-js/properties-panel.css" in review.text

    deployed = send(owner_client, f"/model/files/{PSD}/deploy", {**form, "base": "1"})
    assert deployed.status_code == 302
    assert deployed.headers["Location"] == "/model"
    assert "Version 2 is deployed" in text_of(owner_client.get("/model"))
    with app.app_context():
        version = db.session.get(DefinitionVersion, 2)
        assert version.created_by == "owner.anwen"
        stored = {f.path: f.content for f in version.files}
        assert stored[PSD] == form["xml"].encode()
        assert (
            stored["bpmn/stalking_harassment.bpmn"]
            == (PROJECT_ROOT / "bpmn/stalking_harassment.bpmn").read_bytes()
        )  # the other files as they were


def test_lines_a_browser_ends_with_crlf_are_kept_as_they_were(app, owner_client):
    form = opened(owner_client)
    form["xml"] = form["xml"].replace("\n", "\r\n")
    form["names"] = form["names"].replace("\n", "\r\n")
    page = send(owner_client, f"/model/files/{PSD}", {**form, "action": "review"})
    assert page.status_code == 200
    assert "Nothing has changed: version 1 already holds this." in text_of(page)


def test_a_deployment_reviewed_before_someone_elses_is_shown_again(app, owner_client, owner):
    from tests.test_api_deploy import upload

    form = opened(owner_client)
    form["xml"] = form["xml"].replace("The assessment is due 20", "The assessment falls due 20")
    names = (PROJECT_ROOT / "forms/live_time_review.schema.json").read_bytes()
    retitled = names.replace(b'"Live-time review"', b'"Live-time review of the call"', 1)
    assert (
        upload(owner_client, owner, {"live_time_review.schema.json": retitled}).status_code == 201
    )
    page = send(owner_client, f"/model/files/{PSD}/deploy", {**form, "base": "1"})
    assert page.status_code == 409
    assert "Someone deployed version 2 since you looked" in text_of(page)
    assert versions(app) == 2


def test_a_deployment_with_problems_is_refused_with_each_one(app, owner_client):
    form = opened(owner_client)
    form["xml"] = form["xml"].replace('name="PSD"', 'name="Complaints"')
    page = send(owner_client, f"/model/files/{PSD}/deploy", {**form, "base": "1"})
    assert page.status_code == 422
    assert "lane 'Complaints'" in text_of(page)
    assert versions(app) == 1


def test_a_decision_table_is_edited_checked_and_its_cells_located(owner_client):
    page = owner_client.get(f"/model/files/{RISK}")
    assert 'data-app-modeller="dmn"' in page.text
    assert "vendor/dmn-js/dmn-modeler.production.min.js" in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "'unsafe-hashes'" in policy and "'unsafe-inline'" not in policy
    assert (
        "'unsafe-hashes'"
        not in owner_client.get(f"/model/files/{PSD}").headers["Content-Security-Policy"]
    )
    form = opened(owner_client, RISK)
    form["xml"] = form["xml"].replace("&gt;= 14", "&gt;= __import__('os')", 1)
    answer = send(owner_client, f"/model/files/{RISK}/check", form)
    assert answer.json["problems"][0]["element_id"].startswith("risk_grading_")
    assert "input cell" in answer.json["problems"][0]["message"]


def test_the_decision_table_editors_allowed_styles_are_what_dmn_js_writes():
    bundle = (
        PROJECT_ROOT / "service/web/static/vendor/dmn-js/dmn-modeler.production.min.js"
    ).read_text(encoding="utf-8")
    for style in WRITTEN:
        assert style.replace("\n", "\\n") in bundle, style
    for parts in JOINED:
        assert ",".join(f'"{part}"' for part in parts) in bundle, parts


def test_two_versions_are_compared_element_by_element(owner_client):
    form = opened(owner_client)
    form["xml"] = form["xml"].replace('name="Act on the learning"', 'name="Act on the lessons"')
    send(owner_client, f"/model/files/{PSD}/deploy", {**form, "base": "1"})
    page = owner_client.get("/model/compare?before=1&after=2")
    assert page.status_code == 200
    said = text_of(page)
    assert "Changes from version 1 to version 2" in said
    assert 'href="/model" class="govuk-back-link' in page.text
    assert "Name: Act on the learning → Act on the lessons" in said
    assert 'data-before-url="/model/versions/1/files/bpmn/psd_complaint.bpmn"' in page.text
    # Without the versions, the latest two; a version that does not exist is not found.
    assert owner_client.get("/model/compare").headers["Location"] == (
        "/model/compare?before=1&after=2"
    )
    assert owner_client.get("/model/compare?before=1&after=9").status_code == 404
    assert "Choose two different versions." in text_of(
        owner_client.get("/model/compare?before=2&after=2")
    )
    # The overview links each version to what changed in it.
    assert 'href="/model/compare?before=1&amp;after=2"' in owner_client.get("/model").text


def test_a_versions_file_is_sent_as_text_to_download(owner_client):
    answer = owner_client.get(f"/model/versions/1/files/{RISK}")
    assert answer.status_code == 200
    assert answer.mimetype == "text/plain"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="risk_grading.dmn"'
    assert answer.data == (PROJECT_ROOT / RISK).read_bytes()
    assert owner_client.get("/model/versions/7/files/bpmn/risk_grading.dmn").status_code == 404


def test_a_form_is_previewed_as_caseworkers_see_it_in_english_and_welsh(owner_client):
    english = owner_client.get("/model/forms/live_time_review?lang=en")
    assert english.status_code == 200
    said = text_of(english)
    assert "Live-time review" in said
    assert "Offences disclosed" in said
    assert 'name="offences_disclosed"' in english.text  # the task page's own renderer
    assert 'href="/model/files/bpmn/stalking_harassment.bpmn">Live-time review' in english.text
    welsh = owner_client.get("/model/forms/live_time_review?lang=cy")
    assert '<div class="app-preview" lang="cy">' in welsh.text
    assert "Adolygiad amser real" in text_of(welsh)
    # The form's own words in its language too, whatever the page's.
    assert "Nodiadau'r adolygiad (dewisol)" in text_of(welsh)
    assert "Review notes (optional)" in said
    assert owner_client.get("/model/forms/no_such_form").status_code == 404


def test_only_process_owners_use_the_editor(client, desk, app):
    sign_in(client, desk)
    token = csrf_token(client.get("/sign-out"))  # a page with a form
    xml = (PROJECT_ROOT / PSD).read_text(encoding="utf-8")
    for url in (
        f"/model/files/{PSD}",
        "/model/compare?before=1&after=1",
        f"/model/versions/1/files/{PSD}",
        "/model/forms/live_time_review",
    ):
        assert client.get(url).status_code == 403, url
    for url in (f"/model/files/{PSD}", f"/model/files/{PSD}/check", f"/model/files/{PSD}/deploy"):
        sent = send(client, url, {"csrf_token": token, "xml": xml, "base": "1"})
        assert sent.status_code == 403, url
    assert versions(app) == 1
