"""The runner keeps the workflow behind each state it saves, for the case's next command.

A kept workflow spares the next command rebuilding the case from its saved text. It must never
change what a command does: it is found only by the exact text it saved, it goes to one command
only, and a command that fails leaves nothing behind.
"""

import pytest

from service.config import PROJECT_ROOT
from tests.samples import CALL, REVIEW_NO_OFFENCE, REVIEW_OFFENCES, SRAU_CALL_CLEAR
from workflows.catalog import build_catalog, read_definition_files
from workflows.runner import FormInvalid, Runner

PROCESS = "stalking_harassment"


@pytest.fixture(scope="module")
def catalog():
    return build_catalog(read_definition_files(PROJECT_ROOT))


class CountingRunner(Runner):
    """A runner that counts how often it rebuilds a workflow from saved text."""

    restored = 0

    def restore(self, process_id, state):
        self.restored += 1
        return super().restore(process_id, state)


def review_id(outcome, bpmn_id: str = "live_time_review") -> str:
    [review] = [t for t in outcome.open_tasks if t.bpmn_id == bpmn_id]
    return review.id


def open_ids(outcome) -> list[str]:
    return [t.bpmn_id for t in outcome.open_tasks]


def test_the_next_command_takes_up_the_kept_workflow(catalog):
    runner = CountingRunner(catalog)
    started = runner.start(PROCESS, CALL)
    # A copy, as a database read gives: equal text, another object.
    state = "".join(started.state)

    done = runner.complete(PROCESS, state, review_id(started), REVIEW_OFFENCES)

    assert runner.restored == 0
    # The same as a runner that rebuilds the case from its text.
    fresh = Runner(catalog)
    again = fresh.complete(PROCESS, started.state, review_id(started), REVIEW_OFFENCES)
    assert done.data == again.data
    assert [t.bpmn_id for t in done.open_tasks] == [t.bpmn_id for t in again.open_tasks]
    assert [e["type"] for e in done.events] == [e["type"] for e in again.events]


def test_a_state_saved_elsewhere_is_restored_from_its_text(catalog):
    here, elsewhere = CountingRunner(catalog), Runner(catalog)
    here.start(PROCESS, CALL)
    other = elsewhere.start(PROCESS, CALL)  # another process's runner saved this one

    done = here.complete(PROCESS, other.state, review_id(other), REVIEW_NO_OFFENCE)

    assert here.restored == 1
    assert open_ids(done) == ["srau_call_review"]


def test_a_kept_workflow_goes_to_one_command_only(catalog):
    runner = CountingRunner(catalog)
    started = runner.start(PROCESS, CALL)

    first = runner.complete(PROCESS, started.state, review_id(started), REVIEW_NO_OFFENCE)
    # A second command on the same saved state (it lost a race, or is retried) gets its own.
    second = runner.complete(PROCESS, started.state, review_id(started), REVIEW_OFFENCES)

    assert runner.restored == 1
    assert open_ids(first) == ["srau_call_review"] and open_ids(second) == ["first_response"]
    assert second.data["offences_disclosed"] is True


def test_a_failed_command_leaves_nothing_behind(catalog):
    runner = CountingRunner(catalog)
    started = runner.start(PROCESS, CALL)

    with pytest.raises(FormInvalid):
        runner.complete(PROCESS, started.state, review_id(started), {"first_response": 7})
    done = runner.complete(PROCESS, started.state, review_id(started), REVIEW_OFFENCES)

    assert runner.restored == 1  # the failed command's workflow was not handed on
    completed = [e for e in done.events if e["type"] == "task_completed"]
    assert [e["bpmn_id"] for e in completed] == ["live_time_review"]


def test_only_the_latest_states_are_kept(catalog):
    runner = CountingRunner(catalog, keep=2)
    oldest, middle, newest = (runner.start(PROCESS, CALL) for _ in range(3))

    for outcome in (newest, middle):
        runner.complete(PROCESS, outcome.state, review_id(outcome), REVIEW_NO_OFFENCE)
    assert runner.restored == 0
    runner.complete(PROCESS, oldest.state, review_id(oldest), REVIEW_NO_OFFENCE)
    assert runner.restored == 1


def test_a_finished_case_keeps_nothing(catalog):
    runner = CountingRunner(catalog)
    started = runner.start(PROCESS, CALL)
    reviewed = runner.complete(PROCESS, started.state, review_id(started), REVIEW_NO_OFFENCE)
    done = runner.complete(
        PROCESS, reviewed.state, review_id(reviewed, "srau_call_review"), SRAU_CALL_CLEAR
    )

    assert done.completed
    assert done.state not in runner._kept


def containers(value) -> list:
    """Every list and dict inside ``value``, itself included."""
    if isinstance(value, dict):
        return [value, *(c for v in value.values() for c in containers(v))]
    if isinstance(value, list):
        return [value, *(c for v in value for c in containers(v))]
    return []


def test_a_commands_data_is_its_own_not_the_kept_workflows(catalog):
    """A command's answer may still be on its way out when the case's next command takes up
    the kept workflow; they share nothing, so neither can change the other."""
    runner = Runner(catalog)
    started = runner.start(PROCESS, CALL)
    reviewed = runner.complete(PROCESS, started.state, review_id(started), REVIEW_OFFENCES)

    workflow = runner._kept[reviewed.state]
    kept = {id(c) for task in workflow.get_tasks() for c in containers(task.data)}
    answered = containers(reviewed.data)
    assert any(isinstance(c, list) for c in answered)  # pha_sections, at least
    assert not [c for c in answered if id(c) in kept]
