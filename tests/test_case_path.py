"""The path a case took, read from its recorded events alone (workflows.case_path)."""

from datetime import UTC, datetime, timedelta

from workflows.case_path import (
    ACTIVE,
    CANCELLED,
    COMPLETED,
    ESCALATED,
    case_path,
    heat_map,
)

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class History:
    """Events numbered as a case's history numbers them, a minute apart."""

    def __init__(self):
        self.events: list[dict] = []

    def add(self, type_: str, **payload) -> int:
        seq = len(self.events) + 1
        at = (T0 + timedelta(minutes=seq)).isoformat()
        self.events.append({"seq": seq, "type": type_, "at": at, "payload": payload})
        return seq


def loop_history(rounds: int) -> History:
    """A note written ``rounds`` times (task ids differ each round), the last one open."""
    history = History()
    history.add("command", name="start_case")
    history.add("task_opened", task_id="t1", bpmn_id="note")
    for number in range(1, rounds):
        history.add("command", name="complete_task")
        history.add("task_completed", task_id=f"t{number}", bpmn_id="note")
        history.add("decision_taken", kind="gateway", bpmn_id="more", taken=["note"])
        history.add("task_opened", task_id=f"t{number + 1}", bpmn_id="note")
    return history


def test_loops_are_counted_and_the_last_pass_is_open():
    path = case_path(loop_history(4).events)
    note = path["note"]
    assert note.passes == 4
    assert note.status == ACTIVE
    assert [v.outcome for v in note.visits] == [COMPLETED] * 3 + [None]
    assert path["more"].passes == 3 and path["more"].status == COMPLETED
    # Every event naming the element, in order; entered and left times per pass.
    assert note.seqs == [2, 4, 6, 8, 10, 12, 14]
    assert note.entered[0] == T0 + timedelta(minutes=2)
    assert note.left[0] == T0 + timedelta(minutes=4)
    assert note.left[-1] is None
    assert note.visits[0].seconds == 120


def test_a_cut_off_shows_the_path_as_it_stood_then():
    history = loop_history(4)
    path = case_path(history.events, at_seq=7)
    assert path.last_seq == 7
    assert path["note"].passes == 2 and path["note"].status == ACTIVE
    assert path["note"].seqs == [2, 4, 6]
    assert path["more"].passes == 1
    before = case_path(history.events, at_seq=1)
    assert "note" not in before and before.last_seq == 1
    # The order the events come in does not matter.
    assert case_path(reversed(history.events), at_seq=7)["note"].seqs == [2, 4, 6]


def test_a_withdrawn_task_is_cancelled_until_it_is_passed_again():
    history = History()
    history.add("task_opened", task_id="a", bpmn_id="bail_review")
    history.add("task_cancelled", task_id="a", bpmn_id="bail_review")
    path = case_path(history.events)
    assert path["bail_review"].status == CANCELLED
    assert path["bail_review"].visits[0].outcome == CANCELLED
    history.add("task_opened", task_id="b", bpmn_id="bail_review")
    history.add("task_completed", task_id="b", bpmn_id="bail_review")
    path = case_path(history.events)
    assert path["bail_review"].status == COMPLETED and path["bail_review"].passes == 2


def test_a_boundary_timer_escalates_the_task_it_is_attached_to():
    history = History()
    history.add("task_opened", task_id="r", bpmn_id="live_time_review")
    fired = history.add(
        "timer_fired", task_id="x", bpmn_id="live_review_sla", due_at=T0.isoformat()
    )
    history.add("task_opened", task_id="s", bpmn_id="sergeant_escalation")
    attached = {"live_review_sla": "live_time_review"}
    path = case_path(history.events, attached_to=attached)
    review = path["live_time_review"]
    assert review.status == ACTIVE and review.escalated  # still open: active, and escalated
    assert fired in review.seqs
    assert path["live_review_sla"].status == COMPLETED
    history.add("task_completed", task_id="r", bpmn_id="live_time_review")
    path = case_path(history.events, attached_to=attached)
    assert path["live_time_review"].status == ESCALATED
    assert path["live_time_review"].overdue
    # Without knowing what the timer is attached to, nothing is escalated.
    assert case_path(history.events)["live_time_review"].status == COMPLETED
    # Cut before the timer fired, the review was not escalated.
    assert not case_path(history.events, at_seq=1, attached_to=attached)[
        "live_time_review"
    ].escalated


def test_claims_and_errors_are_listed_on_their_element_without_passing_it():
    history = History()
    history.add("task_opened", task_id="a", bpmn_id="plan")
    history.add("task_claimed", task_id="a", bpmn_id="plan")
    history.add("diagram_error", element_id="plan", message="boom")
    path = case_path(history.events)
    assert path["plan"].seqs == [1, 2, 3] and path["plan"].passes == 1


def test_a_move_onto_another_version_is_noted():
    history = History()
    history.add("task_opened", task_id="a", bpmn_id="plan")
    history.add("case_migrated", migration=1, from_version=1, to_version=2, mapping={})
    path = case_path(history.events)
    assert path.migrations == [(2, 1, 2)]
    assert case_path(history.events, at_seq=1).migrations == []


def test_a_task_completed_after_its_due_date_is_late():
    history = History()
    history.add("task_opened", task_id="a", bpmn_id="contact")
    history.add("task_completed", task_id="a", bpmn_id="contact")
    on_time = case_path(history.events, due={"a": T0 + timedelta(hours=1)})
    late = case_path(history.events, due={"a": (T0 + timedelta(seconds=30)).isoformat()})
    assert not on_time["contact"].overdue
    assert late["contact"].overdue and late["contact"].visits[0].late


def test_the_heat_map_counts_cases_passes_time_and_overdue():
    fast, slow = History(), History()
    fast.add("task_opened", task_id="a", bpmn_id="review")  # minute 1
    fast.add("task_completed", task_id="a", bpmn_id="review")  # minute 2
    slow.add("task_opened", task_id="b", bpmn_id="review")
    slow.add("timer_fired", task_id="x", bpmn_id="sla", due_at=T0.isoformat())
    slow.add("command", name="complete_task")
    slow.add("command", name="complete_task")
    slow.add("task_completed", task_id="b", bpmn_id="review")  # minute 5
    slow.add("task_opened", task_id="c", bpmn_id="review")  # a second pass, still open
    attached = {"sla": "review"}
    heat = heat_map(
        [case_path(fast.events, attached_to=attached), case_path(slow.events, attached_to=attached)]
    )
    review = heat["review"]
    assert (review.cases, review.passes, review.overdue) == (2, 3, 1)
    assert review.median_seconds == 150  # 60 s and 240 s; the open pass has no time yet
    assert heat["sla"].cases == 1 and heat["sla"].median_seconds == 0
    assert heat_map([]) == {}


def test_the_diagram_says_what_each_boundary_event_is_attached_to():
    from pathlib import Path

    from workflows.case_path import attachments, diagram_elements

    root = Path(__file__).parent.parent / "bpmn"
    files = {f"bpmn/{path.name}": path.read_bytes() for path in root.glob("*.bpmn")}
    elements = diagram_elements(files, "bpmn/stalking_harassment.bpmn")
    review = elements["live_time_review"]
    assert (review.kind, review.name, review.process_id) == (
        "userTask",
        "Live-time review",
        "stalking_harassment",
    )
    assert attachments(elements)["live_review_sla"] == "live_time_review"
    # A called process's steps are known too, as its own process's.
    called = [e for e in elements.values() if e.file == "bpmn/bail_management.bpmn"]
    assert called and all(e.process_id != "stalking_harassment" for e in called)


def test_a_diagram_is_drawn_with_its_names_in_another_language():
    from workflows.case_path import renamed

    xml = (
        b'<?xml version="1.0"?><bpmn:definitions '
        b'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        b'<bpmn:process id="p" name="Case"><bpmn:userTask id="a" name="Review"/>'
        b'<bpmn:sequenceFlow id="f" name="Yes" sourceRef="a" targetRef="a"/>'
        b"</bpmn:process></bpmn:definitions>"
    )
    welsh = {"p": "Achos", "a": "Adolygiad"}
    text = renamed(xml, lambda element_id, english, process: welsh.get(element_id, english))
    assert 'name="Achos"' in text and 'name="Adolygiad"' in text
    assert 'name="Yes"' in text  # a flow is not a step: its name stays
