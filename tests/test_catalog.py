"""The catalog validates a process owner's files as a set and reports every problem at once."""

import json

import pytest

from service.config import PROJECT_ROOT
from tests.names import with_welsh_names
from tests.roles import SHIPPED
from workflows.catalog import build_catalog, read_definition_files
from workflows.problems import DefinitionProblems

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="defs" targetNamespace="https://gwarchod.example/test">"""

FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Note",
    "type": "object",
    "additionalProperties": False,
    "properties": {"note": {"title": "Note", "type": "string"}},
}
WELSH = {"schema": {"/title": "Nodyn", "/properties/note/title": "Nodyn"}, "uischema": {}}


def form_files(name="note"):
    return {
        f"forms/{name}.schema.json": json.dumps(FORM).encode(),
        f"forms/{name}.cy.json": json.dumps(WELSH).encode(),
    }


def user_task(task_id, form="note.schema.json", extra=""):
    props = (
        f'<spiffworkflow:property name="formJsonSchemaFilename" value="{form}"/>' if form else ""
    )
    return (
        f'<bpmn:userTask id="{task_id}" name="{task_id}"><bpmn:extensionElements>'
        f"<spiffworkflow:properties>{props}</spiffworkflow:properties>{extra}"
        f"</bpmn:extensionElements></bpmn:userTask>"
    )


def process(body, lanes="", process_id="proc", executable="true"):
    return (
        f'{HEAD}<bpmn:process id="{process_id}" isExecutable="{executable}">{lanes}{body}'
        "</bpmn:process></bpmn:definitions>"
    )


def lane(name, *refs):
    nodes = "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs)
    return (
        f'<bpmn:laneSet id="ls"><bpmn:lane id="lane1" name="{name}">{nodes}'
        "</bpmn:lane></bpmn:laneSet>"
    )


def flow(flow_id, source, target, condition=None):
    inner = (
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{condition}'
        "</bpmn:conditionExpression>"
        if condition
        else ""
    )
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"{inner}</bpmn:sequenceFlow>"
    )


def simple(body, lanes=None, **kwargs):
    lanes = lane("Sergeant", "start", "task", "end") if lanes is None else lanes
    return process(
        '<bpmn:startEvent id="start"/>' + body + '<bpmn:endEvent id="end"/>',
        lanes,
        **kwargs,
    )


def problems_of(files):
    with pytest.raises(DefinitionProblems) as caught:
        build_catalog(with_welsh_names(files), lanes=SHIPPED.lanes)
    return caught.value.problems


def messages(problems):
    return [(p.file, p.element_id, p.message) for p in problems]


def test_the_repository_definitions_are_valid():
    catalog = build_catalog(read_definition_files(PROJECT_ROOT), lanes=SHIPPED.lanes)
    assert "stalking_harassment" in catalog.processes
    info = catalog.processes["stalking_harassment"]
    assert info.start_form == "call_receipt.schema.json"
    assert info.start_lane == "Call Handler"
    spec, _ = catalog.spec("stalking_harassment")
    assert "live_time_review" in spec.task_specs


def test_same_files_same_hash_and_any_edit_changes_it():
    files = read_definition_files(PROJECT_ROOT)
    first = build_catalog(files).content_hash
    assert build_catalog(dict(files)).content_hash == first
    edited = {**files, "bpmn/extra.bpmn": simple(user_task("task"), process_id="x").encode()}
    assert build_catalog(with_welsh_names({**edited, **form_files()})).content_hash != first


def test_every_problem_is_reported_at_once_with_file_and_element():
    body = (
        user_task("no_form", form=None)
        + user_task("missing_form", form="nowhere.schema.json")
        + user_task("outside_lane")
        + user_task("bad_lane_task")
        + '<bpmn:scriptTask id="script"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
        + '<bpmn:exclusiveGateway id="gw"/>'
        + flow("cond", "gw", "end", "__import__('os').system('id')")
        + '<bpmn:callActivity id="call" calledElement="ghost"/>'
        + '<bpmn:businessRuleTask id="rule"><bpmn:extensionElements>'
        + "<spiffworkflow:calledDecisionId>no_table</spiffworkflow:calledDecisionId>"
        + "</bpmn:extensionElements></bpmn:businessRuleTask>"
        + '<bpmn:intermediateCatchEvent id="naive"><bpmn:timerEventDefinition>'
        + "<bpmn:timeDate>2026-12-01T09:00:00</bpmn:timeDate></bpmn:timerEventDefinition>"
        + "</bpmn:intermediateCatchEvent>"
        + '<bpmn:intermediateCatchEvent id="nonsense"><bpmn:timerEventDefinition>'
        + "<bpmn:timeDuration>P5X</bpmn:timeDuration></bpmn:timerEventDefinition>"
        + "</bpmn:intermediateCatchEvent>"
    )
    lanes = (
        '<bpmn:laneSet id="ls">'
        '<bpmn:lane id="l1" name="Sergeant"><bpmn:flowNodeRef>no_form</bpmn:flowNodeRef>'
        "<bpmn:flowNodeRef>missing_form</bpmn:flowNodeRef></bpmn:lane>"
        '<bpmn:lane id="l2" name="Janitor"><bpmn:flowNodeRef>bad_lane_task</bpmn:flowNodeRef>'
        "</bpmn:lane></bpmn:laneSet>"
    )
    files = {
        "bpmn/main.bpmn": simple(body, lanes).encode(),
        "bpmn/broken.bpmn": b"<bpmn:definitions><unclosed>",
        "bpmn/idle.bpmn": process("", executable="false", process_id="idle").encode(),
        "forms/bad.schema.json": json.dumps({"type": "object", "required": "nope"}).encode(),
        **form_files(),
    }
    found = messages(problems_of(files))
    by_element = {(file, element): message for file, element, message in found}

    assert "no form" in by_element[("bpmn/main.bpmn", "no_form")]
    assert "does not exist" in by_element[("bpmn/main.bpmn", "missing_form")]
    assert "not in a lane" in by_element[("bpmn/main.bpmn", "outside_lane")]
    assert "Janitor" in by_element[("bpmn/main.bpmn", "bad_lane_task")]
    assert "import" in by_element[("bpmn/main.bpmn", "script")]
    assert "condition" in by_element[("bpmn/main.bpmn", "cond")]
    assert "ghost" in by_element[("bpmn/main.bpmn", "call")]
    assert "no_table" in by_element[("bpmn/main.bpmn", "rule")]
    assert "UTC offset" in by_element[("bpmn/main.bpmn", "naive")]
    assert "ISO 8601" in by_element[("bpmn/main.bpmn", "nonsense")]
    assert any(f == "bpmn/broken.bpmn" and "well-formed" in m for f, _, m in found)
    assert any(f == "bpmn/idle.bpmn" and "no executable process" in m for f, _, m in found)
    assert any(f == "forms/bad.schema.json" and "JSON Schema" in m for f, _, m in found)


def test_plain_iso_timers_are_accepted_and_made_executable():
    body = (
        user_task("task")
        + '<bpmn:boundaryEvent id="sla" attachedToRef="task" cancelActivity="false">'
        + "<bpmn:timerEventDefinition><bpmn:timeDuration>PT30M</bpmn:timeDuration>"
        + "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
        + '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
        + "<bpmn:timeDate>2026-12-01T09:00:00Z</bpmn:timeDate></bpmn:timerEventDefinition>"
        + "</bpmn:intermediateCatchEvent>"
        + '<bpmn:intermediateCatchEvent id="quoted"><bpmn:timerEventDefinition>'
        + '<bpmn:timeDuration>"P5D"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        + "</bpmn:intermediateCatchEvent>"
        + flow("f1", "start", "task")
        + flow("f2", "task", "wait")
        + flow("f3", "wait", "quoted")
        + flow("f4", "quoted", "end")
    )
    catalog = build_catalog(
        with_welsh_names({"bpmn/p.bpmn": simple(body).encode(), **form_files()})
    )
    spec, _ = catalog.spec("proc")
    assert spec.task_specs["sla"].event_definition.expression == "'PT30M'"
    assert spec.task_specs["wait"].event_definition.expression == "'2026-12-01T09:00:00Z'"
    assert spec.task_specs["quoted"].event_definition.expression == '"P5D"'


def test_due_dates_on_user_tasks_are_checked():
    def with_due(task_id, name, value):
        prop = f'<spiffworkflow:property name="{name}" value="{value}"/>'
        return user_task(task_id).replace(
            "</spiffworkflow:properties>", prop + "</spiffworkflow:properties>"
        )

    body = (
        with_due("fine", "dueIn", "PT30M")
        + with_due("bad_duration", "dueIn", "P3X")
        + with_due("bad_code", "dueAt", "__import__('os')")
    )
    lanes = lane("Sergeant", "start", "fine", "bad_duration", "bad_code", "end")
    found = messages(problems_of({"bpmn/p.bpmn": simple(body, lanes).encode(), **form_files()}))
    elements = {element for _, element, _ in found}
    assert {"bad_duration", "bad_code"} <= elements
    assert "fine" not in elements


def test_a_process_calling_itself_is_refused():
    body = '<bpmn:callActivity id="again" calledElement="proc"/>' + flow("f", "start", "again")
    found = messages(problems_of({"bpmn/p.bpmn": simple(body).encode()}))
    assert any(e == "proc" and "calls itself" in m for _, e, m in found)


def test_hostile_xml_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>"
        b"&lol2;</bpmn:definitions>"
    )
    external = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>"
        b"&xxe;</bpmn:definitions>"
    )
    huge = HEAD.encode() + b"<!--" + b"x" * (3 * 1024 * 1024) + b"-->"
    found = messages(
        problems_of({"bpmn/laughs.bpmn": laughs, "bpmn/xxe.bpmn": external, "bpmn/huge.bpmn": huge})
    )
    text = " ".join(m for _, _, m in found)
    assert "root:" not in text
    assert {f for f, _, _ in found} >= {"bpmn/laughs.bpmn", "bpmn/xxe.bpmn", "bpmn/huge.bpmn"}
    assert any(f == "bpmn/huge.bpmn" and "larger than" in m for f, _, m in found)


def test_a_task_naming_a_form_with_a_broken_part_is_told_the_form_is_not_valid():
    files = {
        "bpmn/p.bpmn": simple(user_task("task") + flow("f", "start", "task")).encode(),
        **form_files(),
        "forms/note.cy.json": b"{not json",
        "forms/orphan.cy.json": json.dumps(WELSH).encode(),
    }
    found = messages(problems_of(files))
    assert any(f == "forms/note.cy.json" and "not valid JSON" in m for f, _, m in found)
    assert any(e == "task" and "is not valid" in m for _, e, m in found)
    assert any(f == "forms/orphan.cy.json" and "no form schema" in m for f, _, m in found)


def test_a_form_missing_welsh_text_is_refused():
    files = {
        "bpmn/p.bpmn": simple(user_task("task") + flow("f", "start", "task")).encode(),
        "forms/note.schema.json": json.dumps(FORM).encode(),
        "forms/note.cy.json": json.dumps({"schema": {"/title": "Nodyn"}}).encode(),
    }
    found = messages(problems_of(files))
    assert any("/properties/note/title" in m for _, _, m in found)
