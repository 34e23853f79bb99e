"""Every looping or waiting construct advances the same when each command starts from the saved
text and freshly parsed specs, as a command served by another worker, or after a restart, does.

SpiffWorkflow 3.2.0 wires a loop's end-of-round handling to the specs when it creates a round;
specs parsed in a process that has not created one left the case running with no task, no
timer and no error (the Sergeant's recurring review stalled on the second web worker).
"""

from datetime import UTC, datetime, timedelta

import pytest

from service.config import PROJECT_ROOT
from tests.names import with_welsh_names
from tests.samples import (
    CALL,
    REVIEW_CONTINUE,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
    to_investigation,
    victim_contacted,
)
from tests.test_catalog import HEAD, flow, form_files, user_task
from workflows import catalog as catalog_module
from workflows.catalog import build_catalog, read_definition_files
from workflows.clock import engine_clock
from workflows.problems import CaseStalled
from workflows.runner import Runner

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def definitions(*processes: tuple[str, str, list[str]], signals: str = "") -> dict[str, bytes]:
    """Files of one or more processes: (id, body, element ids in the Sergeant's lane)."""
    xml = HEAD + signals
    for process_id, body, refs in processes:
        nodes = "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs)
        xml += (
            f'<bpmn:process id="{process_id}" isExecutable="true">'
            f'<bpmn:laneSet id="ls_{process_id}"><bpmn:lane id="lane_{process_id}" '
            f'name="Sergeant">{nodes}</bpmn:lane></bpmn:laneSet>{body}</bpmn:process>'
        )
    return {"bpmn/constructs.bpmn": (xml + "</bpmn:definitions>").encode(), **form_files()}


def looped(task_id: str, characteristics: str) -> str:
    return user_task(task_id).replace("</bpmn:userTask>", f"{characteristics}</bpmn:userTask>")


def linear(process_id: str, middle: str, middle_id: str, extra: str = "", refs=()) -> tuple:
    """start -> middle -> a Sergeant's 'after' task -> end, with ``extra`` elements."""
    body = (
        '<bpmn:startEvent id="start"/>'
        + middle
        + user_task("after")
        + '<bpmn:endEvent id="end"/>'
        + extra
        + flow("f1", "start", middle_id)
        + flow("f2", middle_id, "after")
        + flow("f3", "after", "end")
    )
    return process_id, body, ["start", middle_id, "after", "end", *refs]


STANDARD_LOOP = definitions(
    linear(
        "standard",
        looped(
            "review",
            "<bpmn:standardLoopCharacteristics><bpmn:loopCondition>note != 'done'"
            "</bpmn:loopCondition></bpmn:standardLoopCharacteristics>",
        ),
        "review",
    )
)
SEQUENTIAL = definitions(
    linear(
        "sequential",
        looped(
            "review",
            '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
            "<bpmn:loopCardinality>3</bpmn:loopCardinality>"
            "</bpmn:multiInstanceLoopCharacteristics>",
        ),
        "review",
    )
)
PARALLEL = definitions(
    linear(
        "parallel",
        looped(
            "review",
            "<bpmn:multiInstanceLoopCharacteristics>"
            "<bpmn:loopCardinality>3</bpmn:loopCardinality>"
            "</bpmn:multiInstanceLoopCharacteristics>",
        ),
        "review",
    )
)
SUBPROCESS = definitions(
    linear(
        "embedded",
        '<bpmn:subProcess id="inner"><bpmn:startEvent id="inner_start"/>'
        + user_task("first")
        + user_task("second")
        + '<bpmn:endEvent id="inner_end"/>'
        + flow("i1", "inner_start", "first")
        + flow("i2", "first", "second")
        + flow("i3", "second", "inner_end")
        + "</bpmn:subProcess>",
        "inner",
        refs=("inner_start", "first", "second", "inner_end"),
    )
)
CALL_ACTIVITY = definitions(
    linear("caller", '<bpmn:callActivity id="call" calledElement="called"/>', "call"),
    (
        "called",
        '<bpmn:startEvent id="c_start"/>'
        + user_task("first")
        + user_task("second")
        + '<bpmn:endEvent id="c_end"/>'
        + flow("c1", "c_start", "first")
        + flow("c2", "first", "second")
        + flow("c3", "second", "c_end"),
        ["c_start", "first", "second", "c_end"],
    ),
)


def timer(kind: str, text: str) -> str:
    return (
        f"<bpmn:timerEventDefinition><bpmn:{kind}>{text}</bpmn:{kind}></bpmn:timerEventDefinition>"
    )


EVENT_GATEWAY = definitions(
    (
        "event_gateway",
        '<bpmn:startEvent id="start"/>'
        + '<bpmn:eventBasedGateway id="which"/>'
        + f'<bpmn:intermediateCatchEvent id="soon">{timer("timeDuration", "PT1H")}'
        "</bpmn:intermediateCatchEvent>"
        + f'<bpmn:intermediateCatchEvent id="late">{timer("timeDuration", "PT2H")}'
        "</bpmn:intermediateCatchEvent>"
        + user_task("after")
        + user_task("too_late")
        + '<bpmn:endEvent id="end"/><bpmn:endEvent id="end_late"/>'
        + flow("f1", "start", "which")
        + flow("f2", "which", "soon")
        + flow("f3", "which", "late")
        + flow("f4", "soon", "after")
        + flow("f5", "late", "too_late")
        + flow("f6", "after", "end")
        + flow("f7", "too_late", "end_late"),
        ["start", "which", "soon", "late", "after", "too_late", "end", "end_late"],
    )
)
BOUNDARY = definitions(
    linear(
        "boundary",
        user_task("review"),
        "review",
        extra=f'<bpmn:boundaryEvent id="overdue" attachedToRef="review" cancelActivity="false">'
        f"{timer('timeDuration', 'PT30M')}</bpmn:boundaryEvent>"
        + user_task("escalated")
        + '<bpmn:endEvent id="end_escalated"/>'
        + flow("b1", "overdue", "escalated")
        + flow("b2", "escalated", "end_escalated"),
        refs=("overdue", "escalated", "end_escalated"),
    )
)

# A looped call activity beside the main path, interrupted by a signal the main path throws:
# pre-charge bail rounds ended by the decision on the case.
SIGNAL = '<bpmn:signalEventDefinition signalRef="decided"/>'
INTERRUPTED_ROUNDS = definitions(
    (
        "interrupted",
        '<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/>'
        '<bpmn:callActivity id="rounds" calledElement="round">'
        "<bpmn:standardLoopCharacteristics><bpmn:loopCondition>note != 'stop'"
        "</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:callActivity>"
        '<bpmn:endEvent id="rounds_over"/>'
        f'<bpmn:boundaryEvent id="ended" attachedToRef="rounds">{SIGNAL}</bpmn:boundaryEvent>'
        '<bpmn:endEvent id="rounds_ended"/>'
        + user_task("decide")
        + f'<bpmn:intermediateThrowEvent id="throw">{SIGNAL}</bpmn:intermediateThrowEvent>'
        + user_task("after")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "fork")
        + flow("f2", "fork", "rounds")
        + flow("f3", "rounds", "rounds_over")
        + flow("f4", "ended", "rounds_ended")
        + flow("f5", "fork", "decide")
        + flow("f6", "decide", "throw")
        + flow("f7", "throw", "after")
        + flow("f8", "after", "end"),
        ["start", "fork", "rounds", "rounds_over", "ended", "rounds_ended", "decide", "throw"]
        + ["after", "end"],
    ),
    (
        "round",
        '<bpmn:startEvent id="r_start"/>'
        + user_task("first")
        + user_task("second")
        + '<bpmn:endEvent id="r_end"/>'
        + flow("r1", "r_start", "first")
        + flow("r2", "first", "second")
        + flow("r3", "second", "r_end"),
        ["r_start", "first", "second", "r_end"],
    ),
    signals='<bpmn:signal id="decided" name="decided"/>',
)


class Restored:
    """A case whose every command restores it from its saved text around specs parsed anew
    (or, not ``fresh``, takes up the workflow the runner kept from the command before)."""

    def __init__(self, files: dict[str, bytes], process_id: str, fresh: bool = True):
        catalog = build_catalog(with_welsh_names(files))
        self.runner = Runner(catalog, keep=0 if fresh else 32, fresh=fresh)
        self.process_id = process_id
        self.at = T0
        with engine_clock(self.at):
            self.outcome = self.runner.start(process_id, {})

    @property
    def open(self) -> list[str]:
        return sorted(task.bpmn_id for task in self.outcome.open_tasks)

    def complete(self, bpmn_id: str, note: str = "seen") -> None:
        task = next(task for task in self.outcome.open_tasks if task.bpmn_id == bpmn_id)
        with engine_clock(self.at):
            self.outcome = self.runner.complete(
                self.process_id, self.outcome.state, task.id, {"note": note}
            )

    def wait(self, delta: timedelta) -> None:
        self.at += delta
        with engine_clock(self.at):
            self.outcome = self.runner.fire_due_timers(self.process_id, self.outcome.state)


def test_a_standard_loop_starts_each_round_across_restores():
    case = Restored(STANDARD_LOOP, "standard")
    for _ in range(3):
        assert case.open == ["review"]
        case.complete("review", "again")
    case.complete("review", "done")
    assert case.open == ["after"]


def test_a_sequential_multi_instance_runs_each_instance_across_restores():
    case = Restored(SEQUENTIAL, "sequential")
    for _ in range(3):
        assert case.open == ["review"]
        case.complete("review")
    assert case.open == ["after"]


def test_a_parallel_multi_instance_finishes_across_restores():
    case = Restored(PARALLEL, "parallel")
    assert case.open == ["review"] * 3
    for remaining in (2, 1, 0):
        case.complete("review")
        assert case.open == (["review"] * remaining or ["after"])


def test_a_subprocess_advances_across_restores():
    case = Restored(SUBPROCESS, "embedded")
    case.complete("first")
    assert case.open == ["second"]
    case.complete("second")
    assert case.open == ["after"]


def test_a_call_activity_returns_to_its_caller_across_restores():
    case = Restored(CALL_ACTIVITY, "caller")
    case.complete("first")
    assert case.open == ["second"]
    case.complete("second")
    assert case.open == ["after"]


def test_an_event_based_gateway_takes_the_first_event_across_restores():
    case = Restored(EVENT_GATEWAY, "event_gateway")
    assert sorted(t.bpmn_id for t in case.outcome.timers) == ["late", "soon"]
    case.wait(timedelta(minutes=61))
    assert case.open == ["after"]
    assert case.outcome.timers == []  # the other way is withdrawn
    case.complete("after")
    assert case.outcome.completed


def test_a_boundary_timer_fires_and_its_task_finishes_across_restores():
    case = Restored(BOUNDARY, "boundary")
    case.wait(timedelta(minutes=31))
    assert case.open == ["escalated", "review"]
    case.complete("review")
    assert case.open == ["after", "escalated"]


@pytest.mark.parametrize("fresh", [True, False], ids=["restored", "kept"])
def test_an_interrupting_event_on_looped_call_activity_withdraws_the_round_under_way(fresh):
    case = Restored(INTERRUPTED_ROUNDS, "interrupted", fresh)
    assert case.open == ["decide", "first"]
    case.complete("first", "again")
    case.complete("second", "again")
    assert case.open == ["decide", "first"]  # the next round
    case.complete("first", "half done")
    assert case.open == ["decide", "second"]

    case.complete("decide")
    # The round under way is withdrawn with its run of the called process; none follows.
    assert case.open == ["after"]
    assert case.outcome.data["note"] != "half done"  # what the withdrawn round left is gone
    case.complete("after")
    assert case.outcome.completed


def to_sergeant_review(runner: Runner):
    with engine_clock(datetime(2026, 11, 28, 14, 0, tzinfo=UTC)):
        outcome = runner.start("stalking_harassment", CALL)
        for bpmn_id, data in to_investigation(SUSPECT_RELEASED_UNDER_INVESTIGATION):
            [task] = [t for t in outcome.open_tasks if t.bpmn_id == bpmn_id]
            outcome = runner.complete(
                "stalking_harassment",
                outcome.state,
                task.id,
                victim_contacted(bpmn_id, data, outcome.data),
            )
    return outcome


def review_again(runner: Runner, outcome):
    [task] = [t for t in outcome.open_tasks if t.bpmn_id == "sergeant_review"]
    with engine_clock(datetime(2026, 11, 28, 15, 0, tzinfo=UTC)):
        return runner.complete("stalking_harassment", outcome.state, task.id, REVIEW_CONTINUE)


@pytest.fixture(scope="module")
def policy_files():
    return read_definition_files(PROJECT_ROOT)


def test_the_sergeants_review_recurs_when_another_process_restores_the_case(policy_files):
    here = Runner(build_catalog(policy_files))
    outcome = to_sergeant_review(here)
    # Another worker, or the service after a restart: specs parsed anew, the case from text.
    elsewhere = Runner(build_catalog(policy_files))
    outcome = review_again(elsewhere, outcome)
    assert [t.bpmn_id for t in outcome.open_tasks] == ["sergeant_review"]


def test_a_command_that_would_leave_the_case_waiting_on_nothing_is_refused(
    policy_files, monkeypatch
):
    # The fault above, put back: the engine finishes the round and starts no next one.
    monkeypatch.setattr(catalog_module, "_connect_loops", lambda spec: None)
    outcome = to_sergeant_review(Runner(build_catalog(policy_files)))
    with pytest.raises(CaseStalled) as refused:
        review_again(Runner(build_catalog(policy_files)), outcome)
    assert refused.value.element_id == "sergeant_review"
    assert "waiting on nothing" in str(refused.value)
