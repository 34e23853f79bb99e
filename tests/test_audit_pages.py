"""The auditor's workspace: a case's history in words in English and Welsh with no diagram id in
them, filtered by kind and by person; its integrity at a glance, turned to "altered" by a row
changed in the database; the case as it was at an event; replay on demand; the exports and the
printable page; every view in the read log; and anyone without the audit grant refused."""

import csv
import html
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import text

from service.audit import export
from service.auth import create_user
from service.config import PROJECT_ROOT
from service.db import db
from tests.conftest import bearer
from tests.lifecycle import Case, drain, investigation_tokens, to_investigation
from tests.pages import PASSWORD, csrf_token, sign_in

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def words(page) -> str:
    """The page's main content as a reader reads it: no tags, no scripts' data (the diagram's
    own XML, for its drawing), one space between words."""
    text_ = page.text[page.text.index("<main") :]
    text_ = re.sub(r"<script\b.*?</script>", " ", text_, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text_)).split())


def diagram_ids() -> set[str]:
    """Every element id of the diagrams and decision tables that reads as an id (with an
    underscore), none of which may show in the words of the page."""
    found = set()
    for path in (PROJECT_ROOT / "bpmn").iterdir():
        if path.suffix in (".bpmn", ".dmn"):
            found.update(re.findall(r'\bid="([A-Za-z][\w-]*_[\w-]*)"', path.read_text()))
    return found


@pytest.fixture
def settings():
    # The pages below count the walked case's events and open it at events where a checkpoint
    # is on the way: a checkpoint every seven events, pinned here, not the service's default
    # (tests/test_audit_checkpoints.py tests the setting).
    return {"AUDIT_CHECKPOINT_EVERY": 7}


@pytest.fixture
def walked(client, token_for):
    """A case walked from the call through the live-time review, first response, risk
    assessment (a decision table grades it), crime recording (another classifies it), the
    MARAC referral and the letter to the victim, to the investigation plan."""
    with time_machine.travel(NOW, tick=True):
        case = Case(client, investigation_tokens(token_for))
        to_investigation(case)
    return case


@pytest.fixture
def auditor_user(app):
    with app.app_context():
        create_user("auditor", ["Auditor"], PASSWORD)
        create_user("desk-officer", ["Vulnerability Desk"], PASSWORD)
    return "auditor"


def audit_page(client, case_id, **query):
    page = client.get(f"/audit/cases/{case_id}", query_string=query)
    assert page.status_code == 200, page.text[:2000]
    return page


def test_the_timeline_in_words_in_english_and_welsh_with_no_diagram_id(
    client, walked, auditor_user
):
    sign_in(client, auditor_user)
    page = audit_page(client, walked.id)
    text_ = words(page)
    assert "History of case" in text_
    assert "Case started by" in text_ and "(Call Handler)" in text_
    assert "Live-time review completed by" in text_ and "(Vulnerability Desk)" in text_
    assert "First response: Immediate attendance" in text_
    assert "1 December 2026, 10:00:00" in text_  # when, to the second, in London time
    # The decision tables' inputs and answers, by the forms' labels.
    assert "Decision: " in text_
    assert "On:" in text_ and "Answer:" in text_
    # The rule that matched, as the table describes it.
    assert "Rule that matched: S-DASH has no numeric threshold: the officer's grade stands" in text_
    # Timers set, the letter as sent, the Welsh text kept as it was sent.
    assert "Timer set: " in text_
    assert "The letter as sent:" in text_ and "Annwyl Sian Jones" in text_
    assert "See the case as it was then" in text_
    assert text_.index("Case started by") < text_.index("Live-time review completed")
    ids = diagram_ids()
    assert "live_time_review" in ids and "risk_grading" in ids
    shown = [each for each in ids if re.search(rf"\b{re.escape(each)}\b", text_)]
    assert shown == [], shown
    for bookkeeping in ("definition_version", "complete_task", "decision_taken"):
        assert bookkeeping not in text_

    client.get("/language/cy?next=/")
    text_ = words(audit_page(client, walked.id))
    assert "Hanes achos" in text_
    assert "Adolygiad amser real" in text_ and "(Desg Bregusrwydd)" in text_
    assert "Ymateb cyntaf: Mynychu ar unwaith" in text_
    assert "1 Rhagfyr 2026, 10:00:00" in text_
    shown = [each for each in ids if re.search(rf"\b{re.escape(each)}\b", text_)]
    assert shown == [], shown


def actor_of(app, case_id, role) -> str:
    """The name of whoever did the case's first command in ``role``'s lane."""
    with app.app_context():
        return next(row.actor_name for row in export.event_rows(case_id) if row.actor_role == role)


def tamper(app, sql, **params):
    with app.app_context():
        db.session.execute(text(sql), params)
        db.session.commit()


def test_the_timeline_filters_by_kind_and_by_person(app, client, walked, auditor_user):
    sign_in(client, auditor_user)
    text_ = words(audit_page(client, walked.id, kind="decision"))
    assert "Decision: Grade the risk" in text_
    assert "Crime recording completed by" in text_  # a command that decided
    assert "Case started by" not in text_  # nothing was decided there
    assert "Live-time review completed by" in text_  # the way after the review was decided
    assert "First response completed by" not in text_
    assert 'name="kind" type="checkbox" value="decision" checked' in words_raw(client, walked.id)

    text_ = words(audit_page(client, walked.id, kind="letter"))
    assert "Tell the victim the crime is recorded completed by" in text_
    assert "Risk assessment completed by" not in text_
    assert "Showing 1 of" in text_

    desk = actor_of(app, walked.id, "Vulnerability Desk")
    text_ = words(audit_page(client, walked.id, person=desk))
    assert "Live-time review completed by" in text_
    assert "First response completed by" not in text_ and "Case started by" not in text_

    # Two kinds: either will do.
    text_ = words(audit_page(client, walked.id, kind=["letter", "work"]))
    assert "Case started by" in text_ and "Tell the victim the crime is recorded" in text_
    # The reads are entries too, and the auditor's own views among them.
    text_ = words(audit_page(client, walked.id, kind="read", person="auditor"))
    assert "auditor (Auditor) read the case's history" in text_
    assert "completed by" not in text_


def words_raw(client, case_id) -> str:
    return " ".join(client.get(f"/audit/cases/{case_id}?kind=decision").text.split())


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_row_altered_in_the_database_turns_the_badge_to_altered(
    app, client, walked, auditor_user, language
):
    sign_in(client, auditor_user)
    client.get(f"/language/{language}?next=/")
    text_ = words(audit_page(client, walked.id))
    intact = {"en": "Intact: 46 events, verified now", "cy": "Cyfan: 46 digwyddiad"}
    assert intact[language] in text_
    tamper(
        app,
        "UPDATE case_events SET payload = REPLACE(payload, 'immediate_attendance', 'none') "
        "WHERE case_id = :c AND seq = 6",
        c=walked.id,
    )
    page = audit_page(client, walked.id)
    text_ = words(page)
    altered = {
        "en": "Altered at event 6: An event does not match its hash: it was changed.",
        "cy": "Wedi'i newid yn nigwyddiad 6: Nid yw digwyddiad yn cyfateb i'w stwnsh",
    }
    assert altered[language] in text_
    assert intact[language] not in text_
    assert "govuk-tag--red" in page.text
    assert "event 6 (command) does not match its hash" in text_  # the check's own words


def test_a_past_event_shows_the_case_as_it_was(app, client, walked, auditor_user):
    sign_in(client, auditor_user)
    page = audit_page(client, walked.id)
    assert f'href="/audit/cases/{walked.id}?at_seq=5"' in page.text  # after the call was logged
    text_ = words(audit_page(client, walked.id, at_seq=5))
    assert "The case as it was after event 5" in text_
    assert "Open tasks then Live-time review, for Vulnerability Desk" in text_
    assert "STORM incident reference DP-20261128-0042" in text_  # a field by its label
    assert "storm_reference" not in text_
    assert "First response Immediate attendance" not in text_  # not decided yet
    assert "Live-time review completed by" not in text_  # nor in the story up to then
    assert "Case started by" in text_

    text_ = words(audit_page(client, walked.id, at_seq=11))
    assert "Open tasks then First response, for Attending Officer" in text_
    assert "First response Immediate attendance" in text_
    assert "Offences disclosed? Yes, offences are disclosed" in text_

    # A moment by its date and time, in London time: the case then was the case now.
    text_ = words(audit_page(client, walked.id, day="1", month="12", year="2026", time="10:01"))
    assert "The case as it was after event 46" in text_
    assert "Open tasks then Investigation plan, for Investigator" in text_

    client.get("/language/cy?next=/")
    text_ = words(audit_page(client, walked.id, at_seq=5))
    assert "Yr achos fel yr oedd ar ôl digwyddiad 5" in text_
    assert "Tasgau ar agor bryd hynny Adolygiad amser real, i Desg Bregusrwydd" in text_


def test_a_history_with_a_garbled_time_and_a_payload_that_is_no_object_is_still_read(
    app, client, walked, auditor_user
):
    """Rows altered in the database are what an auditor most needs to read: the history, its
    badge and its path on the diagram still draw, and say where it was altered."""
    with app.app_context():
        garbles_times = db.engine.dialect.name == "sqlite"  # PostgreSQL keeps only real times
        opened = db.session.scalars(
            text(
                "SELECT seq FROM case_events WHERE case_id = :c AND type = 'task_opened' "
                "ORDER BY seq LIMIT 2"
            ),
            {"c": walked.id},
        ).all()
    if garbles_times:
        sql = "UPDATE case_events SET at = 'not a time' WHERE case_id = :c AND seq = :s"
        tamper(app, sql, c=walked.id, s=opened[0])
    sql = "UPDATE case_events SET payload = '[1, 2]' WHERE case_id = :c AND seq = :s"
    tamper(app, sql, c=walked.id, s=opened[1])
    sign_in(client, auditor_user)
    page = audit_page(client, walked.id)
    altered_at = opened[0] if garbles_times else opened[1]
    assert f"Altered at event {altered_at}" in words(page)
    diagram = client.get(f"/audit/cases/{walked.id}/diagram")
    assert diagram.status_code == 200


@pytest.mark.parametrize(
    ("query", "status", "english", "welsh"),
    [
        ({"at_seq": "abc"}, 400, "There is no such event", "Nid oes digwyddiad o'r fath"),
        ({"at_seq": "0"}, 400, "There is no such event", "Nid oes digwyddiad o'r fath"),
        ({"at_seq": "²"}, 400, "There is no such event", "Nid oes digwyddiad o'r fath"),
        ({"at_seq": "9" * 5000}, 400, "There is no such event", "Nid oes digwyddiad o'r fath"),
        (
            {"at_seq": "999"},
            422,
            "The history of this case has 46 events: there is no event 999.",
            "Mae gan hanes yr achos hwn 46 digwyddiad: nid oes digwyddiad 999.",
        ),
        (
            {"day": "31", "month": "2", "year": "2026", "time": "10:00"},
            400,
            "That is not a date and time",
            "Nid yw hwnnw'n ddyddiad ac amser",
        ),
        (
            {"day": "1", "month": "12", "year": "2026", "time": "9:59"},
            422,
            "The case had not begun then",
            "Nid oedd yr achos wedi dechrau bryd hynny",
        ),
    ],
)
def test_a_moment_that_cannot_be_is_a_page_in_the_readers_language(
    client, walked, auditor_user, query, status, english, welsh
):
    sign_in(client, auditor_user)
    page = client.get(f"/audit/cases/{walked.id}", query_string=query)
    assert page.status_code == status
    assert page.mimetype == "text/html"
    assert english in words(page)
    assert f'href="/audit/cases/{walked.id}"' in page.text  # back to the history
    client.get("/language/cy?next=/")
    page = client.get(f"/audit/cases/{walked.id}", query_string=query)
    assert page.status_code == status
    assert welsh in words(page)


def test_replay_on_demand_says_whether_the_commands_reproduce_the_case(
    app, client, walked, auditor_user
):
    sign_in(client, auditor_user)
    page = audit_page(client, walked.id)
    token = csrf_token(page)
    refused = client.post(f"/audit/cases/{walked.id}/replay")  # no CSRF token
    assert refused.status_code == 400
    answer = client.post(f"/audit/cases/{walked.id}/replay", data={"csrf_token": token})
    assert answer.status_code == 200
    text_ = words(answer)
    assert "Reproduced The recorded commands reproduce the stored case." in text_
    assert "from the case's first event to its event 46" in text_

    tamper(app, "UPDATE cases SET status = 'completed' WHERE id = :c", c=walked.id)
    answer = client.post(f"/audit/cases/{walked.id}/replay", data={"csrf_token": token})
    text_ = words(answer)
    assert "Not reproduced The recorded commands do not reproduce the stored case: first" in text_
    assert "What differs The case's status" in text_
    assert 'Recorded "completed" Replayed "running"' in text_

    client.get("/language/cy?next=/")
    answer = client.post(f"/audit/cases/{walked.id}/replay", data={"csrf_token": token})
    assert "Nid yw'r gorchmynion a gofnodwyd yn atgynhyrchu'r achos" in words(answer)


def test_exports_and_the_printable_page(client, walked, auditor_user):
    sign_in(client, auditor_user)
    page = audit_page(client, walked.id)
    for link in ("events.json", "events.csv", "print"):
        assert f'href="/audit/cases/{walked.id}/{link}"' in page.text
    as_json = client.get(f"/audit/cases/{walked.id}/events.json")
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    assert "attachment" in as_json.headers["Content-Disposition"]
    events = json.loads(as_json.text)
    assert [event["seq"] for event in events] == list(range(1, 47))
    as_csv = client.get(f"/audit/cases/{walked.id}/events.csv")
    assert as_csv.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0][:3] == ["seq", "type", "at"] and len(rows) == 47
    assert client.get(f"/audit/cases/{walked.id}/events.xml").status_code == 404

    printed = client.get(f"/audit/cases/{walked.id}/print")
    assert printed.status_code == 200
    assert "audit-print.css" in printed.text
    text_ = words(printed)
    assert "Intact: 46 events, verified now" in text_
    assert "Live-time review completed by" in text_
    assert "Annwyl Sian Jones" in text_  # the letter as sent, open on paper
    assert "See the case as it was then" not in text_ and "Filter" not in text_
    client.get("/language/cy?next=/")
    text_ = words(client.get(f"/audit/cases/{walked.id}/print"))
    assert "Hanes achos" in text_ and "Cwblhawyd Adolygiad amser real" in text_


def test_every_view_is_in_the_read_log(client, walked, auditor_user, token_for):
    sign_in(client, auditor_user)
    audit_page(client, walked.id)
    audit_page(client, walked.id, at_seq=5)
    token = csrf_token(audit_page(client, walked.id))
    client.post(f"/audit/cases/{walked.id}/replay", data={"csrf_token": token})
    client.get(f"/audit/cases/{walked.id}/events.csv")
    client.get(f"/audit/cases/{walked.id}/print")
    reads = client.get(
        "/api/v1/audit/reads",
        query_string={"case": walked.id, "user": "auditor"},
        headers=bearer(token_for("Auditor")),
    ).json
    seen = [(entry["action"], entry["detail"]) for entry in reversed(reads)]
    assert [action for action, _ in seen] == [
        "case.history",
        "case.history",
        "case.state",
        "case.history",
        "case.replay",
        "case.events",
        "case.print",
    ]
    assert json.loads(seen[2][1]) == {"at_seq": "5"}
    assert json.loads(seen[5][1]) == {"format": "csv"}
    assert all(entry["roles"] == "Auditor" for entry in reads)
    # And the story tells them.
    text_ = words(audit_page(client, walked.id, kind="read", person="auditor"))
    assert "auditor (Auditor) looked at the case as it was at event 5" in text_
    assert "auditor (Auditor) replayed the history" in text_
    assert "auditor (Auditor) took the history away as CSV" in text_


def test_someone_without_the_audit_grant_is_refused(app, client, walked, auditor_user, token_for):
    sign_in(client, "desk-officer")
    assert 'href="/audit"' not in client.get("/").text  # no menu entry
    for path in (
        "/audit",
        f"/audit/cases/{walked.id}",
        f"/audit/cases/{walked.id}/events.json",
        f"/audit/cases/{walked.id}/print",
    ):
        page = client.get(path)
        assert page.status_code == 403, path
        assert "You cannot do this" in words(page)
        assert "Sian Jones" not in page.text
    reads = client.get(
        "/api/v1/audit/reads",
        query_string={"case": walked.id, "user": "desk-officer"},
        headers=bearer(token_for("Auditor")),
    ).json
    assert {entry["action"] for entry in reads} == {
        "case.history.refused",
        "case.events.refused",
        "case.print.refused",
    }
    sign_in(client, auditor_user)
    assert 'href="/audit"' in client.get("/").text
    text_ = words(audit_page(client, walked.id, kind="refusal"))
    assert "desk-officer (Vulnerability Desk) was refused the case" in text_


def test_the_landing_page_finds_a_case(client, walked, auditor_user):
    sign_in(client, auditor_user)
    page = client.get("/audit")
    assert page.status_code == 200
    assert "Cases changed last" in words(page)
    assert f'href="/audit/cases/{walked.id}"' in page.text
    assert 'href="/audit/processes"' in page.text  # the heat maps, found from here
    for searched in (walked.id[:8], walked.id, "DP-20261128-0042", " dp-20261128-0042 "):
        found = client.get("/audit", query_string={"case": searched})
        assert found.status_code == 302, searched
        assert found.headers["Location"] == f"/audit/cases/{walked.id}"
    none = client.get("/audit", query_string={"case": "DP-19990101-0001"})
    assert "No case you may read has that reference." in words(none)
    assert client.get("/audit/cases/00000000-0000-0000-0000-000000000000").status_code == 404


def test_a_timer_fired_and_the_escalation_it_made_are_told(app, client, token_for, auditor_user):
    """The live-time review not done in 30 minutes: the timer set when the call was logged
    fires, by the scheduler, and the Sergeant is given the escalation."""
    with time_machine.travel(NOW, tick=False) as clock:
        case = Case(client, investigation_tokens(token_for))
        clock.move_to(NOW + timedelta(minutes=30, seconds=1))
        assert drain(app) == 1
    sign_in(client, auditor_user)
    text_ = words(audit_page(client, case.id, kind="escalation"))
    assert "Time reached: Review not done in 30 minutes" in text_
    assert "Escalated: the time allowed ran out." in text_
    assert "Now open: " in text_ and "for Sergeant" in text_
    assert "1 December 2026, 10:30:01" in text_
    assert "Gwarchod" in text_  # the scheduler, not a person
    assert "Case started by" not in text_
    timers = words(audit_page(client, case.id, kind="timer"))
    assert "Timer set: Review not done in 30 minutes, due 1 December 2026, 10:30:00" in timers
    client.get("/language/cy?next=/")
    text_ = words(audit_page(client, case.id, kind="escalation"))
    assert "Wedi'i uwchgyfeirio: daeth yr amser a ganiateir i ben." in text_
    assert "Rhingyll" in text_


def test_a_past_moment_says_when_a_checkpoint_on_the_way_was_changed(
    app, client, walked, auditor_user
):
    tamper(
        app,
        "UPDATE case_checkpoints SET data = REPLACE(data, 'Sian Jones', 'Someone') "
        "WHERE case_id = :c",
        c=walked.id,
    )
    sign_in(client, auditor_user)
    page = audit_page(client, walked.id, at_seq=46)
    text_ = words(page)
    assert "The case as it was after event 46" in text_
    assert "Sian Jones" in text_  # rebuilt from the first event instead
    assert "Rebuilding it found a difference with what was recorded:" in text_
    assert re.search(r'<span lang="en">[^<]*checkpoint[^<]*</span>', page.text)
    assert "Altered at event" in text_
