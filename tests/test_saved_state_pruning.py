"""A case's saved workflow lets go of the finished rounds of its loops (workflows/pruning.py).

The saved state stays the same size however many rounds a case goes through, and a case that
lets rounds go does exactly what a case keeping every round does (as cases did before), command
after command: the same data, open tasks, timers and events. Each looping construct is run both
ways, restored from its saved text around freshly parsed specs for every command, and taken up
where the runner kept it. A case saved with every round (before rounds were let go) still loads,
and goes on from where it was.
"""

import json
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from service.config import PROJECT_ROOT
from tests.names import with_welsh_names
from tests.samples import (
    CALL,
    CHARGE,
    CPS_FILE,
    INSPECTOR_REVIEW,
    READY,
    REVIEW_CONTINUE,
    SUSPECT_ON_BAIL,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
    to_investigation,
    victim_contacted,
)
from tests.test_policy_governance import APPROVED as POLICY_APPROVED
from tests.test_policy_governance import (
    CERTIFICATES,
    DRAFT,
    EIA,
    IMPLEMENTED_ON,
    REVIEW_DUE,
    SUITABLE,
    WELSH_VERSION,
    kept,
)
from tests.test_restored_constructs import (
    INTERRUPTED_ROUNDS,
    PARALLEL,
    SEQUENTIAL,
    STANDARD_LOOP,
    definitions,
    linear,
    looped,
)
from tests.test_review_rounds_scale import APPROVAL_TASKS
from workflows import pruning
from workflows.catalog import build_catalog, read_definition_files
from workflows.clock import engine_clock
from workflows.runner import Runner, case_data

CALL_DAY = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
# Five rounds, however the round's note reads: the loop counts its rounds.
FIVE_ROUNDS = definitions(
    linear(
        "five_rounds",
        looped(
            "review",
            '<bpmn:standardLoopCharacteristics loopMaximum="5"><bpmn:loopCondition>True'
            "</bpmn:loopCondition></bpmn:standardLoopCharacteristics>",
        ),
        "review",
    )
)
EXTEND = {
    "bail_decision": "extend",
    "victim_views_on_extension_sought": True,
    "bail_decision_reason": "The phone download is still awaited.",
}
LETTER_SENT = {"letter_sent_at": "2026-11-28T13:00:00Z", "letter_method": "post"}


@contextmanager
def keeping_every_round():
    """Commands save every round, as the service did before finished rounds were let go."""
    with mock.patch.object(pruning, "prune", lambda workflow: None):
        yield


@pytest.fixture(scope="module")
def policy_catalog():
    return build_catalog(read_definition_files(PROJECT_ROOT))


def shown(outcome) -> dict:
    """All a command's outcome shows but the state and the (random) task ids."""
    return {
        "data": outcome.data,
        "completed": outcome.completed,
        "open": [(t.bpmn_id, t.name, t.lane, t.form, t.due_at) for t in outcome.open_tasks],
        "timers": [(t.bpmn_id, t.kind, t.due_at) for t in outcome.timers],
        "events": [{k: v for k, v in e.items() if k != "task_id"} for e in outcome.events],
    }


def rounds_held(state: str) -> int:
    """The most finished rounds any loop holds in a saved case (read as saved, not restored:
    restoring lets rounds go)."""
    saved = json.loads(state)
    runs = [saved, *saved["subprocesses"].values()]
    loops = [t for run in runs for t in run["tasks"].values() if t["internal_data"].get("merged")]
    return max(
        (sum(c in t["internal_data"]["merged"] for c in t["children"]) for t in loops),
        default=0,
    )


class Twins:
    """One case run twice on the same commands: letting finished rounds go, and keeping every
    round. Every command's outcome must show the same."""

    def __init__(self, catalog, process_id: str, data: dict, fresh: bool, at=CALL_DAY):
        keep = 0 if fresh else 32
        self.pruned = Runner(catalog, keep=keep, fresh=fresh)
        self.whole = Runner(catalog, keep=keep, fresh=fresh)
        self.process_id, self.at = process_id, at
        self.outcomes = self._both(lambda runner, outcome: runner.start(process_id, data))

    def _both(self, command):
        with engine_clock(self.at):
            pruned = command(self.pruned, getattr(self, "outcomes", (None, None))[0])
            with keeping_every_round():
                whole = command(self.whole, getattr(self, "outcomes", (None, None))[1])
        assert shown(pruned) == shown(whole)
        return pruned, whole

    @property
    def outcome(self):
        return self.outcomes[0]

    @property
    def open(self) -> list[str]:
        return sorted(task.bpmn_id for task in self.outcome.open_tasks)

    def complete(self, bpmn_id: str, data: dict) -> None:
        def command(runner, outcome):
            task = next(task for task in outcome.open_tasks if task.bpmn_id == bpmn_id)
            return runner.complete(self.process_id, outcome.state, task.id, data)

        self.outcomes = self._both(command)

    def fire_timers_at(self, at: datetime) -> None:
        self.at = at
        self.outcomes = self._both(
            lambda runner, outcome: runner.fire_due_timers(self.process_id, outcome.state)
        )

    def check_rounds_let_go(self) -> None:
        """The case that lets rounds go holds at most the latest finished round of a loop,
        and saves less than the one keeping every round."""
        pruned, whole = self.outcomes
        assert rounds_held(pruned.state) <= 1
        assert rounds_held(whole.state) > 1
        assert len(pruned.state) < len(whole.state)


BOTH_WAYS = pytest.mark.parametrize("fresh", [True, False], ids=["restored", "kept"])


def constructs(files: dict) -> object:
    return build_catalog(with_welsh_names(files))


@BOTH_WAYS
def test_a_standard_loop_lets_its_finished_rounds_go(fresh):
    case = Twins(constructs(STANDARD_LOOP), "standard", {}, fresh)
    for _ in range(8):
        assert case.open == ["review"]
        case.complete("review", {"note": "again"})
    case.check_rounds_let_go()
    case.complete("review", {"note": "done"})
    assert case.open == ["after"]
    case.complete("after", {"note": "seen"})
    assert case.outcome.completed


@BOTH_WAYS
def test_a_loop_still_counts_the_rounds_it_let_go(fresh):
    case = Twins(constructs(FIVE_ROUNDS), "five_rounds", {}, fresh)
    for _ in range(5):
        assert case.open == ["review"]
        case.complete("review", {"note": "again"})
    assert case.open == ["after"]  # the fifth round was the last, as its loop says
    case.check_rounds_let_go()


@BOTH_WAYS
@pytest.mark.parametrize("files, process_id", [(SEQUENTIAL, "sequential"), (PARALLEL, "parallel")])
def test_multi_instance_rounds_are_let_go(fresh, files, process_id):
    case = Twins(constructs(files), process_id, {}, fresh)
    for _ in range(3):
        case.complete("review", {"note": "seen"})
    assert case.open == ["after"]
    case.check_rounds_let_go()


@BOTH_WAYS
def test_a_looped_call_activity_lets_its_rounds_and_their_runs_go(fresh):
    case = Twins(constructs(INTERRUPTED_ROUNDS), "interrupted", {}, fresh)
    for _ in range(4):
        case.complete("first", {"note": "again"})
        case.complete("second", {"note": "again"})
    pruned, whole = case.outcomes
    # One run of the called process for the round under way, one for the latest finished.
    assert len(json.loads(pruned.state)["subprocesses"]) == 2
    assert len(json.loads(whole.state)["subprocesses"]) == 5
    case.check_rounds_let_go()
    case.complete("first", {"note": "half done"})
    case.complete("decide", {"note": "seen"})
    assert case.open == ["after"]  # the round under way withdrawn, as before
    case.complete("after", {"note": "seen"})
    assert case.outcome.completed


@BOTH_WAYS
def test_the_sergeants_reviews_let_their_finished_rounds_go(policy_catalog, fresh):
    case = Twins(policy_catalog, "stalking_harassment", CALL, fresh)
    for bpmn_id, data in to_investigation(SUSPECT_RELEASED_UNDER_INVESTIGATION):
        case.complete(bpmn_id, victim_contacted(bpmn_id, data, case.outcome.data))
    for _ in range(6):
        assert case.open == ["sergeant_review"]
        case.complete("sergeant_review", REVIEW_CONTINUE)
    case.check_rounds_let_go()
    case.complete("sergeant_review", READY)
    assert case.open == ["inspector_review"]


@BOTH_WAYS
def test_bail_rounds_let_go_and_the_decision_still_ends_bail(policy_catalog, fresh):
    case = Twins(policy_catalog, "stalking_harassment", CALL, fresh)
    for bpmn_id, data in to_investigation(SUSPECT_ON_BAIL):
        case.complete(bpmn_id, victim_contacted(bpmn_id, data, case.outcome.data))
    for months in range(4, 8):
        case.complete("bail_review", {**EXTEND, "bail_extension_to_months": months})
        [approval] = [bpmn_id for bpmn_id in case.open if bpmn_id in APPROVAL_TASKS]
        case.complete(approval, APPROVAL_TASKS[approval])
        case.complete("victim_letter_bail_changed", LETTER_SENT)
    assert case.outcome.data["bail_months"] == 7
    case.check_rounds_let_go()
    # The decision on the case withdraws the bail round under way.
    case.at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # after the samples' file and decision
    case.complete("sergeant_review", READY)
    case.complete("inspector_review", INSPECTOR_REVIEW)
    case.complete("cps_file_submission", CPS_FILE)
    case.complete("cps_charging_decision", CHARGE)
    assert "bail_review" not in case.open
    assert case.outcome.data["bail_status"] != "on_bail"


@BOTH_WAYS
def test_policy_cycles_let_their_finished_cycles_go(policy_catalog, fresh):
    """A looped sub-process holding a looped sub-process, waiting on a timer each cycle."""
    at = datetime(2020, 8, 21, 9, 0, tzinfo=UTC)
    case = Twins(policy_catalog, "policy_governance", DRAFT, fresh, at=at)
    for bpmn_id, data in (
        ("policy_equality_impact_assessment", EIA),
        ("policy_certificates", CERTIFICATES),
        ("policy_board_approval", POLICY_APPROVED),
        ("policy_publication_suitability", SUITABLE),
        ("policy_welsh_translation", WELSH_VERSION),
        ("policy_implemented", {"policy_implemented_on": IMPLEMENTED_ON}),
    ):
        case.complete(bpmn_id, data)
    due = REVIEW_DUE
    for _ in range(4):
        case.fire_timers_at(due + timedelta(seconds=1))
        assert case.open == ["policy_review"]
        case.complete("policy_review", kept(due.date().isoformat()))
        due = due.replace(year=due.year + 2)
        assert [t.due_at for t in case.outcome.timers] == [due]
    case.check_rounds_let_go()


def sergeant_reviews(runner: Runner, rounds: int, outcome=None):
    """A case through to the Sergeant's reviews (or ``outcome``, one already there), and
    ``rounds`` more of them."""
    process = "stalking_harassment"
    with engine_clock(CALL_DAY):
        if outcome is None:
            outcome = runner.start(process, CALL)
            for bpmn_id, data in to_investigation(SUSPECT_RELEASED_UNDER_INVESTIGATION):
                [task] = [t for t in outcome.open_tasks if t.bpmn_id == bpmn_id]
                data = victim_contacted(bpmn_id, data, outcome.data)
                outcome = runner.complete(process, outcome.state, task.id, data)
        for _ in range(rounds):
            [task] = outcome.open_tasks
            outcome = runner.complete(process, outcome.state, task.id, REVIEW_CONTINUE)
    return outcome


def test_the_saved_state_stays_the_same_size_round_after_round(policy_catalog):
    runner = Runner(policy_catalog, keep=0, fresh=True)
    outcome = sergeant_reviews(runner, 20)
    at_20 = len(outcome.state)
    outcome = sergeant_reviews(runner, 40, outcome)
    # Only the rounds' count and numbers grow (by digits); a round kept would add ~400 bytes.
    assert len(outcome.state) <= at_20 + 16, (at_20, len(outcome.state))
    assert rounds_held(outcome.state) == 1
    workflow = runner.restore("stalking_harassment", outcome.state)
    [loop] = [t for t in workflow.tasks.values() if t.task_spec.name == "sergeant_review"]
    rounds = [t for t in loop.children if t.task_spec.name == "sergeant_review [child]"]
    # The latest finished round, and the one under way, numbered as if none had been let go.
    assert [t.internal_data["iteration"] for t in rounds] == [59, 60]


def test_a_case_saved_with_every_round_loads_and_goes_on(policy_catalog):
    runner = Runner(policy_catalog, keep=0, fresh=True)
    with keeping_every_round():
        before = sergeant_reviews(runner, 12)
    assert pruning.LET_GO_COUNT not in before.state
    assert rounds_held(before.state) == 12

    # Restored as it was saved, rounds let go in memory: the same case, the same open task.
    workflow = runner.restore("stalking_harassment", before.state)
    assert case_data(workflow) == before.data
    [loop] = [t for t in workflow.tasks.values() if t.task_spec.name == "sergeant_review"]
    assert len(loop.internal_data["merged"]) == 12  # every round still counted

    # Its next round goes on from there, and saves it the new way.
    after = sergeant_reviews(runner, 1, before)
    assert after.data == before.data  # the same review again changes nothing
    assert [t.bpmn_id for t in after.open_tasks] == ["sergeant_review"]
    assert rounds_held(after.state) == 1
    assert len(after.state) < len(before.state)
    rounds = [
        task["internal_data"]["iteration"]
        for task in json.loads(after.state)["tasks"].values()
        if task["task_spec"] == "sergeant_review [child]"
    ]
    assert rounds == [12, 13]


def test_a_loop_saved_with_every_round_still_stops_at_its_maximum():
    runner = Runner(constructs(FIVE_ROUNDS), keep=0, fresh=True)

    def review(outcome):
        [task] = outcome.open_tasks
        return runner.complete("five_rounds", outcome.state, task.id, {"note": "again"})

    with engine_clock(CALL_DAY):
        with keeping_every_round():
            outcome = runner.start("five_rounds", {})
            for _ in range(3):
                outcome = review(outcome)
        for _ in range(2):
            assert [t.bpmn_id for t in outcome.open_tasks] == ["review"]
            outcome = review(outcome)
    assert [t.bpmn_id for t in outcome.open_tasks] == ["after"]


def test_saved_text_writes_rounds_let_go_as_a_count():
    tasks = {"a": {"internal_data": {"merged": ["", "", "", "id-4"], "iteration": 1}}}
    pruning.compact(tasks)
    assert tasks["a"]["internal_data"] == {
        "merged": ["id-4"],
        pruning.LET_GO_COUNT: 3,
        "iteration": 1,
    }
    pruning.expand(tasks)
    assert tasks["a"]["internal_data"] == {"merged": ["", "", "", "id-4"], "iteration": 1}
    untouched = {"b": {"internal_data": {"merged": ["id-1", "id-2"]}}}
    pruning.compact(untouched)
    assert untouched == {"b": {"internal_data": {"merged": ["id-1", "id-2"]}}}
