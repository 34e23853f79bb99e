"""The process owner's workspace: every process with its versions and the cases running on
each, the latest version's decision tables and forms; for process owners only."""

import html
import json

import pytest

from service.auth import create_user
from service.config import PROJECT_ROOT
from tests.conftest import bearer
from tests.pages import PASSWORD, sign_in
from tests.samples import CALL
from tests.test_api_deploy import upload


@pytest.fixture
def process_owner(app):
    with app.app_context():
        create_user("owner.anwen", ["Process Owner"], PASSWORD)
    return "owner.anwen"


def start_call(client, token_for) -> dict:
    response = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(token_for("Call Handler")),
    )
    assert response.status_code == 201, response.json
    return response.json


def versions_of(text: str, process_id: str) -> list[list[str]]:
    """The rows (version, running) of one process's table, as the page shows them."""
    card = text.split(f'id="process-{process_id}"', 1)[1].split('class="govuk-summary-card"')[0]
    rows = card.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>")[0]
    found = []
    for row in rows.split("<tr")[1:]:
        cells = [cell.split("</td>")[0] for cell in row.split("<td")[1:]]
        version = cells[0].split(">", 1)[1].split("<")[0].strip()
        found.append([version, cells[3].split(">", 1)[1].strip()])
    return found


def test_a_process_owner_sees_each_process_its_versions_and_cases_running_on_each(
    client, process_owner, owner, token_for
):
    start_call(client, token_for)
    sign_in(client, process_owner)
    page = client.get("/model")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Processes and versions" in text
    assert versions_of(text, "stalking_harassment") == [["1", "1"]]
    assert "New cases start on version 1" in text
    assert 'href="/model"' in text  # in the menu

    # A new version: the case stays on version 1, a new one starts on version 2.
    review = json.loads((PROJECT_ROOT / "forms" / "live_time_review.schema.json").read_text())
    review["title"] = "Live-time review of the call"
    assert (
        upload(client, owner, {"live_time_review.schema.json": json.dumps(review).encode()}).json[
            "version"
        ]
        == 2
    )
    start_call(client, token_for)
    start_call(client, token_for)
    text = html.unescape(client.get("/model").text)
    assert versions_of(text, "stalking_harassment") == [["2", "2"], ["1", "1"]]
    assert "3 cases running." in text
    assert "New cases start on version 2" in text
    # The latest version's decision tables and forms.
    assert "charging_authority.dmn" in text
    assert "Live-time review of the call" in text

    # In Welsh: the processes' names and the page's words.
    client.get("/language/cy")
    text = html.unescape(client.get("/model").text)
    assert 'lang="cy"' in text
    assert "Prosesau a fersiynau" in text
    assert "Achos stelcio ac aflonyddu" in text
    assert "Adolygiad amser real" in text  # a form's title in Welsh


def test_only_process_owners_see_the_workspace(client, desk):
    sign_in(client, desk)
    page = client.get("/model")
    assert page.status_code == 403
    assert 'href="/model"' not in client.get("/").text
