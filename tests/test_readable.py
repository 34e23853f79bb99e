"""How instructions and letters show case data: times in Europe/London as people write them, in
English and Welsh."""

import pytest

from workflows.diagram_functions import london_time
from workflows.instructions import render_instructions

MONTHS = [
    ("January", "Ionawr"),
    ("February", "Chwefror"),
    ("March", "Mawrth"),
    ("April", "Ebrill"),
    ("May", "Mai"),
    ("June", "Mehefin"),
    ("July", "Gorffennaf"),
    ("August", "Awst"),
    ("September", "Medi"),
    ("October", "Hydref"),
    ("November", "Tachwedd"),
    ("December", "Rhagfyr"),
]


@pytest.mark.parametrize(("month", "names"), list(enumerate(MONTHS, start=1)))
def test_every_month_is_named_in_english_and_welsh(month, names):
    english, welsh = names
    assert london_time(f"2026-{month:02d}-05") == f"5 {english} 2026"
    assert london_time(f"2026-{month:02d}-05T12:00:00Z", "cy").startswith(f"5 {welsh} 2026, ")


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("2026-03-29T00:59:00Z", "29 March 2026, 00:59"),  # GMT, the last minute of it
        ("2026-03-29T01:00:00Z", "29 March 2026, 02:00"),  # British Summer Time
        ("2026-06-30T23:30:00Z", "1 July 2026, 00:30"),  # a London day later than UTC's
        ("2026-07-01T09:30:00+01:00", "1 July 2026, 09:30"),  # written with its offset
        ("2026-10-25T00:30:00Z", "25 October 2026, 01:30"),  # BST, before the clocks go back
        ("2026-10-25T01:30:00Z", "25 October 2026, 01:30"),  # GMT, the hour again
    ],
)
def test_a_time_shows_in_london_time_either_side_of_a_clock_change(stored, shown):
    assert london_time(stored) == shown


def test_times_show_only_in_english_or_welsh():
    with pytest.raises(ValueError, match="English"):
        london_time("2026-11-28", "fr")


def test_instructions_show_the_times_and_dates_a_case_holds_as_people_read_them():
    template = (
        "{{ at }} | {{ offset }} | {{ day }} | {{ add_days(day, 1) }} | {{ london_time(at) }} | "
        "{{ parse_datetime(at) }} | {{ 'on ' ~ day }} | {{ naive }} | {{ no_day }} | {{ ref }}"
    )
    data = {
        "at": "2026-11-28T09:30:00Z",
        "offset": "2026-07-01T08:30:00+00:00",
        "day": "2026-11-28",
        "naive": "2026-11-28T09:30:00",
        "no_day": "2026-02-30",
        "ref": "DP-20261128-0042",
    }
    assert render_instructions(template, data).split(" | ") == [
        "28 November 2026, 09:30",
        "1 July 2026, 09:30",
        "28 November 2026",
        "29 November 2026",
        "28 November 2026, 09:30",
        "28 November 2026, 09:30",
        "on 2026-11-28",  # text around a date is shown as written
        "2026-11-28T09:30:00",  # no time zone: which time it is cannot be known
        "2026-02-30",
        "DP-20261128-0042",
    ]
    assert render_instructions(template, data, "cy").split(" | ")[:6] == [
        "28 Tachwedd 2026, 09:30",
        "1 Gorffennaf 2026, 09:30",
        "28 Tachwedd 2026",
        "29 Tachwedd 2026",
        "28 Tachwedd 2026, 09:30",
        "28 Tachwedd 2026, 09:30",
    ]
    assert render_instructions("by {{ due | london }}.", {}, "cy") == "by ."
