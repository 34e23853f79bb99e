"""Closing controls: no case ends without the step the policy requires before it closes.

The table in docs/definitions.md names each startable process's closing control; the analysis
in ``workflows/controls.py`` proves from the diagram that every route the engine can take
passes it. The first half tests the analysis on small diagrams made for the purpose; the
second runs it on the process owners' diagrams.
"""

import re

import pytest

from service.config import PROJECT_ROOT
from workflows.catalog import build_catalog, read_definition_files
from workflows.controls import check_closing_control

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'id="defs" targetNamespace="https://gwarchod.example/test">'
    '<bpmn:error id="refused" errorCode="refused"/>'
)
TIMER = (
    "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration>"
    "</bpmn:timerEventDefinition>"
)
ERROR = '<bpmn:errorEventDefinition errorRef="refused"/>'
TERMINATE = "<bpmn:terminateEventDefinition/>"


def diagram(*elements: str) -> bytes:
    return (HEAD + '<bpmn:process id="p" isExecutable="true">' + "".join(elements)).encode() + (
        b"</bpmn:process></bpmn:definitions>"
    )


def flows(*pairs: str) -> str:
    """Sequence flows written ``source>target``."""
    return "".join(
        f'<bpmn:sequenceFlow id="f_{source}_{target}" sourceRef="{source}" targetRef="{target}"/>'
        for source, target in (pair.split(">") for pair in pairs)
    )


def node(kind: str, node_id: str, inner: str = "", **attributes: str) -> str:
    extra = "".join(f' {name}="{value}"' for name, value in attributes.items())
    return f'<bpmn:{kind} id="{node_id}"{extra}>{inner}</bpmn:{kind}>'


def task(*ids: str) -> str:
    return "".join(node("userTask", task_id) for task_id in ids)


def check(xml: bytes, controls=("control",)):
    return check_closing_control(xml, "p", controls)


# --- the analysis, on diagrams made for the purpose ----------------------------------------------


def test_a_control_on_the_only_path_holds():
    result = check(
        diagram(
            node("startEvent", "start"),
            task("control"),
            node("endEvent", "end"),
            flows("start>control", "control>end"),
        )
    )
    assert result.holds
    assert result.ends_without_control == result.case_ends_without_control == ()


def test_a_gateway_that_skips_the_control_is_named():
    result = check(
        diagram(
            node("startEvent", "start"),
            node("exclusiveGateway", "which"),
            task("control"),
            node("endEvent", "end"),
            node("endEvent", "skipped"),
            flows("start>which", "which>control", "control>end", "which>skipped"),
        )
    )
    assert not result.holds
    assert result.starts_without_control == ("start",)
    assert result.ends_without_control == ("skipped",)
    assert result.case_ends_without_control == ()


def test_a_side_branch_ending_beside_the_control_is_not_the_end_of_the_case():
    result = check(
        diagram(
            node("startEvent", "start"),
            node("parallelGateway", "fork"),
            task("control", "side_work"),
            node("endEvent", "end", TERMINATE),
            node("endEvent", "side_done"),
            flows("start>fork", "fork>control", "control>end", "fork>side_work"),
            flows("side_work>side_done"),
        )
    )
    assert result.holds  # the terminate end comes only after the control


def test_a_terminate_end_reachable_without_the_control_ends_the_case():
    result = check(
        diagram(
            node("startEvent", "start"),
            node("parallelGateway", "fork"),
            task("control", "side_work"),
            node("endEvent", "end"),
            node("endEvent", "stop", TERMINATE),
            flows("start>fork", "fork>control", "control>end", "fork>side_work"),
            flows("side_work>stop"),
        )
    )
    assert not result.holds
    assert result.case_ends_without_control == ("stop",)
    # It may end the case before the other branch reaches the control.
    assert result.ends_without_control == ("stop",)


def test_an_interrupting_event_subprocess_ends_the_case_without_the_control():
    def with_event_subprocess(interrupting: str) -> bytes:
        return diagram(
            node("startEvent", "start"),
            task("control"),
            node("endEvent", "end"),
            flows("start>control", "control>end"),
            node(
                "subProcess",
                "withdrawn",
                node("startEvent", "withdrawn_start", TIMER, isInterrupting=interrupting)
                + task("tidy_up")
                + node("endEvent", "withdrawn_end")
                + flows("withdrawn_start>tidy_up", "tidy_up>withdrawn_end"),
                triggeredByEvent="true",
            ),
        )

    result = check(with_event_subprocess("true"))
    assert not result.holds
    assert result.starts_without_control == ("start",)
    assert result.case_ends_without_control == ("withdrawn_end",)
    # A non-interrupting one only adds a branch beside the case.
    assert check(with_event_subprocess("false")).holds


@pytest.mark.parametrize("interrupting", ["true", "false"])
def test_an_interrupting_boundary_event_before_the_control_counts(interrupting):
    result = check(
        diagram(
            node("startEvent", "start"),
            task("work", "control"),
            node("endEvent", "end"),
            node("boundaryEvent", "late", TIMER, attachedToRef="work", cancelActivity=interrupting),
            node("endEvent", "gave_up"),
            flows("start>work", "work>control", "control>end", "late>gave_up"),
        )
    )
    if interrupting == "true":
        assert result.ends_without_control == ("gave_up",)
    else:
        assert result.holds


def test_loops_are_fine_and_a_loop_that_never_ends_never_ends_the_case():
    result = check(
        diagram(
            node("startEvent", "start"),
            task("work", "control"),
            node("exclusiveGateway", "again"),
            node("endEvent", "end"),
            flows("start>work", "work>again", "again>work", "again>control", "control>end"),
        )
    )
    assert result.holds
    endless = check(
        diagram(
            node("startEvent", "start"),
            task("work", "control"),
            flows("start>work", "work>control", "control>work"),
        )
    )
    assert endless.holds


def test_the_end_of_an_embedded_subprocess_goes_on_to_what_follows_it():
    def around(after: str) -> bytes:
        return diagram(
            node("startEvent", "start"),
            node(
                "subProcess",
                "stage",
                node("startEvent", "stage_start")
                + task("stage_work")
                + node("endEvent", "stage_end")
                + flows("stage_start>stage_work", "stage_work>stage_end"),
            ),
            task(after),
            node("endEvent", "end"),
            flows("start>stage", f"stage>{after}", f"{after}>end"),
        )

    # The stage's end is not the end of the case: the control after it still runs.
    assert check(around("control")).holds
    # A control inside the stage counts as well.
    assert check(around("other"), controls=("stage_work",)).holds


def test_an_error_end_goes_to_what_catches_it_or_ends_the_case():
    def stage(catcher: str) -> bytes:
        return diagram(
            node("startEvent", "start"),
            node(
                "subProcess",
                "stage",
                node("startEvent", "stage_start")
                + node("exclusiveGateway", "ok")
                + node("endEvent", "stage_end")
                + node("endEvent", "refused_end", ERROR)
                + flows("stage_start>ok", "ok>stage_end", "ok>refused_end"),
            ),
            task("control"),
            node("endEvent", "end"),
            catcher,
            flows("start>stage", "stage>control", "control>end"),
        )

    caught = check(
        stage(
            node("boundaryEvent", "on_refusal", ERROR, attachedToRef="stage")
            + node("endEvent", "refused")
            + flows("on_refusal>refused")
        )
    )
    assert caught.ends_without_control == ("refused",)
    assert caught.case_ends_without_control == ()
    uncaught = check(stage(""))
    assert uncaught.case_ends_without_control == ("refused_end",)
    assert not uncaught.holds


def test_an_error_that_cuts_a_parallel_branch_short_counts_against_it():
    """In the stage, one branch passes the control while the other may throw an error that an
    event sub-process of the stage catches, cutting the first branch short."""
    result = check(
        diagram(
            node("startEvent", "start"),
            node(
                "subProcess",
                "stage",
                node("startEvent", "stage_start")
                + node("parallelGateway", "fork")
                + task("control", "risky")
                + node("endEvent", "stage_end")
                + node("endEvent", "refused_end", ERROR)
                + flows("stage_start>fork", "fork>control", "control>stage_end", "fork>risky")
                + flows("risky>refused_end")
                + node(
                    "subProcess",
                    "on_refusal",
                    node("startEvent", "refusal_start", ERROR)
                    + node("endEvent", "refusal_end")
                    + flows("refusal_start>refusal_end"),
                    triggeredByEvent="true",
                ),
            ),
            node("endEvent", "end"),
            flows("start>stage", "stage>end"),
        )
    )
    assert not result.holds
    assert result.ends_without_control == ("end",)


def test_an_unknown_process_or_control_is_refused():
    xml = diagram(node("startEvent", "start"))
    with pytest.raises(ValueError, match="no process 'q'"):
        check_closing_control(xml, "q", ["start"])
    with pytest.raises(ValueError, match="no element missing"):
        check(xml, ["missing"])


# --- the process owners' diagrams ----------------------------------------------------------------


def closing_controls_table() -> dict[str, tuple[str, ...]]:
    """Process id -> its closing controls, from the table in docs/definitions.md."""
    text = (PROJECT_ROOT / "docs" / "definitions.md").read_text()
    section = text.split("### Closing controls", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 3:
            [process] = re.findall(r"`(\w+)`", cells[0])
            table[process] = tuple(re.findall(r"`(\w+)`", cells[1]))
    return table


CONTROLS = closing_controls_table()


@pytest.fixture(scope="module")
def catalog():
    return build_catalog(read_definition_files(PROJECT_ROOT))


def diagram_of(catalog, process_id: str) -> bytes:
    return catalog.files[catalog.processes[process_id].file]


def test_every_process_a_case_can_be_started_in_names_its_closing_control(catalog):
    startable = {p for p in catalog.processes if p not in catalog.called_by}
    assert set(CONTROLS) == startable
    assert all(CONTROLS.values())


@pytest.mark.parametrize("process_id", sorted(CONTROLS))
def test_no_case_ends_without_its_closing_control(catalog, process_id):
    result = check_closing_control(
        diagram_of(catalog, process_id), process_id, CONTROLS[process_id]
    )
    assert result.holds, result


def test_a_call_with_no_offence_closing_without_the_srau_would_be_found(catalog):
    """The diagram as it stood before the SRAU reviewed calls with no offence disclosed."""
    xml = diagram_of(catalog, "stalking_harassment").decode()
    skip = xml.replace(
        'sourceRef="gw_offences_disclosed" targetRef="srau_call_review"',
        'sourceRef="gw_offences_disclosed" targetRef="end_no_offence_call_recorded"',
    )
    assert skip != xml
    result = check_closing_control(skip.encode(), "stalking_harassment", ["srau_closure_review"])
    assert result.starts_without_control == ("call_received",)
    assert result.ends_without_control == ("end_no_offence_call_recorded",)


def test_a_side_branch_that_terminated_the_case_would_be_found(catalog):
    xml = diagram_of(catalog, "stalking_harassment").decode()
    end = '<bpmn:endEvent id="end_bail_concluded" name="Bail concluded">'
    terminating = xml.replace(end, end + "<bpmn:terminateEventDefinition/>")
    assert terminating != xml
    result = check_closing_control(
        terminating.encode(), "stalking_harassment", CONTROLS["stalking_harassment"]
    )
    assert result.case_ends_without_control == ("end_bail_concluded",)
    assert not result.holds


def test_a_step_not_on_every_path_is_not_a_closing_control(catalog):
    """The learning actions follow only an upheld complaint. The analysis does not read
    conditions, so after the complainant is told either end may follow, as far as it knows."""
    result = check_closing_control(
        diagram_of(catalog, "psd_complaint"), "psd_complaint", ["psd_learning_actions"]
    )
    assert result.ends_without_control == (
        "end_complaint_not_upheld",
        "end_complaint_upheld_with_learning",
    )
