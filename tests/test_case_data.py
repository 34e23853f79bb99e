"""The case's data is merged from the latest finished step of every branch, its branch tips: the
quick way of finding them finds what the plain reading, child by child, does."""

import pytest
from SpiffWorkflow.util.task import TaskState

from service.config import PROJECT_ROOT
from tests.names import with_welsh_names
from tests.test_serializer import MUTATING, MUTATING_ROUND, bail_case_states, mutating_case
from workflows.catalog import build_catalog, read_definition_files
from workflows.runner import Runner, branch_tips, every_task


@pytest.fixture(scope="module")
def restored_cases() -> list:
    """The policy's case on bail and the parallel case, restored after each of their commands."""
    policy = Runner(build_catalog(read_definition_files(PROJECT_ROOT)), keep=0)
    parallel = Runner(build_catalog(with_welsh_names(MUTATING)), keep=0)
    return [
        policy.restore("stalking_harassment", state) for state in bail_case_states(policy.catalog)
    ] + [
        parallel.restore("mutating", outcome.state)
        for outcome in mutating_case(parallel, [*MUTATING_ROUND, ("gate", "stop")])
    ]


def tips_by_children(workflow) -> list:
    """The branch tips read plainly: each completed task none of whose children is completed."""
    return [
        task
        for task in every_task(workflow)
        if task.state == TaskState.COMPLETED
        and not any(child.state == TaskState.COMPLETED for child in task.children)
    ]


def test_the_branch_tips_are_the_completed_tasks_with_no_completed_child(restored_cases):
    for workflow in restored_cases:
        assert branch_tips(workflow) == tips_by_children(workflow)
    # Parallel branches and called processes' runs: more than one tip at a time.
    assert any(len(branch_tips(workflow)) > 1 for workflow in restored_cases)
