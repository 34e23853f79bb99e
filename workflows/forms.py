"""Task forms: JSON Schema (Draft 2020-12), a UI schema and Welsh text for each.

A form named ``live_time_review`` is three files in ``forms/``:

- ``live_time_review.schema.json``: the schema, with English titles and descriptions;
- ``live_time_review.uischema.json``: the react-jsonschema-form UI schema (optional);
- ``live_time_review.cy.json``: Welsh text keyed by JSON pointer into the schema and UI
  schema, and the Welsh instructions for the task.

English is the source; Welsh overlays it, so the two can never drift apart in structure.
Submitted data is always validated on the server against the English schema.
"""

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError

from .problems import Problem

SCHEMA_SUFFIX = ".schema.json"
UI_SCHEMA_SUFFIX = ".uischema.json"
WELSH_SUFFIX = ".cy.json"
LANGUAGES = ("en", "cy")
TRANSLATABLE_SCHEMA_KEYS = ("title", "description")
TRANSLATABLE_UI_KEYS = ("ui:title", "ui:description", "ui:help", "ui:placeholder")

_format_checker = FormatChecker()


@_format_checker.checks("date-time", raises=ValueError)
def _is_date_time_with_offset(value: object) -> bool:
    # RFC 3339 needs an offset; a naive time would be read in the server's time zone.
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value.replace("z", "Z"))
    if parsed.tzinfo is None:
        raise ValueError("a date-time needs a UTC offset, e.g. 2026-11-28T09:30:00Z")
    return True


@_format_checker.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        datetime.strptime(value, "%Y-%m-%d")
    return True


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


@dataclass
class Form:
    """One task form, ready to serve and to validate against."""

    name: str
    schema: dict
    ui_schema: dict = field(default_factory=dict)
    welsh: dict = field(default_factory=dict)

    @cached_property
    def validator(self) -> Draft202012Validator:
        return Draft202012Validator(self.schema, format_checker=_format_checker)

    def validate(
        self, data: object, context: dict | None = None, language: str = "en"
    ) -> list[FieldError]:
        """Every problem with the submitted data, each naming its field.

        ``context`` is the case data the task sees and ``language`` the caller's language,
        for rules and messages that depend on them.
        """
        errors: list[FieldError] = []
        for error in self.validator.iter_errors(data):
            errors.extend(_field_errors(error))
        return sorted(set(errors), key=lambda e: (e.field, e.message))

    def localized(self, language: str) -> tuple[dict, dict]:
        """The schema and UI schema with text in the given language (English by default)."""
        if language != "cy" or not self.welsh:
            return self.schema, self.ui_schema
        return (
            _overlay(self.schema, self.welsh.get("schema", {})),
            _overlay(self.ui_schema, self.welsh.get("uischema", {})),
        )

    def instructions(self, language: str, english: str | None) -> str | None:
        """The instructions template in the given language, falling back to the diagram's."""
        if language == "cy" and self.welsh.get("instructions"):
            return self.welsh["instructions"]
        return english


def _field_errors(error: ValidationError) -> list[FieldError]:
    path = ".".join(str(part) for part in error.absolute_path)

    def child(name: str) -> str:
        return f"{path}.{name}" if path else name

    if error.validator == "required" and isinstance(error.instance, dict):
        return [
            FieldError(child(name), "this field is required")
            for name in error.validator_value
            if name not in error.instance
        ]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        return [
            FieldError(child(name), "this field is not part of the form")
            for name in error.instance
            if name not in allowed
        ]
    if error.validator == "oneOf" and _is_choice_list(error.validator_value):
        choices = ", ".join(repr(option["const"]) for option in error.validator_value)
        return [FieldError(path or "(form)", f"must be one of {choices}")]
    if error.validator == "format" and error.cause is not None:
        return [FieldError(path or "(form)", f"{error.message}: {error.cause}")]
    if error.validator in ("if", "then", "allOf") and error.context:
        return [item for sub in error.context for item in _field_errors(sub)]
    return [FieldError(path or "(form)", error.message)]


def _is_choice_list(options: object) -> bool:
    return isinstance(options, list) and all(
        isinstance(option, dict) and "const" in option for option in options
    )


def _overlay(document: dict, texts: dict[str, str]) -> dict:
    result = copy.deepcopy(document)
    for pointer, text in texts.items():
        parent, key = _resolve_parent(result, pointer)
        if parent is not None:
            parent[key] = text
    return result


def _resolve_parent(document: object, pointer: str) -> tuple[object | None, str | int]:
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    if not parts:
        return None, ""
    node = document
    for part in parts[:-1]:
        node = _step(node, part)
        if node is None:
            return None, ""
    last: str | int = parts[-1]
    if isinstance(node, list):
        if not str(last).isdigit() or int(last) >= len(node):
            return None, ""
        last = int(last)
    elif not isinstance(node, dict) or last not in node:
        return None, ""
    return node, last


def _step(node: object, part: str) -> object | None:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return None


def translatable_pointers(document: object, keys: tuple[str, ...], prefix: str = "") -> list[str]:
    """JSON pointers of every string under one of ``keys`` (the text a person reads)."""
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            pointer = f"{prefix}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key in keys and isinstance(value, str):
                found.append(pointer)
            elif key not in ("const", "default", "examples", "enum"):
                found.extend(translatable_pointers(value, keys, pointer))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.extend(translatable_pointers(value, keys, f"{prefix}/{index}"))
    return found


def load_form(name: str, files: dict[str, bytes]) -> tuple[Form | None, list[Problem]]:
    """Build a form from the files of a definition set, with every problem found."""
    schema_path = f"forms/{name}{SCHEMA_SUFFIX}"
    problems: list[Problem] = []
    schema = _read_json(files, schema_path, problems)
    if schema is None:
        return None, problems
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        problems.append(
            Problem(
                schema_path,
                None,
                f"not a valid JSON Schema (Draft 2020-12) at {where}: {error.message}",
            )
        )
        return None, problems
    if schema.get("type") != "object":
        problems.append(Problem(schema_path, None, 'a form schema must have "type": "object"'))
    ui_schema = _read_json(files, f"forms/{name}{UI_SCHEMA_SUFFIX}", problems, optional=True)
    welsh_path = f"forms/{name}{WELSH_SUFFIX}"
    welsh = _read_json(files, welsh_path, problems, optional=True) or {}
    form = Form(name, schema, ui_schema or {}, welsh)
    problems.extend(_check_welsh(form, welsh_path, welsh_present=welsh_path in files))
    return (None if problems else form), problems


def _check_welsh(form: Form, path: str, welsh_present: bool) -> list[Problem]:
    if not welsh_present:
        return [Problem(path, None, "the Welsh text for this form is missing")]
    problems = []
    for part, document, keys in (
        ("schema", form.schema, TRANSLATABLE_SCHEMA_KEYS),
        ("uischema", form.ui_schema, TRANSLATABLE_UI_KEYS),
    ):
        texts = form.welsh.get(part, {})
        if not isinstance(texts, dict):
            problems.append(Problem(path, None, f"'{part}' must map JSON pointers to Welsh text"))
            continue
        for pointer in translatable_pointers(document, keys):
            if not texts.get(pointer):
                problems.append(Problem(path, None, f"no Welsh text for {part} {pointer}"))
        for pointer in texts:
            if _resolve_parent(document, pointer)[0] is None:
                problems.append(
                    Problem(path, None, f"{part} {pointer} points at nothing in the form")
                )
    return problems


def _read_json(
    files: dict[str, bytes], path: str, problems: list[Problem], optional: bool = False
) -> dict | None:
    if path not in files:
        if not optional:
            problems.append(Problem(path, None, "the form file is missing"))
        return None
    try:
        value = json.loads(files[path])
    except (ValueError, UnicodeDecodeError) as error:
        problems.append(Problem(path, None, f"not valid JSON: {error}"))
        return None
    if not isinstance(value, dict):
        problems.append(Problem(path, None, "must be a JSON object"))
        return None
    return value


def form_name(schema_filename: str) -> str:
    """``live_time_review.schema.json`` -> ``live_time_review``."""
    return schema_filename.removesuffix(SCHEMA_SUFFIX).removesuffix(".json")
