"""A posted form read back into the JSON data its schema describes, ready to validate.

The posted form is untrusted: only names the schema has are read, lists are capped at
``MAX_ITEMS`` and nesting at ``MAX_DEPTH``, and nothing is ever evaluated. A value that cannot
be read (``"abc"`` for a number, 40 November) is kept as its text so that validation says what
is wrong with it."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from .schema import (
    DATE_PARTS,
    DATETIME_PARTS,
    LONDON,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_PART,
    MISSING,
    as_dict,
    as_list,
    is_int,
    is_position,
    items_of,
    join_path,
    kind_of,
    type_of,
)


def parse_submission(schema: dict, form, ui_schema: dict | None = None) -> dict:
    """The posted answers as JSON data of the schema's types, ready to validate.

    ``form`` is a werkzeug ``MultiDict`` (or a plain dict). Only names the schema has are read;
    an empty answer is left out; a value that cannot be read is kept as its text so that
    validation reports it. Given the ``ui_schema``, hidden and read-only questions are not read
    (their values are never the form's to change).
    """
    read = _Reader(form)
    value = _parse_object(
        schema if isinstance(schema, dict) else {},
        ui_schema if isinstance(ui_schema, dict) else {},
        read,
        "",
        required=True,
        depth=0,
    )
    return value if isinstance(value, dict) else {}


class _Reader:
    """The posted form: first values, lists of values, and the names under a prefix."""

    def __init__(self, form):
        self.form = form if form is not None else {}
        self._names: list[str] | None = None

    def get(self, name: str) -> str:
        value = self.form.get(name) if hasattr(self.form, "get") else None
        if isinstance(value, list):
            value = value[0] if value else None
        return value if isinstance(value, str) else ""

    def getlist(self, name: str) -> list[str]:
        if hasattr(self.form, "getlist"):
            values = self.form.getlist(name)
        else:
            value = self.form.get(name)
            values = value if isinstance(value, list) else [value]
        return [each for each in values if isinstance(each, str)]

    def indices(self, name: str) -> list[int]:
        """The item positions posted under ``name`` (``name.3.x`` or ``name.3``), in order, at
        most ``MAX_ITEMS`` of them. Only plain numbers count (no signs, no leading zeros)."""
        if self._names is None:
            self._names = [key for key in self.form if isinstance(key, str)]
        within = f"{name}."
        found = set()
        for key in self._names:
            if not key.startswith(within):
                continue
            position = key[len(within) :].split(".", 1)[0]
            if is_position(position):
                found.add(int(position))
        return sorted(found)[:MAX_ITEMS]


def _parse_object(
    schema: dict, ui: dict, read: _Reader, prefix: str, required: bool, depth: int
) -> Any:
    if depth > MAX_DEPTH:
        return MISSING
    properties = schema.get("properties")
    result: dict = {}
    if isinstance(properties, dict):
        needed = set(as_list(schema.get("required")))
        for key, sub in properties.items():
            sub_ui = as_dict(ui.get(key))
            if not isinstance(sub, dict) or sub_ui.get("ui:widget") == "hidden":
                continue
            if kind_of(sub, sub_ui) == "readonly":
                continue
            value = _parse_value(sub, sub_ui, read, join_path(prefix, key), key in needed, depth)
            if value is not MISSING:
                result[key] = value
    # A required object left empty still holds its required parts (a list's first item, an
    # object within it), so that each question says what it needs.
    return result if required or _has_content(result) else MISSING


def _parse_value(
    schema: dict, ui: dict, read: _Reader, name: str, required: bool, depth: int
) -> Any:
    kind = kind_of(schema, ui)
    if kind == "object":
        return _parse_object(schema, ui, read, name, required, depth + 1)
    if kind == "array":
        return _parse_list(schema, ui, read, name, required, depth)
    if kind == "checkboxes":
        item_schema = items_of(schema)
        chosen = []
        for text in read.getlist(name)[:MAX_ITEMS]:
            value = _typed(item_schema, text.strip())
            if value is not MISSING:
                chosen.append(value)
        return chosen if chosen else MISSING
    if kind == "date":
        return _date_text(*(read.get(f"{name}.{part}") for part in DATE_PARTS))
    if kind == "datetime":
        return _datetime_text(*(read.get(f"{name}.{part}") for part in DATETIME_PARTS))
    text = read.get(name)
    if kind == "textarea" or type_of(schema) == "string":
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _typed(schema, text.strip())


def _parse_list(
    schema: dict, ui: dict, read: _Reader, name: str, required: bool, depth: int
) -> Any:
    if depth + 1 > MAX_DEPTH:
        return MISSING
    item_schema, item_ui = items_of(schema), as_dict(ui.get("items"))
    items = []
    for index in read.indices(name):
        value = _parse_value(
            item_schema, item_ui, read, f"{name}.{index}", required=False, depth=depth + 1
        )
        if value is not MISSING and _has_content(value):
            items.append(value)
    if items:
        return items
    of_objects = kind_of(item_schema, item_ui) == "object"
    min_items = schema.get("minItems") if is_int(schema.get("minItems")) else 0
    if of_objects and required and min_items >= 1:
        return [{}]  # so that the first item's questions say what they need
    return MISSING


def _typed(schema: dict, text: str) -> Any:
    """One answer as the schema's type; text that is not of it stays text."""
    if text == "":
        return MISSING
    kind = type_of(schema)
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if kind == "integer":
        return _number(text, integer=True)
    if kind == "number":
        return _number(text, integer=False)
    if kind == "null":
        return text
    return text


_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,18}(?:\.[0-9]{0,18})?|\.[0-9]{1,18})")


def _number(text: str, integer: bool) -> Any:
    plain = text.replace(",", "").replace(" ", "")
    if _INTEGER.fullmatch(plain):
        return int(plain)
    if not integer and _DECIMAL.fullmatch(plain):
        return float(plain)
    return text


def _date_text(day: str, month: str, year: str) -> Any:
    """A date's parts as ``YYYY-MM-DD``; parts that make no date are kept as typed, in that
    shape, so the schema's date check reports them (and the inputs show them again)."""
    day, month, year = (part.strip()[:MAX_PART] for part in (day, month, year))
    if not (day or month or year):
        return MISSING
    return f"{year}-{_padded(month)}-{_padded(day)}"


def _datetime_text(day: str, month: str, year: str, time: str) -> Any:
    """A date and a 24-hour time in Europe/London as ISO 8601 with that moment's offset (GMT
    or BST); parts that make no moment are kept as typed for the schema's check to report."""
    on = _date_text(day, month, year)
    time = time.strip()[:MAX_PART]
    if on is MISSING and not time:
        return MISSING
    on = "" if on is MISSING else on
    clock = _clock(time)
    if clock is not None:
        try:
            day_date = date.fromisoformat(on) if _ISO_DATE.fullmatch(on) else None
        except ValueError:
            day_date = None
        if day_date is not None:
            moment = datetime(day_date.year, day_date.month, day_date.day, *clock, tzinfo=LONDON)
            return moment.isoformat()
    return f"{on}T{time}"


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3])[:.]?([0-5][0-9])")


def _clock(text: str) -> tuple[int, int] | None:
    found = _CLOCK.fullmatch(text)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _padded(part: str) -> str:
    return part.zfill(2) if part.isascii() and part.isdigit() and len(part) == 1 else part


def _has_content(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_content(each) for each in value.values())
    if isinstance(value, list):
        return any(_has_content(each) for each in value)
    return value is not MISSING and value != ""
