"""The process owner's workspace in words: what changed between two sets of files, element by
element (``workflows.diagram_diff``), and the labels of the diagram editor's properties, in the
page's language."""

import re

from flask_babel import gettext as _

from workflows.diagram_diff import ADDED, CHANGED, LANE, LAYOUT, REMOVED, WELSH_NAME, FileDiff

# A value longer than this is said to have changed, not shown.
SHOWN_CHARACTERS = 120


def editor_labels() -> dict[str, str]:
    """The properties panel's words for what the service reads from a diagram."""
    return {
        "group": _("Case work"),
        "welshName": _("Welsh name"),
        "welshNameHint": _("Caseworkers reading in Welsh see this name."),
        "lane": _("Lane"),
        "workedBy": _("Worked by:"),
        "noRole": _("No role works this lane: the task would reach no one."),
        "noLane": _("Not in a lane: put the task in the lane of the role that does it."),
        "form": _("Form"),
        "startForm": _("Start form"),
        "formHint": _("The form's schema file, such as live_time_review.schema.json."),
        "uiForm": _("Form layout"),
        "dueIn": _("Due in"),
        "dueInHint": _("How long after the task opens it is due, such as PT30M or P5D."),
        "dueAt": _("Due at"),
        "dueAtHint": _(
            "An expression giving the time it is due, such as add_working_days(reported_at, 1)."
        ),
        "letter": _("Letter to the victim"),
        "letterHint": _("The letter's name, such as charge (letters/charge.en.md and .cy.md)."),
        "instructions": _("Instructions"),
        "preScript": _("Script before the task"),
        "postScript": _("Script after the task"),
        "script": _("Script"),
        "condition": _("Condition"),
        "conditionHint": _('Taken when this is true, such as risk_grade == "high".'),
        "loopCondition": _("Loop condition"),
        "loopConditionHint": _("Another round runs while this is true."),
        "decision": _("Decision table"),
    }


def change_kind(kind: str) -> str:
    return {ADDED: _("Added"), REMOVED: _("Removed"), CHANGED: _("Changed")}[kind]


def element_type(kind: str) -> str:
    types = {
        "userTask": _("User task"),
        "manualTask": _("Manual task"),
        "scriptTask": _("Script task"),
        "businessRuleTask": _("Business rule task"),
        "serviceTask": _("Service task"),
        "sendTask": _("Send task"),
        "receiveTask": _("Receive task"),
        "task": _("Task"),
        "callActivity": _("Call activity"),
        "subProcess": _("Sub-process"),
        "startEvent": _("Start event"),
        "endEvent": _("End event"),
        "intermediateCatchEvent": _("Intermediate event"),
        "intermediateThrowEvent": _("Intermediate event"),
        "boundaryEvent": _("Boundary event"),
        "exclusiveGateway": _("Gateway"),
        "parallelGateway": _("Gateway"),
        "inclusiveGateway": _("Gateway"),
        "eventBasedGateway": _("Gateway"),
        "sequenceFlow": _("Flow"),
        "lane": _("Lane"),
        "laneSet": _("Lanes"),
        "process": _("Process"),
        "participant": _("Pool"),
        "collaboration": _("Collaboration"),
        "message": _("Message"),
        "signal": _("Signal"),
        "error": _("Error"),
        "escalation": _("Escalation"),
        "textAnnotation": _("Note"),
        "association": _("Association"),
        "decision": _("Decision"),
        "decisionTable": _("Decision table"),
        "input": _("Input"),
        "output": _("Output"),
        "rule": _("Rule"),
        "welshName": _("Welsh name"),
    }
    return types.get(kind, kind)


def aspect_label(key: str) -> str:
    """What changed about an element, from its key (``workflows.diagram_diff.Aspect``)."""
    labels = {
        "@name": _("Name"),
        LANE: _("Lane"),
        LAYOUT: _("Position on the drawing"),
        WELSH_NAME: _("Welsh name"),
        "type": _("Type"),
        "property:formJsonSchemaFilename": _("Form"),
        "property:formUiSchemaFilename": _("Form layout"),
        "property:dueIn": _("Due in"),
        "property:dueAt": _("Due at"),
        "property:letterTemplate": _("Letter to the victim"),
        "instructionsForEndUser": _("Instructions"),
        "preScript": _("Script before the task"),
        "postScript": _("Script after the task"),
        "script": _("Script"),
        "conditionExpression": _("Condition"),
        "documentation": _("Description"),
        "description": _("Description"),
        "calledDecisionId": _("Decision table"),
        "@calledElement": _("Process called"),
        "standardLoopCharacteristics/loopCondition": _("Loop condition"),
        "@sourceRef": _("Comes from"),
        "@targetRef": _("Goes to"),
        "@default": _("Default flow"),
        "@attachedToRef": _("Attached to"),
        "@cancelActivity": _("Interrupting"),
        "@hitPolicy": _("Hit policy"),
        "@label": _("Label"),
        "inputExpression/text": _("Expression"),
    }
    if key in labels:
        return labels[key]
    if key.rsplit("/", 1)[-1] in ("timeDuration", "timeDate", "timeCycle"):
        return _("Timer")
    cell = re.fullmatch(r"(input|output)Entry(?:\[(\d+)\])?/text", key)
    if cell:
        column = int(cell.group(2) or 1)
        if cell.group(1) == "input":
            return _("Input %(number)d", number=column)
        return _("Output %(number)d", number=column)
    return _("Other details (%(key)s)", key=key)


def change_rows(diff: FileDiff) -> dict:
    """A file's changes as the pages list them, and as the scripts mark them on a drawing."""
    changes = []
    for change in diff.changes:
        if change.type == "rule":
            name = _("Rule %(number)d", number=change.position)
        else:
            name = change.name or change.element_id
        changes.append(
            {
                "element_id": change.element_id,
                "kind": change.kind,
                "kind_label": change_kind(change.kind),
                "type": element_type(change.type),
                "name": name,
                "aspects": [
                    {
                        "label": aspect_label(aspect.key),
                        "shown": _readable(aspect.key, aspect.before, aspect.after),
                        "before": aspect.before,
                        "after": aspect.after,
                    }
                    for aspect in change.aspects
                ],
            }
        )
    return {
        "path": diff.path,
        "kind": diff.kind,
        "kind_label": change_kind(diff.kind),
        "changes": changes,
        "counts": {kind: diff.counts.get(kind, 0) for kind in (ADDED, CHANGED, REMOVED)},
        "unreadable": diff.unreadable,
        "comments_lost": diff.comments_lost,
        "drawing": diff.path.endswith(".bpmn") and not diff.unreadable,
        "marks": [{"id": change.element_id, "kind": change.kind} for change in diff.changes],
    }


def _readable(key: str, *values: str | None) -> bool:
    """Whether the values are short enough to show in a list as "before → after"."""
    return key != LAYOUT and all(
        value is None or (len(value) <= SHOWN_CHARACTERS and "\n" not in value) for value in values
    )
