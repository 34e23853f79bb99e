"""A form drawn: the questions of a JSON Schema and its UI schema, with the current answers and
the messages beside them, as ``Field`` objects for ``web/_schema_form.html``'s
``schema_fields`` macro."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from .schema import (
    LONDON,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_PART,
    MISSING,
    as_dict,
    as_list,
    field_id,
    form_value,
    is_int,
    items_of,
    join_path,
    kind_of,
    nonblank,
    options_of,
    sentence,
)

# Kinds drawn as a fieldset with a legend (the others have a label).
FIELDSET_KINDS = ("date", "datetime", "radios", "checkboxes", "boolean", "object", "array")


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
    required = set(as_list(schema.get("required")))
    conditions = _conditions(schema, prefix)
    fields = []
    for key in _ordered(properties, ui.get("ui:order")):
        sub, sub_ui = properties[key], as_dict(ui.get(key))
        if not isinstance(sub, dict) or sub_ui.get("ui:widget") == "hidden":
            continue
        made = _field(
            sub,
            sub_ui,
            values.get(key, MISSING),
            errors,
            join_path(prefix, key),
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
    kind = kind_of(schema, ui)
    made = Field(
        id=field_id(name),
        name=name,
        kind=kind,
        label=label,
        hint=nonblank(ui.get("ui:help"))
        or nonblank(ui.get("ui:description"))
        or nonblank(schema.get("description")),
        required=required,
        placeholder=nonblank(ui.get("ui:placeholder")),
        depth=depth,
    )
    if kind == "object":
        made.error = sentence(errors.get(name))
        made.children = _object_fields(
            schema, ui, value if isinstance(value, dict) else {}, errors, name, depth + 1
        )
        return made
    if kind == "array":
        made.error = sentence(errors.get(name))
        _array_items(made, schema, ui, value, errors, depth)
        return made
    made.error = sentence(_leaf_error(errors, name))
    if made.error and kind in ("date", "datetime") and not _readable_moment(kind, value):
        # The service states the ISO format an API caller writes; on the page the date is
        # typed in boxes, so say it as GOV.UK does.
        made.error = (
            _("Enter a real date, for example 23 4 1990")
            if kind == "date"
            else _("Enter a real date and a time, for example 23 4 2026 and 09:30")
        )
    made.options = options_of(schema) if kind != "checkboxes" else options_of(items_of(schema))
    if kind == "boolean" and not made.options:
        made.options = [
            {"value": "true", "text": "Yes", "default": True},
            {"value": "false", "text": "No", "default": True},
        ]
    made.value = _shown(kind, value)
    if kind == "textarea":
        rows = as_dict(ui.get("ui:options")).get("rows")
        made.rows = max(1, min(rows, 40)) if is_int(rows) else 5
    max_length = schema.get("maxLength")
    made.max_length = max_length if is_int(max_length) else None
    if kind == "text" and ("pattern" in schema or "format" in schema):
        made.spellcheck = False
    return made


def _array_items(made: Field, schema: dict, ui: dict, value: Any, errors: dict, depth: int) -> None:
    items_schema, items_ui = items_of(schema), as_dict(ui.get("items"))
    of_objects = items_schema.get("type") == "object" or "properties" in items_schema
    shown = list(value)[:MAX_ITEMS] if isinstance(value, list) else []
    min_items = schema.get("minItems") if is_int(schema.get("minItems")) else 0
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
                error=sentence(errors.get(item_name)),
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
    max_items = schema.get("maxItems") if is_int(schema.get("maxItems")) else MAX_ITEMS
    if len(shown) < min(max_items, MAX_ITEMS):
        made.add_action = f"add:{made.name}"


def _shown(kind: str, value: Any) -> Any:
    """A value as its input shows it."""
    if kind == "checkboxes":
        return [form_value(each) for each in value] if isinstance(value, list) else []
    if kind == "date":
        return _date_parts(value)
    if kind == "datetime":
        return _datetime_parts(value)
    if value is MISSING or value is None or isinstance(value, dict | list):
        return ""
    return form_value(value)


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
    rules = [schema, *[each for each in as_list(schema.get("allOf")) if isinstance(each, dict)]]
    for rule in rules:
        condition, then = as_dict(rule.get("if")), as_dict(rule.get("then"))
        tested = as_dict(condition.get("properties"))
        if len(tested) != 1 or not then.get("required"):
            continue
        key, test = next(iter(tested.items()))
        test = as_dict(test)
        if "const" in test:
            answers = [test["const"]]
        elif isinstance(test.get("enum"), list):
            answers = test["enum"]
        elif isinstance(test.get("contains"), dict) and "const" in test["contains"]:
            answers = [test["contains"]["const"]]
        else:
            continue
        for name in as_list(then.get("required")):
            if isinstance(name, str) and name != key:
                found[name] = {
                    "field": join_path(prefix, key),
                    "values": [form_value(answer) for answer in answers],
                }
    return found


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
        nonblank(ui.get("ui:title"))
        or nonblank(schema.get("title"))
        or key.replace("_", " ").strip().capitalize()
    )
