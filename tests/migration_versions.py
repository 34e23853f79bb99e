"""A new version of the stalking and harassment process for moving cases onto: a Sergeant's
check of the live-time review inserted after it, and the overdue review's escalation replaced
by an element of another id."""

import json

from service.config import PROJECT_ROOT

DIAGRAM = "bpmn/stalking_harassment.bpmn"
CHECK = "live_review_check"
OVERDUE = "live_review_overdue"
CHECK_FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Check of the live-time review",
    "type": "object",
    "additionalProperties": False,
    "required": ["review_checked"],
    "properties": {
        "review_checked": {"title": "The review was checked", "type": "boolean"},
    },
}
CHECK_UI = {"ui:order": ["review_checked"], "review_checked": {"ui:widget": "radio"}}
CHECK_WELSH = {
    "schema": {
        "/title": "Gwiriad o'r adolygiad amser real",
        "/properties/review_checked/title": "Gwiriwyd yr adolygiad",
    }
}
_TASK = f"""<bpmn:userTask id="{CHECK}" name="Check of the live-time review">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="{CHECK}.schema.json"/>
          <spiffworkflow:property name="formUiSchemaFilename" value="{CHECK}.uischema.json"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>flow_live_time_review_to_{CHECK}</bpmn:incoming>
      <bpmn:outgoing>flow_{CHECK}_to_gw_offences_disclosed</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="flow_{CHECK}_to_gw_offences_disclosed" sourceRef="{CHECK}"
      targetRef="gw_offences_disclosed"/>
    """


def inserted_check_files() -> dict[str, bytes]:
    """The files to upload: the diagram, its Welsh names and the check's form."""
    text = (PROJECT_ROOT / DIAGRAM).read_text(encoding="utf-8")
    text = text.replace(
        '<bpmn:sequenceFlow id="flow_live_time_review_to_gw_offences_disclosed" '
        'name="Review completed" sourceRef="live_time_review" '
        'targetRef="gw_offences_disclosed"/>',
        f'<bpmn:sequenceFlow id="flow_live_time_review_to_{CHECK}" name="Review completed" '
        f'sourceRef="live_time_review" targetRef="{CHECK}"/>\n    {_TASK}',
    )
    text = text.replace(
        "<bpmn:outgoing>flow_live_time_review_to_gw_offences_disclosed</bpmn:outgoing>",
        f"<bpmn:outgoing>flow_live_time_review_to_{CHECK}</bpmn:outgoing>",
    ).replace(
        "<bpmn:incoming>flow_live_time_review_to_gw_offences_disclosed</bpmn:incoming>",
        f"<bpmn:incoming>flow_{CHECK}_to_gw_offences_disclosed</bpmn:incoming>",
    )
    text = text.replace(
        "<bpmn:flowNodeRef>live_review_escalation</bpmn:flowNodeRef>",
        f"<bpmn:flowNodeRef>live_review_escalation</bpmn:flowNodeRef>\n"
        f"        <bpmn:flowNodeRef>{CHECK}</bpmn:flowNodeRef>",
    )
    for attribute in ('id="', 'sourceRef="', 'targetRef="', 'bpmnElement="'):
        text = text.replace(f'{attribute}live_review_escalation"', f'{attribute}{OVERDUE}"')
    text = text.replace(
        "<bpmn:flowNodeRef>live_review_escalation</bpmn:flowNodeRef>",
        f"<bpmn:flowNodeRef>{OVERDUE}</bpmn:flowNodeRef>",
    )
    welsh = json.loads((PROJECT_ROOT / f"{DIAGRAM}.cy.json").read_text(encoding="utf-8"))
    _rename_key(welsh, "live_review_escalation", OVERDUE)
    _add_name(welsh, CHECK, "Gwiriad o'r adolygiad amser real")
    return {
        DIAGRAM: text.encode(),
        f"{DIAGRAM}.cy.json": json.dumps(welsh, ensure_ascii=False).encode(),
        f"forms/{CHECK}.schema.json": json.dumps(CHECK_FORM).encode(),
        f"forms/{CHECK}.uischema.json": json.dumps(CHECK_UI).encode(),
        f"forms/{CHECK}.cy.json": json.dumps(CHECK_WELSH, ensure_ascii=False).encode(),
    }


def _rename_key(document, old: str, new: str) -> None:
    if isinstance(document, dict):
        if old in document:
            document[new] = document.pop(old)
        for value in document.values():
            _rename_key(value, old, new)


def _add_name(document: dict, key: str, name: str) -> None:
    for value in document.values():
        if isinstance(value, dict) and "live_time_review" in value:
            value[key] = name
            return
    document[key] = name
