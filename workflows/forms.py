"""Task forms: JSON Schema (Draft 2020-12), a UI schema and Welsh text for each.

A form named ``live_time_review`` is these files in ``forms/``:

- ``live_time_review.schema.json``: the schema, with English titles and descriptions;
- ``live_time_review.uischema.json``: the react-jsonschema-form UI schema (optional);
- ``live_time_review.cy.json``: Welsh text keyed by JSON pointer into the schema and UI
  schema, and the Welsh instructions for the task;
- ``live_time_review.rules.json`` (optional): server-side rules that need the case's data,
  which JSON Schema cannot express (see ``workflows.form_rules``).

English is the source; Welsh overlays it, so the two can never drift apart in structure.
Submitted data is always validated on the server against the English schema, then against
the form's rules; every message comes in the caller's language. A text field the schema marks
``"justification": true`` must hold words (``workflows.justification``).
"""

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from uuid import UUID

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import SchemaError, ValidationError
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

from .form_rules import RULES_SUFFIX, FormRule, broken_rules, load_rules
from .justification import KEYWORD as JUSTIFICATION
from .justification import MIN_LETTERS, holds_words, minimum_length
from .matching import match_problems
from .problems import FieldError, Problem, words

SCHEMA_SUFFIX = ".schema.json"
UI_SCHEMA_SUFFIX = ".uischema.json"
WELSH_SUFFIX = ".cy.json"
TRANSLATABLE_SCHEMA_KEYS = ("title", "description")
TRANSLATABLE_UI_KEYS = ("ui:title", "ui:description", "ui:help", "ui:placeholder")

_format_checker = FormatChecker()


class _FormatProblem(ValueError):
    """Why a value is not in its format, in English and Welsh."""

    def __init__(self, english: str, welsh: str):
        super().__init__(english)
        self.welsh = welsh


@_format_checker.checks("date-time", raises=ValueError)
def _is_date_time_with_offset(value: object) -> bool:
    # RFC 3339 needs an offset; a naive time would be read in the server's time zone.
    if not isinstance(value, str):
        return True
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise _FormatProblem(
            "write it as ISO 8601, e.g. 2026-11-28T09:30:00Z",
            "ysgrifennwch ef ar ffurf ISO 8601, e.e. 2026-11-28T09:30:00Z",
        ) from None
    if parsed.tzinfo is None:
        raise _FormatProblem(
            "a date-time needs a UTC offset, e.g. 2026-11-28T09:30:00Z",
            "mae angen gwrthbwyso UTC ar ddyddiad ac amser, e.e. 2026-11-28T09:30:00Z",
        )
    return True


@_format_checker.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        try:
            datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            raise _FormatProblem(
                "write it as YYYY-MM-DD, e.g. 2026-11-28",
                "ysgrifennwch ef ar ffurf BBBB-MM-DD, e.e. 2026-11-28",
            ) from None
    return True


@_format_checker.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    if isinstance(value, str):
        try:
            UUID(value)
        except ValueError:
            raise _FormatProblem(
                "write it as an id such as 0d7454bf-d920-4026-9bcc-8c787b458c58",
                "ysgrifennwch ef fel dynodwr fel 0d7454bf-d920-4026-9bcc-8c787b458c58",
            ) from None
    return True


# Whether a case id names a case: the service supplies the lookup (the engine has no database).
_case_exists: Callable[[str], bool] | None = None


def set_case_lookup(lookup: Callable[[str], bool] | None) -> None:
    """Let forms check that a ``case-id`` field names a case that exists."""
    global _case_exists
    _case_exists = lookup


@_format_checker.checks("case-id", raises=ValueError)
def _is_case_id(value: object) -> bool:
    # A form field that links to another case, such as the case a complaint is about.
    if isinstance(value, str):
        _is_uuid(value)
        if _case_exists is not None and not _case_exists(value):
            raise _FormatProblem(
                "there is no case with this id", "nid oes achos gyda'r dynodwr hwn"
            )
    return True


# Messages for JSON Schema problems, in each language. English keeps jsonschema's own
# wording where the form has none of its own.
_MESSAGES = {
    "required": {"en": "this field is required", "cy": "mae angen llenwi'r maes hwn"},
    "additional": {
        "en": "this field is not part of the form",
        "cy": "nid yw'r maes hwn yn rhan o'r ffurflen",
    },
    "choice": {"en": "must be one of {choices}", "cy": "rhaid iddo fod yn un o {choices}"},
    "format": {"en": "not a real {format}: {cause}", "cy": "nid yw'n {format} dilys: {cause}"},
    "justification": {
        "en": "write at least three letters: spaces, figures or punctuation alone are not a reason",
        "cy": "ysgrifennwch o leiaf dair llythyren: nid yw bylchau, rhifau nac atalnodau'n unig "
        "yn rheswm",
    },
    "justification_length": {
        "en": "write at least {minimum} characters, not counting spaces at either end, with at "
        "least three letters: spaces, figures or punctuation alone are not a reason",
        "cy": "ysgrifennwch o leiaf {minimum} nod, heb gyfrif bylchau ar y naill ben na'r llall, "
        "gydag o leiaf dair llythyren: nid yw bylchau, rhifau nac atalnodau'n unig yn rheswm",
    },
}
_WELSH_FORMATS = {
    "date-time": "ddyddiad ac amser",
    "date": "ddyddiad",
    "email": "gyfeiriad e-bost",
    "uri": "gyfeiriad gwe",
    "uuid": "dynodwr",
    "case-id": "dynodwr achos",
}
_WELSH_TYPES = {
    "string": "testun",
    "boolean": "gwir neu gau",
    "integer": "rhif cyfan",
    "number": "rhif",
    "array": "rhestr",
    "object": "gwrthrych",
    "null": "dim gwerth",
}


# Welsh for jsonschema's messages, by keyword; {value} is the keyword's value in the schema.
_WELSH_BY_KEYWORD = {
    "minLength": "rhaid iddo fod o leiaf {value} nod o hyd",
    "maxLength": "ni chaiff fod yn hwy na {value} nod",
    "minItems": "rhaid cael o leiaf {value} eitem",
    "maxItems": "ni chaiff fod mwy na {value} eitem",
    "minimum": "rhaid iddo fod yn {value} neu'n fwy",
    "maximum": "rhaid iddo fod yn {value} neu'n llai",
    "exclusiveMinimum": "rhaid iddo fod yn fwy na {value}",
    "exclusiveMaximum": "rhaid iddo fod yn llai na {value}",
    "pattern": "nid yw yn y ffurf gywir",
    "uniqueItems": "mae'r un eitem wedi'i dewis fwy nag unwaith",
    "const": "rhaid iddo fod yn {value!r}",
}


_ENGLISH_FORMATS = {
    "date-time": "date and time",
    "date": "date",
    "email": "email address",
    "uri": "web address",
    "uuid": "id",
    "case-id": "case id",
}
_ENGLISH_TYPES = {
    "string": "write it as text",
    "boolean": "choose yes or no",
    "integer": "enter a whole number, such as 3",
    "number": "enter a number, such as 3 or 2.5",
    "array": "give it as a list",
    "object": "give it as a group of answers",
    "null": "leave it empty",
}
# The rule each keyword states, in plain words; {value} is the keyword's value in the schema.
_ENGLISH_BY_KEYWORD = {
    "minLength": "write at least {value} characters",
    "maxLength": "write no more than {value} characters",
    "minItems": "choose or add at least {value}",
    "maxItems": "choose or add no more than {value}",
    "minimum": "must be {value} or more",
    "maximum": "must be {value} or less",
    "exclusiveMinimum": "must be more than {value}",
    "exclusiveMaximum": "must be less than {value}",
    "pattern": "is not written the right way",
    "uniqueItems": "each may be given only once",
    "const": "must be {value!r}",
}


def _english_message(error: ValidationError) -> str:
    """The rule a value broke, in plain words rather than jsonschema's own."""
    value = error.validator_value
    kind = error.validator
    if kind == "type":
        names = value if isinstance(value, list) else [value]
        return " or ".join(_ENGLISH_TYPES.get(n, f"must be {n}") for n in names)
    if kind == "enum":
        return "must be one of " + ", ".join(repr(v) for v in value)
    if kind in _ENGLISH_BY_KEYWORD:
        return _ENGLISH_BY_KEYWORD[kind].format(value=value)
    return f"is not valid ({error.message})"


def _welsh_message(error: ValidationError) -> str:
    """Jsonschema's message for the other keywords, in Welsh."""
    value = error.validator_value
    kind = error.validator
    if kind == "type":
        names = value if isinstance(value, list) else [value]
        return "rhaid iddo fod o'r math " + " neu ".join(_WELSH_TYPES.get(n, n) for n in names)
    if kind == "enum":
        return "rhaid iddo fod yn un o " + ", ".join(repr(v) for v in value)
    if kind in _WELSH_BY_KEYWORD:
        return _WELSH_BY_KEYWORD[kind].format(value=value)
    return f"nid yw'r gwerth yn ddilys ({error.message})"


def _text(key: str, language: str, **values: object) -> str:
    texts = _MESSAGES[key]
    return texts.get(language, texts["en"]).format(**values)


def _justification_text(field_schema: dict, language: str) -> str:
    """The justification rule in words, for a field of this schema."""
    return justification_rule(minimum_length(field_schema), language)


def justification_rule(minimum: int, language: str) -> str:
    """The rule a reason of at least ``minimum`` characters keeps, in words."""
    if minimum <= MIN_LETTERS:
        return _text("justification", language)
    return _text("justification_length", language, minimum=minimum)


def _justification_keyword(validator, value, instance, field_schema):
    """The ``justification`` keyword: a text field that must hold words (see
    workflows.justification), at least the field's ``minLength`` once trimmed."""
    minimum = minimum_length(field_schema)
    if value is True and isinstance(instance, str) and not holds_words(instance, minimum):
        yield ValidationError(_justification_text(field_schema, "en"))


def _min_length(validator, value, instance, field_schema):
    # A justification's length is counted once trimmed, by its own keyword, which says so.
    if field_schema.get(JUSTIFICATION) is not True:
        yield from Draft202012Validator.VALIDATORS["minLength"](
            validator, value, instance, field_schema
        )


_FormValidator = validators.extend(
    Draft202012Validator, {JUSTIFICATION: _justification_keyword, "minLength": _min_length}
)


@dataclass
class Form:
    """One task form, ready to serve and to validate against."""

    name: str
    schema: dict
    ui_schema: dict = field(default_factory=dict)
    welsh: dict = field(default_factory=dict)
    rules: list[FormRule] = field(default_factory=list)
    # DMN decisions the rules call with decide(), by decision id.
    decisions: dict[str, DMNEngine] = field(default_factory=dict, repr=False)

    @cached_property
    def validator(self) -> Draft202012Validator:
        return _FormValidator(self.schema, format_checker=_format_checker)

    def validate(
        self, data: object, context: dict | None = None, language: str = "en"
    ) -> list[FieldError]:
        """Every problem with the submitted data, each naming its field.

        ``context`` is the case data the task sees and ``language`` the caller's language
        (``en`` or ``cy``). The form's rules are checked once the data matches the schema,
        so they can rely on its fields having the right types.
        """
        errors: list[FieldError] = []
        for error in self.validator.iter_errors(data):
            errors.extend(_field_errors(error, language))
        if not errors and self.rules and isinstance(data, dict):
            errors.extend(broken_rules(self, data, context or {}, language))
        return sorted(set(errors), key=lambda e: (e.field, e.message))

    def held_problems(self, data: dict, language: str = "en") -> list[FieldError]:
        """What a case already holds for this form's questions that the form refuses: each
        answer held is checked, and a question not yet answered is no problem (a task that is
        open has not been sent). Moving a case to a new version asks this of its open tasks."""
        properties = self.schema.get("properties") or {}
        held = {name: value for name, value in data.items() if name in properties}
        errors: list[FieldError] = []
        for error in self.validator.iter_errors(held):
            if error.validator == "required" and not error.absolute_path:
                continue
            errors.extend(_field_errors(error, language))
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


def _field_errors(error: ValidationError, language: str = "en") -> list[FieldError]:
    path = ".".join(str(part) for part in error.absolute_path)

    def child(name: str) -> str:
        return f"{path}.{name}" if path else name

    if error.validator == "required" and isinstance(error.instance, dict):
        return [
            FieldError(child(name), _text("required", language))
            for name in error.validator_value
            if name not in error.instance
        ]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        return [
            FieldError(child(name), _text("additional", language))
            for name in error.instance
            if name not in allowed
        ]
    if error.validator == "oneOf" and _is_choice_list(error.validator_value):
        choices = ", ".join(repr(option["const"]) for option in error.validator_value)
        return [FieldError(path or "(form)", _text("choice", language, choices=choices))]
    if error.validator == "format" and error.cause is not None:
        cause = error.cause
        if language == "cy":
            cause = getattr(cause, "welsh", cause)
        names = _WELSH_FORMATS if language == "cy" else _ENGLISH_FORMATS
        name = names.get(error.validator_value, error.validator_value)
        message = _text("format", language, cause=cause, format=name)
        return [FieldError(path or "(form)", message)]
    if error.validator == JUSTIFICATION:
        return [FieldError(path or "(form)", _justification_text(error.schema, language))]
    if error.validator == "pattern":
        return [FieldError(path or "(form)", _pattern_text(error.schema, language))]
    if error.validator in ("if", "then", "allOf") and error.context:
        return [item for sub in error.context for item in _field_errors(sub, language)]
    message = _welsh_message(error) if language == "cy" else _english_message(error)
    return [FieldError(path or "(form)", message)]


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


def _pointer_part(key: object) -> str:
    """A key as one step of a JSON pointer."""
    return str(key).replace("~", "~0").replace("/", "~1")


def translatable_pointers(document: object, keys: tuple[str, ...], prefix: str = "") -> list[str]:
    """JSON pointers of every string under one of ``keys`` (the text a person reads)."""
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            pointer = f"{prefix}/{_pointer_part(key)}"
            if key in keys and isinstance(value, str):
                found.append(pointer)
            elif key not in ("const", "default", "examples", "enum"):
                found.extend(translatable_pointers(value, keys, pointer))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.extend(translatable_pointers(value, keys, f"{prefix}/{index}"))
    return found


def load_form(
    name: str, files: dict[str, bytes], checked: bool = False
) -> tuple[Form | None, list[Problem]]:
    """Build a form from the files of a definition set, with every problem found.

    ``checked`` files were validated when they were deployed: the schema is not checked against
    JSON Schema's own schema again (nine tenths of the cost of loading a version).
    """
    schema_path = f"forms/{name}{SCHEMA_SUFFIX}"
    problems: list[Problem] = []
    schema = _read_json(files, schema_path, problems)
    if schema is None:
        return None, problems
    try:
        if not checked:
            Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        found = words("schema_not_valid", where=where, detail=error.message)
        problems.append(Problem(schema_path, None, found))
        return None, problems
    if schema.get("type") != "object":
        problems.append(Problem(schema_path, None, words("schema_not_object")))
    problems.extend(_justification_problems(schema, schema_path))
    problems.extend(_pattern_problems(schema, schema_path))
    problems.extend(Problem(schema_path, None, found) for found in match_problems(schema))
    ui_schema = _read_json(files, f"forms/{name}{UI_SCHEMA_SUFFIX}", problems, optional=True)
    welsh_path = f"forms/{name}{WELSH_SUFFIX}"
    welsh = _read_json(files, welsh_path, problems, optional=True) or {}
    rules, decisions = load_rules(name, schema, files, problems)
    form = Form(name, schema, ui_schema or {}, welsh, rules, decisions)
    problems.extend(_check_welsh(form, welsh_path, welsh_present=welsh_path in files))
    return (None if problems else form), problems


# Keywords whose value is a schema, a list of schemas, or schemas by name (Draft 2020-12).
_SCHEMA_KEYWORDS = (
    "additionalProperties",
    "contains",
    "contentSchema",
    "else",
    "if",
    "items",
    "not",
    "propertyNames",
    "then",
    "unevaluatedItems",
    "unevaluatedProperties",
)
_SCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAP_KEYWORDS = ("$defs", "dependentSchemas", "patternProperties", "properties")


def _subschemas(schema: object, pointer: str = "") -> Iterator[tuple[str, dict]]:
    """The schema and every schema within it, each with its JSON pointer."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for key in _SCHEMA_KEYWORDS:
        yield from _subschemas(schema.get(key), f"{pointer}/{key}")
    for key in _SCHEMA_LIST_KEYWORDS:
        if isinstance(schema.get(key), list):
            for index, item in enumerate(schema[key]):
                yield from _subschemas(item, f"{pointer}/{key}/{index}")
    for key in _SCHEMA_MAP_KEYWORDS:
        if isinstance(schema.get(key), dict):
            for name, item in schema[key].items():
                yield from _subschemas(item, f"{pointer}/{key}/{_pointer_part(name)}")


_PATTERN_MESSAGES = {
    "en": "write it like {example}",
    "cy": "ysgrifennwch ef fel {example}",
}


def _pattern_text(field_schema: dict, language: str) -> str:
    """A value that does not match its field's pattern: shown an example (every patterned
    field has one, checked at deployment), never the regular expression."""
    text = _PATTERN_MESSAGES.get(language, _PATTERN_MESSAGES["en"])
    return text.format(example=" or ".join(field_schema["examples"][:2]))


def _pattern_problems(schema: dict, path: str) -> list[Problem]:
    """A field with a ``pattern`` gives ``examples`` that match it: people who write a value
    the wrong way are shown one, not the pattern."""
    problems = []
    for pointer, node in _subschemas(schema):
        pattern = node.get("pattern")
        if not isinstance(pattern, str):
            continue
        where = pointer or "(root)"
        examples = node.get("examples")
        if not (
            isinstance(examples, list) and examples and all(isinstance(e, str) for e in examples)
        ):
            problems.append(Problem(path, None, words("pattern_needs_examples", pointer=where)))
            continue
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            found = words("pattern_not_valid", pointer=where, detail=str(error))
            problems.append(Problem(path, None, found))
            continue
        problems.extend(
            Problem(
                path, None, words("pattern_example_unmatched", pointer=where, example=repr(example))
            )
            for example in examples
            if not compiled.search(example)
        )
    return problems


def _justification_problems(schema: dict, path: str) -> list[Problem]:
    """A ``justification`` keyword must be ``true``, on a text field."""
    problems = []
    for pointer, node in _subschemas(schema):
        if JUSTIFICATION not in node:
            continue
        where = pointer or "(root)"
        if node[JUSTIFICATION] is not True:
            problems.append(Problem(path, None, words("justification_not_true", pointer=where)))
        if node.get("type") != "string":
            problems.append(Problem(path, None, words("justification_not_text", pointer=where)))
    return problems


def _check_welsh(form: Form, path: str, welsh_present: bool) -> list[Problem]:
    if not welsh_present:
        return [Problem(path, None, words("welsh_form_missing"))]
    problems = []
    for part, document, keys in (
        ("schema", form.schema, TRANSLATABLE_SCHEMA_KEYS),
        ("uischema", form.ui_schema, TRANSLATABLE_UI_KEYS),
    ):
        texts = form.welsh.get(part, {})
        if not isinstance(texts, dict):
            problems.append(Problem(path, None, words("welsh_part_not_mapping", part=part)))
            continue
        for pointer in translatable_pointers(document, keys):
            if not texts.get(pointer):
                found = words("welsh_text_missing", part=part, pointer=pointer)
                problems.append(Problem(path, None, found))
        for pointer in texts:
            if _resolve_parent(document, pointer)[0] is None:
                found = words("welsh_pointer_nowhere", part=part, pointer=pointer)
                problems.append(Problem(path, None, found))
    return problems


def _read_json(
    files: dict[str, bytes], path: str, problems: list[Problem], optional: bool = False
) -> dict | None:
    if path not in files:
        if not optional:
            problems.append(Problem(path, None, words("form_file_missing")))
        return None
    try:
        value = json.loads(files[path])
    except (ValueError, UnicodeDecodeError) as error:
        problems.append(Problem(path, None, words("json_not_valid", detail=str(error))))
        return None
    if not isinstance(value, dict):
        problems.append(Problem(path, None, words("json_not_object")))
        return None
    return value


FORM_FILE_SUFFIXES = (SCHEMA_SUFFIX, UI_SCHEMA_SUFFIX, WELSH_SUFFIX, RULES_SUFFIX)


def form_name(schema_filename: str) -> str:
    """``live_time_review.schema.json`` -> ``live_time_review``."""
    return schema_filename.removesuffix(SCHEMA_SUFFIX).removesuffix(".json")
