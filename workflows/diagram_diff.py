"""What changed between two sets of definition files: files added, removed and changed, and in
each diagram or decision table the elements added, removed and changed, matched by id.

An element is a flow element, lane, participant or process of a diagram, or a decision, its
table, an input, output or rule of a decision table. What an element holds without an id of
its own (its form and due date, instructions, scripts, a timer's expression, a condition, a
rule's cells) is part of it, so a changed script is a change to its task, named by what
changed (``Aspect.key``). Moving an element on the drawing is the aspect ``layout``; moving a
task to another lane is the aspect ``lane``. A diagram's Welsh names (``*.bpmn.cy.json``)
change by element id too.

Pure: no Flask, no database; the files are untrusted and parsed with ``SAFE_XML``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree

from .names import is_names_file
from .safe_xml import SAFE_XML

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
LAYOUT = "layout"
LANE = "lane"
WELSH_NAME = "welsh_name"
# An element with an id directly inside one of these is an element of its own; anything
# else with an id (a timer's definition, a rule's cell) is part of its parent.
CONTAINERS = frozenset(
    {
        "definitions",
        "process",
        "subProcess",
        "transaction",
        "adHocSubProcess",
        "laneSet",
        "lane",
        "childLaneSet",
        "collaboration",
        "decision",
        "decisionTable",
    }
)
# The drawing, compared as each element's layout rather than as elements.
DRAWINGS = frozenset({"BPMNDiagram", "DMNDI"})
# Derived from other elements: a flow's ends name the nodes, a lane lists its nodes.
DERIVED = frozenset({"incoming", "outgoing", "flowNodeRef"})
SPIFF_PROPERTY = "property"
SPIFF_WRAPPERS = ("extensionElements/", "properties/")


@dataclass(frozen=True)
class Aspect:
    """One thing about an element that changed: ``key`` names it (``@name``, ``lane``,
    ``layout``, ``property:formJsonSchemaFilename``, ``script``, ``conditionExpression``,
    ``timerEventDefinition/timeDuration``, ``inputEntry[2]/text``, ...)."""

    key: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Change:
    element_id: str
    kind: str  # ADDED, REMOVED or CHANGED
    type: str  # the element's BPMN or DMN type: userTask, sequenceFlow, rule, ...
    name: str  # its name (the newer one), or ""
    position: int = 0  # its place among its parent's elements of its type, from 1 (rules)
    aspects: tuple[Aspect, ...] = ()


@dataclass(frozen=True)
class FileDiff:
    path: str
    kind: str  # ADDED, REMOVED or CHANGED
    changes: tuple[Change, ...] = ()
    # XML comments the older file has and the newer lacks (a diagram editor drops them).
    comments_lost: int = 0
    # Not well-formed XML: changed as a whole, compared no further.
    unreadable: bool = False

    @property
    def counts(self) -> Counter:
        return Counter(change.kind for change in self.changes)


@dataclass
class _Element:
    type: str
    name: str
    position: int
    aspects: dict[str, str] = field(default_factory=dict)


def diff_files(before: dict[str, bytes], after: dict[str, bytes]) -> list[FileDiff]:
    """Every file that differs between the two sets, by path, with its element changes."""
    found = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        kind = ADDED if old is None else REMOVED if new is None else CHANGED
        found.append(diff_file(path, old, new, kind))
    return found


def diff_file(path: str, before: bytes | None, after: bytes | None, kind: str = CHANGED):
    if path.endswith((".bpmn", ".dmn")):
        try:
            old, old_comments = _read_xml(before)
            new, new_comments = _read_xml(after)
        except (etree.XMLSyntaxError, ValueError):
            return FileDiff(path, kind, unreadable=True)
        lost = sum((old_comments - new_comments).values()) if before and after else 0
        return FileDiff(path, kind, tuple(_diff(old, new)), lost)
    if is_names_file(path):
        try:
            old, new = _read_names(before), _read_names(after)
        except ValueError:
            return FileDiff(path, kind, unreadable=True)
        return FileDiff(path, kind, tuple(_diff(old, new)))
    return FileDiff(path, kind)


def diff_xml(before: bytes | None, after: bytes | None) -> list[Change]:
    """The element changes between two versions of one diagram or decision table."""
    old, _ = _read_xml(before)
    new, _ = _read_xml(after)
    return _diff(old, new)


def _diff(old: dict[str, _Element], new: dict[str, _Element]) -> list[Change]:
    changes = []
    for element_id, element in new.items():
        was = old.get(element_id)
        if was is None:
            changes.append(Change(element_id, ADDED, element.type, element.name, element.position))
            continue
        keys = sorted(set(was.aspects) | set(element.aspects), key=_aspect_order)
        aspects = tuple(
            Aspect(key, was.aspects.get(key), element.aspects.get(key))
            for key in keys
            if was.aspects.get(key) != element.aspects.get(key)
        )
        if was.type != element.type:
            aspects = (Aspect("type", was.type, element.type), *aspects)
        if aspects:
            changes.append(
                Change(element_id, CHANGED, element.type, element.name, element.position, aspects)
            )
    for element_id, element in old.items():
        if element_id not in new:
            changes.append(
                Change(element_id, REMOVED, element.type, element.name, element.position)
            )
    return changes


def _aspect_order(key: str) -> tuple[int, str]:
    # The element's own attributes (its name first) before what it holds, its layout last.
    if key == "@name":
        return 0, key
    if key == LAYOUT:
        return 3, key
    return (1 if key.startswith("@") or key == LANE else 2), key


def _read_xml(content: bytes | None) -> tuple[dict[str, _Element], Counter]:
    if content is None:
        return {}, Counter()
    root = etree.fromstring(content, SAFE_XML)
    comments = Counter((node.text or "").strip() for node in root.getroottree().iter(etree.Comment))
    elements: dict[str, _Element] = {}
    layouts: dict[str, str] = {}
    _collect(root, elements, layouts)
    for node in root.iter():
        if isinstance(node.tag, str) and etree.QName(node).localname == "lane":
            lane = node.get("name") or node.get("id") or ""
            for ref in node:
                if isinstance(ref.tag, str) and etree.QName(ref).localname == "flowNodeRef":
                    element = elements.get((ref.text or "").strip())
                    if element is not None:
                        element.aspects[LANE] = lane  # nested lanes: the innermost, last
    for element_id, layout in layouts.items():
        if element_id in elements:
            elements[element_id].aspects[LAYOUT] = layout
    return elements, comments


def _read_names(content: bytes | None) -> dict[str, _Element]:
    if content is None:
        return {}
    document = json.loads(content)
    names = document.get("names") if isinstance(document, dict) else None
    if not isinstance(names, dict):
        raise ValueError("not a names file")
    return {
        str(key): _Element("welshName", str(value), 0, {WELSH_NAME: str(value)})
        for key, value in names.items()
    }


def _collect(node, elements: dict[str, _Element], layouts: dict[str, str]) -> None:
    positions: Counter = Counter()
    for child in node:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local in DRAWINGS:
            _layouts(child, layouts)
            continue
        element_id = child.get("id")
        if element_id and local not in DERIVED:
            positions[local] += 1
            aspects = {
                f"@{etree.QName(name).localname}": value
                for name, value in child.attrib.items()
                if name != "id"
            }
            _aspects(child, "", aspects)
            name = child.get("name") or child.get("label") or ""
            elements[element_id] = _Element(local, name, positions[local], aspects)
        if local in CONTAINERS:
            _collect(child, elements, layouts)


def _aspects(node, path: str, aspects: dict[str, str]) -> None:
    """What an element holds without an id of its own (or inside something that has one but
    is not an element of its own), keyed by its path within the element."""
    seen = Counter(etree.QName(child).localname for child in node if isinstance(child.tag, str))
    counted: Counter = Counter()
    for child in node:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local in DERIVED or (local in DRAWINGS):
            continue
        if child.get("id") and etree.QName(node).localname in CONTAINERS:
            continue  # an element of its own
        counted[local] += 1
        if local == SPIFF_PROPERTY and child.get("name") is not None:
            segment = f"property:{child.get('name')}"
        elif seen[local] > 1:
            segment = f"{local}[{counted[local]}]"
        else:
            segment = local
        key = _key(f"{path}/{segment}" if path else segment)
        for name, value in child.attrib.items():
            attribute = etree.QName(name).localname
            if attribute == "id" or (segment.startswith("property:") and attribute == "name"):
                continue
            if segment.startswith("property:") and attribute == "value":
                aspects[key] = value
            else:
                aspects[f"{key}@{attribute}"] = value
        text = (child.text or "").strip()
        if text:
            aspects[key] = text
        _aspects(child, key, aspects)


def _key(path: str) -> str:
    for wrapper in SPIFF_WRAPPERS:
        path = path.replace(wrapper, "")
    return path


def _layouts(drawing, layouts: dict[str, str]) -> None:
    """Each drawn element's place: its shape's bounds or its edge's points, and its label's
    bounds (the order shapes are listed in is not layout)."""
    for shape in drawing.iter():
        if not isinstance(shape.tag, str):
            continue
        if not etree.QName(shape).localname.endswith(("Shape", "Edge")):
            continue
        element_id = shape.get("bpmnElement") or shape.get("dmnElementRef")
        if not element_id:
            continue
        points = []
        for part in shape:
            if not isinstance(part.tag, str):
                continue
            if etree.QName(part).localname in ("Bounds", "waypoint"):
                points.append(_attributes(part))
            else:  # a label, placed by its bounds
                points.extend(
                    _attributes(bounds)
                    for bounds in part
                    if isinstance(bounds.tag, str) and etree.QName(bounds).localname == "Bounds"
                )
        flags = " ".join(
            f"{name}={value}"
            for name, value in sorted(shape.attrib.items())
            if name not in ("id", "bpmnElement", "dmnElementRef")
        )
        layouts[element_id] = "; ".join(filter(None, [flags, *points]))


def _attributes(node) -> str:
    return " ".join(f"{name}={value}" for name, value in sorted(node.attrib.items()))
