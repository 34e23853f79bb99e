"""What drawing a form, reading its answers, placing its errors and changing its lists share:
the form's limits, what kind of question a JSON Schema node asks, the schema at a dotted path,
and the names and ids of its answers."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
MAX_ITEMS = 200  # the most items a list takes from one submission
MAX_DEPTH = 12  # the deepest nesting of objects and lists read or drawn
MAX_PART = 50  # the longest part of a date or time kept
DATE_PARTS = ("day", "month", "year")
DATETIME_PARTS = (*DATE_PARTS, "time")


class _Missing:
    """Not given: the key is left out of the data."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


def kind_of(schema: dict, ui: dict) -> str:
    """The kind of question (one of ``KINDS``) a schema node and its UI schema ask."""
    widget = ui.get("ui:widget")
    kind_of_type = type_of(schema)
    if ui.get("ui:readonly") or ui.get("ui:disabled") or schema.get("readOnly") is True:
        return "readonly"
    if kind_of_type == "object":
        return "object"
    if kind_of_type == "array":
        return "checkboxes" if options_of(items_of(schema)) else "array"
    if kind_of_type == "boolean":
        return "select" if widget == "select" else "boolean"
    if kind_of_type == "string" and (
        schema.get("format") == "date-time"
        or widget
        in (
            "datetime",
            "date-time",
        )
    ):
        return "datetime"
    if kind_of_type == "string" and (schema.get("format") == "date" or widget == "date"):
        return "date"
    if options_of(schema):
        return "select" if widget == "select" else "radios"
    if kind_of_type in ("integer", "number"):
        return kind_of_type
    if widget == "textarea":
        return "textarea"
    return "text"


def options_of(schema: dict) -> list[dict]:
    """The choices of a field: its ``oneOf``/``anyOf`` constants with their titles, or its
    ``enum``."""
    for keyword in ("oneOf", "anyOf"):
        choices = schema.get(keyword)
        if (
            isinstance(choices, list)
            and choices
            and all(isinstance(choice, dict) and "const" in choice for choice in choices)
        ):
            return [
                {
                    "value": form_value(choice["const"]),
                    "text": nonblank(choice.get("title")) or str(form_value(choice["const"])),
                }
                for choice in choices
            ]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return [{"value": form_value(each), "text": str(form_value(each))} for each in enum]
    return []


def type_of(schema: dict) -> str | None:
    """A schema node's JSON type: its ``type`` (the first not ``null``), else the one its
    keywords or choices imply."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((each for each in kind if each != "null"), None)
    if isinstance(kind, str):
        return kind
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    consts = [
        choice["const"]
        for keyword in ("oneOf", "anyOf")
        for choice in as_list(schema.get(keyword))
        if isinstance(choice, dict) and "const" in choice
    ] or as_list(schema.get("enum"))
    if consts and all(isinstance(each, bool) for each in consts):
        return "boolean"
    if consts and all(isinstance(each, int) and not isinstance(each, bool) for each in consts):
        return "integer"
    if consts and all(isinstance(each, int | float) for each in consts):
        return "number"
    return "string"


def items_of(schema: dict) -> dict:
    """The schema of a list's items."""
    return as_dict(schema.get("items"))


def schema_at(schema: dict, path: str) -> dict | None:
    """The schema node of the field at a dotted path (``incident_timeline.0.description``)."""
    node: Any = schema
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        if type_of(node) == "array":
            if not part.isdigit():
                return None
            node = items_of(node)
        else:
            node = as_dict(node.get("properties")).get(part)
    return node if isinstance(node, dict) else None


def field_id(name: str) -> str:
    """A safe HTML id for a field's dotted name: ``caller.name`` -> ``f-caller-name``."""
    return "f-" + "-".join(re.sub(r"[^A-Za-z0-9_]", "_", part) for part in name.split("."))


def join_path(prefix: str, key: str) -> str:
    """The dotted path of ``key`` within the object at ``prefix``."""
    return f"{prefix}.{key}" if prefix else key


_POSITION = re.compile(r"0|[1-9][0-9]{0,5}")


def is_position(text: str) -> bool:
    """Whether a part of a path is a list item's position: a plain number (no signs, no
    leading zeros)."""
    return _POSITION.fullmatch(text) is not None


def form_value(value: Any) -> str:
    """A JSON value as a form posts it."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None or value is MISSING:
        return ""
    return str(value)


def sentence(message: str | None) -> str | None:
    """A message as a sentence: its first letter a capital."""
    if not message:
        return None
    return message[0].upper() + message[1:]


def nonblank(value: Any) -> str | None:
    """Text that says something, else None."""
    return value if isinstance(value, str) and value.strip() else None


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
