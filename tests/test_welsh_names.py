"""Process, task and timer names in the caller's language, everywhere the API shows them.

A Welsh-speaking Sergeant asks every endpoint that shows a name for Welsh, on a case driven
to the investigation with the suspect on bail (tasks open in the case and in the bail
process it calls, timers waiting), and finds no English name left.
"""

import json

import pytest
from lxml import etree

from service.config import PROJECT_ROOT
from tests.conftest import bearer
from tests.lifecycle import WELSH, Case, investigation_tokens, to_investigation
from tests.names import with_welsh_names
from tests.samples import CALL, INVESTIGATION_PLAN, SUSPECT_ON_BAIL
from tests.test_api_deploy import NOTE_FORM, two_step, upload
from tests.test_catalog import problems_of
from workflows.catalog import build_catalog, read_definition_files
from workflows.names import named_elements, names_path

CY = {"lang": "cy"}


@pytest.fixture(scope="module")
def names():
    """Every English name the diagrams write, and every Welsh name beside them."""
    catalog = build_catalog(read_definition_files(PROJECT_ROOT))
    english = set()
    for path, content in catalog.files.items():
        if path.endswith(".bpmn"):
            for process in etree.fromstring(content).iterfind("{*}process"):
                english.update(named_elements(process).values())
    welsh = {name for names in catalog.names.welsh.values() for name in names.values()}
    return english, welsh


def shown_names(body) -> list[str]:
    """The names in an answer: of tasks and timers (beside their bpmn_id), processes (beside
    their start lane) and cases (process_name)."""
    found = []
    if isinstance(body, dict):
        if "bpmn_id" in body or "start_lane" in body:
            found.append(body["name"])
        if "process_name" in body:
            found.append(body["process_name"])
        for value in body.values():
            found.extend(shown_names(value))
    elif isinstance(body, list):
        for value in body:
            found.extend(shown_names(value))
    return found


def assert_welsh(response, names, least=1):
    english, welsh = names
    assert response.status_code in (200, 201), response.json
    shown = shown_names(response.json)
    assert len(shown) >= least, response.json
    left = [name for name in shown if name in english and name not in welsh]
    assert not left, f"English names left: {left}"
    assert set(shown) <= welsh, set(shown) - welsh
    return shown


def test_every_endpoint_that_shows_a_name_shows_it_in_welsh(client, token_for, names):
    tokens = investigation_tokens(token_for, admin="Administrator", auditor="Auditor")
    case = Case(client, tokens)
    to_investigation(case)
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_ON_BAIL)
    reader = bearer(tokens["reader"])

    # Processes: the list and one of them.
    listed = assert_welsh(client.get("/api/v1/processes", query_string=CY, headers=reader), names)
    assert "Achos stelcio ac aflonyddu" in listed
    one = client.get("/api/v1/processes/stalking_harassment", headers={**reader, **WELSH})
    assert assert_welsh(one, names) == ["Achos stelcio ac aflonyddu"]

    # Starting a case answers with its first task and timer in Welsh.
    started = client.post(
        "/api/v1/cases",
        json={
            "process": "stalking_harassment",
            "data": {**CALL, "storm_reference": "DP-20261128-0043"},
        },
        headers={**bearer(tokens["call"]), **WELSH},
    )
    shown = assert_welsh(started, names, least=3)
    assert {"Adolygiad amser real", "Adolygiad heb ei wneud o fewn 30 munud"} <= set(shown)

    # Cases: the list and each case, with its open tasks (the bail process's among them) and
    # waiting timers.
    assert_welsh(client.get("/api/v1/cases", query_string=CY, headers=reader), names, least=2)
    whole = client.get(f"/api/v1/cases/{case.id}", query_string=CY, headers=reader)
    shown = assert_welsh(whole, names, least=3)
    assert {"Adolygiad goruchwylio gan y Rhingyll", "Adolygu mechnïaeth cyn cyhuddo"} <= set(shown)
    new = client.get(f"/api/v1/cases/{started.json['id']}", query_string=CY, headers=reader)
    assert assert_welsh(new, names, least=3)[-1] == "Adolygiad heb ei wneud o fewn 30 munud"

    # Tasks: the inbox, one task, claiming, giving back, completing.
    inbox = client.get(
        "/api/v1/tasks", query_string={**CY, "case": case.id, "status": "all"}, headers=reader
    )
    assert_welsh(inbox, names, least=8)
    [review] = [t for t in whole.json["open_tasks"] if t["bpmn_id"] == "sergeant_review"]
    sergeant = {**bearer(tokens["sergeant"]), **WELSH}
    assert_welsh(client.get(f"/api/v1/tasks/{review['id']}", headers=sergeant), names)
    assert_welsh(client.post(f"/api/v1/tasks/{review['id']}/claim", headers=sergeant), names)
    assert_welsh(client.post(f"/api/v1/tasks/{review['id']}/unclaim", headers=sergeant), names)

    # Timers (Administrator) and the case as it stood (Auditor).
    timers = client.get(
        "/api/v1/timers",
        query_string={**CY, "case": started.json["id"]},
        headers=bearer(tokens["admin"]),
    )
    assert assert_welsh(timers, names) == ["Adolygiad heb ei wneud o fewn 30 munud"]
    state = client.get(
        f"/api/v1/cases/{case.id}/state",
        query_string={**CY, "at_seq": 3},
        headers=bearer(tokens["auditor"]),
    )
    assert_welsh(state, names)


def test_refusals_name_tasks_and_processes_in_welsh(client, token_for, names):
    english, _ = names
    tokens = investigation_tokens(token_for)
    case = Case(client, tokens)
    [task] = case.last["open_tasks"]
    refused = client.get(f"/api/v1/tasks/{task['id']}", headers={**bearer(tokens["call"]), **WELSH})
    assert refused.status_code == 403
    assert "Adolygiad amser real" in refused.json["detail"]
    claimed = client.post(
        f"/api/v1/tasks/{task['id']}/claim", headers={**bearer(tokens["call"]), **WELSH}
    )
    assert "Adolygiad amser real" in claimed.json["detail"]

    not_alone = client.post(
        "/api/v1/cases",
        json={"process": "bail_management", "data": {}},
        headers={**bearer(tokens["reader"]), **WELSH},
    )
    assert not_alone.status_code == 422
    assert "'Adolygu mechnïaeth cyn cyhuddo'" in not_alone.json["detail"]
    assert "'Achos stelcio ac aflonyddu'" in not_alone.json["detail"]
    needs_role = client.post(
        "/api/v1/cases",
        json={"process": "stalking_harassment", "data": CALL},
        headers={**bearer(tokens["sergeant"]), **WELSH},
    )
    assert needs_role.status_code == 403
    assert "'Achos stelcio ac aflonyddu'" in needs_role.json["detail"]
    for answer in (refused, claimed, not_alone, needs_role):
        assert not [name for name in english if f"'{name}'" in answer.json["detail"]]


def test_english_is_still_the_default(client, token_for):
    tokens = investigation_tokens(token_for)
    case = Case(client, tokens)
    [task] = case.last["open_tasks"]
    assert task["name"] == "Live-time review"
    assert case.last["process_name"] == "Stalking and harassment case"


# --- checked at deployment, like the forms' Welsh texts ----------------------------------------


def test_a_diagram_without_its_welsh_names_is_not_deployed(client, owner):
    files = {"noted.bpmn": two_step("noted", "x = 1").encode(), **NOTE_FORM}
    response = upload(client, owner, files, welsh_names=False)
    assert response.status_code == 422
    assert {"file": "bpmn/noted.bpmn.cy.json", "element_id": None} in [
        {"file": p["file"], "element_id": p["element_id"]} for p in response.json["problems"]
    ]
    assert "Welsh names for this diagram are missing" in json.dumps(response.json)


def test_every_name_needs_its_welsh_and_no_welsh_name_may_be_left_over():
    files = with_welsh_names({"bpmn/noted.bpmn": two_step("noted", "x = 1").encode()})
    names = json.loads(files[names_path("bpmn/noted.bpmn")])
    names["names"].pop("task")
    names["names"]["gone"] = "Tasg a aeth"
    files[names_path("bpmn/noted.bpmn")] = json.dumps(names).encode()
    found = {(p.element_id, p.message) for p in problems_of({**files, **_forms()})}
    assert any(element == "task" and "no Welsh name" in m for element, m in found), found
    assert any(element == "gone" and "does not have" in m for element, m in found), found


def test_welsh_names_of_a_diagram_that_is_not_there_are_a_problem():
    files = with_welsh_names({"bpmn/noted.bpmn": two_step("noted", "x = 1").encode()})
    files["bpmn/elsewhere.bpmn.cy.json"] = b'{"names": {}}'
    found = [(p.file, p.message) for p in problems_of({**files, **_forms()})]
    assert ("bpmn/elsewhere.bpmn.cy.json", "there is no diagram of this name for these names") in (
        found
    )


def test_a_version_deployed_before_welsh_names_still_runs_in_english():
    files = {"bpmn/noted.bpmn": two_step("noted", "x = 1").encode(), **_forms()}
    catalog = build_catalog(files, checked=True)
    assert catalog.names.name("Note", "task", "cy", "noted") == "Note"


def _forms() -> dict:
    return {f"forms/{name}": content for name, content in NOTE_FORM.items()}
