"""300 supervisory review rounds in one case: the case still advances, and a round stays cheap.

The Sergeant's review is a standard loop (``bpmn:standardLoopCharacteristics``) on the user
task, not a back-edge: each round is a new child of the loop task at the same depth, so the
task tree never deepens (the engine's searches silently stop at depth 1000, which a back-edge
loop passes after about 250 rounds). Each finished round is let go once the next has begun
(workflows/pruning.py), so the tree, the saved state and a round's cost stay the same however
many rounds there have been; these tests hold them to it.

Runs through the runner directly (no HTTP, no database) to keep 300 rounds quick.
"""

import time

import pytest

from service.config import PROJECT_ROOT
from tests.samples import (
    CALL,
    REVIEW_CONTINUE,
    SUSPECT_ON_BAIL,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
    to_investigation,
    victim_contacted,
)
from workflows.catalog import build_catalog, read_definition_files
from workflows.runner import Runner

PROCESS = "stalking_harassment"
ROUNDS = 300


pytestmark = pytest.mark.usefixtures("afternoon_of_the_call")


class Driver:
    def __init__(self):
        # Nothing kept between commands: each round rebuilds the case from its saved text,
        # as a case that waits days between reviews does.
        self.runner = Runner(build_catalog(read_definition_files(PROJECT_ROOT)), keep=0)
        self.outcome = self.runner.start(PROCESS, CALL)

    def complete(self, bpmn_id: str, data: dict) -> float:
        [task] = [t for t in self.outcome.open_tasks if t.bpmn_id == bpmn_id]
        started = time.perf_counter()
        self.outcome = self.runner.complete(PROCESS, self.outcome.state, task.id, data)
        return time.perf_counter() - started

    @property
    def open(self) -> list[str]:
        return [t.bpmn_id for t in self.outcome.open_tasks]

    def to_investigation(self, suspect: dict) -> None:
        """From the call to the investigation, with the side branches done and ``suspect``
        recorded: only the investigation's own work is open."""
        for bpmn_id, data in to_investigation(suspect):
            self.complete(bpmn_id, victim_contacted(bpmn_id, data, self.outcome.data))


def test_three_hundred_review_rounds_still_advance_at_a_bounded_cost():
    case = Driver()
    case.to_investigation(SUSPECT_RELEASED_UNDER_INVESTIGATION)
    assert case.open == ["sergeant_review"]

    timings: dict[int, list[float]] = {}
    sizes: dict[int, int] = {}
    for round_no in range(1, ROUNDS + 1):
        elapsed = case.complete("sergeant_review", REVIEW_CONTINUE)
        # Every round opened the next review, and only that.
        assert case.open == ["sergeant_review"], round_no
        timings.setdefault(round_no // 10 * 10 if round_no >= 10 else 0, []).append(elapsed)
        sizes[round_no] = len(case.outcome.state)

    case.complete(
        "sergeant_review", {**REVIEW_CONTINUE, "review_decision": "ready_for_charging_advice"}
    )
    assert case.open == ["inspector_review"]  # the case moves on after 300 rounds
    assert case.outcome.data["review_decision"] == "ready_for_charging_advice"

    # The tree did not deepen, and holds the latest review alone of the 301.
    workflow = case.runner.restore(PROCESS, case.outcome.state)
    assert max(task.depth for task in workflow.tasks.values()) < 40
    reviews = [t for t in workflow.tasks.values() if t.task_spec.name == "sergeant_review [child]"]
    assert [t.internal_data["iteration"] for t in reviews] == [ROUNDS]

    # Cost: the fastest of rounds 291-300 against the fastest of rounds 10-19 (the minimum
    # shrugs off a noisy machine's spikes). With every round kept, the engine walked them all
    # on every step and a round at 300 cost 5-10x one at 10 (a sub-process per round ~35x);
    # now the same, so 3x is room for noise alone.
    early = min(timings[10])
    late = min(timings[290][1:] + timings[300])
    print(f"\nround ~10: {early * 1000:.2f} ms, round ~300: {late * 1000:.2f} ms")
    assert late <= 3 * early, (early, late)

    # State: the same size, but for the digits of the rounds' count and numbers.
    print(f"state: {sizes[10]} bytes at round 10, {sizes[ROUNDS]} at round {ROUNDS}")
    assert sizes[ROUNDS] - sizes[10] <= 16, (sizes[10], sizes[ROUNDS])


BAIL_ROUNDS = 30
APPROVAL_TASKS = {
    "bail_extension_inspector": {
        "bail_extension_approved": True,
        "bail_extension_decision_reason": "Necessary: the enquiries are going on.",
    },
    "bail_extension_superintendent": {
        "bail_extension_approved": True,
        "bail_extension_decision_reason": "Necessary: the enquiries are going on.",
    },
    "bail_extension_court": {
        "bail_extension_approved": True,
        "court_name": "Llanelli Magistrates' Court",
        "court_decision_date": "2026-11-28",
    },
}


def test_thirty_rounds_of_bail_extension_still_advance_at_the_same_depth():
    """Each bail round is a fresh run of the called process, so the case does not deepen."""
    case = Driver()
    case.to_investigation(SUSPECT_ON_BAIL)
    assert sorted(case.open) == ["bail_review", "sergeant_review"]
    depths = []
    for months in range(4, 4 + BAIL_ROUNDS):
        extend = {
            "bail_decision": "extend",
            "bail_extension_to_months": months,
            "victim_views_on_extension_sought": True,
            "bail_decision_reason": "The phone download is still awaited.",
        }
        case.complete("bail_review", extend)
        [approval] = [bpmn_id for bpmn_id in case.open if bpmn_id in APPROVAL_TASKS]
        case.complete(approval, APPROVAL_TASKS[approval])
        assert case.outcome.data["bail_months"] == months
        case.complete(
            "victim_letter_bail_changed",
            {"letter_sent_at": "2026-11-28T13:00:00Z", "letter_method": "post"},
        )
        assert "bail_review" in case.open, months
        workflow = case.runner.restore(PROCESS, case.outcome.state)
        depths.append(max(task.depth for task in workflow.tasks.values()))
    assert len(set(depths)) == 1, depths
    assert case.outcome.data["bail_expires_on"] == "2029-08-28"  # 33 months from 28/11/2026
