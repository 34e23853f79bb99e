"""The letters a case sends: which language, what is recorded, and one log across branches."""

from workflows.letters import Letter, merged_log, record_sent, render_letter

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
