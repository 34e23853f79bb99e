"""A task's form on a page: its JSON Schema and UI schema drawn as GOV.UK questions, and the
posted answers read back into the data the schema describes.

Pure presentation: nothing here reads the database or decides anything about a case.

- ``form_fields`` turns the (localized) schema, UI schema, the current values and the errors
  into ``Field`` objects in the order the UI schema gives; ``web/_schema_form.html``'s
  ``schema_fields`` macro draws them with the GOV.UK Frontend macros.
- ``parse_submission`` turns the posted form back into JSON data of the schema's types. The
  posted form is untrusted: only names the schema has are read, lists are capped at
  ``MAX_ITEMS`` and nesting at ``MAX_DEPTH``, and nothing is ever evaluated. A value that
  cannot be read (``"abc"`` for a number, 40 November) is kept as its text so that validation
  says what is wrong with it.
- ``errors_by_field`` and ``error_summary_items`` place validation messages beside their
  questions and in the GOV.UK error summary, linked to the input to correct.
- ``add_item`` and ``remove_item`` give a list one item more or less, for the "Add another"
  and "Remove" buttons (posted as ``action=add:<path>`` and ``action=remove:<path>.<index>``;
  ``item_action`` reads one).

Field names are dotted paths (``caller.name``, ``incident_timeline.0.description``), the same
paths ``workflows.forms.FieldError`` names. A date's parts are posted as ``<name>.day``,
``<name>.month`` and ``<name>.year``, and a date-time's time as ``<name>.time``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

LONDON = ZoneInfo("Europe/London")
MAX_ITEMS = 200  # the most items a list takes from one submission
MAX_DEPTH = 12  # the deepest nesting of objects and lists read or drawn
MAX_PART = 50  # the longest part of a date or time kept
DATE_PARTS = ("day", "month", "year")
DATETIME_PARTS = (*DATE_PARTS, "time")
FORM_ERROR = "(form)"  # the path of a message about the form as a whole

KINDS = (
    "text",
    "textarea",
    "number",
    "integer",
    "date",
    "datetime",
    "radios",
    "checkboxes",
    "select",
    "boolean",
    "object",
    "array",
    "readonly",
)
# Kinds drawn as a fieldset with a legend (the others have a label).
FIELDSET_KINDS = ("date", "datetime", "radios", "checkboxes", "boolean", "object", "array")


class _Missing:
    """Not given: the key is left out of the data."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


@dataclass
class Field:
    """One question (or group of questions) as the template draws it."""

    id: str
    name: str
    kind: str
    label: str
    hint: str | None = None
    required: bool = False
    # What the input shows: text for most kinds; a list of values for checkboxes; for a date
    # {"day", "month", "year"} and for a date-time those and "time" ("HH:MM", Europe/London).
    value: Any = None
    # [{"value", "text"}]; an option with "default": True is "Yes" or "No", which the template
    # says in the page's language.
    options: list[dict] = field(default_factory=list)
    error: str | None = None
    children: list[Field] = field(default_factory=list)
    rows: int | None = None
    max_length: int | None = None
    placeholder: str | None = None
    # A question asked only for some answers to another, e.g. {"field": "offences_disclosed",
    # "values": ["true"]}: always shown for now (correct without JavaScript), marked for a later
    # progressive reveal.
    conditional: dict | None = None
    depth: int = 0
    # A list item's position, and the words naming it in the error summary ("Incident 2").
    index: int | None = None
    context: str | None = None
    # "add:<path>" on a list that may take another item, "remove:<path>.<index>" on an item
    # that may be removed: the value of a submit button named "action".
    add_action: str | None = None
    remove_action: str | None = None
    spellcheck: bool | None = None

    @property
    def focus_id(self) -> str:
        """The id of the input the error summary links to (GOV.UK's choice for each kind)."""
        if self.kind in ("date", "datetime"):
            return f"{self.id}-day"
        if self.kind == "object":
            return self.children[0].focus_id if self.children else self.id
        if self.kind == "array":
            if self.children:
                return self.children[0].focus_id
            return f"{self.id}-add" if self.add_action else self.id
        return self.id

    @property
    def is_fieldset(self) -> bool:
        return self.kind in FIELDSET_KINDS

    def walk(self):
        """This field and every field within it, in page order."""
        yield self
        for child in self.children:
            yield from child.walk()


# --- drawing ------------------------------------------------------------------------------------


def form_fields(
    schema: dict,
    ui_schema: dict | None,
    values: dict | None,
    errors: dict[str, str] | None,
    prefix: str = "",
) -> list[Field]:
    """The questions of an object schema, in ``ui:order`` order then any others, without those
    whose widget is ``hidden``. ``prefix`` is the dotted path of the object within the form
    (names and ids start with it)."""
    return _object_fields(
        schema if isinstance(schema, dict) else {},
        ui_schema if isinstance(ui_schema, dict) else {},
        values if isinstance(values, dict) else {},
        errors or {},
        prefix,
        depth=0,
    )


def _object_fields(
    schema: dict, ui: dict, values: dict, errors: dict, prefix: str, depth: int
) -> list[Field]:
    if depth > MAX_DEPTH:
        return []
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return []
    required = set(_list(schema.get("required")))
    conditions = _conditions(schema, prefix)
    fields = []
    for key in _ordered(properties, ui.get("ui:order")):
        sub, sub_ui = properties[key], _dict(ui.get(key))
        if not isinstance(sub, dict) or sub_ui.get("ui:widget") == "hidden":
            continue
        made = _field(
            sub,
            sub_ui,
            values.get(key, MISSING),
            errors,
            _join(prefix, key),
            label=_label(sub, sub_ui, key),
            required=key in required,
            depth=depth,
        )
        made.conditional = conditions.get(key)
        fields.append(made)
    return fields


def _field(
    schema: dict,
    ui: dict,
    value: Any,
    errors: dict,
    name: str,
    label: str,
    required: bool,
    depth: int,
) -> Field:
    kind = _kind(schema, ui)
    made = Field(
        id=field_id(name),
        name=name,
        kind=kind,
        label=label,
        hint=_text(ui.get("ui:help"))
        or _text(ui.get("ui:description"))
        or _text(schema.get("description")),
        required=required,
        placeholder=_text(ui.get("ui:placeholder")),
        depth=depth,
    )
    if kind == "object":
        made.error = _sentence(errors.get(name))
        made.children = _object_fields(
            schema, ui, value if isinstance(value, dict) else {}, errors, name, depth + 1
        )
        return made
    if kind == "array":
        made.error = _sentence(errors.get(name))
        _array_items(made, schema, ui, value, errors, depth)
        return made
    made.error = _sentence(_leaf_error(errors, name))
    if made.error and kind in ("date", "datetime") and not _readable_moment(kind, value):
        # The service states the ISO format an API caller writes; on the page the date is
        # typed in boxes, so say it as GOV.UK does.
        made.error = (
            _("Enter a real date, for example 23 4 1990")
            if kind == "date"
            else _("Enter a real date and a time, for example 23 4 2026 and 09:30")
        )
    made.options = _options(schema) if kind != "checkboxes" else _options(_items(schema))
    if kind == "boolean" and not made.options:
        made.options = [
            {"value": "true", "text": "Yes", "default": True},
            {"value": "false", "text": "No", "default": True},
        ]
    made.value = _shown(kind, value)
    if kind == "textarea":
        rows = _dict(ui.get("ui:options")).get("rows")
        made.rows = max(1, min(rows, 40)) if _is_int(rows) else 5
    max_length = schema.get("maxLength")
    made.max_length = max_length if _is_int(max_length) else None
    if kind == "text" and ("pattern" in schema or "format" in schema):
        made.spellcheck = False
    return made


def _array_items(made: Field, schema: dict, ui: dict, value: Any, errors: dict, depth: int) -> None:
    items_schema, items_ui = _items(schema), _dict(ui.get("items"))
    of_objects = items_schema.get("type") == "object" or "properties" in items_schema
    shown = list(value)[:MAX_ITEMS] if isinstance(value, list) else []
    min_items = schema.get("minItems") if _is_int(schema.get("minItems")) else 0
    if not shown and made.required and min_items >= 1:
        shown = [{} if of_objects else ""]
    fewest = min_items if made.required else 0
    item_title = _label(items_schema, items_ui, "") or made.label
    for index, item in enumerate(shown):
        item_name = f"{made.name}.{index}"
        item_label = f"{item_title} {index + 1}"
        if of_objects:
            child = Field(
                id=field_id(item_name),
                name=item_name,
                kind="object",
                label=item_label,
                hint=None,
                required=True,
                depth=depth + 1,
                error=_sentence(errors.get(item_name)),
            )
            child.children = _object_fields(
                items_schema,
                items_ui,
                item if isinstance(item, dict) else {},
                errors,
                item_name,
                depth + 2,
            )
            for grandchild in child.walk():
                if grandchild is not child:
                    grandchild.context = item_label
        else:
            child = _field(
                items_schema, items_ui, item, errors, item_name, item_label, True, depth + 1
            )
            child.hint = None  # said once, on the list
        child.index = index
        if len(shown) > fewest:
            child.remove_action = f"remove:{item_name}"
        made.children.append(child)
    max_items = schema.get("maxItems") if _is_int(schema.get("maxItems")) else MAX_ITEMS
    if len(shown) < min(max_items, MAX_ITEMS):
        made.add_action = f"add:{made.name}"


def _kind(schema: dict, ui: dict) -> str:
    widget = ui.get("ui:widget")
    kind_of_type = _type(schema)
    if ui.get("ui:readonly") or ui.get("ui:disabled") or schema.get("readOnly") is True:
        return "readonly"
    if kind_of_type == "object":
        return "object"
    if kind_of_type == "array":
        return "checkboxes" if _options(_items(schema)) else "array"
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
    if _options(schema):
        return "select" if widget == "select" else "radios"
    if kind_of_type in ("integer", "number"):
        return kind_of_type
    if widget == "textarea":
        return "textarea"
    return "text"


def _options(schema: dict) -> list[dict]:
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
                    "value": _form_value(choice["const"]),
                    "text": _text(choice.get("title")) or str(_form_value(choice["const"])),
                }
                for choice in choices
            ]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return [{"value": _form_value(each), "text": str(_form_value(each))} for each in enum]
    return []


def _shown(kind: str, value: Any) -> Any:
    """A value as its input shows it."""
    if kind == "checkboxes":
        return [_form_value(each) for each in value] if isinstance(value, list) else []
    if kind == "date":
        return _date_parts(value)
    if kind == "datetime":
        return _datetime_parts(value)
    if value is MISSING or value is None or isinstance(value, dict | list):
        return ""
    return _form_value(value)


def _date_parts(value: Any) -> dict:
    parts = {"day": "", "month": "", "year": ""}
    if not isinstance(value, str) or not value:
        return parts
    pieces = value.split("-", 2)
    if len(pieces) != 3:
        return parts
    year, month, day = pieces
    return {"day": _unpadded(day), "month": _unpadded(month), "year": year}


def _datetime_parts(value: Any) -> dict:
    empty = {"day": "", "month": "", "year": "", "time": ""}
    if not isinstance(value, str) or not value:
        return empty
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is not None:
        local = moment.astimezone(LONDON)
        return {
            "day": str(local.day),
            "month": str(local.month),
            "year": str(local.year),
            "time": f"{local.hour:02d}:{local.minute:02d}",
        }
    # Text kept from a submission that could not be read: its parts as they were typed.
    date_text, _, time_text = value.partition("T")
    return {**_date_parts(date_text), "time": time_text[:MAX_PART]}


def _readable_moment(kind: str, value: Any) -> bool:
    """Whether a date's (or date-time's) value is one the schema would read: an answer left
    out counts as readable, its message being that it is needed."""
    if value is MISSING or value is None or value == "":
        return True
    if not isinstance(value, str):
        return False
    try:
        if kind == "date":
            date.fromisoformat(value)
        else:
            return datetime.fromisoformat(value.replace("z", "Z")).tzinfo is not None
    except ValueError:
        return False
    return True


def _unpadded(text: str) -> str:
    return str(int(text)) if text.isascii() and text.isdigit() and len(text) <= 4 else text


def _conditions(schema: dict, prefix: str) -> dict[str, dict]:
    """Questions the schema requires only for some answer to another: ``if`` (one property's
    ``const``, ``enum`` or ``contains``) ``then`` ``required``, at this level or in ``allOf``."""
    found: dict[str, dict] = {}
    rules = [schema, *[each for each in _list(schema.get("allOf")) if isinstance(each, dict)]]
    for rule in rules:
        condition, then = _dict(rule.get("if")), _dict(rule.get("then"))
        tested = _dict(condition.get("properties"))
        if len(tested) != 1 or not then.get("required"):
            continue
        key, test = next(iter(tested.items()))
        test = _dict(test)
        if "const" in test:
            answers = [test["const"]]
        elif isinstance(test.get("enum"), list):
            answers = test["enum"]
        elif isinstance(test.get("contains"), dict) and "const" in test["contains"]:
            answers = [test["contains"]["const"]]
        else:
            continue
        for name in _list(then.get("required")):
            if isinstance(name, str) and name != key:
                found[name] = {
                    "field": _join(prefix, key),
                    "values": [_form_value(answer) for answer in answers],
                }
    return found


# --- errors --------------------------------------------------------------------------------------


def errors_by_field(field_errors, schema: dict | None = None) -> dict[str, str]:
    """The first message for each field's path. A path naming a part of a date or date-time
    (``reported_at.day``, ``reported_at.time``) is the field's own; given the ``schema``, only
    where the field is a date or date-time."""
    found: dict[str, str] = {}
    for error in field_errors:
        path = _whole_field(str(error.field), schema)
        found.setdefault(path, error.message)
    return found


def _whole_field(path: str, schema: dict | None) -> str:
    head, _, last = path.rpartition(".")
    if not head or last not in DATETIME_PARTS:
        return path
    if schema is None:
        return head
    node = _schema_at(schema, head)
    if node is not None and _type(node) == "string" and node.get("format") in ("date", "date-time"):
        return head
    return path


def _schema_at(schema: dict, path: str) -> dict | None:
    node: Any = schema
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        if _type(node) == "array":
            if not part.isdigit():
                return None
            node = _items(node)
        else:
            node = _dict(node.get("properties")).get(part)
    return node if isinstance(node, dict) else None


def _leaf_error(errors: dict, name: str) -> str | None:
    """A question's message: its own, else the first about a part of it (a checkbox list's
    items, a date's day)."""
    if name in errors:
        return errors[name]
    within = f"{name}."
    for path, message in errors.items():
        if path.startswith(within):
            return message
    return None


def error_summary_items(fields: list[Field], errors: dict[str, str] | None = None) -> list[dict]:
    """The GOV.UK error summary's list: each question's message, in page order, linked to the
    input to correct. Given the ``errors`` the fields were drawn with, messages no question
    shows (about the form as a whole) follow, unlinked."""
    items = []
    shown: set[str] = set()  # names whose messages are beside them
    leaves: list[str] = []  # questions that show a message about a part of them
    for top in fields:
        for each in top.walk():
            if not each.error:
                continue
            shown.add(each.name)
            if each.kind not in ("object", "array"):
                leaves.append(f"{each.name}.")
            where = f"{each.context}, {each.label}" if each.context else each.label
            items.append({"text": f"{where}: {each.error}", "href": f"#{each.focus_id}"})
    for path, message in (errors or {}).items():
        if path in shown or path.startswith(tuple(leaves)):
            continue
        items.append({"text": _sentence(message)})
    return items


# --- reading a submission ----------------------------------------------------------------------


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
            if _is_position(position):
                found.add(int(position))
        return sorted(found)[:MAX_ITEMS]


_POSITION = re.compile(r"0|[1-9][0-9]{0,5}")


def _is_position(text: str) -> bool:
    return _POSITION.fullmatch(text) is not None


def _parse_object(
    schema: dict, ui: dict, read: _Reader, prefix: str, required: bool, depth: int
) -> Any:
    if depth > MAX_DEPTH:
        return MISSING
    properties = schema.get("properties")
    result: dict = {}
    if isinstance(properties, dict):
        needed = set(_list(schema.get("required")))
        for key, sub in properties.items():
            sub_ui = _dict(ui.get(key))
            if not isinstance(sub, dict) or sub_ui.get("ui:widget") == "hidden":
                continue
            if _kind(sub, sub_ui) == "readonly":
                continue
            value = _parse_value(sub, sub_ui, read, _join(prefix, key), key in needed, depth)
            if value is not MISSING:
                result[key] = value
    # A required object left empty still holds its required parts (a list's first item, an
    # object within it), so that each question says what it needs.
    return result if required or _has_content(result) else MISSING


def _parse_value(
    schema: dict, ui: dict, read: _Reader, name: str, required: bool, depth: int
) -> Any:
    kind = _kind(schema, ui)
    if kind == "object":
        return _parse_object(schema, ui, read, name, required, depth + 1)
    if kind == "array":
        return _parse_list(schema, ui, read, name, required, depth)
    if kind == "checkboxes":
        item_schema = _items(schema)
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
    if kind == "textarea" or _type(schema) == "string":
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _typed(schema, text.strip())


def _parse_list(
    schema: dict, ui: dict, read: _Reader, name: str, required: bool, depth: int
) -> Any:
    if depth + 1 > MAX_DEPTH:
        return MISSING
    item_schema, item_ui = _items(schema), _dict(ui.get("items"))
    items = []
    for index in read.indices(name):
        value = _parse_value(
            item_schema, item_ui, read, f"{name}.{index}", required=False, depth=depth + 1
        )
        if value is not MISSING and _has_content(value):
            items.append(value)
    if items:
        return items
    of_objects = _kind(item_schema, item_ui) == "object"
    min_items = schema.get("minItems") if _is_int(schema.get("minItems")) else 0
    if of_objects and required and min_items >= 1:
        return [{}]  # so that the first item's questions say what they need
    return MISSING


def _typed(schema: dict, text: str) -> Any:
    """One answer as the schema's type; text that is not of it stays text."""
    if text == "":
        return MISSING
    kind = _type(schema)
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


# --- adding and removing list items -------------------------------------------------------------


def item_action(action: str | None) -> tuple[str, str, int | None] | None:
    """A posted ``action``: ``("add", path, None)`` or ``("remove", path, index)``, or None."""
    if not isinstance(action, str) or len(action) > 1000:
        return None
    verb, _, target = action.partition(":")
    if verb == "add" and target:
        return "add", target, None
    if verb == "remove":
        path, _, position = target.rpartition(".")
        if path and _is_position(position):
            return "remove", path, int(position)
    return None


def add_item(values: dict, path: str, schema: dict | None = None) -> dict:
    """The values with one empty item more at the end of the list at ``path``. Given the form's
    ``schema``, only a list the schema has takes one, up to its ``maxItems``."""
    result = copy.deepcopy(values) if isinstance(values, dict) else {}
    empty: Any = {}
    limit = MAX_ITEMS
    if schema is not None:
        node = _schema_at(schema, path)
        if node is None or _type(node) != "array" or _kind(node, {}) != "array":
            return result
        empty = {} if _kind(_items(node), {}) == "object" else ""
        if _is_int(node.get("maxItems")):
            limit = min(limit, node["maxItems"])
    items = _list_at(result, path, create=True)
    if items is not None and len(items) < limit:
        items.append(empty)
    return result


def remove_item(values: dict, path: str, index: int) -> dict:
    """The values without the item at ``index`` of the list at ``path``."""
    result = copy.deepcopy(values) if isinstance(values, dict) else {}
    items = _list_at(result, path, create=False)
    if items is not None and isinstance(index, int) and 0 <= index < len(items):
        del items[index]
    return result


def _list_at(values: dict, path: str, create: bool) -> list | None:
    parts = path.split(".") if isinstance(path, str) and path else []
    if not parts or len(parts) > 2 * MAX_DEPTH:
        return None
    node: Any = values
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if isinstance(node, list):
            if not _is_position(part) or int(part) >= len(node):
                return None
            node = node[int(part)]
            continue
        if not isinstance(node, dict):
            return None
        if part not in node:
            if not create:
                return None
            node[part] = [] if last else {}
        node = node[part]
    return node if isinstance(node, list) else None


# --- small helpers -------------------------------------------------------------------------------


def field_id(name: str) -> str:
    """A safe HTML id for a field's dotted name: ``caller.name`` -> ``f-caller-name``."""
    return "f-" + "-".join(re.sub(r"[^A-Za-z0-9_]", "_", part) for part in name.split("."))


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _ordered(properties: dict, order: Any) -> list[str]:
    names = list(properties)
    if not isinstance(order, list):
        return names
    first = [each for each in order if each in properties]
    rest = [each for each in names if each not in first]
    if "*" in order:
        at = order.index("*")
        before = [each for each in order[:at] if each in properties]
        after = [each for each in order[at + 1 :] if each in properties]
        return before + rest + after
    return first + rest


def _label(schema: dict, ui: dict, key: str) -> str:
    return (
        _text(ui.get("ui:title"))
        or _text(schema.get("title"))
        or key.replace("_", " ").strip().capitalize()
    )


def _type(schema: dict) -> str | None:
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
        for choice in _list(schema.get(keyword))
        if isinstance(choice, dict) and "const" in choice
    ] or _list(schema.get("enum"))
    if consts and all(isinstance(each, bool) for each in consts):
        return "boolean"
    if consts and all(isinstance(each, int) and not isinstance(each, bool) for each in consts):
        return "integer"
    if consts and all(isinstance(each, int | float) for each in consts):
        return "number"
    return "string"


def _items(schema: dict) -> dict:
    return _dict(schema.get("items"))


def _form_value(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None or value is MISSING:
        return ""
    return str(value)


def _sentence(message: str | None) -> str | None:
    """A message as a sentence: its first letter a capital."""
    if not message:
        return None
    return message[0].upper() + message[1:]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
