"""What a case's diagrams, decision tables and forms call things, for an auditor reading its
history: a decision table's inputs and outputs, a gateway's ways, a field of the case's data,
each by its label in the reader's language (the forms' titles first, then the table's own
labels), never by an element's id or a field's key.

Built from one definition version's files (``Catalog.files``), once per page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from lxml import etree

from workflows.catalog import Catalog
from workflows.names import named_elements
from workflows.safe_xml import SAFE_XML

from ..models import Case
from ..names import ShownNames

# An input expression that names a field of the case's data (``risk_tool``, ``victim.name``).
_FIELD = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
# A value a table answers that is a code, not words (``dash_threshold``).
_CODE = re.compile(r"[a-z0-9]+(_[a-z0-9]+)+")


@dataclass
class Table:
    """A decision table as the history needs it: its name, its inputs (label, expression),
    its outputs' labels by name and its rules' descriptions by id."""

    name: str
    inputs: list[tuple[str, str]] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)


class DiagramWords:
    def __init__(self, catalog: Catalog, names: ShownNames, case: Case, language: str) -> None:
        self.catalog, self.names, self.case, self.language = catalog, names, case, language
        self._tables: dict[str, Table] | None = None
        self._elements: dict[str, str] | None = None
        self._fields: dict[str, dict] | None = None

    # --- a decision ------------------------------------------------------------------------

    def decision(self, event: dict, data: dict, withheld: bool = False):
        """A ``decision_taken`` event in words, or None when there is nothing to say (a gateway
        with no name, or none of whose ways has one)."""
        from .case_history import Change, Decision, cut, labelled, value_text

        bpmn_id = str(event.get("bpmn_id") or "")
        english = str(event.get("name") or "")
        if event.get("kind") == "decision_table":
            table = self.tables().get(str(event.get("decision") or ""))
            if english:
                name = self.names.element(self.case.id, bpmn_id, english)
            else:
                name = table.name if table is not None and table.name else _("A decision table")
            said = Decision(_("Decision: %(name)s", name=name))
            for label, expression in table.inputs if table is not None else []:
                schema = self.fields().get(expression, {})
                shown = labelled(schema.get("title") or label or _("An input"))
                if withheld:
                    text = _("withheld")
                elif not _FIELD.fullmatch(expression):
                    text = _("worked out by the table from the case's data")
                else:
                    value = _value_at(data, expression)
                    text = cut(value_text(value, schema, self.language))
                said.inputs.append(Change(shown, text))
            result = event.get("result") if isinstance(event.get("result"), dict) else {}
            for name_, value in result.items():
                schema = self.fields().get(name_, {})
                label = schema.get("title") or (table.outputs.get(name_) if table else None)
                text = _("withheld") if withheld else cut(self.answer_text(name_, value, schema))
                said.answer.append(Change(labelled(label or self.field_label(name_)), text))
            rules = event.get("rules") if isinstance(event.get("rules"), list) else []
            if table is not None:
                described = [table.rules.get(str(rule)) for rule in rules]
                said.rule = "; ".join(text for text in described if text) or None
            return said
        if not english:
            return None
        ways = [
            self.names.element(self.case.id, way, self.elements()[way])
            for way in event.get("taken") or []
            if way in self.elements()
        ]
        if not ways:
            return None
        gateway = self.names.element(self.case.id, bpmn_id, english)
        ways_text = ", ".join(ways)
        return Decision(_("Way taken at %(gateway)s: %(ways)s", gateway=gateway, ways=ways_text))

    def answer_text(self, name: str, value: Any, schema: dict) -> str:
        """A table's answer as a reader reads it: a choice by its title in the form that has
        it (by the field's name, else by the value), else a value like ``dash_threshold`` in
        words."""
        from .case_history import value_text

        if isinstance(value, str) and not schema.get("oneOf"):
            titles = self.catalog.choices.titles
            for path in [name, *titles]:
                title = titles.get(path, {}).get(self.language, {}).get(value)
                if title:
                    return str(title)
            if _CODE.fullmatch(value):
                words = value.replace("_", " ")
                return words[:1].upper() + words[1:]
        return value_text(value, schema, self.language)

    # --- a field of the case's data ----------------------------------------------------------

    def field_label(self, key: str) -> str:
        """A field's label: its title in the first form that asks for it, else what a decision
        table calls it, else its key written as words ("crime_recorded_at": "Crime recorded
        at")."""
        schema = self.fields().get(key)
        if schema and schema.get("title"):
            return str(schema["title"])
        for table in self.tables().values():
            if table.outputs.get(key):
                return table.outputs[key]
        if key == "letters_sent":
            return _("Letters sent to the victim")
        words = key.replace("_", " ").strip()
        return words[:1].upper() + words[1:]

    def fields(self) -> dict[str, dict]:
        """Every top-level field of the version's forms, by key: its schema in the reader's
        language, from the first form (by name) that has it."""
        if self._fields is None:
            self._fields = {}
            for name in sorted(self.catalog.forms):
                schema, _ui = self.catalog.forms[name].localized(self.language)
                for key, each in (schema.get("properties") or {}).items():
                    if isinstance(each, dict):
                        self._fields.setdefault(key, each)
        return self._fields

    # --- the files -------------------------------------------------------------------------

    def tables(self) -> dict[str, Table]:
        if self._tables is None:
            self._tables = {}
            for path, content in self.catalog.files.items():
                if path.endswith(".dmn"):
                    self._tables.update(_tables_in(content))
        return self._tables

    def elements(self) -> dict[str, str]:
        """Element id -> English name, for every named element of the version's diagrams."""
        if self._elements is None:
            self._elements = {}
            for path, content in self.catalog.files.items():
                if not path.endswith(".bpmn"):
                    continue
                try:
                    root = etree.fromstring(content, SAFE_XML)
                except etree.XMLSyntaxError:
                    continue
                for process in root.iterfind("{*}process"):
                    self._elements.update(named_elements(process))
        return self._elements


def _tables_in(content: bytes) -> dict[str, Table]:
    try:
        root = etree.fromstring(content, SAFE_XML)
    except etree.XMLSyntaxError:
        return {}
    tables = {}
    for decision in root.iterfind("{*}decision"):
        table = Table(decision.get("name") or "")
        for each in decision.iterfind("{*}decisionTable/{*}input"):
            expression = (each.findtext("{*}inputExpression/{*}text") or "").strip()
            table.inputs.append((each.get("label") or "", expression))
        for each in decision.iterfind("{*}decisionTable/{*}output"):
            if each.get("name"):
                table.outputs[each.get("name")] = each.get("label") or ""
        for each in decision.iterfind("{*}decisionTable/{*}rule"):
            table.rules[each.get("id") or ""] = (each.findtext("{*}description") or "").strip()
        # The history names a table by its decision table's id; the diagram by its decision's.
        tables[decision.get("id") or ""] = table
        for each in decision.iterfind("{*}decisionTable"):
            if each.get("id"):
                tables[each.get("id")] = table
    return tables


def _value_at(data: dict, expression: str) -> Any:
    """The value an input expression naming a field reads; None for any other expression."""
    if not _FIELD.fullmatch(expression):
        return None
    value: Any = data
    for part in expression.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
