"""The catalog: a process owner's BPMN, DMN and form files, validated as one set.

A set is checked as a whole (call activities and decision tables resolve across files) and
every problem is reported at once, located by file and element id. A valid set becomes an
immutable definition version identified by the hash of its content.
"""

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import timer_text
from .decisions import record_matched_rules
from .forms import FORM_FILE_SUFFIXES, SCHEMA_SUFFIX, Form, form_name, load_form
from .instructions import check_template
from .letters import LETTER_PROPERTY, LETTERS_FOLDER, load_letters
from .matching import MatchField, match_fields
from .names import ElementNames, is_names_file, load_names
from .problems import DefinitionProblems, Problem, words
from .readable import ChoiceTitles
from .safe_xml import SAFE_XML
from .sandbox import check_expression, check_script
from .timers import DUE_AT_PROPERTY, DUE_IN_PROPERTY

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 500

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
)
NS = {"bpmn": BPMN, "spiff": SPIFF}
USER_TASK_TAGS = ("userTask", "manualTask")
FORM_PROPERTY = "formJsonSchemaFilename"
UI_FORM_PROPERTY = "formUiSchemaFilename"


@dataclass(frozen=True)
class ProcessInfo:
    """What the API shows of a process without running it."""

    id: str
    name: str
    file: str
    start_form: str | None
    start_lane: str | None


@dataclass(frozen=True)
class UserTaskInfo:
    """A user task as the service projects it: lane, form and instructions."""

    bpmn_id: str
    name: str
    lane: str | None
    form: str | None
    ui_form: str | None
    instructions: str | None


@dataclass
class Catalog:
    """A validated set of definition files, able to hand out executable specs."""

    files: dict[str, bytes]
    processes: dict[str, ProcessInfo]
    forms: dict[str, Form]
    parser: SpiffBpmnParser = field(repr=False)
    # Process id -> a process that calls it: such a process runs only as a step of its caller.
    called_by: dict[str, str] = field(default_factory=dict)
    # Letter name -> language -> Jinja template (letters/<name>.<language>.md).
    letters: dict[str, dict[str, str]] = field(default_factory=dict)
    # Welsh names of processes, tasks and events (bpmn/<diagram>.bpmn.cy.json).
    names: ElementNames = field(default_factory=ElementNames)
    _specs: dict = field(default_factory=dict, repr=False)

    @cached_property
    def content_hash(self) -> str:
        return content_hash(self.files)

    def spec(self, process_id: str, fresh: bool = False):
        """The top-level spec and its sub-process specs, parsed once per catalog.

        ``fresh`` parses them anew, as a process that has never run a command on them would:
        a check that nothing a command does depends on what an earlier one left on the specs.
        """
        if fresh:
            return _ready_to_run(self._fresh_parser(), process_id)
        if process_id not in self._specs:
            self._specs[process_id] = _ready_to_run(self.parser, process_id)
        return self._specs[process_id]

    def _fresh_parser(self) -> SpiffBpmnParser:
        parser = SpiffBpmnParser(validator=VALIDATOR)
        # The files are valid (the catalog was built from them); decision tables go first.
        roots = {
            path: etree.fromstring(content, SAFE_XML)
            for path, content in self.files.items()
            if path.endswith((".bpmn", ".dmn"))
        }
        for path, root in sorted(roots.items(), key=lambda item: not _is_dmn(item[1])):
            if _is_dmn(root):
                parser.add_dmn_xml(root, filename=path)
            else:
                parser.add_bpmn_xml(root, filename=path)
        return parser

    @cached_property
    def choices(self) -> ChoiceTitles:
        """The titles of the forms' choices, which instructions and letters show."""
        return ChoiceTitles(self.forms.values())

    @cached_property
    def match_fields(self) -> list[MatchField]:
        """The fields of the case data that earlier cases are found by, from every form."""
        return sorted(
            {found for form in self.forms.values() for found in match_fields(form.schema)}
        )

    def form(self, schema_filename: str | None) -> Form | None:
        return self.forms.get(form_name(schema_filename)) if schema_filename else None


def content_hash(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return digest.hexdigest()


def read_definition_files(root: Path) -> dict[str, bytes]:
    """Every process owner's file under ``root/bpmn``, ``root/forms`` and ``root/letters``,
    keyed by path."""
    files = {}
    folders = (
        ("bpmn", ("*.bpmn", "*.dmn", "*.bpmn.cy.json")),
        ("forms", ("*.json",)),
        ("letters", ("*.md",)),
    )
    for folder, patterns in folders:
        for pattern in patterns:
            for path in sorted((root / folder).rglob(pattern)):
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def build_catalog(
    files: dict[str, bytes], checked: bool = False, lanes: Collection[str] | None = None
) -> Catalog:
    """Validate a set of files; raise DefinitionProblems listing everything wrong with it.

    ``checked`` files are a version deployed before, and were validated then: the costliest
    check (form schemas against JSON Schema's own) is not made again.

    ``lanes`` are the lanes the role catalogue's roles work: a user task, or a process's start
    event, in any other lane is a problem. Deployment gives them; a stored version, checked
    when it was deployed, is read without them (the catalogue may have changed since, and its
    cases must still run).
    """
    problems: list[Problem] = []
    if len(files) > MAX_FILES:
        raise DefinitionProblems(
            [Problem("(upload)", None, words("too_many_files", count=MAX_FILES))]
        )

    forms, broken_forms, form_problems = _load_forms(files, checked)
    problems.extend(form_problems)
    letters, letter_problems = load_letters(files)
    problems.extend(letter_problems)

    documents: dict[str, etree._Element] = {}
    for path, content in sorted(files.items()):
        if path.endswith((".bpmn", ".dmn")):
            root = _parse_xml(path, content, problems)
            if root is not None:
                documents[path] = root
        elif not path.startswith(("forms/", LETTERS_FOLDER)) and not is_names_file(path):
            problems.append(Problem(path, None, words("not_a_definition_file")))

    bpmn_docs = {p: d for p, d in documents.items() if d.tag == f"{{{BPMN}}}definitions"}
    dmn_docs = {p: d for p, d in documents.items() if _is_dmn(d)}
    for path in documents:
        if path not in bpmn_docs and path not in dmn_docs:
            problems.append(Problem(path, None, words("not_bpmn_or_dmn")))

    decisions = _check_dmn(dmn_docs, problems)
    all_process_ids = {
        process.get("id"): path
        for path, root in bpmn_docs.items()
        for process in root.iterfind("bpmn:process", NS)
    }
    processes: dict[str, ProcessInfo] = {}
    calls: dict[str, set[str]] = {}
    for path, root in bpmn_docs.items():
        checker = _BpmnChecker(
            path, root, forms, broken_forms, decisions, all_process_ids, letters, lanes
        )
        processes.update(checker.check(problems))
        calls.update(checker.calls)
    _check_call_cycles(calls, all_process_ids, problems)
    names = load_names(files, bpmn_docs, problems, checked)

    parser = SpiffBpmnParser(validator=VALIDATOR)
    called_by = {called: caller for caller in sorted(calls) for called in sorted(calls[caller])}
    catalog = Catalog(files, processes, forms, parser, called_by, letters, names)
    if not problems:
        _parse_with_engine(catalog, bpmn_docs, dmn_docs, problems)
    if problems:
        raise DefinitionProblems(problems)
    return catalog


def _load_forms(
    files: dict[str, bytes], checked: bool = False
) -> tuple[dict[str, Form], set[str], list[Problem]]:
    """The valid forms, the names of the broken ones, and every problem found."""
    forms, broken, problems = {}, set(), []
    names = set()
    for path in sorted(files):
        if not path.startswith("forms/"):
            continue
        suffix = next((s for s in FORM_FILE_SUFFIXES if path.endswith(s)), None)
        if suffix is None:
            suffixes = ", ".join(FORM_FILE_SUFFIXES)
            problems.append(Problem(path, None, words("not_a_form_file", suffixes=suffixes)))
            continue
        name = path.removeprefix("forms/").removesuffix(suffix)
        if suffix != SCHEMA_SUFFIX and f"forms/{name}{SCHEMA_SUFFIX}" not in files:
            schema = f"{name}{SCHEMA_SUFFIX}"
            problems.append(Problem(path, None, words("no_form_schema", schema=schema)))
        names.add(name)
    for name in sorted(names):
        if f"forms/{name}{SCHEMA_SUFFIX}" not in files:
            continue
        form, found = load_form(name, files, checked)
        problems.extend(found)
        if form is None:
            broken.add(name)
        else:
            forms[name] = form
    return forms, broken, problems


def _parse_xml(path: str, content: bytes, problems: list[Problem]) -> etree._Element | None:
    if len(content) > MAX_FILE_BYTES:
        problems.append(Problem(path, None, words("file_too_large", kib=MAX_FILE_BYTES // 1024)))
        return None
    try:
        tree = etree.fromstring(content, SAFE_XML).getroottree()
    except etree.XMLSyntaxError as error:
        found = words("xml_not_well_formed", detail=error.msg)
        problems.append(Problem(path, None, found, error.lineno))
        return None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        problems.append(Problem(path, None, words("xml_declarations")))
        return None
    return tree.getroot()


def _is_dmn(root: etree._Element) -> bool:
    return any(root.tag == f"{{{ns}}}definitions" for ns in DMN_NAMESPACES)


class _BpmnChecker:
    """Static checks on one BPMN document, before the engine sees it."""

    def __init__(
        self, path, root, forms, broken_forms, decisions, all_process_ids, letters, role_lanes
    ):
        self.path = path
        self.role_lanes = role_lanes
        self.letters = letters
        self.root = root
        self.forms = forms
        self.broken_forms = broken_forms
        self.decisions = decisions
        self.all_process_ids = all_process_ids
        self.calls: dict[str, set[str]] = {}

    def problem(self, element, kind: str, /, **params) -> Problem:
        element_id = element.get("id") if element is not None else None
        line = element.sourceline if element is not None else None
        return Problem(self.path, element_id, words(kind, **params), line)

    def check(self, problems: list[Problem]) -> dict[str, ProcessInfo]:
        executable = [
            p for p in self.root.iterfind("bpmn:process", NS) if p.get("isExecutable") == "true"
        ]
        if not executable:
            problems.append(self.problem(None, "no_executable_process"))
        lanes = self._lanes()
        found = {}
        for process in executable:
            process_id = process.get("id")
            self.calls[process_id] = set()
            start_form, start_lane = None, None
            for element in process.iter():
                tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
                if element.getparent() is process and tag == "startEvent":
                    start_form = self._property(element, FORM_PROPERTY)
                    start_lane = self._lane_of(element, lanes)
                    if start_lane is not None:
                        self._check_role_lane(element, "start_event", start_lane, problems)
                    if start_form:
                        self._check_form(element, start_form, problems)
                self._check_element(process_id, element, tag, lanes, problems)
            found[process_id] = ProcessInfo(
                process_id, process.get("name") or process_id, self.path, start_form, start_lane
            )
        return found

    def _check_element(self, process_id, element, tag, lanes, problems):
        if tag in USER_TASK_TAGS:
            self._check_user_task(element, lanes, problems)
        elif tag == "scriptTask":
            script = element.findtext("bpmn:script", namespaces=NS)
            if not (script or "").strip():
                problems.append(self.problem(element, "script_task_no_script"))
            else:
                self._check_code(element, script, check_script, "script_code", problems)
        elif tag == "conditionExpression":
            flow = element.getparent()
            self._check_code(flow, element.text or "", check_expression, "condition_code", problems)
        elif tag in (timer_text.DURATION, timer_text.DATE, timer_text.CYCLE):
            self._check_timer(element, tag, problems)
        elif tag == "callActivity":
            called = element.get("calledElement")
            if not called or called not in self.all_process_ids:
                problems.append(self.problem(element, "unknown_process_called", process=called))
            else:
                self.calls[process_id].add(called)
        elif tag == "businessRuleTask":
            decision = element.findtext("bpmn:extensionElements/spiff:calledDecisionId", None, NS)
            if not decision or decision.strip() not in self.decisions:
                problems.append(self.problem(element, "unknown_decision", decision=decision))
        for script_tag, kind in (
            ("preScript", "pre_script_code"),
            ("postScript", "post_script_code"),
        ):
            if tag == script_tag:
                task = element.getparent().getparent()
                self._check_code(task, element.text or "", check_script, kind, problems)
        if tag == "instructionsForEndUser":
            task = element.getparent().getparent()
            for message in check_template(element.text or ""):
                problems.append(self.problem(task, "instructions_template", detail=message))

    def _check_user_task(self, element, lanes, problems):
        lane = self._lane_of(element, lanes)
        if lane is None:
            problems.append(self.problem(element, "user_task_no_lane"))
        else:
            self._check_role_lane(element, "user_task", lane, problems)
        self._check_due_date(element, problems)
        schema = self._property(element, FORM_PROPERTY)
        if not schema:
            problems.append(self.problem(element, "user_task_no_form", property=FORM_PROPERTY))
        else:
            self._check_form(element, schema, problems)
            form = self.forms.get(form_name(schema))
            if form is not None and form.welsh.get("instructions"):
                for message in check_template(form.welsh["instructions"]):
                    problems.append(
                        self.problem(element, "welsh_instructions_template", detail=message)
                    )
        letter = self._property(element, LETTER_PROPERTY)
        if letter and letter not in self.letters:
            problems.append(
                self.problem(element, "letter_not_found", letter=letter, folder=LETTERS_FOLDER)
            )

    def _check_role_lane(self, element, what, lane, problems):
        if self.role_lanes is not None and lane not in self.role_lanes:
            lanes = ", ".join(sorted(self.role_lanes))
            problems.append(self.problem(element, f"{what}_lane_no_role", lane=lane, lanes=lanes))

    def _check_due_date(self, element, problems):
        due_in = self._property(element, DUE_IN_PROPERTY)
        if due_in:
            self._check_timer_text(element, due_in, timer_text.DURATION, "due_in", problems)
        due_at = self._property(element, DUE_AT_PROPERTY)
        if due_at:
            self._check_code(element, due_at, check_expression, "due_at_code", problems)

    def _check_form(self, element, schema_filename, problems):
        name = form_name(schema_filename)
        if not schema_filename.endswith(SCHEMA_SUFFIX):
            problems.append(
                self.problem(
                    element, "form_not_schema_file", form=schema_filename, suffix=SCHEMA_SUFFIX
                )
            )
        elif name in self.broken_forms:
            problems.append(self.problem(element, "form_not_valid", form=schema_filename))
        elif name not in self.forms:
            problems.append(self.problem(element, "form_missing", form=schema_filename))

    def _check_code(self, element, source, checker, kind, problems):
        for message in checker(source):
            problems.append(self.problem(element, kind, detail=message))

    def _check_timer(self, element, kind, problems):
        event = element.getparent().getparent()
        text = (element.text or "").strip()
        if not text:
            problems.append(self.problem(event, "timer_empty", kind=kind))
            return
        self._check_timer_text(event, text, kind, "timer", problems)

    def _check_timer_text(self, element, text, kind, what, problems):
        """Plain or quoted ISO 8601 must be valid; anything else is sandboxed code."""
        value = timer_text.literal_value(text, kind)
        if value is None and re.fullmatch(r"(R\d*/)?P[0-9A-Z.]*|\d{4}-\d\d-\d\d\S*", text):
            value = text  # looks like ISO 8601 but is not: say so rather than "undefined name"
        if value is None:
            self._check_code(element, text, check_expression, f"{what}_code", problems)
        elif found := timer_text.check_iso(value, kind):
            problems.append(self.problem(element, f"{what}_iso", detail=found))

    def _property(self, element, name: str) -> str | None:
        for prop in element.iterfind("bpmn:extensionElements/spiff:properties/spiff:property", NS):
            if prop.get("name") == name:
                return (prop.get("value") or "").strip() or None
        return None

    def _lanes(self) -> dict[str, str]:
        lanes = {}
        for lane in self.root.iter(f"{{{BPMN}}}lane"):
            for ref in lane.iterfind("bpmn:flowNodeRef", NS):
                lanes[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
        return lanes

    def _lane_of(self, element, lanes) -> str | None:
        # Tasks inside an embedded sub-process take the sub-process's lane, as the engine does.
        node = element
        while node is not None and node.tag != f"{{{BPMN}}}process":
            if node.get("id") in lanes:
                return lanes[node.get("id")]
            node = node.getparent()
        return None


def _check_dmn(dmn_docs: dict, problems: list[Problem]) -> set[str]:
    decisions = set()
    for path, root in dmn_docs.items():
        ns = {"dmn": etree.QName(root).namespace}
        for decision in root.iterfind("dmn:decision", ns):
            decisions.add(decision.get("id"))
            for table in decision.iterfind("dmn:decisionTable", ns):
                _check_decision_table(path, table, ns, problems)
    return decisions


def _check_decision_table(path, table, ns, problems):
    inputs = [
        (inp.findtext("dmn:inputExpression/dmn:text", "", ns) or "").strip()
        for inp in table.iterfind("dmn:input", ns)
    ]
    for inp, source in zip(table.iterfind("dmn:input", ns), inputs, strict=True):
        for message in check_expression(source or "None"):
            found = words("dmn_input_expression", detail=message)
            problems.append(Problem(path, inp.get("id"), found))
    for rule in table.iterfind("dmn:rule", ns):
        for entry, source in zip(rule.iterfind("dmn:inputEntry", ns), inputs, strict=False):
            cell = (entry.findtext("dmn:text", "", ns) or "").strip()
            if cell and cell != "-":
                message = _check_input_cell(source, cell)
                if message:
                    found = words("dmn_input_cell", detail=message)
                    problems.append(Problem(path, entry.get("id"), found))
        for entry in rule.iterfind("dmn:outputEntry", ns):
            cell = (entry.findtext("dmn:text", "", ns) or "").strip()
            for message in check_expression(cell) if cell else ():
                found = words("dmn_output_cell", detail=message)
                problems.append(Problem(path, entry.get("id"), found))


def _check_input_cell(input_expression: str, cell: str) -> str | None:
    # The engine compares a cell either as a value, as a bare operator ("> 3") or with "?".
    candidates = [f"({input_expression}) == ({cell})", f"{input_expression} {cell}"]
    if "?" in cell:
        candidates.insert(0, cell.replace("?", "dmninputexpr"))
    messages = [check_expression(candidate) for candidate in candidates]
    if any(not found for found in messages):
        return None
    return messages[0][0]


def _check_call_cycles(calls: dict[str, set[str]], where: dict[str, str], problems) -> None:
    # A process that calls itself, directly or through others, never returns.
    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for called in calls.get(start, ()):
            if called == target or (
                called not in seen and reaches(called, target, seen | {called})
            ):
                return True
        return False

    for process_id in calls:
        if reaches(process_id, process_id, {process_id}):
            problems.append(Problem(where[process_id], process_id, words("call_cycle")))


def _parse_with_engine(catalog: Catalog, bpmn_docs, dmn_docs, problems: list[Problem]) -> None:
    parser = catalog.parser
    for path, root in {**dmn_docs, **bpmn_docs}.items():
        try:
            if path in dmn_docs:
                parser.add_dmn_xml(root, filename=path)
            else:
                parser.add_bpmn_xml(root, filename=path)
        except ValidationException as error:
            problems.append(_from_validation(error, path))
    if problems:
        return
    for process_id, info in catalog.processes.items():
        try:
            catalog.spec(process_id)
        except ValidationException as error:
            problems.append(_from_validation(error, info.file))
        except (SpiffWorkflowException, KeyError, ValueError, TypeError, AttributeError) as error:
            found = words("engine_cannot_read", detail=repr(error))
            problems.append(Problem(info.file, process_id, found))


def _from_validation(error: ValidationException, path: str) -> Problem:
    line = error.line_number if isinstance(error.line_number, int) else None
    found = words("engine_refused", detail=str(error).strip())
    return Problem(error.file_name or path, error.id or None, found, line)


def _ready_to_run(parser: SpiffBpmnParser, process_id: str):
    spec = parser.get_spec(process_id)
    subprocess_specs = parser.get_subprocess_specs(process_id)
    for each in (spec, *subprocess_specs.values()):
        _normalise_timers(each)
        _connect_loops(each)
        record_matched_rules(each)
    return spec, subprocess_specs


def _connect_loops(spec) -> None:
    """Connect every loop's merge handling to its spec now, not when a round is created.

    SpiffWorkflow 3.2.0 connects a loop (standard or multi-instance) to the end of its round
    only when it creates a round. A case restored in a process that has not created a round
    on these specs would finish the round and start no next one: running, with no task, no
    timer and no error. The library's own spec deserializer connects them the same way.
    """
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, LoopTask):
            round_spec = spec.task_specs[task_spec.task_spec]
            if not round_spec.completed_event.is_connected(task_spec.merge_child):
                round_spec.completed_event.connect(task_spec.merge_child)


def _normalise_timers(spec) -> None:
    for task_spec in spec.task_specs.values():
        definition = getattr(task_spec, "event_definition", None)
        for each in getattr(definition, "event_definitions", None) or [definition]:
            if isinstance(each, TimerEventDefinition):
                each.expression = timer_text.as_engine_expression(each.expression, _kind(each))


def _kind(definition: TimerEventDefinition) -> str:
    name = type(definition).__name__
    if name.startswith("TimeDate"):
        return timer_text.DATE
    if name.startswith("Cycle"):
        return timer_text.CYCLE
    return timer_text.DURATION
