"""Task forms: JSON Schema (Draft 2020-12), a UI schema and Welsh text for each.

A form named ``live_time_review`` is these files in ``forms/``:

- ``live_time_review.schema.json``: the schema, with English titles and descriptions;
- ``live_time_review.uischema.json``: the react-jsonschema-form UI schema (optional);
- ``live_time_review.cy.json``: Welsh text keyed by JSON pointer into the schema and UI
  schema, and the Welsh instructions for the task;
- ``live_time_review.rules.json`` (optional): server-side rules that need the case's data,
  which JSON Schema cannot express (see :class:`FormRule`).

English is the source; Welsh overlays it, so the two can never drift apart in structure.
Submitted data is always validated on the server against the English schema, then against
the form's rules; every message comes in the caller's language.
"""

import ast
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError
from lxml import etree
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .problems import Problem
from .sandbox import SandboxEnvironment, SandboxError, check_expression

SCHEMA_SUFFIX = ".schema.json"
UI_SCHEMA_SUFFIX = ".uischema.json"
WELSH_SUFFIX = ".cy.json"
RULES_SUFFIX = ".rules.json"
RULE_KEYS = ("field", "when", "message")
DECIDE = "decide"
LANGUAGES = ("en", "cy")
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


# Messages for JSON Schema problems, in each language. English keeps jsonschema's own
# wording where the form has none of its own.
_MESSAGES = {
    "required": {"en": "this field is required", "cy": "mae angen llenwi'r maes hwn"},
    "additional": {
        "en": "this field is not part of the form",
        "cy": "nid yw'r maes hwn yn rhan o'r ffurflen",
    },
    "choice": {"en": "must be one of {choices}", "cy": "rhaid iddo fod yn un o {choices}"},
    "format": {"en": "{message}: {cause}", "cy": "nid yw'n {format} dilys: {cause}"},
    "rule_failed": {
        "en": "this rule could not be checked: {error}",
        "cy": "nid oedd modd gwirio'r rheol hon: {error}",
    },
}
_WELSH_FORMATS = {
    "date-time": "ddyddiad ac amser",
    "date": "ddyddiad",
    "email": "gyfeiriad e-bost",
    "uri": "gyfeiriad gwe",
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


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class FormRule:
    """A rule JSON Schema cannot express, because it depends on the case's data.

    ``when`` is a sandboxed Python expression over the case's data with the submitted data
    laid over it (every field of the form is there, ``None`` when not given); true means the
    rule is broken, and ``message`` (``{"en": ..., "cy": ...}``) is reported on ``field``.
    Besides the diagram helpers (``now()``, ``parse_datetime``, ...), ``decide("id")`` gives
    the outputs of a DMN decision of the same definition set for that data, so a form can
    hold a person's choice to what a decision table says.
    """

    field: str
    when: str
    message: dict[str, str]

    def text(self, language: str) -> str:
        return self.message.get(language) or self.message["en"]


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
        return Draft202012Validator(self.schema, format_checker=_format_checker)

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
            errors.extend(self._broken_rules(data, context or {}, language))
        return sorted(set(errors), key=lambda e: (e.field, e.message))

    def _broken_rules(self, data: dict, context: dict, language: str) -> list[FieldError]:
        # What the case will hold once the task completes, with the form's missing fields.
        scope: dict[str, Any] = dict.fromkeys(self.schema.get("properties", {}))
        scope.update(context)
        scope.update(data)
        environment = SandboxEnvironment({DECIDE: self._decide_with(scope)})
        errors = []
        for rule in self.rules:
            try:
                broken = environment.evaluate(rule.when, scope)
            except Exception as error:  # a broken rule refuses the data, it never waves it on
                reason = f"{type(error).__name__}: {error}".strip()
                errors.append(FieldError(rule.field, _text("rule_failed", language, error=reason)))
                continue
            if broken:
                errors.append(FieldError(rule.field, rule.text(language)))
        return errors

    def _decide_with(self, scope: dict) -> Callable[[str], dict]:
        def decide(decision_id: str) -> dict:
            engine = self.decisions.get(decision_id)
            if engine is None:
                raise SandboxError(f"no decision table '{decision_id}' for this form")
            return dict(engine.result(_DecisionTask(scope)))

        return decide

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


class _DecisionTask:
    """What SpiffWorkflow's DMN engine needs of a task: data and a script engine."""

    def __init__(self, data: dict):
        self.data = data
        self.workflow = self
        self.script_engine = _DecisionScripts()


class _DecisionFailed(SpiffWorkflowException):
    pass


class _DecisionScripts:
    """DMN cells run in the diagram sandbox, as they do in a case."""

    environment = SandboxEnvironment()

    def validate(self, expression: str) -> None:
        ast.parse(expression)

    def evaluate(self, task: _DecisionTask, expression: str, external_context=None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except Exception as error:
            raise _DecisionFailed(f"{expression!r}: {type(error).__name__}: {error}") from None


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
        name = _WELSH_FORMATS.get(error.validator_value, error.validator_value)
        message = _text("format", language, message=error.message, cause=cause, format=name)
        return [FieldError(path or "(form)", message)]
    if error.validator in ("if", "then", "allOf") and error.context:
        return [item for sub in error.context for item in _field_errors(sub, language)]
    message = _welsh_message(error) if language == "cy" else error.message
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
    rules, decisions = _load_rules(name, schema, files, problems)
    form = Form(name, schema, ui_schema or {}, welsh, rules, decisions)
    problems.extend(_check_welsh(form, welsh_path, welsh_present=welsh_path in files))
    return (None if problems else form), problems


def _load_rules(
    name: str, schema: dict, files: dict[str, bytes], problems: list[Problem]
) -> tuple[list[FormRule], dict[str, DMNEngine]]:
    """The form's rules file, every rule checked before any is used."""
    path = f"forms/{name}{RULES_SUFFIX}"
    if path not in files:
        return [], {}
    try:
        entries = json.loads(files[path])
    except (ValueError, UnicodeDecodeError) as error:
        problems.append(Problem(path, None, f"not valid JSON: {error}"))
        return [], {}
    if not isinstance(entries, list):
        problems.append(Problem(path, None, "must be a JSON list of rules"))
        return [], {}
    fields = set(schema.get("properties", {}))
    rules, called, found = [], set(), []
    for number, entry in enumerate(entries, start=1):
        where = f"rule {number}"
        if not isinstance(entry, dict):
            found.append(f"{where}: must be an object with {', '.join(RULE_KEYS)}")
            continue
        if isinstance(entry.get("field"), str):
            where += f" ({entry['field']})"
        wrong = _rule_shape_problems(entry, where, fields)
        when = entry.get("when")
        if isinstance(when, str) and when.strip():
            wrong.extend(f"{where}: when: {message}" for message in check_expression(when))
            called |= _decisions_called(when, where, wrong)
        if wrong:
            found.extend(wrong)
        else:
            rules.append(FormRule(entry["field"], when, dict(entry["message"])))
    decisions = _decision_engines(called, files, found) if called else {}
    problems.extend(Problem(path, None, message) for message in found)
    return (rules, decisions) if not found else ([], {})


def _rule_shape_problems(entry: dict, where: str, fields: set[str]) -> list[str]:
    found = []
    unknown = sorted(set(entry) - set(RULE_KEYS))
    if unknown:
        found.append(f"{where}: unknown keys {', '.join(unknown)}")
    field_name = entry.get("field")
    if not isinstance(field_name, str) or not field_name:
        found.append(f"{where}: 'field' must name a field of the form")
    elif field_name.split(".")[0] not in fields:
        found.append(f"{where}: '{field_name}' is not a field of the form")
    if not isinstance(entry.get("when"), str) or not entry["when"].strip():
        found.append(f"{where}: 'when' must be an expression (true when the rule is broken)")
    message = entry.get("message")
    if not isinstance(message, dict):
        found.append(f"{where}: 'message' must give the text in each language: en, cy")
    else:
        for language in LANGUAGES:
            if not isinstance(message.get(language), str) or not message[language].strip():
                found.append(f"{where}: no message in '{language}'")
        for language in sorted(set(message) - set(LANGUAGES)):
            found.append(f"{where}: message in unknown language '{language}'")
    return found


def _decisions_called(when: str, where: str, found: list[str]) -> set[str]:
    """The decision ids a rule passes to decide(); each must be written as a literal."""
    try:
        tree = ast.parse(when.strip(), mode="eval")
    except SyntaxError:
        return set()  # check_expression has said so
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id != DECIDE:
                continue
            args = node.args
            if len(args) != 1 or node.keywords or not isinstance(args[0], ast.Constant):
                found.append(f'{where}: write decide("decision_id") with the id as text')
            elif not isinstance(args[0].value, str):
                found.append(f"{where}: the decision id given to decide() must be text")
            else:
                called.add(args[0].value)
    return called


def _decision_engines(
    called: set[str], files: dict[str, bytes], found: list[str]
) -> dict[str, DMNEngine]:
    """Engines for the DMN decisions the rules call, from the set's DMN files."""
    parser = BpmnDmnParser()
    safe = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for path, content in sorted(files.items()):
        if not path.endswith(".dmn"):
            continue
        try:
            parser.add_dmn_xml(etree.fromstring(content, safe), filename=path)
        except Exception:  # the catalog reports a broken DMN file itself
            continue
    engines = {}
    for decision_id in sorted(called):
        try:
            engines[decision_id] = parser.get_engine(decision_id, None)
        except Exception:
            found.append(
                f"the rules call decide('{decision_id}'), but no DMN file of the set "
                "defines that decision (or it cannot be read)"
            )
    return engines


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


FORM_FILE_SUFFIXES = (SCHEMA_SUFFIX, UI_SCHEMA_SUFFIX, WELSH_SUFFIX, RULES_SUFFIX)


def form_name(schema_filename: str) -> str:
    """``live_time_review.schema.json`` -> ``live_time_review``."""
    return schema_filename.removesuffix(SCHEMA_SUFFIX).removesuffix(".json")
