"""A public complaint to the Professional Standards Department, assessed against the policy.

The complaint names the stalking or harassment case it concerns (``complaint_case_id``). PSD
assesses that case against each standard of the policy, due 20 working days after the complaint
was received; an upheld or partly upheld complaint goes to the Policy Owner for learning
actions; either way PSD then tells the complainant the outcome, in their language.

The clock only moves when a test moves it.
"""

import json
from datetime import UTC, datetime, timedelta

import jinja2
import jinja2.meta
import pytest
from jsonschema import Draft202012Validator
from lxml import etree

from service.config import PROJECT_ROOT
from tests.conftest import bearer
from tests.lifecycle import WELSH, Case, investigation_tokens, refused
from tests.roles import SHIPPED
from tests.test_first_stage_files import (
    FLOW_NODE_TAGS,
    NS,
    SCHEMA_TEXT_KEYS,
    UI_TEXT_KEYS,
    resolve_pointer,
    translatable,
)

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # Tuesday
# 20 working days from Tuesday 1 December 2026 skip Christmas Day and the substitute Boxing
# Day holiday (Monday 28 December): the assessment is due on Thursday 31 December.
DUE = datetime(2026, 12, 31, 9, 15, tzinfo=UTC)

COMPLAINT = {
    "complaint_reference": "PSD/2026/0042",
    "complaint_received_at": "2026-12-01T09:15:00Z",
    "complainant": {"name": "Sian Jones", "relationship_to_victim": "victim"},
    "complaint_summary": "Nobody assessed the risk or told me what was happening for weeks.",
    "complaint_language": "cy",
}
ALL_MET = {
    "standard_live_time_review": "met",
    "standard_offence_recorded": "met",
    "standard_risk_assessed": "met",
    "standard_spo_considered": "met",
    "standard_victim_informed": "met",
    "standard_supervisory_reviews": "met",
    "standard_cps_liaison": "not_applicable",
    "standard_nfa_reviewed": "not_applicable",
    "standard_srau_review": "met",
}
UPHELD = {
    **ALL_MET,
    "standard_risk_assessed": "not_met",
    "standard_risk_assessed_note": "No S-DASH was completed until three weeks after the report.",
    "standard_victim_informed": "not_met",
    "standard_victim_informed_note": "The victim asked for Welsh and had no update for 12 days.",
    "psd_outcome": "upheld",
    "psd_outcome_reason": "Two minimum standards were not met, as the complainant says.",
    "psd_learning": "Risk must be assessed with S-DASH before first response closes.",
}
NOT_UPHELD = {
    **ALL_MET,
    "psd_outcome": "not_upheld",
    "psd_outcome_reason": "The record shows every applicable standard was met.",
}
LEARNING_ACTIONS = {
    "learning_policy_change_needed": False,
    "learning_training_needed": True,
    "learning_training": "S-DASH refresher for response officers in the BCU.",
    "learning_actions": "Training booked; S-DASH compliance added to the monthly BCU meeting.",
    "learning_action_owner": "DI Rhys Morgan, Vulnerability Hub",
    "learning_actions_due": "2027-03-31",
}
INFORMED = {
    "complainant_informed_at": "2026-12-14T11:00:00Z",
    "complainant_informed_method": "letter",
    "complainant_informed_language": "cy",
}


@pytest.fixture
def tokens(token_for):
    return investigation_tokens(
        token_for, psd="PSD", policy="Policy Owner", auditor="Auditor", call_handler="Call Handler"
    )


@pytest.fixture
def stalking_case(client, tokens, clock) -> Case:
    """The stalking case the complaint is about, started with the real process."""
    return Case(client, tokens)


def start(client, tokens, data, role="psd", headers=None):
    return client.post(
        "/api/v1/cases",
        json={"process": "psd_complaint", "data": data},
        headers={**bearer(tokens[role]), **(headers or {})},
    )


class Complaint(Case):
    """A complaint driven through the API, with ``Case``'s task helpers."""

    process, starter, reference = "psd_complaint", "psd", "complaint_reference"

    def path(self) -> list[str]:
        """The BPMN elements the complaint has completed, in order (the auditor's view)."""
        response = self.client.get(
            f"/api/v1/cases/{self.id}/state", headers=bearer(self.tokens["auditor"])
        )
        assert response.status_code == 200, response.json
        return response.json["path"]


def inbox(client, token: str, case_id: str) -> list[tuple[str, str | None]]:
    response = client.get("/api/v1/tasks", headers=bearer(token))
    assert response.status_code == 200, response.json
    return [(t["bpmn_id"], t["due_at"]) for t in response.json if t["case_id"] == case_id]


def test_an_upheld_complaint_goes_to_the_policy_owner_then_the_complainant(
    client, tokens, clock, stalking_case
):
    complaint = Complaint(client, tokens, {**COMPLAINT, "complaint_case_id": stalking_case.id})
    assert complaint.last["process_id"] == "psd_complaint"
    assert complaint.data["complaint_case_id"] == stalking_case.id
    assert complaint.data["psd_assessment_due_at"] == DUE.isoformat()
    assert complaint.open_tasks == [("psd_assessment", "PSD")]
    assert inbox(client, tokens["psd"], complaint.id) == [("psd_assessment", DUE.isoformat())]
    for role in ("policy", "investigator", "sergeant"):
        assert inbox(client, tokens[role], complaint.id) == []
    english, welsh = complaint.instructions("psd_assessment", "psd")
    assert stalking_case.id in english and stalking_case.id in welsh
    assert "due by **31 December 2026, 09:15**" in english
    assert "erbyn **31 Rhagfyr 2026, 09:15**" in welsh
    assert "The complainant has asked for Welsh." in english

    clock.move_to(T0 + timedelta(days=9))
    complaint.complete("psd_assessment", "psd", UPHELD)
    assert complaint.open_tasks == [("psd_learning_actions", "Policy Owner")]
    assert complaint.data["psd_standards_not_met"] == ["risk_assessed", "victim_informed"]
    assert complaint.data["psd_assessed_within_time"] is True
    assert inbox(client, tokens["psd"], complaint.id) == []
    assert inbox(client, tokens["policy"], complaint.id) == [("psd_learning_actions", None)]
    english, welsh = complaint.instructions("psd_learning_actions", "policy")
    assert (
        "Standards not met: risk assessed, with a risk plan; "
        "victim kept informed under the Victims' Code." in english
    )
    assert "Safonau heb eu bodloni: risg wedi'i hasesu, gyda chynllun risg;" in welsh

    complaint.complete("psd_learning_actions", "policy", LEARNING_ACTIONS)
    assert complaint.open_tasks == [("psd_complainant_informed", "PSD")]
    assert inbox(client, tokens["policy"], complaint.id) == []
    assert inbox(client, tokens["psd"], complaint.id) == [("psd_complainant_informed", None)]
    english, welsh = complaint.instructions("psd_complainant_informed", "psd")
    assert "complaint **PSD/2026/0042**: upheld." in english
    assert LEARNING_ACTIONS["learning_actions"] in english and "tell them in Welsh" in english
    assert "wedi'i chadarnhau." in welsh and "dywedwch wrtho yn Gymraeg" in welsh

    clock.move_to(T0 + timedelta(days=13, hours=2))
    complaint.complete("psd_complainant_informed", "psd", INFORMED)
    assert complaint.last["status"] == "completed"
    assert complaint.open_tasks == []
    assert complaint.data["complaint_case_id"] == stalking_case.id
    assert complaint.data["standard_risk_assessed_note"] == UPHELD["standard_risk_assessed_note"]
    assert complaint.data["learning_action_owner"] == "DI Rhys Morgan, Vulnerability Hub"
    assert complaint.data["complainant_informed_language"] == "cy"
    path = complaint.path()
    assert [step for step in path if not step.startswith("gw_")] == [
        "complaint_received",
        "set_psd_assessment_due",
        "psd_assessment",
        "psd_learning_actions",
        "psd_complainant_informed",
        "end_complaint_upheld_with_learning",
    ]

    # The complaint links to the case it concerns; that case carries on untouched.
    linked = client.get(
        f"/api/v1/cases/{complaint.data['complaint_case_id']}", headers=bearer(tokens["reader"])
    )
    assert linked.status_code == 200
    assert linked.json["process_id"] == "stalking_harassment"
    assert [t["bpmn_id"] for t in linked.json["open_tasks"]] == ["live_time_review"]


def test_a_complaint_not_upheld_skips_the_policy_owner(client, tokens, clock, stalking_case):
    data = {**COMPLAINT, "complaint_case_id": stalking_case.id, "complaint_language": "en"}
    complaint = Complaint(client, tokens, data)
    clock.move_to(DUE + timedelta(hours=1))  # an hour late
    complaint.complete("psd_assessment", "psd", NOT_UPHELD)
    assert complaint.data["psd_standards_not_met"] == []
    assert complaint.data["psd_assessed_within_time"] is False
    assert complaint.open_tasks == [("psd_complainant_informed", "PSD")]
    assert inbox(client, tokens["policy"], complaint.id) == []
    english, _ = complaint.instructions("psd_complainant_informed", "psd")
    assert "not upheld." in english and "What the force is doing" not in english

    informed = {
        **INFORMED,
        "complainant_informed_at": "2027-01-04T10:00:00Z",
        "complainant_informed_language": "en",
    }
    clock.move_to(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
    complaint.complete("psd_complainant_informed", "psd", informed)
    assert complaint.last["status"] == "completed"
    path = complaint.path()
    assert "psd_learning_actions" not in path
    assert path[-1] == "end_complaint_not_upheld"
    assert "end_complaint_upheld_with_learning" not in path
    statuses = client.get(
        f"/api/v1/tasks?case={complaint.id}&status=all", headers=bearer(tokens["policy"])
    ).json
    assert statuses == []  # the Policy Owner never had a task


def test_an_outcome_must_agree_with_the_standards(client, tokens, clock, stalking_case):
    complaint = Complaint(client, tokens, {**COMPLAINT, "complaint_case_id": stalking_case.id})
    task, role = "psd_assessment", "psd"

    message = refused(
        complaint.submit(task, role, {**UPHELD, "psd_outcome": "not_upheld"}), "psd_outcome"
    )
    assert message.startswith("Outcome: a complaint cannot be not upheld while a standard is")
    welsh = refused(
        complaint.submit(task, role, {**UPHELD, "psd_outcome": "not_upheld"}, WELSH), "psd_outcome"
    )
    assert welsh.startswith("Canlyniad: ni ellir peidio â chadarnhau cwyn")

    upheld_all_met = {**ALL_MET, **{k: UPHELD[k] for k in ("psd_outcome_reason", "psd_learning")}}
    for outcome in ("upheld", "partly_upheld"):
        message = refused(
            complaint.submit(task, role, {**upheld_all_met, "psd_outcome": outcome}), "psd_outcome"
        )
        assert "only be upheld or partly upheld when at least one standard is not met" in message

    no_learning = {k: v for k, v in UPHELD.items() if k != "psd_learning"}
    message = refused(complaint.submit(task, role, no_learning), "psd_learning")
    assert message.startswith("Learning: required when the complaint is upheld")
    no_note = {k: v for k, v in UPHELD.items() if k != "standard_victim_informed_note"}
    message = refused(complaint.submit(task, role, no_note), "standard_victim_informed_note")
    assert message.startswith("Victim kept informed under the Victims' Code: what fell short")

    refused(
        complaint.submit(task, role, {**UPHELD, "standard_risk_assessed": "partly_met"}),
        "standard_risk_assessed",
    )
    refused(complaint.submit(task, role, {**UPHELD, "psd_outcome": "withdrawn"}), "psd_outcome")
    assert complaint.open_tasks == [("psd_assessment", "PSD")]
    complaint.complete(task, role, {**UPHELD, "psd_outcome": "partly_upheld"})
    assert complaint.open_tasks == [("psd_learning_actions", "Policy Owner")]


def test_bad_complaints_are_refused_at_the_start(client, tokens, clock, stalking_case):
    good = {**COMPLAINT, "complaint_case_id": stalking_case.id}
    future = {**good, "complaint_received_at": "2026-12-01T10:05:00Z"}
    assert refused(start(client, tokens, future), "complaint_received_at") == (
        "Complaint received at: the time cannot be in the future. "
        "Record when the complaint reached the force."
    )
    welsh = refused(start(client, tokens, future, headers=WELSH), "complaint_received_at")
    assert welsh.startswith("Amser derbyn y gŵyn: ni all yr amser fod yn y dyfodol.")
    not_an_id = refused(
        start(client, tokens, {**good, "complaint_case_id": "DP-20261128-0042"}),
        "complaint_case_id",
    )
    assert "write it as an id" in not_an_id
    # The complaint must name a case Gwarchod holds.
    unknown = {**good, "complaint_case_id": "0d7454bf-d920-4026-9bcc-8c787b458c58"}
    assert "there is no case with this id" in refused(
        start(client, tokens, unknown), "complaint_case_id"
    )
    welsh = refused(start(client, tokens, unknown, headers=WELSH), "complaint_case_id")
    assert "nid oes achos gyda'r dynodwr hwn" in welsh
    refused(start(client, tokens, {**good, "complaint_language": "fr"}), "complaint_language")
    without_case = {k: v for k, v in good.items() if k != "complaint_case_id"}
    refused(start(client, tokens, without_case), "complaint_case_id")

    # Only PSD records complaints.
    assert start(client, tokens, good, role="investigator").status_code == 403
    assert start(client, tokens, good).status_code == 201


def test_only_psd_completes_the_assessment_and_tells_the_complainant(
    client, tokens, clock, stalking_case
):
    complaint = Complaint(client, tokens, {**COMPLAINT, "complaint_case_id": stalking_case.id})
    # The Sergeant reads every case but works another lane; to the Policy Owner and a Call
    # Handler, who have no part in it yet, the complaint does not exist.
    assert complaint.submit("psd_assessment", "sergeant", UPHELD).status_code == 403
    for role in ("policy", "call_handler"):
        assert complaint.submit("psd_assessment", role, UPHELD).status_code == 404
    complaint.complete("psd_assessment", "psd", UPHELD)
    assert complaint.submit("psd_learning_actions", "psd", LEARNING_ACTIONS).status_code == 403
    complaint.complete("psd_learning_actions", "policy", LEARNING_ACTIONS)
    assert complaint.submit("psd_complainant_informed", "policy", INFORMED).status_code == 403

    clock.move_to(T0 + timedelta(days=14))
    task = "psd_complainant_informed"
    english = refused(
        complaint.submit(task, "psd", {**INFORMED, "complainant_informed_language": "en"}),
        "complainant_informed_language",
    )
    assert english.startswith("Language used: the complainant is told in the language they")
    early = {**INFORMED, "complainant_informed_at": "2026-12-01T09:00:00Z"}
    message = refused(complaint.submit(task, "psd", early), "complainant_informed_at")
    assert "before the complaint was received" in message
    complaint.complete(task, "psd", INFORMED)
    assert complaint.last["status"] == "completed"


def test_learning_actions_need_their_details(client, tokens, clock, stalking_case):
    complaint = Complaint(client, tokens, {**COMPLAINT, "complaint_case_id": stalking_case.id})
    complaint.complete("psd_assessment", "psd", UPHELD)
    task, role = "psd_learning_actions", "policy"
    no_training = {k: v for k, v in LEARNING_ACTIONS.items() if k != "learning_training"}
    message = refused(complaint.submit(task, role, no_training), "learning_training")
    assert message.startswith("Training: required when training is needed.")
    policy = {**LEARNING_ACTIONS, "learning_policy_change_needed": True}
    welsh = refused(complaint.submit(task, role, policy, WELSH), "learning_policy_change")
    assert welsh.startswith("Newid i'r polisi: mae'n ofynnol")
    past = {**LEARNING_ACTIONS, "learning_actions_due": "2026-11-30"}
    refused(complaint.submit(task, role, past), "learning_actions_due")
    complaint.complete(task, role, {**LEARNING_ACTIONS, "learning_actions_due": "2026-12-01"})
    assert complaint.open_tasks == [("psd_complainant_informed", "PSD")]


# --- the files themselves (small: the main diagram's file checks cover the conventions) ---------

DIAGRAM = PROJECT_ROOT / "bpmn" / "psd_complaint.bpmn"
FORM_NAMES = {
    "complaint_received": "psd_complaint_received",
    "psd_assessment": "psd_assessment",
    "psd_learning_actions": "psd_learning_actions",
    "psd_complainant_informed": "psd_complainant_informed",
}


def _box(tree, element_id: str) -> tuple[float, float, float, float]:
    bounds = tree.find(f".//bpmndi:BPMNShape[@bpmnElement='{element_id}']/dc:Bounds", NS)
    assert bounds is not None, f"no shape for {element_id}"
    x, y, w, h = (float(bounds.get(k)) for k in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def test_the_diagram_is_laid_out_in_role_lanes():
    """Opens readably in bpmn.io: every node drawn inside its lane, none overlapping, every
    flow drawn from its source to its target, everything named."""
    tree = etree.parse(str(DIAGRAM))
    process = tree.find("bpmn:process[@id='psd_complaint']", NS)
    nodes = [
        c for c in process if isinstance(c.tag, str) and etree.QName(c).localname in FLOW_NODE_TAGS
    ]
    boxes = {}
    for lane in process.findall("bpmn:laneSet/bpmn:lane", NS):
        assert lane.get("name") in SHIPPED.lanes
        lx1, ly1, lx2, ly2 = _box(tree, lane.get("id"))
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            x1, y1, x2, y2 = boxes[ref.text] = _box(tree, ref.text)
            assert lx1 <= x1 and x2 <= lx2 and ly1 <= y1 and y2 <= ly2, ref.text
    assert sorted(boxes) == sorted(node.get("id") for node in nodes)
    ids = sorted(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            ax1, ay1, ax2, ay2 = boxes[a]
            bx1, by1, bx2, by2 = boxes[b]
            assert ax2 <= bx1 or bx2 <= ax1 or ay2 <= by1 or by2 <= ay1, f"{a} overlaps {b}"
    flows = process.findall("bpmn:sequenceFlow", NS)
    for element in nodes + flows:
        assert (element.get("name") or "").strip(), element.get("id")
    for flow in flows:
        edge = tree.find(f".//bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']", NS)
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", NS)]
        for (x, y), end in ((points[0], "sourceRef"), (points[-1], "targetRef")):
            x1, y1, x2, y2 = boxes[flow.get(end)]
            assert x1 <= x <= x2 and y1 <= y <= y2, f"{flow.get('id')} {end}"
    for node in nodes:
        if node.get("id") in FORM_NAMES:
            form = FORM_NAMES[node.get("id")]
            properties = node.find("bpmn:extensionElements/spiffworkflow:properties", NS)
            values = {p.get("name"): p.get("value") for p in properties}
            assert values["formJsonSchemaFilename"] == f"{form}.schema.json"
            assert values["formUiSchemaFilename"] == f"{form}.uischema.json"


@pytest.mark.parametrize("node_id", list(FORM_NAMES))
def test_every_form_is_complete_in_welsh(node_id):
    name = FORM_NAMES[node_id]
    forms = PROJECT_ROOT / "forms"
    schema = json.loads((forms / f"{name}.schema.json").read_text(encoding="utf-8"))
    ui = json.loads((forms / f"{name}.uischema.json").read_text(encoding="utf-8"))
    welsh = json.loads((forms / f"{name}.cy.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False and schema["required"]
    assert ui["ui:order"] == list(schema["properties"])
    for part, english, keys in (
        ("schema", schema, SCHEMA_TEXT_KEYS),
        ("uischema", ui, UI_TEXT_KEYS),
    ):
        expected = dict(translatable(english, keys))
        assert set(welsh[part]) == set(expected), part
        for pointer, text in welsh[part].items():
            assert text.strip() and text != resolve_pointer(english, pointer), pointer
    tree = etree.parse(str(DIAGRAM))
    template = tree.findtext(
        f".//bpmn:*[@id='{node_id}']/bpmn:extensionElements/spiffworkflow:instructionsForEndUser",
        None,
        NS,
    )
    if node_id == "complaint_received":
        assert template is None and "instructions" not in welsh
        return
    env = jinja2.Environment()
    env.filters["london"] = str  # the service's filter; only parsed here
    english_names = jinja2.meta.find_undeclared_variables(env.parse(template))
    welsh_names = jinja2.meta.find_undeclared_variables(env.parse(welsh["instructions"]))
    assert english_names == welsh_names and welsh["instructions"] != template
