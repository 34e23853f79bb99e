"""Form rules: what a form must check that JSON Schema cannot say, because it depends on the
case's data (a risk grade never below the decision table's, a contact time not before the
report). A form's rules live in ``forms/<name>.rules.json``: a list of
``{"field": ..., "when": ..., "message": {"en": ..., "cy": ...}}``.
"""

import ast
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .languages import LANGUAGES
from .problems import FieldError, Problem, Words, words
from .sandbox import SandboxEnvironment, SandboxError, check_expression

RULES_SUFFIX = ".rules.json"
RULE_KEYS = ("field", "when", "message")
DECIDE = "decide"
RULE_FAILED = {
    "en": "this rule could not be checked: {error}",
    "cy": "nid oedd modd gwirio'r rheol hon: {error}",
}


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


def broken_rules(form, data: dict, context: dict, language: str) -> list[FieldError]:
    """The rules of ``form`` that the submitted data breaks, each as an error on its field."""
    # What the case will hold once the task completes, with the form's missing fields.
    scope: dict[str, Any] = dict.fromkeys(form.schema.get("properties", {}))
    scope.update(context)
    scope.update(data)
    environment = SandboxEnvironment({DECIDE: _decide_with(form.decisions, scope)})
    errors = []
    for rule in form.rules:
        try:
            broken = environment.evaluate(rule.when, scope)
        except Exception as error:  # a broken rule refuses the data, it never waves it on
            reason = f"{type(error).__name__}: {error}".strip()
            message = RULE_FAILED.get(language, RULE_FAILED["en"]).format(error=reason)
            errors.append(FieldError(rule.field, message))
            continue
        if broken:
            errors.append(FieldError(rule.field, rule.text(language)))
    return errors


def _decide_with(decisions: dict[str, DMNEngine], scope: dict) -> Callable[[str], dict]:
    def decide(decision_id: str) -> dict:
        engine = decisions.get(decision_id)
        if engine is None:
            raise SandboxError(f"no decision table '{decision_id}' for this form")
        return dict(engine.result(_DecisionTask(scope)))

    return decide


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


def load_rules(
    name: str, schema: dict, files: dict[str, bytes], problems: list[Problem]
) -> tuple[list[FormRule], dict[str, DMNEngine]]:
    """The form's rules file, every rule checked before any is used."""
    path = f"forms/{name}{RULES_SUFFIX}"
    if path not in files:
        return [], {}
    try:
        entries = json.loads(files[path])
    except (ValueError, UnicodeDecodeError) as error:
        problems.append(Problem(path, None, words("json_not_valid", detail=str(error))))
        return [], {}
    if not isinstance(entries, list):
        problems.append(Problem(path, None, words("rules_not_list")))
        return [], {}
    fields = set(schema.get("properties", {}))
    rules, called, found = [], set(), []
    for number, entry in enumerate(entries, start=1):
        where = words("rule", number=number)
        if not isinstance(entry, dict):
            found.append(words("rule_not_object", rule=where, keys=", ".join(RULE_KEYS)))
            continue
        if isinstance(entry.get("field"), str):
            where = words("rule_of_field", number=number, field=entry["field"])
        wrong = _rule_shape_problems(entry, where, fields)
        when = entry.get("when")
        if isinstance(when, str) and when.strip():
            wrong.extend(
                words("rule_when_code", rule=where, detail=message)
                for message in check_expression(when)
            )
            called |= _decisions_called(when, where, wrong)
        if wrong:
            found.extend(wrong)
        else:
            rules.append(FormRule(entry["field"], when, dict(entry["message"])))
    decisions = _decision_engines(called, files, found) if called else {}
    problems.extend(Problem(path, None, each) for each in found)
    return (rules, decisions) if not found else ([], {})


def _rule_shape_problems(entry: dict, where: Words, fields: set[str]) -> list[Words]:
    found = []
    unknown = sorted(set(entry) - set(RULE_KEYS))
    if unknown:
        found.append(words("rule_unknown_keys", rule=where, keys=", ".join(unknown)))
    field_name = entry.get("field")
    if not isinstance(field_name, str) or not field_name:
        found.append(words("rule_no_field", rule=where))
    elif field_name.split(".")[0] not in fields:
        found.append(words("rule_field_unknown", rule=where, field=field_name))
    if not isinstance(entry.get("when"), str) or not entry["when"].strip():
        found.append(words("rule_no_when", rule=where))
    message = entry.get("message")
    if not isinstance(message, dict):
        found.append(words("rule_no_messages", rule=where))
    else:
        for language in LANGUAGES:
            if not isinstance(message.get(language), str) or not message[language].strip():
                found.append(words("rule_message_missing", rule=where, language=language))
        for language in sorted(set(message) - set(LANGUAGES)):
            found.append(words("rule_message_unknown_language", rule=where, language=language))
    return found


def _decisions_called(when: str, where: Words, found: list[Words]) -> set[str]:
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
                found.append(words("rule_decide_literal", rule=where))
            elif not isinstance(args[0].value, str):
                found.append(words("rule_decide_not_text", rule=where))
            else:
                called.add(args[0].value)
    return called


def _decision_engines(
    called: set[str], files: dict[str, bytes], found: list[Words]
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
            found.append(words("rule_decision_missing", decision=decision_id))
    return engines
