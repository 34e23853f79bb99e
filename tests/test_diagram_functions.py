"""Diagram helpers for courses of conduct: the last incident and the statutory time limit."""

from datetime import UTC, date, datetime

import pytest

from workflows.diagram_functions import (
    DIAGRAM_FUNCTIONS,
    add_months,
    last_incident,
    statutory_time_limit,
)
from workflows.sandbox import SandboxEnvironment
from workflows.timer_text import DATE, check_iso

TIMELINE = [
    {"occurred_at": "2026-11-24T08:10:00Z", "description": "Followed to work."},
    {"occurred_at": "2026-11-27T17:30:00Z", "description": "Followed home."},
    {"occurred_at": "2026-11-26T08:05:00+01:00", "description": "Waited outside work."},
]


# --- statutory_time_limit ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "limit"),
    [
        pytest.param("2026-05-30", "2026-11-30", id="corresponding-day"),
        pytest.param("2026-01-01", "2026-07-01", id="new-year"),
        pytest.param("2026-08-31", "2027-02-28", id="31-aug-to-28-feb"),
        pytest.param("2027-08-31", "2028-02-29", id="31-aug-to-29-feb-leap-year"),
        pytest.param("2026-08-29", "2027-02-28", id="29-aug-in-a-common-year"),
        pytest.param("2027-08-29", "2028-02-29", id="29-aug-in-a-leap-year"),
        pytest.param("2026-12-31", "2027-06-30", id="31-dec-to-30-jun"),
        pytest.param("2026-10-31", "2027-04-30", id="31-oct-to-30-apr"),
        pytest.param("2026-09-30", "2027-03-30", id="30-sep-stays-30-mar"),
        pytest.param("2027-02-28", "2027-08-28", id="end-of-feb-is-not-end-of-aug"),
    ],
)
def test_the_limit_is_six_calendar_months_on_the_corresponding_day(last, limit):
    assert statutory_time_limit(last) == limit


def test_the_limit_is_a_date_whatever_the_input():
    # The whole last day is in time, so the answer is a day, not a moment on it.
    assert statutory_time_limit("2026-08-31T09:15:00Z") == "2027-02-28"
    assert statutory_time_limit(datetime(2026, 8, 31, 9, 15, tzinfo=UTC)) == "2027-02-28"
    assert statutory_time_limit(date(2026, 8, 31)) == "2027-02-28"


def test_the_incident_day_is_the_london_day():
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (British Summer Time).
    assert statutory_time_limit("2026-06-30T23:30:00Z") == "2027-01-01"
    # In winter London is on UTC.
    assert statutory_time_limit("2026-11-30T23:30:00Z") == "2027-05-30"
    # An offset other than UTC is read as the instant it names.
    assert statutory_time_limit("2026-08-31T00:30:00+02:00") == "2027-02-28"


def test_the_limit_follows_the_warning_points_it_ends():
    last = "2026-08-31T18:00:00Z"
    warnings = [add_months(last, months)[:10] for months in (4, 5)]
    assert warnings == ["2026-12-31", "2027-01-31"]
    assert warnings[-1] < statutory_time_limit(last)


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        pytest.param("2026-08-31T09:15:00", ValueError, id="no-time-zone"),
        pytest.param("31/08/2026", ValueError, id="not-iso"),
        pytest.param(None, TypeError, id="none"),
        pytest.param(20260831, TypeError, id="number"),
    ],
)
def test_the_limit_refuses_what_is_not_an_iso_date(bad, error):
    with pytest.raises(error):
        statutory_time_limit(bad)


# --- last_incident -----------------------------------------------------------------------------


def test_last_incident_is_the_latest_whatever_the_order():
    assert last_incident(TIMELINE) == "2026-11-27T17:30:00+00:00"
    assert last_incident(list(reversed(TIMELINE))) == "2026-11-27T17:30:00+00:00"
    assert last_incident(TIMELINE[:1]) == "2026-11-24T08:10:00+00:00"


def test_last_incident_compares_instants_not_text():
    # 00:30 at +01:00 on the 28th is 23:30 UTC on the 27th, before 23:45 UTC on the 27th.
    timeline = [
        {"occurred_at": "2026-11-27T23:45:00Z"},
        {"occurred_at": "2026-11-28T00:30:00+01:00"},
    ]
    assert last_incident(timeline) == "2026-11-27T23:45:00+00:00"


def test_last_incident_of_dates_is_a_date():
    assert last_incident([{"occurred_at": "2026-11-24"}, {"occurred_at": "2026-11-27"}]) == (
        "2026-11-27"
    )


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        pytest.param([], ValueError, "no incidents", id="empty"),
        pytest.param([{"description": "x"}], ValueError, "incident 0", id="no-occurred-at"),
        pytest.param([{"occurred_at": None}], ValueError, "incident 0", id="occurred-at-none"),
        pytest.param(["2026-11-27T17:30:00Z"], ValueError, "incident 0", id="not-a-dict"),
        pytest.param(
            [{"occurred_at": "2026-11-24"}, {"occurred_at": "2026-11-27T17:30:00Z"}],
            ValueError,
            "mixes dates and date-times",
            id="mixed",
        ),
        pytest.param(
            [{"occurred_at": "2026-11-27T17:30:00"}], ValueError, "no time zone", id="naive"
        ),
        pytest.param({"occurred_at": "2026-11-27T17:30:00Z"}, TypeError, "list", id="a-dict"),
        pytest.param("2026-11-27T17:30:00Z", TypeError, "list", id="text"),
        pytest.param(None, TypeError, "list", id="none"),
    ],
)
def test_last_incident_refuses_what_is_not_a_timeline(bad, error, message):
    with pytest.raises(error, match=message):
        last_incident(bad)


# --- in diagram code ---------------------------------------------------------------------------


def test_both_helpers_are_offered_to_diagrams():
    assert DIAGRAM_FUNCTIONS["last_incident"] is last_incident
    assert DIAGRAM_FUNCTIONS["statutory_time_limit"] is statutory_time_limit


def test_a_warning_timer_expression_runs_in_the_sandbox():
    env = SandboxEnvironment()
    data = {"incident_timeline": TIMELINE}
    warning = env.evaluate("add_months(last_incident(incident_timeline), 4)", data)
    assert warning == "2027-03-27T17:30:00+00:00"
    assert check_iso(warning, DATE) is None  # usable as a timeDate
    assert env.evaluate("statutory_time_limit(last_incident(incident_timeline))", data) == (
        "2027-05-27"
    )
    script = {"incident_timeline": TIMELINE}
    env.execute(
        "time_limit = statutory_time_limit(last_incident(incident_timeline))\n"
        "time_limit_safe = today() <= time_limit",
        script,
    )
    assert script["time_limit"] == "2027-05-27"
    assert isinstance(script["time_limit_safe"], bool)


def test_times_are_shown_in_london_time_in_summer_and_winter():
    from workflows.diagram_functions import london_time
    from workflows.instructions import render_instructions

    assert london_time("2026-07-01T08:30:00Z") == "1 July 2026, 09:30"  # BST
    assert london_time("2026-12-01T08:30:00Z") == "1 December 2026, 08:30"  # GMT
    assert london_time("2026-12-01") == "1 December 2026"
    assert london_time("2026-07-01T08:30:00Z", "cy") == "1 Gorffennaf 2026, 09:30"
    rendered = render_instructions(
        "Reported {{ reported_at | london }}", {"reported_at": "2026-07-01T23:30:00Z"}
    )
    assert rendered == "Reported 2 July 2026, 00:30"
