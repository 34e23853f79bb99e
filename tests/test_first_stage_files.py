"""Checks for the stalking and harassment diagram's files, stage by stage.

Covers the BPMN diagram (parsing, lanes, diagram interchange, conditions), its decision tables,
its forms (JSON Schema Draft 2020-12 conventions, sample data, Welsh translations) and a run of
the first stage on SpiffWorkflow's default engine. Later stages run through the API, in the
sandbox, in tests/test_lifecycle_first_response.py.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
import time_machine
from jsonschema import Draft202012Validator, FormatChecker
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from workflows.diagram_functions import DIAGRAM_FUNCTIONS
from workflows.timer_text import as_engine_expression

ROOT = Path(__file__).resolve().parents[1]
BPMN_FILE = ROOT / "bpmn" / "stalking_harassment.bpmn"
DMN_FILES = sorted((ROOT / "bpmn").glob("*.dmn"))
FORMS = ROOT / "forms"
PROCESS_ID = "stalking_harassment"

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
FLOW_NODE_TAGS = (
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "subProcess",
    "exclusiveGateway",
    "inclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
)
FORM_NAMES = (
    "call_receipt",
    "live_time_review",
    "first_response",
    "risk_assessment",
    "crime_recording",
    "marac_referral",
    "live_review_escalation",
    "investigation_plan",
    "sergeant_review",
    "victim_update_crime_recorded",
    "victim_contact_overdue",
    "srau_call_review",
)
# User tasks (and the start event) and the form each names.
TASK_FORMS = {
    "call_received": "call_receipt",
    "live_time_review": "live_time_review",
    "first_response": "first_response",
    "risk_assessment": "risk_assessment",
    "crime_recording": "crime_recording",
    "marac_referral": "marac_referral",
    "live_review_escalation": "live_review_escalation",
    "investigation_plan": "investigation_plan",
    "sergeant_review": "sergeant_review",
    "time_limit_warning_investigator": "time_limit_warning_investigator",
    "time_limit_warning_sergeant": "time_limit_warning_sergeant",
    "victim_update_crime_recorded": "victim_update_crime_recorded",
    "victim_contact_overdue": "victim_contact_overdue",
    "suspect_management": "suspect_management",
    "safeguarding_referrals": "safeguarding_referrals",
    "inspector_review": "inspector_review",
    "cps_file_submission": "cps_file_submission",
    "cps_charging_decision": "charging_decision",
    "police_charging_decision": "charging_decision",
    "victim_letter_charge": "victim_letter",
    "court_outcome": "court_outcome",
    "victim_letter_restraining_order": "victim_letter",
    "nfa_review": "nfa_review",
    "victim_letter_nfa": "victim_letter",
    "srau_call_review": "srau_call_review",
    "srau_closure_review": "srau_closure_review",
    "missed_offence_recording": "missed_offence_recording",
    "case_closure": "case_closure",
}
LANES = {
    "Call Handler": {"call_received"},
    "Vulnerability Desk": {"live_time_review"},
    "Sergeant": {
        "live_review_escalation",
        "sergeant_review [child]",
        "time_limit_warning_sergeant",
        "victim_contact_overdue",
        "nfa_review",
        "case_closure",
    },
    "Attending Officer": {
        "first_response",
        "risk_assessment",
        "crime_recording",
        "safeguarding_referrals",
    },
    "MARAC Unit": {"marac_referral"},
    "Investigator": {
        "investigation_plan",
        "time_limit_warning_investigator",
        "victim_update_crime_recorded",
        "suspect_management",
        "cps_file_submission",
        "victim_letter_charge",
        "court_outcome",
        "victim_letter_restraining_order",
        "victim_letter_nfa",
        "missed_offence_recording",
    },
    "Inspector": {"inspector_review", "police_charging_decision"},
    "CPS Liaison": {"cps_charging_decision"},
    "SRAU": {"srau_call_review", "srau_closure_review"},
}
DECISIONS = {
    "grade_risk": "risk_grading",
    "classify_offence": "offence_classification",
    "decide_marac_referral": "marac_referral",
    "decide_victim_contact_deadline": "victim_contact_deadline",
    "decide_charging_authority": "charging_authority",
}
SCHEMA_TEXT_KEYS = frozenset({"title", "description"})
UI_TEXT_KEYS = frozenset({"ui:help", "ui:placeholder", "ui:title", "ui:description"})
# Proper nouns and codes that read the same in Welsh and English.
SAME_IN_WELSH = frozenset({"STORM", "s2", "s2A", "s4", "s4A", "MARAC", "S-DASH", "DASH"})

CALL = {
    "storm_reference": "DP-20240517-0123",
    "reported_at": "2024-05-17T21:14:00+01:00",
    "caller": {
        "name": "Sian Evans",
        "phone": "+44 1267 555 0100",
        "relationship_to_victim": "victim",
    },
    "location": "12 Heol y Bont, Caerfyrddin SA31 1AA",
    "summary": "Former partner has waited outside her work every day this week and keeps phoning.",
    "flags": ["stalking", "domestic_abuse"],
    "prior_incidents": ["DP-20240502-0877", "DP-20240509-0412"],
    "victim_language": "cy",
}
REVIEW_OFFENCES = {
    "offences_disclosed": True,
    "pha_sections": ["s2A", "s4A"],
    "first_response": "immediate_attendance",
    "review_notes": "Repeated unwanted contact and loitering at work: stalking.",
}
REVIEW_NO_OFFENCE = {
    "offences_disclosed": False,
    "first_response": "no_police_action",
    "review_notes": "Single neighbour dispute, no course of conduct.",
}


# --- helpers -------------------------------------------------------------------------------------


def bpmn_tag(name: str) -> str:
    return f"{{{NS['bpmn']}}}{name}"


@pytest.fixture(scope="module")
def tree() -> etree._ElementTree:
    return etree.parse(str(BPMN_FILE))


@pytest.fixture(scope="module")
def process(tree):
    return tree.find(f"bpmn:process[@id='{PROCESS_ID}']", NS)


@pytest.fixture(scope="module")
def spec():
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_dmn_files([str(path) for path in DMN_FILES])
    parser.add_bpmn_file(str(BPMN_FILE))
    spec = parser.get_spec(PROCESS_ID)
    # Timers are written as plain ISO 8601 (PT30M), which the catalog quotes for the engine.
    for task_spec in spec.task_specs.values():
        timer = getattr(task_spec, "event_definition", None)
        if timer is not None and getattr(timer, "expression", None) is not None:
            timer.expression = as_engine_expression(timer.expression, "timeDuration")
    return spec


def flow_nodes(process) -> list:
    return [child for child in process if child.tag in {bpmn_tag(t) for t in FLOW_NODE_TAGS}]


def load_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def schema(name: str) -> dict:
    return load_json(FORMS / f"{name}.schema.json")


def uischema(name: str) -> dict:
    return load_json(FORMS / f"{name}.uischema.json")


def welsh(name: str) -> dict:
    return load_json(FORMS / f"{name}.cy.json")


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def resolve_pointer(document, pointer: str):
    """Resolve an RFC 6901 JSON pointer, raising KeyError/IndexError if it does not resolve."""
    assert pointer.startswith("/"), pointer
    node = document
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def translatable(node, keys: frozenset[str], pointer: str = "", in_properties: bool = False):
    """Yield (pointer, text) for every translatable string.

    Inside a JSON Schema ``properties`` map the keys are field names, not keywords, so a field
    called ``title`` is not mistaken for a title.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{pointer}/{escape_pointer_token(key)}"
            if not in_properties and key in keys and isinstance(value, str):
                yield child, value
            else:
                nested_properties = (
                    keys is SCHEMA_TEXT_KEYS and not in_properties and key == "properties"
                )
                yield from translatable(value, keys, child, nested_properties)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from translatable(value, keys, f"{pointer}/{index}")


def instructions(process, task_id: str) -> str:
    node = process.find(
        f"bpmn:*[@id='{task_id}']/bpmn:extensionElements/spiffworkflow:instructionsForEndUser", NS
    )
    assert node is not None, f"{task_id} has no instructionsForEndUser"
    return node.text


def form_property(element, name: str) -> str | None:
    prop = element.find(
        f"bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name='{name}']",
        NS,
    )
    return None if prop is None else prop.get("value")


# --- diagram -------------------------------------------------------------------------------------


def test_diagram_parses_with_spiff_parser(spec):
    assert spec.name == PROCESS_ID
    assert spec.description == "Stalking and harassment case"
    for task_id in (
        "call_received",
        "live_time_review",
        "gw_offences_disclosed",
        "end_no_offence_call_recorded",
        "first_response",
        "assess_course_of_conduct",
        "risk_assessment",
        "grade_risk",
        "crime_recording",
        "classify_offence",
        "decide_marac_referral",
        "gw_marac_referral",
        "marac_referral",
        "gw_marac_referral_done",
        "investigation_plan",
        "sergeant_review",
        "gw_review_decision",
        "live_review_sla",
        "live_review_escalation",
        "end_escalation_handled",
        "decide_victim_contact_deadline",
        "set_victim_contact_due",
        "victim_update_crime_recorded",
        "victim_contact_sla",
        "victim_contact_overdue",
        "end_victim_updated",
        "end_victim_contact_escalated",
    ):
        assert task_id in spec.task_specs


def test_one_executable_process_in_a_single_pool(tree, process):
    processes = tree.findall("bpmn:process", NS)
    assert len(processes) == 1
    assert process.get("isExecutable") == "true"
    participants = tree.findall("bpmn:collaboration/bpmn:participant", NS)
    assert len(participants) == 1
    assert participants[0].get("processRef") == PROCESS_ID


def test_lanes_are_role_names_and_hold_every_flow_node(process, spec):
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    assert [lane.get("name") for lane in lanes] == list(LANES)
    refs = [ref.text for lane in lanes for ref in lane.findall("bpmn:flowNodeRef", NS)]
    assert sorted(refs) == sorted(node.get("id") for node in flow_nodes(process))
    for lane, task_ids in LANES.items():
        for task_id in task_ids:
            assert spec.task_specs[task_id].lane == lane, task_id
    assert spec.task_specs["end_case_closed"].lane == "Sergeant"


def test_business_rule_tasks_call_the_decision_tables(process):
    tasks = process.findall("bpmn:businessRuleTask", NS)
    assert {task.get("id") for task in tasks} == set(DECISIONS)
    decision_ids = {
        decision.get("id")
        for path in DMN_FILES
        for decision in etree.parse(str(path)).getroot()
        if etree.QName(decision).localname == "decision"
    }
    for task in tasks:
        called = task.findtext("bpmn:extensionElements/spiffworkflow:calledDecisionId", None, NS)
        assert called == DECISIONS[task.get("id")]
        assert called in decision_ids


def test_decision_tables_use_dmn_13():
    assert {path.name for path in DMN_FILES} >= {
        "risk_grading.dmn",
        "offence_classification.dmn",
        "marac_referral.dmn",
        "victim_contact_deadline.dmn",
    }
    for path in DMN_FILES:
        root = etree.parse(str(path)).getroot()
        assert root.tag == "{https://www.omg.org/spec/DMN/20191111/MODEL/}definitions", path


def test_every_element_has_a_human_name(tree, process):
    named = flow_nodes(process) + process.findall("bpmn:sequenceFlow", NS)
    named += process.findall("bpmn:laneSet/bpmn:lane", NS)
    named += tree.findall("bpmn:collaboration/bpmn:participant", NS)
    for element in named:
        assert (element.get("name") or "").strip(), f"{element.get('id')} has no name"


def test_the_live_time_review_sla_is_a_boundary_timer(process):
    events = [timer.getparent() for timer in process.findall(".//bpmn:timerEventDefinition", NS)]
    boundary = [e for e in events if e.tag == bpmn_tag("boundaryEvent")]
    assert {e.get("id") for e in boundary} == {"live_review_sla", "victim_contact_sla"}
    [event] = [e for e in boundary if e.get("id") == "live_review_sla"]
    assert event.tag == bpmn_tag("boundaryEvent")
    assert event.get("id") == "live_review_sla"
    assert event.get("attachedToRef") == "live_time_review"
    assert event.get("cancelActivity") == "false"  # the review stays open
    duration = event.findtext("bpmn:timerEventDefinition/bpmn:timeDuration", None, NS)
    assert duration.strip() == "PT30M"
    review = process.find("bpmn:userTask[@id='live_time_review']", NS)
    assert form_property(review, "dueIn") == duration.strip()
    [flow] = process.findall("bpmn:sequenceFlow[@sourceRef='live_review_sla']", NS)
    assert flow.get("targetRef") == "live_review_escalation"
    [end] = process.findall("bpmn:sequenceFlow[@sourceRef='live_review_escalation']", NS)
    assert end.get("targetRef") == "end_escalation_handled"
    for task_id in ("first_response", "risk_assessment", "crime_recording", "marac_referral"):
        task = process.find(f"bpmn:userTask[@id='{task_id}']", NS)
        assert form_property(task, "dueIn") is None and form_property(task, "dueAt") is None


def test_every_flow_node_and_sequence_flow_has_diagram_interchange(tree, process):
    plane = tree.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}

    pool_and_lanes = [tree.find("bpmn:collaboration/bpmn:participant", NS)]
    pool_and_lanes += process.findall("bpmn:laneSet/bpmn:lane", NS)
    for element in pool_and_lanes + flow_nodes(process):
        shape = shapes.get(element.get("id"))
        assert shape is not None, f"no shape for {element.get('id')}"
        assert shape.find("dc:Bounds", NS) is not None
    for flow in process.findall("bpmn:sequenceFlow", NS):
        edge = edges.get(flow.get("id"))
        assert edge is not None, f"no edge for {flow.get('id')}"
        assert len(edge.findall("di:waypoint", NS)) >= 2


def _bounds(tree, element_id):
    shape = tree.find(f".//bpmndi:BPMNShape[@bpmnElement='{element_id}']/dc:Bounds", NS)
    x, y, w, h = (float(shape.get(k)) for k in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def _attached(process) -> dict[str, str]:
    """Boundary event id -> the id of the activity it is attached to."""
    return {
        event.get("id"): event.get("attachedToRef")
        for event in process.findall("bpmn:boundaryEvent", NS)
    }


def test_layout_keeps_nodes_inside_their_lane_without_overlaps(tree, process):
    boxes = {}
    for lane in process.findall("bpmn:laneSet/bpmn:lane", NS):
        lx1, ly1, lx2, ly2 = _bounds(tree, lane.get("id"))
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            x1, y1, x2, y2 = boxes[ref.text] = _bounds(tree, ref.text)
            assert lx1 <= x1 and x2 <= lx2 and ly1 <= y1 and y2 <= ly2, ref.text
    attached = _attached(process)
    ids = sorted(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if attached.get(a) == b or attached.get(b) == a:
                continue  # a boundary event sits on its activity's border (checked below)
            ax1, ay1, ax2, ay2 = boxes[a]
            bx1, by1, bx2, by2 = boxes[b]
            assert ax2 <= bx1 or bx2 <= ax1 or ay2 <= by1 or by2 <= ay1, f"{a} overlaps {b}"


def test_boundary_events_sit_on_their_activitys_border(tree, process):
    attached = _attached(process)
    assert attached == {
        "live_review_sla": "live_time_review",
        "victim_contact_sla": "victim_update_crime_recorded",
        "bail_ended_at_decision": "bail_management",
    }
    for event_id, activity_id in attached.items():
        ex1, ey1, ex2, ey2 = _bounds(tree, event_id)
        ax1, ay1, ax2, ay2 = _bounds(tree, activity_id)
        cx, cy = (ex1 + ex2) / 2, (ey1 + ey2) / 2
        on_side = ax1 <= cx <= ax2 and cy in (ay1, ay2)
        on_end = ay1 <= cy <= ay2 and cx in (ax1, ax2)
        assert on_side or on_end, f"{event_id} is not on the border of {activity_id}"


def test_edges_start_and_end_on_their_shapes(tree, process):
    """Each edge's first and last waypoints touch its source's and target's shapes."""

    def touches(point, box):
        x, y = point
        x1, y1, x2, y2 = box
        return x1 <= x <= x2 and y1 <= y <= y2

    for flow in process.findall("bpmn:sequenceFlow", NS):
        edge = tree.find(f".//bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']", NS)
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", NS)]
        assert touches(points[0], _bounds(tree, flow.get("sourceRef"))), flow.get("id")
        assert touches(points[-1], _bounds(tree, flow.get("targetRef"))), flow.get("id")


@pytest.mark.parametrize(
    "gateway_id",
    ["gw_offences_disclosed", "gw_marac_referral", "gw_review_decision", "gw_summary_only"],
)
def test_gateway_conditions_are_sandbox_safe(process, gateway_id):
    gateway = process.find(f"bpmn:exclusiveGateway[@id='{gateway_id}']", NS)
    outgoing = process.findall(f"bpmn:sequenceFlow[@sourceRef='{gateway_id}']", NS)
    assert len(outgoing) == 2
    default = gateway.get("default")
    assert default in {flow.get("id") for flow in outgoing}
    for flow in outgoing:
        condition = flow.find("bpmn:conditionExpression", NS)
        if flow.get("id") == default:
            assert condition is None
            continue
        tree = ast.parse(condition.text.strip(), mode="eval")
        for node in ast.walk(tree):
            assert not isinstance(node, ast.Import | ast.ImportFrom)
            name = getattr(node, "id", None) or getattr(node, "attr", None)
            assert not (name or "").startswith("_"), condition.text


# --- forms named by the diagram ------------------------------------------------------------------


def test_start_event_and_user_tasks_name_existing_forms(process):
    elements = process.findall("bpmn:startEvent", NS) + process.findall("bpmn:userTask", NS)
    expected = TASK_FORMS
    assert {e.get("id") for e in elements} == set(expected)
    for element in elements:
        name = expected[element.get("id")]
        schema_file = form_property(element, "formJsonSchemaFilename")
        ui_file = form_property(element, "formUiSchemaFilename")
        assert schema_file == f"{name}.schema.json"
        assert ui_file == f"{name}.uischema.json"
        assert (FORMS / schema_file).is_file()
        assert (FORMS / ui_file).is_file()
        assert (FORMS / f"{name}.cy.json").is_file()


def test_instructions_render_from_call_data_in_both_languages(process):
    english = instructions(process, "live_time_review")
    cymraeg = welsh("live_time_review")["instructions"]
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    fields = set(schema("call_receipt")["properties"])
    english_vars = jinja2.meta.find_undeclared_variables(env.parse(english))
    welsh_vars = jinja2.meta.find_undeclared_variables(env.parse(cymraeg))
    assert english_vars == welsh_vars
    assert english_vars <= fields
    rendered_en = env.from_string(english).render(**CALL)
    rendered_cy = env.from_string(cymraeg).render(**CALL)
    assert "DP-20240517-0123" in rendered_en and "DP-20240517-0123" in rendered_cy
    assert "stalking, domestic abuse" in rendered_en
    assert "stelcio, cam-drin domestig" in rendered_cy
    minimal = {k: v for k, v in CALL.items() if k != "prior_incidents"}
    env.from_string(english).render(**minimal)
    env.from_string(cymraeg).render(**minimal)


@pytest.mark.parametrize("task_id", [t for t in TASK_FORMS if t != "call_received"])
def test_every_user_task_has_instructions_in_both_languages(process, task_id):
    english = instructions(process, task_id)
    cymraeg = welsh(TASK_FORMS[task_id])["instructions"]
    assert english.strip() and cymraeg.strip() and english != cymraeg
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters["london"] = str  # the service's filter; only parsed here
    english_vars = jinja2.meta.find_undeclared_variables(env.parse(english))
    welsh_vars = jinja2.meta.find_undeclared_variables(env.parse(cymraeg))
    assert english_vars == welsh_vars


def test_start_form_has_no_instructions(process):
    assert process.find(".//bpmn:startEvent//spiffworkflow:instructionsForEndUser", NS) is None
    assert "instructions" not in welsh("call_receipt")


# --- schema conventions --------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORM_NAMES)
def test_schema_follows_catalog_conventions(name):
    form = schema(name)
    Draft202012Validator.check_schema(form)
    assert form["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert form["type"] == "object"
    assert form["additionalProperties"] is False
    assert form["required"]
    assert form["title"] and form["description"]
    for field, prop in form["properties"].items():
        assert prop.get("title") and prop.get("description"), field
        for choice in prop.get("oneOf", []) + prop.get("items", {}).get("oneOf", []):
            assert "const" in choice and choice.get("title"), field
        assert "enum" not in prop and "enum" not in prop.get("items", {}), field


@pytest.mark.parametrize("name", FORM_NAMES)
def test_uischema_orders_every_field(name):
    assert uischema(name)["ui:order"] == list(schema(name)["properties"])


RFC3339_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
# jsonschema only checks "date-time" when the optional rfc3339-validator is installed, so the
# tests bring their own RFC 3339 check rather than depend on it.
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339_DATE_TIME.match(value):
        return False
    datetime.fromisoformat(value.replace("z", "Z"))
    return True


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), format_checker=FORMATS)


def test_call_receipt_accepts_valid_calls():
    validator("call_receipt").validate(CALL)
    minimal = {k: v for k, v in CALL.items() if k != "prior_incidents"}
    minimal["caller"] = {"name": "Anonymous neighbour"}
    validator("call_receipt").validate(minimal)


def _without(data: dict, key: str) -> dict:
    return {k: v for k, v in data.items() if k != key}


def _with(data: dict, **changes) -> dict:
    result = copy.deepcopy(data)
    result.update(changes)
    return result


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(_without(CALL, "storm_reference"), id="missing-storm-reference"),
        pytest.param(_without(CALL, "victim_language"), id="missing-language"),
        pytest.param(_with(CALL, caller={"phone": "01267 555010"}), id="caller-without-name"),
        pytest.param(_with(CALL, pin_issued=True), id="unknown-field"),
        pytest.param(_with(CALL, storm_reference="dp 123"), id="bad-storm-reference"),
        pytest.param(_with(CALL, reported_at="last Tuesday"), id="bad-date-time"),
        pytest.param(_with(CALL, summary="Too short"), id="summary-too-short"),
        pytest.param(_with(CALL, flags=[]), id="no-flags"),
        pytest.param(_with(CALL, flags=["stalking", "stalking"]), id="duplicate-flags"),
        pytest.param(_with(CALL, flags=["nuisance"]), id="wrong-flag"),
        pytest.param(_with(CALL, victim_language="fr"), id="wrong-language"),
        pytest.param(
            _with(CALL, caller={"name": "A", "relationship_to_victim": "suspect"}),
            id="wrong-relationship",
        ),
    ],
)
def test_call_receipt_rejects_bad_calls(bad):
    assert list(validator("call_receipt").iter_errors(bad))


def test_live_time_review_accepts_valid_reviews():
    validator("live_time_review").validate(REVIEW_OFFENCES)
    validator("live_time_review").validate(REVIEW_NO_OFFENCE)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(_without(REVIEW_OFFENCES, "first_response"), id="missing-first-response"),
        pytest.param(_without(REVIEW_OFFENCES, "offences_disclosed"), id="missing-decision"),
        pytest.param(_without(REVIEW_OFFENCES, "pha_sections"), id="offences-without-sections"),
        pytest.param(_with(REVIEW_OFFENCES, pha_sections=[]), id="offences-with-no-sections"),
        pytest.param(_with(REVIEW_OFFENCES, pha_sections=["s5"]), id="wrong-section"),
        pytest.param(_with(REVIEW_OFFENCES, first_response="pin"), id="pin-is-not-a-response"),
        pytest.param(_with(REVIEW_OFFENCES, risk_grade="high"), id="unknown-field"),
        pytest.param(_with(REVIEW_NO_OFFENCE, pha_sections=["s2"]), id="sections-without-offence"),
        pytest.param(_with(REVIEW_OFFENCES, offences_disclosed="yes"), id="decision-not-boolean"),
        pytest.param(_with(REVIEW_OFFENCES, review_notes="x" * 5001), id="notes-too-long"),
    ],
)
def test_live_time_review_rejects_bad_reviews(bad):
    assert list(validator("live_time_review").iter_errors(bad))


ESCALATION = {
    "escalation_action": "reassigned_to_desk_officer",
    "escalation_note": "Reassigned to PC 1234 Davies, who is reviewing it now.",
}


def test_live_review_escalation_accepts_valid_actions():
    validator("live_review_escalation").validate(ESCALATION)
    for action in ("reviewed_personally", "completed_by_desk"):
        validator("live_review_escalation").validate({"escalation_action": action})
    validator("live_review_escalation").validate(
        {"escalation_action": "no_longer_required", "escalation_note": "Call flagged in error."}
    )


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({}, id="no-action"),
        pytest.param(_with(ESCALATION, escalation_action="ignored"), id="wrong-action"),
        pytest.param(_without(ESCALATION, "escalation_note"), id="reassigned-without-note"),
        pytest.param({"escalation_action": "no_longer_required"}, id="not-required-without-note"),
        pytest.param(_with(ESCALATION, escalation_note="ok"), id="note-too-short"),
        pytest.param(_with(ESCALATION, escalation_note="x" * 5001), id="note-too-long"),
        pytest.param(_with(ESCALATION, offences_disclosed=True), id="unknown-field"),
    ],
)
def test_live_review_escalation_rejects_bad_actions(bad):
    assert list(validator("live_review_escalation").iter_errors(bad))


def test_escalation_instructions_render_in_both_languages(process):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.globals.update(DIAGRAM_FUNCTIONS)
    data = {**CALL, "live_review_escalated_at": "2024-05-17T21:45:00+00:00"}
    with time_machine.travel(datetime(2024, 5, 17, 22, 7, 30, tzinfo=UTC), tick=False):
        english = env.from_string(instructions(process, "live_review_escalation")).render(**data)
        cymraeg = env.from_string(welsh("live_review_escalation")["instructions"]).render(**data)
    assert "**DP-20240517-0123**" in english and "**DP-20240517-0123**" in cymraeg
    assert "overdue since 2024-05-17T21:45:00+00:00: 22 minutes so far" in english
    assert "yn hwyr ers 2024-05-17T21:45:00+00:00: 22 munud hyd yma" in cymraeg


# --- Welsh ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORM_NAMES)
@pytest.mark.parametrize(
    ("part", "loader", "keys"),
    [
        ("schema", schema, SCHEMA_TEXT_KEYS),
        ("uischema", uischema, UI_TEXT_KEYS),
    ],
)
def test_every_string_has_a_welsh_translation(name, part, loader, keys):
    english = loader(name)
    translations = welsh(name)[part]
    expected = dict(translatable(english, keys))
    assert expected, f"{name}.{part} has no translatable strings"
    missing = sorted(set(expected) - set(translations))
    assert not missing, f"{name}.cy.json lacks {part} pointers: {missing}"
    for pointer, text in translations.items():
        target = resolve_pointer(english, pointer)
        assert pointer in expected, f"{pointer} is not a translatable string"
        assert isinstance(target, str)
        assert text.strip(), pointer
        if text == target:
            assert text in SAME_IN_WELSH, f"{pointer} is not translated: {text!r}"


@pytest.mark.parametrize("name", FORM_NAMES)
def test_welsh_file_has_only_known_sections(name):
    allowed = {"schema", "uischema", "instructions"}
    assert set(welsh(name)) <= allowed
    assert {"schema", "uischema"} <= set(welsh(name))


def test_welsh_instructions_differ_from_english(process):
    for task_id, name in TASK_FORMS.items():
        if task_id != "call_received":
            assert welsh(name)["instructions"] != instructions(process, task_id)


# --- end to end on the default engine ------------------------------------------------------------


def run_to_live_time_review(spec) -> tuple[BpmnWorkflow, object]:
    validator("call_receipt").validate(CALL)
    workflow = BpmnWorkflow(spec)
    start = workflow.get_next_task(state=TaskState.READY)
    start.data.update(copy.deepcopy(CALL))
    workflow.do_engine_steps()
    ready = workflow.get_tasks(state=TaskState.READY)
    assert [task.task_spec.name for task in ready] == ["live_time_review"]
    task = ready[0]
    assert task.task_spec.lane == "Vulnerability Desk"
    assert task.data["storm_reference"] == CALL["storm_reference"]
    return workflow, task


def completed_spec_names(workflow: BpmnWorkflow) -> set[str]:
    return {task.task_spec.name for task in workflow.get_tasks(state=TaskState.COMPLETED)}


def review_no_offence(spec) -> tuple[BpmnWorkflow, object]:
    """The desk finds no offence: the SRAU's review of the call is the one task open."""
    workflow, task = run_to_live_time_review(spec)
    validator("live_time_review").validate(REVIEW_NO_OFFENCE)
    task.data.update(copy.deepcopy(REVIEW_NO_OFFENCE))
    task.run()
    workflow.do_engine_steps()
    assert not workflow.is_completed()
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert [(t.task_spec.name, t.task_spec.lane) for t in ready] == [("srau_call_review", "SRAU")]
    return workflow, ready[0]


def test_no_offence_ends_the_case_once_the_srau_finds_none_missed(spec):
    workflow, review = review_no_offence(spec)
    finding = {"srau_call_offence_missed": False, "srau_call_notes": "Nothing was missed here."}
    validator("srau_call_review").validate(finding)
    review.data.update(finding)
    review.run()
    workflow.do_engine_steps()
    assert workflow.is_completed()
    done = completed_spec_names(workflow)
    assert {
        "call_received",
        "live_time_review",
        "gw_offences_disclosed",
        "srau_call_review",
        "gw_call_offence_missed",
        "end_no_offence_call_recorded",
    } <= done
    assert "first_response" not in {t.task_spec.name for t in workflow.get_tasks()}
    assert workflow.data.get("first_response") == REVIEW_NO_OFFENCE["first_response"]


def test_an_offence_the_srau_finds_goes_to_the_attending_officer(spec):
    workflow, review = review_no_offence(spec)
    finding = {
        "srau_call_offence_missed": True,
        "srau_call_pha_sections": ["s2A", "s4A"],
        "srau_call_first_response": "immediate_attendance",
        "srau_call_notes": "Loitering at her work every day: stalking.",
    }
    validator("srau_call_review").validate(finding)
    review.data.update(finding)
    review.run()
    workflow.do_engine_steps()
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert [(t.task_spec.name, t.task_spec.lane) for t in ready] == [
        ("first_response", "Attending Officer")
    ]
    assert ready[0].data["offences_disclosed"] is True
    assert ready[0].data["pha_sections"] == ["s2A", "s4A"]
    assert ready[0].data["first_response"] == "immediate_attendance"


def test_offences_disclosed_go_to_the_attending_officer(spec):
    workflow, task = run_to_live_time_review(spec)
    validator("live_time_review").validate(REVIEW_OFFENCES)
    task.data.update(copy.deepcopy(REVIEW_OFFENCES))
    task.run()
    workflow.do_engine_steps()
    assert not workflow.is_completed()
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert [(t.task_spec.name, t.task_spec.lane) for t in ready] == [
        ("first_response", "Attending Officer")
    ]
    assert ready[0].data["pha_sections"] == REVIEW_OFFENCES["pha_sections"]


def test_the_time_limit_warnings_wait_on_the_last_incident(process):
    """Summary-only offences only; each warning waits on its timer or on the signal a charging
    decision or no further action throws, whichever comes first."""
    expected = {
        "time_limit_4_months": (
            "add_months(last_incident_at, 4)",
            "time_limit_warning_investigator",
        ),
        "time_limit_5_months": ("add_months(last_incident_at, 5)", "time_limit_warning_sergeant"),
    }
    events = process.findall("bpmn:intermediateCatchEvent[bpmn:timerEventDefinition]", NS)
    assert {event.get("id") for event in events} == set(expected)
    for event in events:
        expression, task_id = expected[event.get("id")]
        when = event.findtext("bpmn:timerEventDefinition/bpmn:timeDate", None, NS)
        assert when.strip() == expression
        [flow] = process.findall(f"bpmn:sequenceFlow[@sourceRef='{event.get('id')}']", NS)
        assert flow.get("targetRef") == task_id
        [into] = process.findall(f"bpmn:sequenceFlow[@targetRef='{event.get('id')}']", NS)
        gateway = process.find(f"bpmn:eventBasedGateway[@id='{into.get('sourceRef')}']", NS)
        assert gateway is not None, event.get("id")
        caught = [
            process.find(f"bpmn:*[@id='{f.get('targetRef')}']", NS)
            for f in process.findall(f"bpmn:sequenceFlow[@sourceRef='{gateway.get('id')}']", NS)
        ]
        signals = [c.find("bpmn:signalEventDefinition", NS) for c in caught]
        assert [s.get("signalRef") for s in signals if s is not None] == [
            "signal_time_limit_released"
        ]
    [condition] = process.findall(
        "bpmn:sequenceFlow[@id='flow_summary_only_yes']/bpmn:conditionExpression", NS
    )
    assert condition.text.strip() == 'recorded_offence in ["s2", "s2A"]'
    throws = process.findall("bpmn:intermediateThrowEvent/bpmn:signalEventDefinition", NS)
    released = [t for t in throws if t.get("signalRef") == "signal_time_limit_released"]
    assert len(released) == 2  # at the charging decision and at confirmed no further action
    end = process.find("bpmn:endEvent[@id='end_case_closed']", NS)
    assert end.find("bpmn:terminateEventDefinition", NS) is not None


def test_the_victim_contact_is_due_by_the_victims_code_deadline(process):
    """A Victims' Code deadline: dueAt and a non-interrupting timer on the same expression,
    computed before the task (a boundary timer cannot read its own task's pre-script)."""
    [fork_flow] = process.findall(
        "bpmn:sequenceFlow[@targetRef='decide_victim_contact_deadline']", NS
    )
    assert fork_flow.get("sourceRef") == "gw_investigation_fork"
    script = process.findtext("bpmn:scriptTask[@id='set_victim_contact_due']/bpmn:script", None, NS)
    assert script.strip() == (
        "victim_contact_due_at = add_working_days(crime_recorded_at, victim_contact_working_days)"
    )
    task = process.find("bpmn:userTask[@id='victim_update_crime_recorded']", NS)
    assert form_property(task, "dueAt") == "victim_contact_due_at"
    assert task.find("bpmn:extensionElements/spiffworkflow:preScript", NS) is None
    event = process.find("bpmn:boundaryEvent[@id='victim_contact_sla']", NS)
    assert event.get("cancelActivity") == "false"  # the update stays open
    when = event.findtext("bpmn:timerEventDefinition/bpmn:timeDate", None, NS)
    assert when.strip() == "victim_contact_due_at"
    [flow] = process.findall("bpmn:sequenceFlow[@sourceRef='victim_contact_sla']", NS)
    assert flow.get("targetRef") == "victim_contact_overdue"
    for end_id in ("end_victim_updated", "end_victim_contact_escalated"):
        end = process.find(f"bpmn:endEvent[@id='{end_id}']", NS)
        assert end.find("bpmn:terminateEventDefinition", NS) is None, end_id
