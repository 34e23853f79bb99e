"""What changed between two versions of a diagram, decision table or Welsh names file, element
by element (workflows.diagram_diff), as the process owner's compare and review pages list it."""

import json

from service.config import PROJECT_ROOT
from workflows.diagram_diff import (
    ADDED,
    CHANGED,
    REMOVED,
    Aspect,
    diff_file,
    diff_files,
    diff_xml,
)

PSD = (PROJECT_ROOT / "bpmn/psd_complaint.bpmn").read_bytes()
RISK = (PROJECT_ROOT / "bpmn/risk_grading.dmn").read_bytes()


def changes(before: bytes, after: bytes) -> dict[str, tuple]:
    return {
        change.element_id: (change.kind, change.type, change.name, change.aspects)
        for change in diff_xml(before, after)
    }


def test_the_same_files_differ_in_nothing():
    assert diff_xml(PSD, PSD) == []
    assert diff_files({"bpmn/a.bpmn": PSD}, {"bpmn/a.bpmn": PSD}) == []


def test_what_a_task_holds_is_a_change_to_the_task_named_by_what_changed():
    after = PSD.replace(b'value="psd_assessment_due_at"', b'value="add_days(now(), 3)"').replace(
        b'psd_outcome == "not_upheld"', b'psd_outcome != "upheld"', 1
    )
    found = changes(PSD, after)
    assert found["psd_assessment"] == (
        CHANGED,
        "userTask",
        "Assess the complaint against the policy",
        (Aspect("property:dueAt", "psd_assessment_due_at", "add_days(now(), 3)"),),
    )
    (flow,) = [key for key, value in found.items() if value[1] == "sequenceFlow"]
    assert found[flow][3] == (
        Aspect("conditionExpression", 'psd_outcome == "not_upheld"', 'psd_outcome != "upheld"'),
    )
    assert len(found) == 2


def test_a_task_moved_to_another_lane_changes_its_lane():
    moved = PSD.replace(b"<bpmn:flowNodeRef>psd_learning_actions</bpmn:flowNodeRef>", b"").replace(
        b"<bpmn:flowNodeRef>psd_assessment</bpmn:flowNodeRef>",
        b"<bpmn:flowNodeRef>psd_assessment</bpmn:flowNodeRef>"
        b"<bpmn:flowNodeRef>psd_learning_actions</bpmn:flowNodeRef>",
    )
    assert changes(PSD, moved) == {
        "psd_learning_actions": (
            CHANGED,
            "userTask",
            "Act on the learning",
            (Aspect("lane", "Policy Owner", "PSD"),),
        )
    }


def test_added_and_removed_elements_are_named_as_they_were():
    task = (
        b'<bpmn:userTask id="extra_review" name="Extra review"><bpmn:incoming>x</bpmn:incoming>'
        b"</bpmn:userTask>"
    )
    after = PSD.replace(b"</bpmn:process>", task + b"</bpmn:process>")
    after = after.replace(
        b'<bpmn:endEvent id="end_complaint_not_upheld"', b'<bpmn:endEvent id="gone"'
    )
    found = changes(PSD, after)
    assert found["extra_review"] == (ADDED, "userTask", "Extra review", ())
    assert found["end_complaint_not_upheld"][:3] == (REMOVED, "endEvent", "Complaint not upheld")
    assert found["gone"][0] == ADDED


def test_moving_a_shape_is_layout_and_the_order_shapes_are_listed_in_is_nothing():
    shape = PSD[PSD.index(b'<bpmndi:BPMNShape id="psd_assessment_di"') :]
    shape = shape[: shape.index(b"</bpmndi:BPMNShape>") + len(b"</bpmndi:BPMNShape>")]
    reordered = PSD.replace(shape, b"").replace(
        b"</bpmndi:BPMNPlane>", shape + b"</bpmndi:BPMNPlane>"
    )
    assert diff_xml(PSD, reordered) == []
    bounds = shape[shape.index(b"<dc:Bounds") :]
    bounds = bounds[: bounds.index(b"/>") + 2]
    moved_shape = shape.replace(bounds, bounds.replace(b'x="', b'x="1', 1))
    (change,) = diff_xml(PSD, PSD.replace(shape, moved_shape))
    assert (change.element_id, [aspect.key for aspect in change.aspects]) == (
        "psd_assessment",
        ["layout"],
    )


def test_a_rule_is_named_by_its_place_and_its_cells_by_their_column():
    after = RISK.replace(b"&gt;= 14", b"&gt;= 15", 1)
    (change,) = diff_xml(RISK, after)
    assert change.type == "rule"
    assert change.position >= 1
    (aspect,) = change.aspects
    assert aspect.key.startswith("inputEntry[") and aspect.key.endswith("]/text")
    assert (aspect.before, aspect.after) == (">= 14", ">= 15")


def test_welsh_names_change_by_element_id():
    before = json.dumps({"names": {"a": "Un", "b": "Dau"}}).encode()
    after = json.dumps({"names": {"a": "Un!", "c": "Tri"}}).encode()
    found = diff_file("bpmn/x.bpmn.cy.json", before, after)
    assert {(c.element_id, c.kind) for c in found.changes} == {
        ("a", CHANGED),
        ("b", REMOVED),
        ("c", ADDED),
    }
    (named,) = [c for c in found.changes if c.element_id == "a"]
    assert named.aspects == (Aspect("welsh_name", "Un", "Un!"),)


def test_comments_a_drawing_editor_dropped_are_counted():
    without = PSD.replace(b"<!-- The start form records", b"<!-- The start form keeps")
    assert diff_file("bpmn/psd_complaint.bpmn", PSD, without).comments_lost == 1
    assert diff_file("bpmn/psd_complaint.bpmn", PSD, PSD + b"\n").comments_lost == 0


def test_a_file_that_is_not_well_formed_is_compared_as_a_whole():
    found = diff_file("bpmn/psd_complaint.bpmn", PSD, PSD[:300])
    assert (found.kind, found.unreadable, found.changes) == (CHANGED, True, ())


def test_files_added_and_removed_between_sets():
    found = diff_files(
        {"forms/a.schema.json": b"{}", "bpmn/x.dmn": RISK},
        {"forms/a.schema.json": b'{"title": "A"}', "forms/b.schema.json": b"{}"},
    )
    assert [(f.path, f.kind) for f in found] == [
        ("bpmn/x.dmn", REMOVED),
        ("forms/a.schema.json", CHANGED),
        ("forms/b.schema.json", ADDED),
    ]
    assert {c.kind for c in found[0].changes} == {REMOVED}
