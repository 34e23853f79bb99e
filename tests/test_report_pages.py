"""The policy's reports as pages (``/reports``, the reports grant): November's cases walked
through the lifecycle, their figures, the cases behind each (as far as the reader may read
them), the CSV files, the Welsh page, a period that cannot be read, and the figures worked out
again from the audit log alone.
"""

import contextlib
import csv
import html
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from service import commands
from service.audit.figures import tally_from_history
from service.auth import create_user
from service.db import db
from service.models import Case as CaseRow
from service.reports import REPORTS, Period, mark_key, tally
from tests.conftest import bearer
from tests.lifecycle import Case, drain, investigation_tokens, to_investigation
from tests.pages import PASSWORD, sign_in
from tests.samples import (
    CALL,
    CHARGE,
    CPS_FILE,
    INSPECTOR_REVIEW,
    INVESTIGATION_PLAN,
    PROPOSE_NFA,
    READY,
    REVIEW_NO_OFFENCE,
    SUSPECT_RELEASED_UNDER_INVESTIGATION,
)
from tests.test_performance_reporting import SURVEY, Schedule
from workflows.problems import DiagramError

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # after every time the samples record
NOVEMBER = {"year": "2026", "month": "11", "length": "month"}
CONFIRM = {
    "nfa_review_decision": "confirm_nfa",
    "nfa_reason_category": "victim_withdrew_support",
    "nfa_review_reason": "Only the victim's account, now withdrawn.",
}


@pytest.fixture
def readers(app):
    """Two Inspectors, a Policy Owner, an Auditor and a desk officer, with passwords."""
    names = {
        "inspector": ("insp-evans", "Inspector"),
        "other_inspector": ("insp-hughes", "Inspector"),
        "policy": ("policy-owner", "Policy Owner"),
        "auditor": ("auditor-jones", "Auditor"),
        "desk": ("desk-price", "Vulnerability Desk"),
    }
    tokens = {}
    with app.app_context():
        for key, (name, role) in names.items():
            _, tokens[key] = create_user(name, [role], PASSWORD)
    return {key: name for key, (name, _) in names.items()}, tokens


@pytest.fixture
def november(app, client, token_for, readers, clock):
    """Four cases reported in November, each left at another stage, and one in October."""
    names, reader_tokens = readers
    tokens = investigation_tokens(token_for)
    charged = Case(client, tokens, {**CALL, "storm_reference": "DP-20261128-0001"})
    to_investigation(charged)
    charged.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    charged.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    charged.complete("sergeant_review", "sergeant", READY)
    charged.complete("inspector_review", "inspector", INSPECTOR_REVIEW)
    charged.complete("cps_file_submission", "investigator", CPS_FILE)
    charged.complete("cps_charging_decision", "cps", CHARGE)
    assert charged.data["outcome"] == "charge"

    nfa = Case(client, tokens, {**CALL, "storm_reference": "DP-20261128-0002"})
    to_investigation(nfa)
    nfa.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    nfa.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    nfa.complete("sergeant_review", "sergeant", PROPOSE_NFA)
    nfa.complete("nfa_review", "sergeant", CONFIRM)
    assert nfa.data["outcome"] == "nfa"

    # Reviewed late: the SLA timer fires and the Sergeant is told first.
    late = Case(client, tokens, {**CALL, "storm_reference": "DP-20261128-0003"})
    clock.move_to(T0 + timedelta(minutes=31))
    assert drain(app) == 1
    late.last = client.get(f"/api/v1/cases/{late.id}", headers=bearer(tokens["reader"])).json
    late.complete("live_time_review", "desk", REVIEW_NO_OFFENCE)
    assert ("live_review_escalation", "Sergeant") in late.open_tasks

    # Restricted by one Inspector to themselves and a desk officer: the other may not read it.
    restricted = Case(client, tokens, {**CALL, "storm_reference": "DP-20261128-0004"})
    response = client.put(
        f"/api/v1/cases/{restricted.id}/restriction",
        json={"reason": "The suspect works for the force.", "users": [names["desk"]]},
        headers=bearer(reader_tokens["inspector"]),
    )
    assert response.status_code == 200, response.json

    october = Case(
        client,
        tokens,
        {**CALL, "storm_reference": "DP-20261031-0005", "reported_at": "2026-10-31T23:59:59Z"},
    )
    return {
        "charged": charged.id,
        "nfa": nfa.id,
        "late": late.id,
        "restricted": restricted.id,
        "october": october.id,
    }


def text_of(response) -> str:
    return html.unescape(response.text)


def table_rows(page: str) -> dict[str, str]:
    """Each figure's label and the count it links to."""
    found = re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th>\s*'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(?:<a [^>]*>)?([^<]+)',
        page,
    )
    return {label: count for label, count in found}


def rows_of(response) -> list[dict]:
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.text)))


def test_the_monthly_report_counts_novembers_cases_with_links_and_charts(client, readers, november):
    names, _ = readers
    sign_in(client, names["inspector"])
    page = client.get("/reports/bcu_monthly", query_string=NOVEMBER)
    assert page.status_code == 200
    text = text_of(page)
    assert "1 November 2026 to 30 November 2026" in text
    rows = table_rows(text)
    assert rows["Cases received"] == "4"  # not October's
    assert rows["Stalking with fear of violence or serious alarm (s4A)"] == "2"
    assert rows["Not recorded yet"] == "2"
    assert rows["High"] == "2" and rows["Not graded yet"] == "2"
    link = "/reports/bcu_monthly/cases/recorded_offence.s4A?year=2026&amp;month=11&amp;length=month"
    assert link in page.text
    # A chart for each group, with its text alternative.
    assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg"') == 5
    assert '<title id="chart-recorded_offence-title">Offence recorded</title>' in page.text
    assert "Stalking with fear of violence or serious alarm (s4A) 2" in text  # in its <desc>
    assert "/reports/bcu_monthly/csv?year=2026&amp;month=11&amp;length=month" in page.text
    assert 'href="/reports"' in page.text  # the menu

    outcomes = table_rows(text_of(client.get("/reports/outcomes", query_string=NOVEMBER)))
    assert outcomes["Charged"] == "1" and outcomes["No further action"] == "1"
    assert outcomes["Charge rate of the cases decided"] == "1 of 2 (50%)"
    timeliness = table_rows(text_of(client.get("/reports/live_review", query_string=NOVEMBER)))
    assert timeliness["Reviewed late (escalated)"] == "1"
    assert timeliness["Reviewed on time"] == "2"
    assert timeliness["Not reviewed yet"] == "1"  # the restricted call waits for its review
    breaches = table_rows(text_of(client.get("/reports/sla_breaches", query_string=NOVEMBER)))
    assert breaches["Live-time review after 30 minutes"] == "1"
    quarter = {**NOVEMBER, "month": "9", "length": "quarter"}
    quarterly = client.get("/reports/quarterly", query_string=quarter)
    assert "1 September 2026 to 30 November 2026" in text_of(quarterly)
    assert table_rows(text_of(quarterly))["Cases received"] == "5"  # October's too


def test_each_figure_lists_only_the_cases_the_reader_may_read(client, readers, november):
    names, tokens = readers
    url = "/reports/bcu_monthly/cases/cases_received"
    sign_in(client, names["inspector"])  # named on the restriction
    text = text_of(client.get(url, query_string=NOVEMBER))
    assert "4 cases counted" in text and "not listed" not in text
    for key in ("charged", "nfa", "late", "restricted"):
        assert f'href="/cases/{november[key]}"' in text
    assert november["october"] not in text

    client.post("/sign-out", data={"csrf_token": _csrf(client)})
    sign_in(client, names["other_inspector"])
    response = client.get(url, query_string=NOVEMBER)
    text = text_of(response)
    assert "4 cases counted" in text
    assert "1 case counted here is not listed: you may not read it." in text
    assert november["restricted"] not in text and november["charged"] in text
    rows = rows_of(client.get(url + "/csv", query_string=NOVEMBER))
    listed = {row["case_id"]: row["storm_reference"] for row in rows[:-1]}
    assert listed == {
        november["charged"]: "DP-20261128-0001",
        november["nfa"]: "DP-20261128-0002",
        november["late"]: "DP-20261128-0003",
    }
    assert rows[-1]["status"] == "1 case counted here is not listed: you may not read it."
    entries = client.get(
        "/api/v1/audit/reads",
        query_string={"user": names["other_inspector"]},
        headers=bearer(tokens["auditor"]),
    ).json
    listed_reads = [entry for entry in entries if entry["action"] == "report.cases"]
    assert len(listed_reads) == 2  # the page and its CSV
    detail = json.loads(listed_reads[0]["detail"])
    assert set(detail["cases"]) == set(listed) and detail["not_listed"] == 1

    client.post("/sign-out", data={"csrf_token": _csrf(client)})
    sign_in(client, names["policy"])  # involved in none of them
    text = text_of(client.get(url, query_string=NOVEMBER))
    assert "4 cases counted here are not listed: you may not read them." in text
    assert not any(case_id in text for case_id in november.values())


def test_the_report_downloads_as_csv(client, readers, november):
    names, _ = readers
    sign_in(client, names["policy"])
    response = client.get("/reports/bcu_monthly/csv", query_string=NOVEMBER)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="bcu_monthly-2026-11-month.csv"'
    )
    rows = {row["figure"]: row for row in rows_of(response)}
    assert rows["cases_received"]["cases"] == "4"
    assert rows["recorded_offence.s4A"]["label"].startswith("Stalking with fear")
    assert rows["recorded_offence.s4A"]["period_start"] == "2026-11-01"
    assert rows["recorded_offence.s4A"]["period_end"] == "2026-11-30"
    rates = {
        row["figure"]: row
        for row in rows_of(client.get("/reports/outcomes/csv", query_string=NOVEMBER))
    }
    assert (rates["charge_rate"]["cases"], rates["charge_rate"]["of"]) == ("1", "2")


def test_the_report_in_welsh(client, readers, november):
    names, _ = readers
    sign_in(client, names["auditor"])
    client.get("/language/cy")
    text = text_of(client.get("/reports/bcu_monthly", query_string=NOVEMBER))
    assert "1 Tachwedd 2026 i 30 Tachwedd 2026" in text
    assert "Adroddiad perfformiad yr BCU" in text
    assert table_rows(text)["Achosion a gafwyd"] == "4"
    assert "Adroddiadau" in text  # the menu
    cases = text_of(client.get("/reports/bcu_monthly/cases/cases_received", query_string=NOVEMBER))
    assert "4 achos wedi'u cyfrif" in cases


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"year": "20x6", "month": "11"}, "Enter the year as four figures"),
        ({"year": "1999", "month": "11"}, "Enter the year as four figures"),
        ({"year": "2026", "month": "13"}, "Choose the month the period begins in"),
        ({"year": "2026", "month": ""}, "Choose the month the period begins in"),
        ({"year": "2026", "month": "11", "length": "week"}, "Choose a month or a quarter"),
    ],
)
def test_a_period_that_cannot_be_read_brings_the_form_back_saying_why(
    client, readers, query, message
):
    names, _ = readers
    sign_in(client, names["inspector"])
    for url in ("/reports/sla_breaches", "/reports/sla_breaches/csv",
                "/reports/sla_breaches/cases/sla_breach.live_review"):  # fmt: skip
        response = client.get(url, query_string=query)
        assert response.status_code == 400, url
        text = text_of(response)
        assert "There is a problem" in text and message in text
        assert 'name="year"' in text  # the form, to put it right


def test_the_latest_whole_month_is_shown_when_no_period_is_asked(client, readers, clock):
    names, _ = readers
    sign_in(client, names["inspector"])
    text = text_of(client.get("/reports"))
    assert "Latest period: 1 November 2026 to 30 November 2026" in text
    assert "Latest period: 1 September 2026 to 30 November 2026" in text  # a quarter's
    page = client.get("/reports/victims_code")
    assert page.status_code == 200
    assert "1 November 2026 to 30 November 2026" in text_of(page)


def test_only_holders_of_the_reports_grant_see_them(client, readers, november):
    names, _ = readers
    sign_in(client, names["desk"])
    assert 'href="/reports"' not in client.get("/").text
    for url in ("/reports", "/reports/bcu_monthly", "/reports/bcu_monthly/csv",
                "/reports/bcu_monthly/cases/cases_received",
                "/reports/bcu_monthly/cases/cases_received/csv"):  # fmt: skip
        response = client.get(url, query_string=NOVEMBER)
        assert response.status_code == 403, url
        assert "text/html" in response.content_type
    client.post("/sign-out", data={"csrf_token": _csrf(client)})
    sign_in(client, names["policy"])
    assert client.get("/reports/no_such_report").status_code == 404
    assert client.get("/reports/bcu_monthly/cases/outcome.charge").status_code == 404
    assert client.get("/reports/bcu_monthly/cases/nothing").status_code == 404


def test_every_figure_is_worked_out_again_from_the_audit_log(app, november):
    """For every report: the page's figures, and the cases behind each, are those the cases'
    recorded events give, read without the cases table."""
    with app.app_context():
        for length, first in (("month", datetime(2026, 11, 1)), ("quarter", datetime(2026, 9, 1))):
            period = Period(first.date(), length)
            live, recorded = tally(period), tally_from_history(period)
            for report in REPORTS.values():
                assert live.figures(report) == recorded.figures(report), report.key
                for mark in report.marks:
                    assert live.cases.get(mark) == recorded.cases.get(mark), mark_key(mark)
            assert live.count(("cases_received",)) == (4 if length == "month" else 5)

        # Changed in the cases table behind the history's back, a figure no longer agrees.
        db.session.execute(
            update(CaseRow)
            .where(CaseRow.id == november["nfa"])
            .values(data={**db.session.get(CaseRow, november["nfa"]).data, "outcome": "charge"})
        )
        db.session.commit()
        period = Period(datetime(2026, 11, 1).date(), "month")
        live, recorded = tally(period), tally_from_history(period)
        assert live.count(("outcome", "charge")) == 2
        assert recorded.count(("outcome", "charge")) == 1


def _csrf(client) -> str:
    page = client.get("/sign-out")
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


@contextlib.contextmanager
def refused_once(monkeypatch):
    """The next command's diagram fails, as a script that raises would."""

    class Refusing:
        def __init__(self, runner):
            self.runner = runner

        def __getattr__(self, name):
            return getattr(self.runner, name)

        def begin(self, *args):
            raise DiagramError("the survey's script failed", "report_marac_victim_survey")

    with monkeypatch.context() as patched:
        original = commands.runner_for
        patched.setattr(commands, "runner_for", lambda *a: Refusing(original(*a)))
        yield


def test_the_marac_survey_shows_what_victims_answered_each_month(
    app, client, token_for, readers, clock, monkeypatch
):
    """The survey's answers are the MARAC Unit's, in the performance reporting process: its
    case keeps only the latest round, its history every one."""
    names, _ = readers
    tokens = {
        role: token_for(name)
        for role, name in (
            ("policy", "Policy Owner"),
            ("inspector", "Inspector"),
            ("marac", "MARAC Unit"),
            ("sergeant", "Sergeant"),
        )
    }
    schedule = Schedule(client, tokens)  # November's reports fell due at 09:00: open at once
    drain(app)
    # A first try the diagram refuses is in the history as a command with no task completed
    # after it: its answers are not the survey's.
    with refused_once(monkeypatch):
        refused = schedule.submit("marac", "report_marac_victim_survey", SURVEY)
    assert refused.status_code == 422, refused.json
    schedule.complete("marac", "report_marac_victim_survey", SURVEY)
    clock.move_to(datetime(2027, 1, 1, 9, 1, tzinfo=UTC))
    assert drain(app) == 1  # December's
    schedule.complete(
        "marac",
        "report_marac_victim_survey",
        {**SURVEY, "survey_responses": 4, "survey_satisfied": 3},
    )

    sign_in(client, names["policy"])
    rows = table_rows(text_of(client.get("/reports/marac_survey", query_string=NOVEMBER)))
    assert rows["Victims who answered"] == "6" and rows["Satisfied or very satisfied"] == "5"
    assert rows["Satisfied of the victims who answered"] == "5 of 6 (83%)"
    quarter = {"year": "2026", "month": "11", "length": "quarter"}
    rows = table_rows(text_of(client.get("/reports/marac_survey", query_string=quarter)))
    assert rows["Victims who answered"] == "10" and rows["Satisfied or very satisfied"] == "8"
    october = {**NOVEMBER, "month": "10"}
    rows = table_rows(text_of(client.get("/reports/marac_survey", query_string=october)))
    assert rows["Victims who answered"] == "0"
    assert rows["Satisfied of the victims who answered"] == "Nothing to count yet"
    survey = "/reports/marac_survey/cases/survey.survey_responses"
    assert client.get(survey, query_string=NOVEMBER).status_code == 404  # no cases to list
    page = client.get("/reports/marac_survey", query_string=NOVEMBER).text
    assert "/cases/survey." not in page  # nor a link to them
    csv_rows = {
        row["figure"]: row
        for row in rows_of(client.get("/reports/marac_survey/csv", query_string=NOVEMBER))
    }
    assert csv_rows["survey.survey_responses"]["cases"] == "6"
    # The schedule's monthly timer opened the month's reports: time passing, as planned, not a
    # step's time running out. An auditor finds it among timers, not escalations.
    client.post("/sign-out", data={})
    sign_in(client, names["auditor"])
    timers = text_of(client.get(f"/audit/cases/{schedule.id}", query_string={"kind": "timer"}))
    assert "Time reached" in timers
    escalations = client.get(f"/audit/cases/{schedule.id}", query_string={"kind": "escalation"})
    assert "Escalated: the time allowed ran out." not in text_of(escalations)
