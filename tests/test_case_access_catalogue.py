"""Who reads every case is the role catalogue's to say: without the read_all_cases grant a
Sergeant or an Auditor reads only the cases they work on, histories included."""

import pytest

from service.config import PROJECT_ROOT
from tests.conftest import bearer
from tests.samples import CALL

SHIPPED_TEXT = (PROJECT_ROOT / "roles.toml").read_text(encoding="utf-8")
AUDITOR_GRANTS = 'grants = ["audit", "read_all_cases", "reports"]'
SERGEANT_GRANTS = 'lanes = ["Sergeant"]\ngrants = ["read_all_cases", "assign_tasks"]'


@pytest.fixture
def settings(tmp_path):
    """The shipped catalogue with read_all_cases taken from the Sergeant and the Auditor."""
    assert AUDITOR_GRANTS in SHIPPED_TEXT and SERGEANT_GRANTS in SHIPPED_TEXT
    text = SHIPPED_TEXT.replace(AUDITOR_GRANTS, 'grants = ["audit", "reports"]')
    file = tmp_path / "roles.toml"
    without = 'lanes = ["Sergeant"]\ngrants = ["assign_tasks"]'
    file.write_text(text.replace(SERGEANT_GRANTS, without), encoding="utf-8")
    return {"ROLES_FILE": str(file)}


def test_without_the_grant_a_case_they_do_not_work_on_does_not_exist_for_them(client, token_for):
    started = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers=bearer(token_for("Call Handler")),
    )
    case_id = started.json["id"]
    sergeant, auditor = token_for("Sergeant"), token_for("Auditor")
    for token in (sergeant, auditor):
        assert client.get(f"/api/v1/cases/{case_id}", headers=bearer(token)).status_code == 404
        listed = client.get("/api/v1/cases", headers=bearer(token)).json
        assert case_id not in {case["id"] for case in listed}
    for url in ("events", "verify", "state"):
        response = client.get(f"/api/v1/cases/{case_id}/{url}", headers=bearer(auditor))
        assert response.status_code == 404, url
    response = client.post(f"/api/v1/cases/{case_id}/replay", headers=bearer(auditor))
    assert response.status_code == 404
    entries = client.get(
        "/api/v1/audit/reads", query_string={"case": case_id}, headers=bearer(auditor)
    ).json
    assert [entry["action"] for entry in reversed(entries)] == [
        "case.view.refused", "case.view.refused", "case.events.refused", "case.verify.refused",
        "case.state.refused", "case.replay.refused",
    ]  # fmt: skip
