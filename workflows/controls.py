"""Closing controls: a step a case of a process cannot end without.

The policy names checks that every case must pass before it closes: the SRAU reviews every call
record before closure, the Professional Standards Department assesses every complaint against
the policy. A process owner who adds a shortcut to a diagram (an end event after a new gateway,
a terminate end on a side branch) can let a case end without its check. This module proves from
a diagram's graph, for every route the engine can take, that the case cannot end unless one of
the process's closing controls has run. It reads only the BPMN text: no engine, no service.

Two checks, both needed:

- **Guaranteed**: a token at the start certainly sees a control run before its whole family of
  tokens dies. Computed as a greatest fixpoint over the graph (a loop that never ends never ends
  the case, so loops are fine): a control is guaranteed; an end event is not, unless it ends an
  embedded sub-process, whose flow then goes on; a node that may take one of several ways
  (exclusive, inclusive and event-based gateways, an activity with several outgoing flows) is
  guaranteed when every way is; a parallel split when any branch is, since every branch runs;
  an activity with an interrupting boundary event when both its outgoing flow and the boundary
  event are. A non-interrupting boundary event or event sub-process adds a token that may never
  exist, so it counts for nothing; an interrupting event sub-process is like an interrupting
  boundary event on its scope. An error end event goes to the boundary event or event
  sub-process that catches it. Call activities are ordinary activities.
- **Strict**: no end that ends the case whatever other tokens exist (a terminate end event, an
  error end event nothing catches, the end of an interrupting event sub-process of the process)
  can be reached from a start event on any path that avoids every control.

A parallel split counts any branch only when nothing can cut its branches short (a terminate
end or a caught error in its scope, reachable without a control); otherwise every branch must
guarantee the control, as for the other gateways.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from .safe_xml import SAFE_XML

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SUBPROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
FLOW_NODES = SUBPROCESSES | {
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "parallelGateway",
    "complexGateway",
}
# The continuation of an embedded sub-process once everything inside it has ended.
DONE = "#done"


@dataclass(frozen=True)
class ControlCheck:
    """What the analysis found for one process and its closing controls."""

    process_id: str
    controls: frozenset[str]
    # The start events from which the case may end without a control having run.
    starts_without_control: tuple[str, ...]
    # Where a family of tokens can die before a control has run (ends, or nodes with no way on).
    ends_without_control: tuple[str, ...]
    # Ends that end the case outright, reachable on a path that avoids every control.
    case_ends_without_control: tuple[str, ...]

    @property
    def holds(self) -> bool:
        return not self.starts_without_control and not self.case_ends_without_control


@dataclass
class _Node:
    id: str
    kind: str
    element: etree._Element | None
    scope: str  # the process id, or the id of the embedded sub-process that holds the node
    counted: list[str] = field(default_factory=list)  # what the guarantee rests on
    any_branch: bool = False  # a parallel split: one guaranteed branch is enough
    reach: list[str] = field(default_factory=list)  # every way a token can go


def check_closing_control(diagram: bytes, process_id: str, controls: Iterable[str]) -> ControlCheck:
    """Whether every case of ``process_id`` in ``diagram`` (BPMN XML) passes one of
    ``controls`` (element ids) before it ends."""
    root = etree.fromstring(diagram, SAFE_XML)
    process = root.find(f"{{{BPMN}}}process[@id='{process_id}']")
    if process is None:
        raise ValueError(f"the diagram has no process '{process_id}'")
    graph = _Graph(process)
    controls = frozenset(controls)
    unknown = sorted(controls - set(graph.nodes))
    if unknown:
        raise ValueError(f"process '{process_id}' has no element {', '.join(unknown)}")

    killed = graph.scopes_cut_short(controls)
    for node in graph.nodes.values():
        if node.any_branch and graph.scope_chain(node.scope) & killed:
            node.any_branch = False
    guaranteed = graph.guaranteed(controls)
    starts = [s for s in graph.starts if not guaranteed[s]]
    return ControlCheck(
        process_id=process_id,
        controls=controls,
        starts_without_control=tuple(starts),
        ends_without_control=graph.where_it_fails(starts, guaranteed),
        case_ends_without_control=tuple(
            sorted(graph.case_ends & graph.reachable_avoiding(controls))
        ),
    )


class _Graph:
    def __init__(self, process: etree._Element):
        self.process_id = process.get("id")
        self.nodes: dict[str, _Node] = {}
        self.parent_scope: dict[str, str] = {}  # sub-process id -> the scope that holds it
        self.flows: dict[str, list[str]] = {}
        self.boundaries: dict[str, list[_Node]] = {}  # activity id -> its boundary events
        self.event_subprocesses: dict[str, list[str]] = {}  # scope id -> its event sub-processes
        self._collect(process, self.process_id)
        self.starts = [
            n.id
            for n in self.nodes.values()
            if n.kind == "startEvent" and n.scope == self.process_id
        ]
        self.case_ends: set[str] = set()
        self.killers: dict[str, str] = {}  # an end -> the scope it cuts short
        for node in list(self.nodes.values()):
            self._connect(node)

    # --- building the graph ---------------------------------------------------------------------

    def _collect(self, container: etree._Element, scope: str) -> None:
        for child in container:
            if not isinstance(child.tag, str):
                continue
            kind = etree.QName(child).localname
            if kind == "sequenceFlow":
                self.flows.setdefault(child.get("sourceRef"), []).append(child.get("targetRef"))
            elif kind in FLOW_NODES:
                node = _Node(child.get("id"), kind, child, scope)
                self.nodes[node.id] = node
                if kind == "boundaryEvent":
                    self.boundaries.setdefault(child.get("attachedToRef"), []).append(node)
                if kind in SUBPROCESSES:
                    self.parent_scope[node.id] = scope
                    if child.get("triggeredByEvent") == "true":
                        self.event_subprocesses.setdefault(scope, []).append(node.id)
                    else:
                        self.nodes[node.id + DONE] = _Node(node.id + DONE, DONE, None, scope)
                    self._collect(child, node.id)

    def _connect(self, node: _Node) -> None:
        if node.kind == DONE:
            node.counted = list(self.flows.get(node.id.removesuffix(DONE), []))
        elif node.kind == "endEvent":
            node.counted = self._after_end(node)
        elif node.kind in SUBPROCESSES:
            # An event sub-process is entered at its start events, never by a flow.
            node.counted = [] if self._triggered_scope(node.id) else self._inner_starts(node.id)
        else:
            node.counted = list(self.flows.get(node.id, []))
        node.any_branch = node.kind == "parallelGateway" and len(node.counted) > 1
        node.reach = list(node.counted)
        for boundary in self.boundaries.get(node.id, []):
            node.reach.append(boundary.id)
            if boundary.element.get("cancelActivity") != "false":
                node.counted.append(boundary.id)
        # An event sub-process may start whenever its scope is running; one started by an
        # error starts only from the error end events that it catches.
        if node.kind in SUBPROCESSES or node.id in self.starts:
            scope = node.id if node.kind in SUBPROCESSES else self.process_id
            for esp in self.event_subprocesses.get(scope, []):
                for start in self._inner_starts(esp):
                    if self._definition(start, "errorEventDefinition") is None:
                        node.reach.append(start)
                        if self._interrupting(start):
                            node.counted.append(start)

    def _after_end(self, end: _Node) -> list[str]:
        if self._definition(end.id, "errorEventDefinition") is not None:
            catcher, caught_in = self._catcher(end)
            if catcher is None:
                self.case_ends.add(end.id)
                self.killers[end.id] = self.process_id
                return []
            self.killers[end.id] = caught_in
            return [catcher]
        scope, esp = self._regular_scope(end.scope)
        if self._definition(end.id, "terminateEventDefinition") is not None:
            self.killers[end.id] = scope
            if scope == self.process_id:
                self.case_ends.add(end.id)
        elif esp is not None and scope == self.process_id and self._esp_interrupts(esp):
            self.case_ends.add(end.id)
        return [] if scope == self.process_id else [scope + DONE]

    def _catcher(self, end: _Node) -> tuple[str | None, str]:
        """The boundary event or event sub-process start that catches an error end event, and
        the scope whose work it cuts short; (None, process) when nothing catches it."""
        code = self._definition(end.id, "errorEventDefinition").get("errorRef")
        scope = end.scope
        while True:
            for esp in self.event_subprocesses.get(scope, []):
                for start in self._inner_starts(esp):
                    definition = self._definition(start, "errorEventDefinition")
                    if definition is not None and definition.get("errorRef") in (None, code):
                        return start, scope
            if scope == self.process_id:
                return None, scope
            for boundary in self.boundaries.get(scope, []):
                definition = self._definition(boundary.id, "errorEventDefinition")
                if definition is not None and definition.get("errorRef") in (None, code):
                    return boundary.id, scope
            scope = self.parent_scope[scope]

    def _regular_scope(self, scope: str) -> tuple[str, str | None]:
        """The process or embedded sub-process whose run a node in ``scope`` belongs to, and
        the event sub-process it sits in, if any."""
        if scope != self.process_id and self._triggered_scope(scope):
            return self.parent_scope[scope], scope
        return scope, None

    def _inner_starts(self, scope: str) -> list[str]:
        return [n.id for n in self.nodes.values() if n.kind == "startEvent" and n.scope == scope]

    def _triggered_scope(self, scope: str) -> bool:
        node = self.nodes.get(scope)
        return node is not None and node.element.get("triggeredByEvent") == "true"

    def _esp_interrupts(self, esp: str) -> bool:
        return any(self._interrupting(start) for start in self._inner_starts(esp))

    def _interrupting(self, start: str) -> bool:
        return self.nodes[start].element.get("isInterrupting") != "false"

    def _definition(self, node_id: str, tag: str) -> etree._Element | None:
        return self.nodes[node_id].element.find(f"{{{BPMN}}}{tag}")

    def scope_chain(self, scope: str) -> set[str]:
        chain = {scope}
        while scope != self.process_id:
            scope = self.parent_scope[scope]
            chain.add(scope)
        return chain

    # --- the analyses ---------------------------------------------------------------------------

    def reachable_avoiding(self, controls: frozenset[str]) -> set[str]:
        seen = {s for s in self.starts if s not in controls}
        todo = list(seen)
        while todo:
            for following in self.nodes[todo.pop()].reach:
                if following not in seen and following not in controls:
                    seen.add(following)
                    todo.append(following)
        return seen

    def scopes_cut_short(self, controls: frozenset[str]) -> set[str]:
        """Scopes whose running branches an end reachable without a control can cut short."""
        reachable = self.reachable_avoiding(controls)
        return {scope for end, scope in self.killers.items() if end in reachable}

    def guaranteed(self, controls: frozenset[str]) -> dict[str, bool]:
        value = dict.fromkeys(self.nodes, True)
        changed = True
        while changed:
            changed = False
            for node in self.nodes.values():
                if node.id in controls or not value[node.id]:
                    continue
                following = [value[f] for f in node.counted]
                holds = (any if node.any_branch else all)(following) if following else False
                if not holds:
                    value[node.id], changed = False, True
        return value

    def where_it_fails(self, starts: list[str], guaranteed: dict[str, bool]) -> tuple[str, ...]:
        """The ends (or dead ends) a family of tokens from ``starts`` can die at before a
        control has run: follow every way on that is not guaranteed."""
        seen, todo, found = set(starts), list(starts), set()
        while todo:
            node = self.nodes[todo.pop()]
            if not node.counted:
                found.add(node.id.removesuffix(DONE))
            for following in node.counted:
                if not guaranteed[following] and following not in seen:
                    seen.add(following)
                    todo.append(following)
        return tuple(sorted(found))
