"""The letters a case sends: which language, what is recorded, and one log across branches."""

import pytest

from tests.names import with_welsh_names
from tests.test_catalog import flow, form_files, messages, problems_of, simple, user_task
from workflows.catalog import build_catalog
from workflows.letters import Letter, merged_log, record_sent, render_letter
from workflows.runner import DiagramError, Runner

LETTERS = {"notice": {"en": "Dear {{ name }}", "cy": "Annwyl {{ name }}"}}


def test_a_letter_is_written_in_the_victims_language():
    assert render_letter(LETTERS, "notice", {"name": "Sian", "victim_language": "cy"}) == Letter(
        "notice", "cy", "Annwyl Sian"
    )
    assert render_letter(LETTERS, "notice", {"name": "Sian"}).language == "en"


def test_a_contact_task_records_its_letter_with_the_contact():
    letter = Letter("crime_recorded", "cy", "text")
    submitted = {"victim_contacted_at": "2026-12-01T09:00:00Z", "victim_contact_method": "letter"}
    [entry] = record_sent(letter, {}, submitted)
    assert (entry["sent_at"], entry["method"]) == ("2026-12-01T09:00:00Z", "letter")


def test_the_logs_of_parallel_branches_make_one_log_in_time_order():
    shared = {"recorded_at": "2026-12-01T09:00:00+00:00", "letter": "crime_recorded"}
    charge = {"recorded_at": "2026-12-03T09:00:00+00:00", "letter": "charge"}
    bail = {"recorded_at": "2026-12-02T09:00:00+00:00", "letter": "bail_changed"}
    # Both branches inherited the first letter from before they parted.
    assert merged_log([[shared, charge], [shared, bail]]) == [shared, bail, charge]


# --- a set of definitions with letters ------------------------------------------------------------

LETTER_TASK = (
    '<spiffworkflow:properties><spiffworkflow:property name="letterTemplate" value="notice"/>'
)


def letter_diagram() -> dict[str, bytes]:
    task = user_task("task").replace("<spiffworkflow:properties>", LETTER_TASK, 1)
    body = task + flow("f1", "start", "task") + flow("f2", "task", "end")
    return {"bpmn/proc.bpmn": simple(body).encode(), **form_files()}


def with_letters(**templates: str) -> dict[str, bytes]:
    return {
        **with_welsh_names(letter_diagram()),
        **{
            f"letters/{name.replace('_', '.')}.md": text.encode()
            for name, text in templates.items()
        },
    }


def test_a_letter_needs_both_languages_and_a_task_needs_its_letter():
    found = messages(problems_of(with_letters(notice_en="Dear {{ name }}")))
    assert ("letters/notice.cy.md", None) in [(file, element) for file, element, _ in found]
    assert any("every letter to a victim exists in English and Welsh" in m for *_, m in found)
    missing = messages(problems_of(letter_diagram()))
    assert [(f, e) for f, e, m in missing if "letter" in m] == [("bpmn/proc.bpmn", "task")]


def test_a_letter_template_that_cannot_compile_is_refused():
    found = messages(problems_of(with_letters(notice_en="{% if %}", notice_cy="Annwyl")))
    assert [file for file, *_ in found] == ["letters/notice.en.md"]


def test_a_letter_that_cannot_be_written_is_shown_as_a_problem_and_stops_the_task():
    catalog = build_catalog(
        with_letters(notice_en="Due {{ add_days(when, 1) }}", notice_cy="Erbyn {{ when }}")
    )
    runner = Runner(catalog)
    started = runner.start("proc", {"when": "not a date"})
    [task] = started.open_tasks
    data, letter, _ = runner.task_view("proc", started.state, task.id)
    assert data["when"] == "not a date"
    assert letter["problem"].startswith("the letter could not be written")
    with pytest.raises(DiagramError) as failed:
        runner.complete("proc", started.state, task.id, {"note": "sent"})
    assert failed.value.element_id == "task"
