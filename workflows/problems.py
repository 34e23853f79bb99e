"""What is wrong with input: a located problem in a process owner's files (at deploy time), a
field of submitted form data that is not valid, or why the engine refused a command."""

from collections.abc import Callable
from dataclasses import dataclass


def N_(text: str) -> str:
    """Marks English words for the pages' catalogue (``make translations`` extracts them, as
    gettext_noop); the edge says them in the reader's language (service/problem_words.py)."""
    return text


# Every kind of problem a set of definition files can have, in English, each with its
# parameters. The kind and parameters travel; the words are chosen by whoever reads them.
TEXTS: dict[str, str] = {
    # The set of files.
    "too_many_files": N_("more than %(count)d files"),
    "not_a_definition_file": N_(
        "not a definition file: expected .bpmn, .bpmn.cy.json, .dmn, forms/*.json or letters/*.md"
    ),
    "not_bpmn_or_dmn": N_("neither a BPMN nor a DMN document"),
    "file_too_large": N_("the file is larger than %(kib)d KiB"),
    "not_utf8": N_("the file chosen is not UTF-8 text"),
    "xml_not_well_formed": N_("not well-formed XML: %(detail)s"),
    "xml_declarations": N_("DOCTYPE and entity declarations are not allowed in definitions"),
    "json_not_valid": N_("not valid JSON: %(detail)s"),
    "json_not_object": N_("must be a JSON object"),
    # A diagram.
    "no_executable_process": N_('no executable process: mark the process isExecutable="true"'),
    "script_task_no_script": N_("the script task has no script"),
    "unknown_process_called": N_("calls process '%(process)s', which is not defined"),
    "unknown_decision": N_("uses decision table '%(decision)s', which is not defined"),
    "call_cycle": N_("the process calls itself through call activities, so it would never end"),
    "user_task_no_lane": N_("the user task is not in a lane"),
    "user_task_no_form": N_("the user task names no form (%(property)s)"),
    "user_task_lane_no_role": N_(
        "the user task is in lane '%(lane)s', which no role in the role catalogue works; "
        "lanes are: %(lanes)s"
    ),
    "start_event_lane_no_role": N_(
        "the start event is in lane '%(lane)s', which no role in the role catalogue works; "
        "lanes are: %(lanes)s"
    ),
    "form_not_schema_file": N_("form '%(form)s' must be a *%(suffix)s file"),
    "form_not_valid": N_("form '%(form)s' is not valid (see its problems)"),
    "form_missing": N_("form '%(form)s' does not exist"),
    "letter_not_found": N_(
        "the task sends the letter '%(letter)s', but there is no %(folder)s%(letter)s.en.md or "
        ".cy.md"
    ),
    "instructions_template": N_("instructions: %(detail)s"),
    "welsh_instructions_template": N_("Welsh instructions: %(detail)s"),
    "script_code": N_("script: %(detail)s"),
    "condition_code": N_("condition: %(detail)s"),
    "pre_script_code": N_("preScript: %(detail)s"),
    "post_script_code": N_("postScript: %(detail)s"),
    "due_at_code": N_("dueAt: %(detail)s"),
    "due_in_code": N_("dueIn expression: %(detail)s"),
    "due_in_iso": N_("dueIn: %(detail)s"),
    "timer_code": N_("timer expression: %(detail)s"),
    "timer_iso": N_("timer: %(detail)s"),
    "timer_empty": N_("the timer's %(kind)s is empty"),
    "iso_not_valid": N_("'%(value)s' is not a valid ISO 8601 %(kind)s; for example %(example)s"),
    "iso_not_valid_because": N_("'%(value)s' is not a valid ISO 8601 %(kind)s: %(detail)s"),
    "iso_date_no_offset": N_(
        "the date '%(value)s' has no UTC offset, so it would be read in the server's time zone; "
        "write it as '%(value)sZ' for UTC or with an offset such as '%(value)s+01:00'"
    ),
    "engine_refused": N_("the engine refuses this: %(detail)s"),
    "engine_cannot_read": N_("the engine cannot read this process: %(detail)s"),
    # A decision table.
    "dmn_input_expression": N_("input expression: %(detail)s"),
    "dmn_input_cell": N_("input cell: %(detail)s"),
    "dmn_output_cell": N_("output cell: %(detail)s"),
    # A diagram's Welsh names.
    "names_without_diagram": N_("there is no diagram of this name for these names"),
    "names_missing": N_("the Welsh names for this diagram are missing"),
    "names_shape": N_('must be {"names": {element id: Welsh name as text, ...}}'),
    "no_welsh_name": N_("no Welsh name for '%(name)s'"),
    "names_left_over": N_("names an element the diagram does not have, or one with no name"),
    # A form.
    "not_a_form_file": N_("not a form file: names end in %(suffixes)s"),
    "no_form_schema": N_("there is no form schema %(schema)s"),
    "form_file_missing": N_("the form file is missing"),
    "schema_not_valid": N_("not a valid JSON Schema (Draft 2020-12) at %(where)s: %(detail)s"),
    "schema_not_object": N_('a form schema must have "type": "object"'),
    "pattern_needs_examples": N_(
        '"pattern" at %(pointer)s needs "examples": values written the right way'
    ),
    "pattern_not_valid": N_('"pattern" at %(pointer)s is not a regular expression: %(detail)s'),
    "pattern_example_unmatched": N_(
        '"pattern" at %(pointer)s: the example %(example)s does not match it'
    ),
    "justification_not_true": N_('"justification" at %(pointer)s must be true (or left out)'),
    "justification_not_text": N_(
        '"justification" at %(pointer)s is only for a text field, with "type": "string"'
    ),
    "match_unknown_kind": N_('"match" at %(pointer)s must be one of %(kinds)s'),
    "match_not_text": N_('"match" at %(pointer)s is only for a text field, with "type": "string"'),
    "match_unreachable": N_('"match" is only for fields reached through "properties" and "items"'),
    "welsh_form_missing": N_("the Welsh text for this form is missing"),
    "welsh_part_not_mapping": N_("'%(part)s' must map JSON pointers to Welsh text"),
    "welsh_text_missing": N_("no Welsh text for %(part)s %(pointer)s"),
    "welsh_pointer_nowhere": N_("%(part)s %(pointer)s points at nothing in the form"),
    # A form's rules.
    "rules_not_list": N_("must be a JSON list of rules"),
    "rule": N_("rule %(number)d"),
    "rule_of_field": N_("rule %(number)d (%(field)s)"),
    "rule_not_object": N_("%(rule)s: must be an object with %(keys)s"),
    "rule_unknown_keys": N_("%(rule)s: unknown keys %(keys)s"),
    "rule_no_field": N_("%(rule)s: 'field' must name a field of the form"),
    "rule_field_unknown": N_("%(rule)s: '%(field)s' is not a field of the form"),
    "rule_no_when": N_("%(rule)s: 'when' must be an expression (true when the rule is broken)"),
    "rule_when_code": N_("%(rule)s: when: %(detail)s"),
    "rule_no_messages": N_("%(rule)s: 'message' must give the text in each language: en, cy"),
    "rule_message_missing": N_("%(rule)s: no message in '%(language)s'"),
    "rule_message_unknown_language": N_("%(rule)s: message in unknown language '%(language)s'"),
    "rule_decide_literal": N_('%(rule)s: write decide("decision_id") with the id as text'),
    "rule_decide_not_text": N_("%(rule)s: the decision id given to decide() must be text"),
    "rule_decision_missing": N_(
        "the rules call decide('%(decision)s'), but no DMN file of the set defines that "
        "decision (or it cannot be read)"
    ),
    # A letter to the victim.
    "letter_file_name": N_("letter templates are named letters/<name>.en.md and .cy.md"),
    "letter_too_large": N_("the letter template is too large"),
    "letter_not_utf8": N_("the letter template is not UTF-8 text"),
    "letter_template": N_("the letter template: %(detail)s"),
    "letter_language_missing": N_(
        "the letter '%(name)s' has no %(language)s version: every letter to a victim exists in "
        "English and Welsh"
    ),
}


def _same(text: str) -> str:
    return text


@dataclass(frozen=True, order=True)
class Words:
    """What a problem says: its kind (a key of TEXTS) and parameters, themselves text, numbers
    or Words. A ``detail`` is a library's or the sandbox's own words, passed on as they are."""

    kind: str
    params: tuple[tuple[str, object], ...] = ()

    def say(self, translate: Callable[[str], str] = _same) -> str:
        """The words in English, or in the language ``translate`` turns TEXTS into."""
        values = {
            name: value.say(translate) if isinstance(value, Words) else value
            for name, value in self.params
        }
        return translate(TEXTS[self.kind]) % values


def words(kind: str, /, **params: object) -> Words:
    if kind not in TEXTS:
        raise KeyError(f"no words for the problem kind {kind!r}: add them to TEXTS")
    return Words(kind, tuple(sorted(params.items())))


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    element_id: str | None
    words: Words
    line: int | None = None

    @property
    def message(self) -> str:
        return self.words.say()

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "element_id": self.element_id,
            "kind": self.words.kind,
            "message": self.message,
            "line": self.line,
        }

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.element_id:
            where += f" [{self.element_id}]"
        return f"{where}: {self.message}"


class DefinitionProblems(Exception):
    """The files cannot be deployed; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))
        super().__init__(f"{len(self.problems)} problem(s) in the process definitions")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


class DiagramError(Exception):
    """The diagram itself failed while running (a script, condition or timer expression)."""

    def __init__(self, message: str, element_id: str | None = None):
        self.element_id = element_id
        super().__init__(message)


class LimitExceeded(DiagramError):
    """A command went past one of the engine's limits (see workflows.limits)."""

    def __init__(self, message: str, element_id: str | None, limit: str, figure: str):
        self.limit, self.figure = limit, figure
        super().__init__(message, element_id)


class CaseStalled(DiagramError):
    """After the command a running case would wait on nothing: no open task, no timer."""


class TaskNotOpen(Exception):
    """The task is not (or no longer) waiting for a person."""


class FormInvalid(Exception):
    """The submitted data does not satisfy the task's (or start event's) form."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__(", ".join(dict.fromkeys(error.field for error in errors)))


class StateVersionMismatch(Exception):
    """The saved state was written by another engine or serializer version."""
