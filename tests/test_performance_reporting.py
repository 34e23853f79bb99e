"""Performance and assurance: the reporting schedule, through the API, and its figures.

The Policy Owner sets up a schedule once (``performance_reporting``, start form
``report_schedule``). From then on, at 09:00 UTC on the 1st of every month, the case counts the
previous month's stalking and harassment cases (``report_figures``) and opens the monthly BCU
performance report for the Inspector and the MARAC victim survey for the MARAC Unit; every third
month it opens the quarterly report to the MARAC Steering Group and the VAWDASV board for the
Policy Owner. Each cycle is a standard-loop sub-process, so the case can run for years.

The clock only moves when a test moves it; ``drain(app)`` does the scheduler's work.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from service.config import PROJECT_ROOT
from service.db import db
from service.definitions import deploy
from service.models import Case as CaseRow
from service.models import DefinitionVersion
from service.reporting import _empty, report_figures
from tests.conftest import bearer
from tests.lifecycle import WELSH, drain, refused
from workflows.catalog import build_catalog, read_definition_files
from workflows.diagram_functions import DIAGRAM_FUNCTIONS
from workflows.runner import Runner
from workflows.sandbox import make_script_engine

PROCESS = "performance_reporting"
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # Monday 2 November 2026
FIRST_REPORT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # November's reports fall due
ONE_SECOND = timedelta(seconds=1)

SCHEDULE = {
    "bcu_name": "Carmarthenshire",
    "reporting_starts_on": "2026-11-01",
    "reporting_ends_on": "2027-10-31",
}
BCU_REPORT = {
    "bcu_rating": "amber",
    "bcu_commentary": "One s2 without a reason why it is not stalking; one late victim contact.",
    "bcu_actions": "DI Jones to brief Sergeants on the s2 reason by 15 December.",
    "bcu_meeting_date": "2026-12-08",
}
SURVEY = {
    "survey_responses": 6,
    "survey_satisfied": 5,
    "survey_themes": "Victims valued the advocate; two wanted updates in Welsh sooner.",
}
QUARTERLY = {
    "quarterly_summary": "Recording of stalking improved; SPO consideration still patchy.",
    "quarterly_recommendations": "Note the figures; fund a second stalking advocate.",
    "steering_group_presented_on": "2027-02-10",
    "vawdasv_board_presented_on": "2027-02-24",
}

# November 2026's cases (GMT: London midnight is UTC midnight), each with known data.
NOVEMBER_CASES = [
    {  # stalking, high risk, referred, told on time, charged, closed
        "reported_at": "2026-11-03T10:00:00Z",
        "recorded_offence": "s2A",
        "risk_tool": "s_dash",
        "risk_grade": "high",
        "marac_referral_required": True,
        "marac_referral_sent_at": "2026-11-04T09:00:00Z",
        "spo_considered": True,
        "victim_contact_due_at": "2026-11-05T10:00:00+00:00",
        "victim_contacted_at": "2026-11-05T09:00:00Z",
        "outcome": "charge",
        "srau_missed_offence": False,
        "_status": "completed",
    },
    {  # harassment with a reason, medium risk, told late, NFA, SRAU found a missed offence
        "reported_at": "2026-11-10T12:00:00+00:00",
        "recorded_offence": "s2",
        "not_stalking_reason": "One neighbour dispute over parking; no fixation or monitoring.",
        "risk_tool": "dash",
        "risk_grade": "medium",
        "marac_referral_required": False,
        "spo_considered": False,
        "victim_contact_due_at": "2026-11-17T12:00:00+00:00",
        "victim_contacted_at": "2026-11-18T12:00:00Z",
        "outcome": "nfa",
        "srau_missed_offence": True,
    },
    {  # harassment without a reason ("n/a" is none), not graded yet, victim not told yet;
        # last minute of Nov; the live-time review found no offence, the SRAU found the
        # harassment it missed
        "reported_at": "2026-11-30T23:59:59Z",
        "recorded_offence": "s2",
        "not_stalking_reason": "n/a",
        "srau_call_offence_missed": True,
        "victim_contact_due_at": "2026-12-07T10:00:00+00:00",
    },
    {  # no reported_at: counted by when the case was created
        "_created_at": datetime(2026, 11, 15, 8, 0, tzinfo=UTC),
        "recorded_offence": "s4A",
        "risk_tool": "none",
        "risk_grade": "standard",
        "outcome": "out_of_court_disposal",
    },
]
OTHER_CASES = [
    {"reported_at": "2026-12-01T00:00:00Z", "recorded_offence": "s4"},  # December's
    {"reported_at": "2026-10-31T23:59:59Z", "recorded_offence": "s4"},  # October's
]
NOVEMBER_FIGURES = {
    "period_start": "2026-11-01T00:00:00+00:00",
    "period_end": "2026-12-01T00:00:00+00:00",
    "cases_received": 4,
    "recorded_offence": {"s2": 2, "s2A": 1, "s4": 0, "s4A": 1, "not_recorded": 0},
    "s2_with_not_stalking_reason": 1,
    "s2_without_not_stalking_reason": 1,
    "risk_grade": {"standard": 1, "medium": 1, "high": 1, "not_graded": 1},
    "risk_screenings": 2,
    "marac_referrals_required": 1,
    "marac_referrals_sent": 1,
    "spo_considered": 1,
    "victim_told_crime_recorded": {"on_time": 1, "late": 1, "not_yet": 1},
    "outcome": {"charge": 1, "out_of_court_disposal": 1, "nfa": 1, "undecided": 1},
    "cases_closed": 1,
    "srau_missed_offences": 2,
}


@pytest.fixture
def tokens(token_for):
    return {
        "policy": token_for("Policy Owner"),
        "inspector": token_for("Inspector"),
        "marac": token_for("MARAC Unit"),
        "sergeant": token_for("Sergeant"),
    }


def add_case(
    app, data: dict, process: str = "stalking_harassment", version: int | None = None
) -> None:
    """A case row with known current data, as the reports read it (no workflow behind it), on
    the first definition version unless another is given."""
    data = dict(data)
    status = data.pop("_status", "running")
    created_at = data.pop("_created_at", None)
    if created_at is None and "reported_at" in data:
        created_at = datetime.fromisoformat(data["reported_at"]) + timedelta(minutes=5)
    with app.app_context():
        if version is None:
            version = db.session.scalar(select(DefinitionVersion.id).order_by(DefinitionVersion.id))
        db.session.add(
            CaseRow(
                process_id=process,
                definition_version_id=version,
                status=status,
                state="{}",
                library_version="test",
                serializer_version="test",
                data=data,
                created_at=created_at or datetime.now(UTC),
            )
        )
        db.session.commit()


class Schedule:
    """A reporting schedule driven through the API, remembering the last answer."""

    def __init__(self, client, tokens, data=SCHEDULE):
        self.client, self.tokens = client, tokens
        response = client.post(
            "/api/v1/cases",
            json={"process": PROCESS, "data": data},
            headers=bearer(tokens["policy"]),
        )
        assert response.status_code == 201, response.json
        self.id = response.json["id"]
        self.last = response.json

    def inbox(self, role: str) -> list[dict]:
        response = self.client.get("/api/v1/tasks", headers=bearer(self.tokens[role]))
        assert response.status_code == 200, response.json
        return [t for t in response.json if t["case_id"] == self.id]

    def task(self, role: str, bpmn_id: str, headers: dict | None = None) -> dict:
        [summary] = [t for t in self.inbox(role) if t["bpmn_id"] == bpmn_id]
        response = self.client.get(
            f"/api/v1/tasks/{summary['id']}",
            headers={**bearer(self.tokens[role]), **(headers or {})},
        )
        assert response.status_code == 200, response.json
        return response.json

    def submit(self, role: str, bpmn_id: str, data: dict, headers: dict | None = None):
        [summary] = [t for t in self.inbox(role) if t["bpmn_id"] == bpmn_id]
        response = self.client.post(
            f"/api/v1/tasks/{summary['id']}/complete",
            json={"data": data},
            headers={**bearer(self.tokens[role]), **(headers or {})},
        )
        if response.status_code == 200:
            self.last = response.json
        return response

    def complete(self, role: str, bpmn_id: str, data: dict) -> None:
        response = self.submit(role, bpmn_id, data)
        assert response.status_code == 200, response.json

    @property
    def timers(self) -> list[tuple[str, str]]:
        return sorted((t["bpmn_id"], t["due_at"]) for t in self.last["timers"])


def fire_month(app, clock, schedule: Schedule, due: datetime) -> None:
    """Move the clock past ``due`` (09:00 UTC on the 1st) and let the scheduler fire."""
    clock.move_to(due + ONE_SECOND)
    assert drain(app) == 1


# --- the monthly report -------------------------------------------------------------------------


def test_the_inspector_gets_last_months_figures_on_the_first(app, client, tokens, clock):
    schedule = Schedule(client, tokens)
    assert schedule.last["open_tasks"] == []
    assert schedule.timers == [
        ("bcu_month_ended", "2026-12-01T09:00:00+00:00"),
        ("quarter_ended", "2027-02-01T09:00:00+00:00"),
        ("survey_month_ended", "2026-12-01T09:00:00+00:00"),
    ]
    for data in NOVEMBER_CASES + OTHER_CASES:
        add_case(app, data)
    add_case(app, {"reported_at": "2026-11-12T10:00:00Z"}, process="psd_complaint")

    clock.move_to(FIRST_REPORT)
    assert drain(app) == 0  # due, not yet past
    assert schedule.inbox("inspector") == []
    fire_month(app, clock, schedule, FIRST_REPORT)

    [summary] = schedule.inbox("inspector")
    assert summary["bpmn_id"] == "report_bcu_monthly"
    assert summary["due_at"] == (FIRST_REPORT + ONE_SECOND + timedelta(days=7)).isoformat()
    task = schedule.task("inspector", "report_bcu_monthly")
    assert task["data"]["bcu_figures"] == NOVEMBER_FIGURES
    assert task["data"]["bcu_report_period_start"] == "2026-11-01"
    assert task["data"]["bcu_report_period_end"] == "2026-12-01"
    english = task["instructions"]
    assert "**Carmarthenshire**, 1 November 2026 to 30 November 2026:" in english
    assert "- Cases received: 4" in english
    assert "s2 2, s2A 1, s4 0, s4A 1; not yet recorded 0" in english
    assert "not stalking: 1 of 2" in english
    assert "1 on time, 1 late, 1 not yet" in english
    welsh = schedule.task("inspector", "report_bcu_monthly", WELSH)["instructions"]
    assert "1 Tachwedd 2026 i 30 Tachwedd 2026:" in welsh and "- Achosion a gafwyd: 4" in welsh

    schedule.complete("inspector", "report_bcu_monthly", BCU_REPORT)
    assert schedule.last["data"]["bcu_commentary"] == BCU_REPORT["bcu_commentary"]
    assert schedule.last["data"]["bcu_actions"] == BCU_REPORT["bcu_actions"]
    assert schedule.last["data"]["bcu_rating"] == "amber"
    assert schedule.inbox("inspector") == []
    # December's report waits for 1 January.
    assert ("bcu_month_ended", "2027-01-01T09:00:00+00:00") in schedule.timers


def test_the_marac_survey_reaches_only_the_marac_unit(app, client, tokens, clock):
    schedule = Schedule(client, tokens)
    add_case(app, NOVEMBER_CASES[0])
    fire_month(app, clock, schedule, FIRST_REPORT)

    assert [t["bpmn_id"] for t in schedule.inbox("marac")] == ["report_marac_victim_survey"]
    assert [t["bpmn_id"] for t in schedule.inbox("inspector")] == ["report_bcu_monthly"]
    assert schedule.inbox("policy") == []
    assert schedule.inbox("sergeant") == []
    [survey] = schedule.inbox("marac")
    response = client.post(
        f"/api/v1/tasks/{survey['id']}/complete",
        json={"data": SURVEY},
        headers=bearer(tokens["inspector"]),
    )
    assert response.status_code == 403, response.json

    task = schedule.task("marac", "report_marac_victim_survey")
    assert "MARAC referrals 1 required, 1 sent; high risk 1" in task["instructions"]
    schedule.complete("marac", "report_marac_victim_survey", SURVEY)
    assert schedule.last["data"]["survey_responses"] == 6
    assert schedule.last["data"]["survey_themes"] == SURVEY["survey_themes"]
    # The Inspector's report is still open: the two monthly cycles do not wait for each other.
    assert [t["bpmn_id"] for t in schedule.inbox("inspector")] == ["report_bcu_monthly"]


def test_the_quarterly_report_comes_every_third_month(app, client, tokens, clock):
    schedule = Schedule(client, tokens)
    add_case(app, NOVEMBER_CASES[0])
    add_case(app, {"reported_at": "2027-01-20T10:00:00Z", "recorded_offence": "s4"})
    quarterly_months = []
    due = FIRST_REPORT
    for _ in range(7):  # reports due 1 Dec 2026 .. 1 Jun 2027
        fire_month(app, clock, schedule, due)
        if any(t["bpmn_id"] == "report_quarterly" for t in schedule.inbox("policy")):
            quarterly_months.append(due.date().isoformat())
            task = schedule.task("policy", "report_quarterly")
            if due.month == 2:
                figures = task["data"]["quarterly_figures"]
                assert figures["period_start"] == "2026-11-01T00:00:00+00:00"
                assert figures["period_end"] == "2027-02-01T00:00:00+00:00"
                assert figures["cases_received"] == 2
                assert figures["recorded_offence"]["s4"] == 1
                assert "1 November 2026 to 31 January 2027" in task["instructions"]
                assert "VAWDASV" in task["instructions"]
            heard = (due + timedelta(days=9)).date().isoformat()
            answers = {"steering_group_presented_on": heard, "vawdasv_board_presented_on": heard}
            schedule.complete("policy", "report_quarterly", {**QUARTERLY, **answers})
            assert schedule.last["data"]["steering_group_presented_on"] == heard
        meeting = (due + timedelta(days=7)).date().isoformat()
        schedule.complete(
            "inspector", "report_bcu_monthly", {**BCU_REPORT, "bcu_meeting_date": meeting}
        )
        schedule.complete("marac", "report_marac_victim_survey", SURVEY)
        due = datetime.fromisoformat(dict(schedule.timers)["bcu_month_ended"])
    assert quarterly_months == ["2027-02-01", "2027-05-01"]


def test_a_late_report_holds_back_only_its_own_cycle(app, client, tokens, clock):
    """November's report is done on 3 January: December's follows at once, and the survey
    was never held back."""
    schedule = Schedule(client, tokens)
    add_case(app, {"reported_at": "2026-12-14T10:00:00Z", "recorded_offence": "s2A"})
    fire_month(app, clock, schedule, FIRST_REPORT)
    schedule.complete("marac", "report_marac_victim_survey", SURVEY)
    clock.move_to(datetime(2027, 1, 3, 10, 0, tzinfo=UTC))
    assert drain(app) == 1  # the survey's December round
    assert [t["bpmn_id"] for t in schedule.inbox("marac")] == ["report_marac_victim_survey"]
    schedule.complete("inspector", "report_bcu_monthly", {**BCU_REPORT, "bcu_rating": "red"})
    # December's figures were due on 1 January: they are worked out as the report is done.
    assert ("report_bcu_monthly", "Inspector") in [
        (t["bpmn_id"], t["lane"]) for t in schedule.last["open_tasks"]
    ]
    assert drain(app) == 0
    task = schedule.task("inspector", "report_bcu_monthly")
    assert task["data"]["bcu_report_period_start"] == "2026-12-01"
    assert task["data"]["bcu_figures"]["recorded_offence"]["s2A"] == 1


# --- refusals -----------------------------------------------------------------------------------


def start(client, tokens, headers=None, **changes):
    return client.post(
        "/api/v1/cases",
        json={"process": PROCESS, "data": {**SCHEDULE, **changes}},
        headers={**bearer(tokens["policy"]), **(headers or {})},
    )


def test_only_the_policy_owner_sets_up_a_schedule(client, tokens, clock):
    response = client.post(
        "/api/v1/cases",
        json={"process": PROCESS, "data": SCHEDULE},
        headers=bearer(tokens["inspector"]),
    )
    assert response.status_code == 403, response.json


@pytest.mark.parametrize(
    ("changes", "field", "english", "welsh"),
    [
        (
            {"reporting_starts_on": "2026-11-15"},
            "reporting_starts_on",
            "first day of a month",
            "diwrnod cyntaf mis",
        ),
        (
            {"reporting_ends_on": "2026-10-31"},
            "reporting_ends_on",
            "must come after the day reporting starts",
            "ddod ar ôl y diwrnod",
        ),
        (
            {"reporting_ends_on": "2031-11-01"},
            "reporting_ends_on",
            "at most five years",
            "phum mlynedd ar y mwyaf",
        ),
    ],
)
def test_a_schedule_must_start_on_the_first_and_last_at_most_five_years(
    client, tokens, clock, changes, field, english, welsh
):
    assert english in refused(start(client, tokens, **changes), field)
    assert welsh in refused(start(client, tokens, WELSH, **changes), field)


def test_a_five_year_schedule_is_accepted(client, tokens, clock):
    response = start(client, tokens, reporting_ends_on="2031-10-31")
    assert response.status_code == 201, response.json


def test_reports_refuse_unknown_choices_and_impossible_answers(app, client, tokens, clock):
    schedule = Schedule(client, tokens)
    fire_month(app, clock, schedule, FIRST_REPORT)

    english = refused(
        schedule.submit("inspector", "report_bcu_monthly", {**BCU_REPORT, "bcu_rating": "purple"}),
        "bcu_rating",
    )
    welsh = refused(
        schedule.submit(
            "inspector", "report_bcu_monthly", {**BCU_REPORT, "bcu_rating": "purple"}, WELSH
        ),
        "bcu_rating",
    )
    assert english != welsh
    early = {**BCU_REPORT, "bcu_meeting_date": "2026-11-30"}
    assert "before the month" in refused(
        schedule.submit("inspector", "report_bcu_monthly", early), "bcu_meeting_date"
    )
    assert "cyn i'r mis" in refused(
        schedule.submit("inspector", "report_bcu_monthly", early, WELSH), "bcu_meeting_date"
    )
    assert refused(
        schedule.submit("inspector", "report_bcu_monthly", {**BCU_REPORT, "pin_issued": True}),
        "pin_issued",
    )
    too_many = {**SURVEY, "survey_satisfied": 7}
    assert "More victims satisfied" in refused(
        schedule.submit("marac", "report_marac_victim_survey", too_many), "survey_satisfied"
    )
    assert "mwy o ddioddefwyr yn fodlon" in refused(
        schedule.submit("marac", "report_marac_victim_survey", too_many, WELSH),
        "survey_satisfied",
    )
    assert [t["bpmn_id"] for t in schedule.inbox("inspector")] == ["report_bcu_monthly"]


# --- report_figures -----------------------------------------------------------------------------


def test_figures_count_a_period_half_open_in_london_time(app):
    # In British Summer Time, July starts at 23:00 UTC on 30 June.
    add_case(app, {"reported_at": "2026-06-30T22:59:59Z", "recorded_offence": "s2"})  # June
    add_case(app, {"reported_at": "2026-06-30T23:00:00Z", "recorded_offence": "s2A"})  # July
    add_case(app, {"reported_at": "2026-07-31T22:59:59Z", "recorded_offence": "s4"})  # July
    add_case(app, {"reported_at": "2026-07-31T23:00:00Z", "recorded_offence": "s4A"})  # August
    with app.app_context():
        july = report_figures("2026-07-01", "2026-08-01")
        assert july["period_start"] == "2026-06-30T23:00:00+00:00"
        assert july["cases_received"] == 2
        assert july["recorded_offence"] == {"s2": 0, "s2A": 1, "s4": 1, "s4A": 0, "not_recorded": 0}
        # Date-times with offsets are taken as given.
        exact = report_figures("2026-06-30T22:00:00Z", "2026-06-30T23:00:00+00:00")
        assert exact["recorded_offence"]["s2"] == 1 and exact["cases_received"] == 1


def test_figures_count_missing_fields_as_not_yet(app):
    add_case(app, {"reported_at": "2026-11-05T10:00:00Z"})
    add_case(app, {"reported_at": "not a time", "_created_at": datetime(2026, 11, 6, tzinfo=UTC)})
    add_case(
        app,
        {
            "reported_at": "2026-11-07T10:00:00Z",
            "recorded_offence": "pin",  # not an offence: counted as not recorded
            "risk_grade": None,
            "victim_contacted_at": "2026-11-08T10:00:00Z",  # no deadline: not counted
            "outcome": "no_further_action",  # not a stored outcome value
        },
    )
    with app.app_context():
        figures = report_figures("2026-11-01", "2026-12-01")
        empty = report_figures("2027-11-01", "2027-12-01")
    expected = _empty(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    expected["cases_received"] = 3
    expected["recorded_offence"]["not_recorded"] = 3
    expected["risk_grade"]["not_graded"] = 3
    expected["outcome"]["undecided"] = 3
    assert figures == expected
    assert empty["cases_received"] == 0 and empty["outcome"]["undecided"] == 0


def test_a_reason_why_s2_is_not_stalking_counts_only_when_it_holds_words(app):
    """The rule the crime recording form applies decides the count: reasons stored before the
    form refused them count as no reason when they are blank, too short or without words."""
    without = [" " * 12, "Too short", "0123456789 / 2026", "..........!!"]
    given = ["   Parking dispute   ", "Cweryl am ŵyn ar y ffin."]
    for reason in without + given:
        add_case(
            app,
            {
                "reported_at": "2026-11-05T10:00:00Z",
                "recorded_offence": "s2",
                "not_stalking_reason": reason,
            },
        )
    add_case(app, {"reported_at": "2026-11-05T10:00:00Z", "recorded_offence": "s2"})
    with app.app_context():
        figures = report_figures("2026-11-01", "2026-12-01")
    assert figures["recorded_offence"]["s2"] == 7
    assert figures["s2_with_not_stalking_reason"] == 2
    assert figures["s2_without_not_stalking_reason"] == 5


def test_a_reason_is_measured_by_the_form_of_its_cases_version(app):
    """The shortest reason is the crime recording form's, as deployed in the case's version."""
    files = read_definition_files(PROJECT_ROOT)
    path = "forms/crime_recording.schema.json"
    schema = json.loads(files[path])
    schema["properties"]["not_stalking_reason"]["minLength"] = 20
    with app.app_context():
        longer, created = deploy({**files, path: json.dumps(schema).encode()}, actor="tests")
        db.session.commit()
        longer_id = longer.id
    assert created
    reason = {
        "reported_at": "2026-11-05T10:00:00Z",
        "recorded_offence": "s2",
        "not_stalking_reason": "Parking dispute.",  # 16 characters
    }
    add_case(app, reason)
    add_case(app, reason, version=longer_id)
    with app.app_context():
        figures = report_figures("2026-11-01", "2026-12-01")
    assert figures["s2_with_not_stalking_reason"] == 1
    assert figures["s2_without_not_stalking_reason"] == 1


def test_figures_refuse_a_period_that_cannot_be_read(app):
    with app.app_context():
        with pytest.raises(ValueError, match="must end after it starts"):
            report_figures("2026-12-01", "2026-11-01")
        with pytest.raises(ValueError, match="period_start: .* has no time zone"):
            report_figures("2026-11-01T00:00:00", "2026-12-01")
        with pytest.raises(TypeError):
            report_figures(2026, "2026-12-01")


# --- years of rounds ----------------------------------------------------------------------------


def test_three_years_of_monthly_rounds_still_advance_at_a_steady_growth():
    """36 monthly rounds (and 12 quarterly) on the runner, with figures from a stub.

    Every round of a standard loop is a new child at the same depth, so the tree never deepens
    (a back-edge would, and stall past depth 1000). Finished rounds are let go from the saved
    case (workflows/pruning.py), so once every cycle has gone round, the task tree and the
    saved state stay the same size, month after month.
    """

    def figures(start, end):
        blank = _empty(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        return {**blank, "period_start": start, "period_end": end}

    engine = make_script_engine({**DIAGRAM_FUNCTIONS, "report_figures": figures})
    runner = Runner(build_catalog(read_definition_files(PROJECT_ROOT)), engine)
    answers = {
        "report_bcu_monthly": {**BCU_REPORT, "bcu_meeting_date": "2030-01-01"},
        "report_marac_victim_survey": SURVEY,
        "report_quarterly": {
            **QUARTERLY,
            "steering_group_presented_on": "2030-01-01",
            "vawdasv_board_presented_on": "2030-01-01",
        },
    }
    with time_machine.travel(T0, tick=False) as clock:
        outcome = runner.start(PROCESS, {**SCHEDULE, "reporting_ends_on": "2029-10-31"})
        tasks, sizes, depths, opened = {}, {}, set(), []
        for month in range(1, 37):
            clock.move_to(outcome.timers[0].due_at + ONE_SECOND)
            outcome = runner.fire_due_timers(PROCESS, outcome.state)
            opened.append(sorted(t.bpmn_id for t in outcome.open_tasks))
            for task in outcome.open_tasks:
                outcome = runner.complete(PROCESS, outcome.state, task.id, answers[task.bpmn_id])
            workflow = runner.restore(PROCESS, outcome.state)
            tasks[month] = len(workflow.get_tasks())
            depths.add(max(task.depth for task in workflow.get_tasks()))
            sizes[month] = len(outcome.state)
            if month == 35:
                assert outcome.data["bcu_figures"]["period_start"] == "2029-09-01"
    # Every month opened its two reports, every third month the quarterly one too.
    monthly = ["report_bcu_monthly", "report_marac_victim_survey"]
    for month, names in enumerate(opened, start=1):
        expected = sorted(monthly + ["report_quarterly"]) if month % 3 == 0 else monthly
        assert names == expected, month
    assert outcome.completed and outcome.timers == []
    assert len(depths) == 1  # the last round sits as deep as the first
    # Growth per quarter (three monthly rounds and one quarterly) is the same early and late.
    # From the first quarter's report on, as many tasks, and the same size but for digits.
    assert tasks[33] == tasks[6], tasks
    assert sizes[35] - sizes[6] <= 32, sizes


def test_a_report_replays_with_the_figures_it_was_given(app, client, tokens, clock, auditor):
    """The figures come from other cases, which change later; the audit keeps the figures the
    report was given, and replay gives them back instead of counting again."""
    schedule = Schedule(client, tokens)
    for data in NOVEMBER_CASES:
        add_case(app, data)
    fire_month(app, clock, schedule, FIRST_REPORT)
    given = schedule.task("inspector", "report_bcu_monthly")["data"]["bcu_figures"]
    assert given == NOVEMBER_FIGURES

    add_case(app, {"reported_at": "2026-11-20T10:00:00Z", "recorded_offence": "s4A"})
    replayed = client.post(f"/api/v1/cases/{schedule.id}/replay", headers=bearer(auditor))
    assert replayed.status_code == 200, replayed.json
    assert replayed.json["match"] is True, json.dumps(replayed.json["first_difference"])[:3000]
    events = client.get(f"/api/v1/cases/{schedule.id}/events", headers=bearer(auditor)).json
    reads = [e["payload"] for e in events if e["type"] == "outside_read"]
    assert ("report_figures", given) in [(read["function"], read["result"]) for read in reads]
