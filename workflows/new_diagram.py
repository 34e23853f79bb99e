"""A new process's first diagram: the least that deploys, for a process owner to draw on. One
pool with one lane, the lane the process is started in, holding a start event joined to an end
event; and its Welsh names (the process's alone: the events are not named)."""

import json
import re
from xml.sax.saxutils import quoteattr

# A process id as the diagrams' own are written: it is the process's name in the API and in
# file names, so lower-case letters, digits and underscores, starting with a letter.
PROCESS_ID = re.compile(r"[a-z][a-z0-9_]{0,62}")


def is_process_id(text: str) -> bool:
    return PROCESS_ID.fullmatch(text) is not None


def diagram_path(process_id: str) -> str:
    return f"bpmn/{process_id}.bpmn"


def is_new_diagram_path(path: str) -> bool:
    """Whether ``path`` is where a new process's diagram would be kept."""
    return re.fullmatch(rf"bpmn/{PROCESS_ID.pattern}\.bpmn", path) is not None


def new_diagram(process_id: str, name: str, lane: str) -> str:
    """The diagram's XML: ``process_id`` named ``name``, started in ``lane``."""
    if not is_process_id(process_id):
        raise ValueError(f"not a process id: {process_id!r}")
    p, name_attr, lane_attr = process_id, quoteattr(name), quoteattr(lane)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" \
id="definitions_{p}" targetNamespace="https://gwarchod.example/bpmn/{p}" exporter="Gwarchod">
  <bpmn:collaboration id="collaboration_{p}">
    <bpmn:participant id="participant_{p}" name={name_attr} processRef="{p}" />
  </bpmn:collaboration>
  <bpmn:process id="{p}" name={name_attr} isExecutable="true">
    <bpmn:laneSet id="laneset_{p}">
      <bpmn:lane id="lane_{p}" name={lane_attr}>
        <bpmn:flowNodeRef>{p}_start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>{p}_end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="{p}_start">
      <bpmn:outgoing>{p}_flow</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:endEvent id="{p}_end">
      <bpmn:incoming>{p}_flow</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="{p}_flow" sourceRef="{p}_start" targetRef="{p}_end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_{p}">
    <bpmndi:BPMNPlane id="plane_{p}" bpmnElement="collaboration_{p}">
      <bpmndi:BPMNShape id="participant_{p}_di" bpmnElement="participant_{p}" isHorizontal="true">
        <dc:Bounds x="160" y="80" width="600" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="lane_{p}_di" bpmnElement="lane_{p}" isHorizontal="true">
        <dc:Bounds x="190" y="80" width="570" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="{p}_start_di" bpmnElement="{p}_start">
        <dc:Bounds x="252" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="{p}_end_di" bpmnElement="{p}_end">
        <dc:Bounds x="652" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="{p}_flow_di" bpmnElement="{p}_flow">
        <di:waypoint x="288" y="180" />
        <di:waypoint x="652" y="180" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def new_names(process_id: str, welsh_name: str) -> str:
    """The diagram's Welsh names file, written as the editor writes it."""
    return json.dumps({"names": {process_id: welsh_name}}, ensure_ascii=False, indent=2) + "\n"
