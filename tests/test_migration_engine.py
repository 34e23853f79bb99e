"""Moving a saved case onto another version, in the engine alone (workflows.migration)."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.migration_versions import CHECK, OVERDUE, inserted_check_files
from tests.samples import CALL, REVIEW_OFFENCES
from workflows import migration, pruning
from workflows.catalog import build_catalog, read_definition_files
from workflows.clock import engine_clock
from workflows.runner import Runner

ROOT = Path(__file__).resolve().parent.parent
PROCESS = "stalking_harassment"
T0 = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
SLA = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT30M</bpmn:timeDuration>'


@pytest.fixture(scope="module")
def files():
    return read_definition_files(ROOT)


@pytest.fixture(scope="module")
def old(files):
    return Runner(build_catalog(files), keep=0, fresh=True)


def _runner(files, changes: dict[str, bytes]) -> Runner:
    return Runner(build_catalog({**files, **changes}), keep=0, fresh=True)


@pytest.fixture(scope="module")
def new(files):
    return _runner(files, inserted_check_files())


def _diagram(text_change) -> dict[str, bytes]:
    text = (ROOT / "bpmn/stalking_harassment.bpmn").read_text(encoding="utf-8")
    changed = text_change(text)
    assert changed != text
    return {"bpmn/stalking_harassment.bpmn": changed.encode()}


def _started(old: Runner):
    with engine_clock(T0):
        return old.start(PROCESS, CALL)


def _escalated(old: Runner):
    with engine_clock(T0 + timedelta(minutes=31)):
        return old.fire_due_timers(PROCESS, _started(old).state)


def _move(old: Runner, new: Runner, state: str, mapping=None, minutes=5):
    shapes = migration.shapes_of(*old.catalog.spec(PROCESS))
    with engine_clock(T0 + timedelta(minutes=minutes)):
        return new.migrate(PROCESS, state, mapping or {}, shapes, "version 2")


def test_a_case_waiting_on_the_review_moves_and_reaches_the_inserted_task(old, new):
    started = _started(old)
    moved = _move(old, new, started.state)
    assert moved.movable and moved.blocked == []
    [review] = moved.outcome.open_tasks
    assert review.bpmn_id == "live_time_review"
    assert review.id == started.open_tasks[0].id  # the same task, kept
    assert moved.outcome.timers == started.timers  # the deadline is not moved
    assert moved.change == {"tasks_cancelled": [], "tasks_created": [], "timers_rescheduled": []}
    with engine_clock(T0 + timedelta(minutes=10)):
        reviewed = new.complete(PROCESS, moved.outcome.state, review.id, REVIEW_OFFENCES)
    assert [t.bpmn_id for t in reviewed.open_tasks] == [CHECK]
    assert reviewed.timers == []
    with engine_clock(T0 + timedelta(minutes=12)):
        checked = new.complete(
            PROCESS, reviewed.state, reviewed.open_tasks[0].id, {"review_checked": True}
        )
    assert [t.bpmn_id for t in checked.open_tasks] == ["first_response"]


def test_the_deadline_still_escalates_after_the_move(old, new):
    moved = _move(old, new, _started(old).state)
    with engine_clock(T0 + timedelta(minutes=31)):
        fired = new.fire_due_timers(PROCESS, moved.outcome.state)
    assert sorted(t.bpmn_id for t in fired.open_tasks) == sorted(["live_time_review", OVERDUE])
    review = next(t for t in fired.open_tasks if t.bpmn_id == "live_time_review")
    with engine_clock(T0 + timedelta(minutes=40)):
        reviewed = new.complete(PROCESS, fired.state, review.id, REVIEW_OFFENCES)
    assert sorted(t.bpmn_id for t in reviewed.open_tasks) == sorted([CHECK, OVERDUE])


def test_a_case_waiting_on_a_removed_task_is_blocked_naming_it(old, new):
    moved = _move(old, new, _escalated(old).state, minutes=35)
    assert not moved.movable and moved.outcome is None
    assert moved.blocked == [
        {
            "code": migration.MISSING_WAITING,
            "element_id": "live_review_escalation",
            "detail": "it waits on 'live_review_escalation', which version 2 does not have, "
            "and the mapping names no element in its place",
        }
    ]


def test_a_mapped_task_is_withdrawn_and_its_replacement_opened(old, new):
    escalated = _escalated(old)
    before = {t.bpmn_id: t.id for t in escalated.open_tasks}
    moved = _move(old, new, escalated.state, {"live_review_escalation": OVERDUE}, minutes=35)
    assert moved.movable
    after = {t.bpmn_id: t.id for t in moved.outcome.open_tasks}
    assert after["live_time_review"] == before["live_time_review"]
    assert after[OVERDUE] not in before.values()
    assert moved.change["tasks_cancelled"] == [
        {"task_id": before["live_review_escalation"], "bpmn_id": "live_review_escalation"}
    ]
    assert moved.change["tasks_created"] == [
        {
            "task_id": after[OVERDUE],
            "bpmn_id": OVERDUE,
            "replaces": before["live_review_escalation"],
        }
    ]
    # Opened as any task is: its pre-script ran at the move.
    restored = new.restore(PROCESS, moved.outcome.state)
    task = restored.get_task_from_id(__import__("uuid").UUID(after[OVERDUE]))
    assert task.data["live_review_escalated_at"] == "2026-11-28T10:35:00+00:00"


def test_a_changed_deadline_is_counted_from_when_the_wait_began(old, files):
    longer = _runner(files, _diagram(lambda text: text.replace(SLA, SLA.replace("PT30M", "PT1H"))))
    moved = _move(old, longer, _started(old).state, minutes=20)
    [timer] = moved.outcome.timers
    assert timer.due_at == T0 + timedelta(hours=1)
    assert moved.change["timers_rescheduled"] == [
        {
            "task_id": timer.task_id,
            "bpmn_id": "live_review_sla",
            "from": "2026-11-28T10:30:00+00:00",
            "to": "2026-11-28T11:00:00+00:00",
        }
    ]
    assert {"type": "timer_rescheduled", **moved.change["timers_rescheduled"][0]} in (
        moved.outcome.events
    )


def test_a_timer_of_another_kind_blocks(old, files):
    dated = _runner(
        files,
        _diagram(
            lambda text: text.replace(
                SLA,
                '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
                "add_days(reported_at, 1)</bpmn:timeDate>",
            )
        ),
    )
    moved = _move(old, dated, _started(old).state)
    assert [(b["code"], b["element_id"]) for b in moved.blocked] == [
        (migration.TIMER_CHANGED, "live_review_sla")
    ]
    assert "a duration timer here and a date timer in version 2" in moved.blocked[0]["detail"]


def test_data_the_new_form_refuses_blocks(old, files):
    schema = json.loads((ROOT / "forms/live_time_review.schema.json").read_text())
    schema["properties"]["storm_reference"] = {"type": "string", "maxLength": 5}
    stricter = _runner(files, {"forms/live_time_review.schema.json": json.dumps(schema).encode()})
    moved = _move(old, stricter, _started(old).state)
    [blocked] = moved.blocked
    assert blocked["code"] == migration.FORM_REFUSES
    assert blocked["element_id"] == "live_time_review"
    assert "storm_reference" in blocked["detail"]


def test_a_form_question_not_yet_answered_does_not_block(old, files):
    schema = json.loads((ROOT / "forms/live_time_review.schema.json").read_text())
    schema["properties"]["review_urgency"] = {"type": "string", "enum": ["now", "soon"]}
    schema["required"] = [*schema.get("required", []), "review_urgency"]
    asking_more = _runner(
        files, {"forms/live_time_review.schema.json": json.dumps(schema).encode()}
    )
    assert _move(old, asking_more, _started(old).state).movable


def test_moving_again_at_the_same_moment_does_the_same(old, new):
    escalated = _escalated(old)
    mapping = {"live_review_escalation": OVERDUE}
    first = _move(old, new, escalated.state, mapping, minutes=35)
    second = _move(old, new, escalated.state, mapping, minutes=35)

    def without_ids(events):
        return [{k: v for k, v in e.items() if k != "task_id"} for e in events]

    assert without_ids(first.outcome.events) == without_ids(second.outcome.events)
    assert first.outcome.data == second.outcome.data


def test_mapping_names_derived_elements_with_their_element():
    mapping = {"live_time_review": "review"}
    assert migration.mapped("live_time_review.BoundaryEventSplit", mapping) == (
        "review.BoundaryEventSplit"
    )
    assert migration.mapped("sergeant_review [child]", {"sergeant_review": "s"}) == "s [child]"
    assert migration.mapped("other", mapping) == "other"
    assert migration.element_of("live_time_review.BoundaryEventJoin") == "live_time_review"


def pruning_marker(state: str) -> int:
    """How many finished rounds the saved case has let go (pruning's count of them)."""
    saved = json.loads(state)
    return max(
        (t["internal_data"].get(pruning.LET_GO_COUNT, 0) for t in saved["tasks"].values()),
        default=0,
    )


def test_a_loop_with_rounds_let_go_keeps_its_count_across_a_move():
    from tests.test_saved_state_pruning import FIVE_ROUNDS, constructs

    first = Runner(constructs(FIVE_ROUNDS), keep=0, fresh=True)
    # The new version renames the step after the loop; the loop itself is unchanged.
    text = FIVE_ROUNDS["bpmn/constructs.bpmn"].decode()
    renamed = text.replace('id="after" name="', 'id="after" name="Then ')
    assert renamed != text
    second = Runner(
        constructs({**FIVE_ROUNDS, "bpmn/constructs.bpmn": renamed.encode()}), keep=0, fresh=True
    )
    with engine_clock(T0):
        outcome = first.start("five_rounds", {})
        for _ in range(3):
            [task] = outcome.open_tasks
            outcome = first.complete("five_rounds", outcome.state, task.id, {"note": "again"})
    assert pruning_marker(outcome.state) == 2  # two finished rounds let go, the latest kept
    shapes = migration.shapes_of(*first.catalog.spec("five_rounds"))
    with engine_clock(T0):
        moved = second.migrate("five_rounds", outcome.state, {}, shapes, "version 2")
        assert moved.movable, moved.blocked
        outcome = moved.outcome
        assert pruning_marker(outcome.state) == 2
        for _ in range(2):  # the fourth and fifth rounds: the loop still counts from three
            [task] = outcome.open_tasks
            assert task.bpmn_id == "review"
            outcome = second.complete("five_rounds", outcome.state, task.id, {"note": "again"})
    assert [t.bpmn_id for t in outcome.open_tasks] == ["after"]
