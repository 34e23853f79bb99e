"""A case's saved text is the library's own, to the byte, and reads back as the library reads it.

``workflows.serializer`` writes and reads tasks faster than SpiffWorkflow's converter; the text
must not change (a state's digest is in the case's history, and replay compares them), and a
restored case must hold what the library would restore: the same tasks, links, states and data,
each task's data its own.
"""

import json

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from service.config import PROJECT_ROOT
from tests.samples import (
    CALL,
    REVIEW_CONTINUE,
    SUSPECT_ON_BAIL,
    to_investigation,
    victim_contacted,
)
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


@pytest.fixture(scope="module")
def catalog():
    return build_catalog(read_definition_files(PROJECT_ROOT))


@pytest.fixture(scope="module")
def states(catalog) -> list[str]:
    return bail_case_states(catalog)


def bail_case_states(catalog) -> list[str]:
    """A case's saved text after every command: on bail, its bail reviewed (each review a run
    of the called process), then its investigation reviewed again and again."""
    runner = Runner(catalog, keep=0)
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


def test_each_restored_task_holds_data_of_its_own(catalog, states):
    """A script changing a list in one task's data leaves its parent's as it was."""
    workflow = restored(SERIALIZER, catalog, states[-1])
    shared = [
        (task.task_spec.name, key)
        for task in every_task(workflow)
        if task.parent is not None
        for key, value in task.data.items()
        if isinstance(value, list | dict | set) and value is task.parent.data.get(key)
    ]
    assert shared == []
    assert any(
        isinstance(value, list) and value
        for task in every_task(workflow)
        for value in task.data.values()
    )


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
