"""A case's saved text is the library's own, to the byte, and reads back as the library reads it.

``workflows.serializer`` writes and reads tasks faster than SpiffWorkflow's converter; the text
must not change (a state's digest is in the case's history, and replay compares them), and a
restored case must hold what the library would restore: the same tasks, links, states and data,
each task that may still run with data of its own, and a command on it must write what it
writes on the case the library restored.
"""

import functools
import itertools
import json
from uuid import UUID

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from service.config import PROJECT_ROOT
from tests.names import with_welsh_names
from tests.samples import (
    CALL,
    REVIEW_CONTINUE,
    SUSPECT_ON_BAIL,
    to_investigation,
    victim_contacted,
)
from tests.test_catalog import HEAD, flow, form_files, user_task
from tests.test_review_rounds_scale import APPROVAL_TASKS
from tests.test_saved_state_pruning import CALL_DAY, EXTEND, LETTER_SENT
from workflows.catalog import build_catalog, read_definition_files
from workflows.clock import engine_clock
from workflows.runner import Runner, every_task
from workflows.serializer import SERIALIZER, SERIALIZER_VERSION, _SharedSpecWorkflowConverter, save

PROCESS = "stalking_harassment"
# The library's converters for everything but the workflow itself, whose spec the version holds.
LIBRARY = BpmnWorkflowSerializer(
    BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, BpmnWorkflow: _SharedSpecWorkflowConverter})
)
SETTLED = TaskState.COMPLETED | TaskState.CANCELLED


def script(task_id: str, text: str) -> str:
    return f'<bpmn:scriptTask id="{task_id}"><bpmn:script>{text}</bpmn:script></bpmn:scriptTask>'


# Scripts that change a list and a dict in place, after parallel branches and a multi-instance
# task, in a loop that goes round again while the gate's note says so. The user tasks' own
# scripts change the list a task was restored with; the multi-instance task merges each
# finished instance's list into its own, in place.
POST_SCRIPT = "<spiffworkflow:postScript>items.append(note)</spiffworkflow:postScript>"
_MUTATING_ELEMENTS = [
    ("start", '<bpmn:startEvent id="start"/>'),
    ("prepare", script("prepare", "items = []\ntally = {'rounds': 0, 'seen': []}")),
    ("fork", '<bpmn:parallelGateway id="fork"/>'),
    ("left", user_task("left")),
    ("right", user_task("right")),
    ("join", '<bpmn:parallelGateway id="join"/>'),
    ("count", script("count", "items.append(note)\ntally['seen'].append(note)")),
    (
        "review",
        user_task("review", extra=POST_SCRIPT).replace(
            "</bpmn:userTask>",
            "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2"
            "</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>",
        ),
    ),
    ("tally", script("tally", "tally['rounds'] = tally['rounds'] + 1\nitems.append(note)")),
    ("gate", user_task("gate", extra=POST_SCRIPT)),
    ("again", '<bpmn:exclusiveGateway id="again"/>'),
    ("end", '<bpmn:endEvent id="end"/>'),
]
_MUTATING_FLOWS = [
    ("start", "prepare"),
    ("prepare", "fork"),
    ("fork", "left"),
    ("fork", "right"),
    ("left", "join"),
    ("right", "join"),
    ("join", "count"),
    ("count", "review"),
    ("review", "tally"),
    ("tally", "gate"),
    ("gate", "again"),
]
MUTATING = {
    "bpmn/mutating.bpmn": (
        HEAD
        + '<bpmn:process id="mutating" isExecutable="true"><bpmn:laneSet id="ls">'
        + '<bpmn:lane id="lane" name="Sergeant">'
        + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref, _ in _MUTATING_ELEMENTS)
        + "</bpmn:lane></bpmn:laneSet>"
        + "".join(element for _, element in _MUTATING_ELEMENTS)
        + "".join(flow(f"f_{a}_{b}", a, b) for a, b in _MUTATING_FLOWS)
        + flow("f_again", "again", "fork", "note == 'again'")
        + flow("f_end", "again", "end", "note != 'again'")
        + "</bpmn:process></bpmn:definitions>"
    ).encode(),
    **form_files(),
}


@pytest.fixture(scope="module")
def catalog():
    return build_catalog(read_definition_files(PROJECT_ROOT))


@pytest.fixture(scope="module")
def states(catalog) -> list[str]:
    return bail_case_states(catalog)


def bail_case_states(catalog, runner=None) -> list[str]:
    """A case's saved text after every command: on bail, its bail reviewed (each review a run
    of the called process), then its investigation reviewed again and again."""
    runner = runner or Runner(catalog, keep=0)
    with engine_clock(CALL_DAY):
        outcome = runner.start(PROCESS, CALL)
        saved = [outcome.state]

        def complete(bpmn_id: str, data: dict) -> None:
            nonlocal outcome
            [task] = [t for t in outcome.open_tasks if t.bpmn_id == bpmn_id]
            outcome = runner.complete(PROCESS, outcome.state, task.id, data)
            saved.append(outcome.state)

        for bpmn_id, data in to_investigation(SUSPECT_ON_BAIL):
            complete(bpmn_id, victim_contacted(bpmn_id, data, outcome.data))
        for months in (4, 5):
            complete("bail_review", {**EXTEND, "bail_extension_to_months": months})
            [approval] = [t.bpmn_id for t in outcome.open_tasks if t.bpmn_id in APPROVAL_TASKS]
            complete(approval, APPROVAL_TASKS[approval])
            complete("victim_letter_bail_changed", LETTER_SENT)
        for _ in range(3):
            complete("sergeant_review", REVIEW_CONTINUE)
    return saved


def restored(serializer, catalog, state: str) -> BpmnWorkflow:
    saved = json.loads(state)
    assert saved.pop("serializer_version") == SERIALIZER_VERSION
    saved["spec"], saved["subprocess_specs"] = catalog.spec(PROCESS)
    return serializer.from_dict(saved)


def written(serializer, workflow: BpmnWorkflow) -> str:
    state = serializer.to_dict(workflow)
    state["serializer_version"] = SERIALIZER_VERSION
    return json.dumps(state, separators=(",", ":"))


def test_the_case_holds_runs_of_a_called_process(states):
    assert any(json.loads(state)["subprocesses"] for state in states)


def test_the_saved_text_is_the_librarys_to_the_byte(catalog, states):
    for state in states:
        ours = restored(SERIALIZER, catalog, state)
        theirs = restored(LIBRARY, catalog, state)
        assert save(ours) == written(LIBRARY, theirs) == state


def test_a_restored_case_holds_what_the_library_restores(catalog, states):
    for state in states:
        ours, theirs = restored(SERIALIZER, catalog, state), restored(LIBRARY, catalog, state)
        assert list(ours.subprocesses) == list(theirs.subprocesses)
        assert [t.id for t in ours.event_manager.tasks.values()] == [
            t.id for t in theirs.event_manager.tasks.values()
        ]
        pairs = list(zip(every_task(ours), every_task(theirs), strict=True))
        for mine, library in pairs:
            assert (mine.id, mine._parent, mine._children, mine.state) == (
                library.id,
                library._parent,
                library._children,
                library.state,
            )
            assert mine.task_spec is library.task_spec
            assert (mine.data, mine.internal_data) == (library.data, library.internal_data)


def shared_values(workflow: BpmnWorkflow) -> list[tuple[object, str]]:
    """(task, key) of each list, dict or set a task holds that is its parent's very value."""
    return [
        (task, key)
        for task in every_task(workflow)
        if task.parent is not None
        for key, value in task.data.items()
        if isinstance(value, list | dict | set) and value is task.parent.data.get(key)
    ]


def test_each_restored_task_that_may_run_holds_data_of_its_own(catalog, states):
    """A script changing a list in one task's data leaves its parent's as it was."""
    workflow = restored(SERIALIZER, catalog, states[-1])
    shared = shared_values(workflow)
    assert [(task.task_spec.name, key) for task, key in shared if not task.has_state(SETTLED)] == []
    assert all(task.parent.has_state(SETTLED) for task, _key in shared)
    # Finished tasks share their finished parents' values, so restoring copies none of them.
    assert shared
    assert any(
        isinstance(value, list) and value
        for task in every_task(workflow)
        if not task.has_state(SETTLED)
        for value in task.data.values()
    )


class BothWays:
    """A runner whose every completion runs twice, on the case restored by the service's
    converter and by the library's, new tasks given the same ids both times; both must write
    the same text. Finished tasks share values once restored, so this fails should any step
    change a finished task's data in place."""

    def __init__(self, runner: Runner, monkeypatch):
        self.runner, self.monkeypatch = runner, monkeypatch
        self.commands = 0

    def start(self, process_id: str, data: dict):
        return self.runner.start(process_id, data)

    def complete(self, process_id: str, state: str, task_id: str, data: dict):
        self.commands += 1
        written_by = []
        for serializer in (SERIALIZER, LIBRARY):
            self.monkeypatch.setattr("workflows.runner.SERIALIZER", serializer)
            ids = itertools.count(self.commands * 10_000)
            self.monkeypatch.setattr("SpiffWorkflow.task.uuid4", functools.partial(next_id, ids))
            written_by.append(self.runner.complete(process_id, state, task_id, data))
        ours, theirs = written_by
        assert ours.state == theirs.state, f"command {self.commands} on {process_id}"
        return ours


def next_id(ids: itertools.count) -> UUID:
    return UUID(int=next(ids))


MUTATING_ROUND = [("left", "l"), ("right", "r"), ("review", "x"), ("review", "y")]


def mutating_case(runner, commands: list[tuple[str, str]]) -> list:
    """The outcomes of starting the MUTATING case and completing each (task, note) in turn."""
    with engine_clock(CALL_DAY):
        outcomes = [runner.start("mutating", {})]
        for bpmn_id, note in commands:
            outcome = outcomes[-1]
            task = next(t for t in outcome.open_tasks if t.bpmn_id == bpmn_id)
            outcomes.append(runner.complete("mutating", outcome.state, task.id, {"note": note}))
    return outcomes


def test_a_command_writes_the_same_on_a_case_the_library_restored(monkeypatch):
    """Scripts change lists and dicts in place, around parallel branches, the instances of a
    multi-instance task and the rounds of a loop."""
    runner = BothWays(Runner(build_catalog(with_welsh_names(MUTATING)), keep=0), monkeypatch)
    commands = [*MUTATING_ROUND, ("gate", "again"), *MUTATING_ROUND, ("gate", "stop")]
    outcome = mutating_case(runner, commands)[-1]
    assert outcome.completed
    assert runner.commands == 10
    assert outcome.data["tally"] == {"rounds": 2, "seen": ["r", "r"]}


def test_the_policys_commands_write_the_same_on_a_case_the_library_restored(
    catalog, states, monkeypatch
):
    """The stalking and harassment case on bail, its bail reviewed in runs of a called
    process."""
    runner = BothWays(Runner(catalog, keep=0), monkeypatch)
    assert len(bail_case_states(catalog, runner)) == len(states)
    assert runner.commands == len(states) - 1


def test_a_key_a_task_let_go_is_written_and_read_as_the_library_does(catalog, states):
    ours, theirs = (
        restored(serializer, catalog, states[-1]) for serializer in (SERIALIZER, LIBRARY)
    )
    for workflow in (ours, theirs):
        [tip] = [t for t in workflow.tasks.values() if t.parent and "caller" in t.parent.data][-1:]
        del tip.data["caller"]
    state = save(ours)
    assert state == written(LIBRARY, theirs)
    assert '"deletions":["caller"]' in state
    again = restored(SERIALIZER, catalog, state)
    assert [t.data for t in every_task(again)] == [
        t.data for t in every_task(restored(LIBRARY, catalog, state))
    ]
