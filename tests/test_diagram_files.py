"""Checks every diagram in bpmn/ must pass, whatever process it draws.

Process owners open these files in a standard BPMN editor (bpmn.io, Camunda Modeler), so each
one carries a readable layout; people work its tasks in their inbox, so each task sits in a
role's lane and has instructions in English and Welsh.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.roles import SHIPPED
from workflows.catalog import build_catalog, read_definition_files
from workflows.instructions import check_template

ROOT = Path(__file__).resolve().parents[1]
BPMN_FILES = sorted((ROOT / "bpmn").glob("*.bpmn"))
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
NOT_FLOW_NODES = {
    "laneSet",
    "sequenceFlow",
    "documentation",
    "extensionElements",
    "incoming",
    "outgoing",
    "standardLoopCharacteristics",
    "multiInstanceLoopCharacteristics",
    "ioSpecification",
    "dataObject",
    "dataObjectReference",
    "textAnnotation",
    "association",
}
USER_TASKS = ("userTask", "manualTask")


def _local(element) -> str:
    return etree.QName(element).localname


def _flow_nodes(container) -> list:
    """Flow nodes of a process or sub-process, and of the sub-processes inside it."""
    found = []
    for child in container:
        if not isinstance(child.tag, str) or _local(child) in NOT_FLOW_NODES:
            continue
        found.append(child)
        if _local(child) in ("subProcess", "transaction", "adHocSubProcess"):
            found.extend(_flow_nodes(child))
    return found


def _flows(process) -> list:
    return process.findall(".//bpmn:sequenceFlow", NS)


def _bounds(tree, element_id):
    shape = tree.find(f".//bpmndi:BPMNShape[@bpmnElement='{element_id}']/dc:Bounds", NS)
    assert shape is not None, f"no shape for {element_id}"
    x, y, w, h = (float(shape.get(k)) for k in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


@pytest.fixture(scope="module")
def catalog():
    return build_catalog(read_definition_files(ROOT), lanes=SHIPPED.lanes)


@pytest.fixture(params=BPMN_FILES, ids=lambda path: path.name)
def diagram(request):
    tree = etree.parse(str(request.param))
    [process] = tree.findall("bpmn:process", NS)
    return tree, process


def test_one_executable_process_in_one_pool(diagram):
    tree, process = diagram
    assert process.get("isExecutable") == "true"
    [participant] = tree.findall("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("processRef") == process.get("id")


def test_every_element_has_a_human_name(diagram):
    _, process = diagram
    assert (process.get("name") or "").strip()
    for node in _flow_nodes(process):
        assert (node.get("name") or "").strip(), f"{node.get('id')} has no name"
    for lane in process.findall("bpmn:laneSet/bpmn:lane", NS):
        assert lane.get("name") in SHIPPED.lanes, lane.get("name")


def test_every_element_is_drawn(diagram):
    tree, process = diagram
    plane = tree.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    shapes = {s.get("bpmnElement") for s in plane.findall("bpmndi:BPMNShape", NS)}
    pool = tree.find("bpmn:collaboration/bpmn:participant", NS)
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    for element in [pool, *lanes, *_flow_nodes(process)]:
        assert element.get("id") in shapes, f"no shape for {element.get('id')}"
    for flow in _flows(process):
        edge = plane.find(f"bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']", NS)
        assert edge is not None, f"no edge for {flow.get('id')}"
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", NS)]
        assert len(points) >= 2, flow.get("id")
        for point, end in ((points[0], "sourceRef"), (points[-1], "targetRef")):
            x1, y1, x2, y2 = _bounds(tree, flow.get(end))
            assert x1 <= point[0] <= x2 and y1 <= point[1] <= y2, f"{flow.get('id')} {end}"


def test_nodes_sit_in_their_lanes_without_overlapping(diagram):
    tree, process = diagram
    boxes = {}
    for lane in process.findall("bpmn:laneSet/bpmn:lane", NS):
        lx1, ly1, lx2, ly2 = _bounds(tree, lane.get("id"))
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            x1, y1, x2, y2 = boxes[ref.text] = _bounds(tree, ref.text)
            assert lx1 <= x1 and x2 <= lx2 and ly1 <= y1 and y2 <= ly2, ref.text
    nodes = {node.get("id"): node for node in _flow_nodes(process)}
    # A boundary event sits on its activity's border; an expanded sub-process holds its nodes.
    together = {
        (e.get("id"), e.get("attachedToRef")) for e in nodes.values() if e.get("attachedToRef")
    }
    for node_id, node in nodes.items():
        for inner in _flow_nodes(node) if _local(node) == "subProcess" else []:
            together.add((inner.get("id"), node_id))
    ids = sorted(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if (a, b) in together or (b, a) in together:
                continue
            ax1, ay1, ax2, ay2 = boxes[a]
            bx1, by1, bx2, by2 = boxes[b]
            assert ax2 <= bx1 or bx2 <= ax1 or ay2 <= by1 or by2 <= ay1, f"{a} overlaps {b}"


def test_every_user_task_is_work_for_a_role(catalog, diagram):
    _, process = diagram
    spec, subprocess_specs = catalog.spec(process.get("id"))
    for each in (spec, *subprocess_specs.values()):
        for task_spec in each.task_specs.values():
            if task_spec.manual:
                assert task_spec.lane in SHIPPED.lanes, (each.name, task_spec.name)


def test_every_user_task_has_instructions_in_english_and_welsh(catalog, diagram):
    _, process = diagram
    for task in process.iterfind(".//bpmn:userTask", NS):
        english = task.findtext(
            "bpmn:extensionElements/spiffworkflow:instructionsForEndUser", None, NS
        )
        assert english and english.strip(), f"{task.get('id')} has no instructions"
        schema = task.find(
            "bpmn:extensionElements/spiffworkflow:properties/"
            "spiffworkflow:property[@name='formJsonSchemaFilename']",
            NS,
        ).get("value")
        form = catalog.form(schema)
        welsh = form.instructions("cy", english)
        assert welsh != english, f"{task.get('id')} has no Welsh instructions"
        assert check_template(welsh) == [], task.get("id")


def test_called_processes_run_only_inside_their_caller(catalog):
    for called, caller in catalog.called_by.items():
        assert catalog.processes[called].start_form is None, called
        assert caller in catalog.processes
