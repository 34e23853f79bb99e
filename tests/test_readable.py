"""How instructions and letters show case data: times in Europe/London as people write them, in
English and Welsh, and choices by the titles of the forms that define them."""

import pytest

from workflows.diagram_functions import london_time
from workflows.forms import Form
from workflows.instructions import render_instructions
from workflows.letters import render_letter
from workflows.readable import ChoiceTitles
from workflows.sandbox import SandboxError

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
    timeline = {
        "timeline": [{"occurred_at": "2026-11-24T08:10:00Z"}, {"occurred_at": "2026-11-28"}]
    }
    assert render_instructions(
        "{{ timeline | join('; ', attribute='occurred_at') }}", timeline, "cy"
    ) == ("24 Tachwedd 2026, 08:10; 28 Tachwedd 2026")


def choice(*options: tuple[str, str]) -> dict:
    return {"oneOf": [{"const": value, "title": title} for value, title in options]}


REVIEW = Form(
    "review",
    {
        "type": "object",
        "properties": {
            "grade": choice(("high", "High"), ("standard", "Standard")),
            "caller": {
                "type": "object",
                "properties": {"relation": choice(("third_party", "Someone else"))},
            },
            "flags": {"type": "array", "items": choice(("domestic_abuse", "Domestic abuse"))},
            "urgent": {"oneOf": [{"const": True, "title": "Urgent"}]},
            "note": {"type": "string"},
        },
    },
    welsh={
        "schema": {
            "/properties/grade/oneOf/0/title": "Uchel",
            "/properties/grade/oneOf/1/title": "Safonol",
            "/properties/caller/properties/relation/oneOf/0/title": "Rhywun arall",
            "/properties/flags/items/oneOf/0/title": "Cam-drin domestig",
        }
    },
)
CASE = {
    "grade": "high",
    "caller": {"name": "Sian", "relation": "third_party"},
    "flags": ["domestic_abuse"],
    "urgent": True,
    "note": "high",
}


def test_choices_show_by_their_forms_titles_in_the_readers_language():
    choices = ChoiceTitles([REVIEW])
    template = (
        "{{ grade }} | {{ caller.relation }} | {{ flags | join(', ') }} | {{ flags }} | "
        "{% for flag in flags %}{{ flag }}{% endfor %} | {{ urgent }} | {{ note }} | "
        "{{ caller.name }}"
    )
    english = render_instructions(template, CASE, "en", choices)
    welsh = render_instructions(template, CASE, "cy", choices)
    assert english.split(" | ") == [
        "High",
        "Someone else",
        "Domestic abuse",
        "Domestic abuse",
        "Domestic abuse",
        "True",  # a yes/no field: the template gives it words with {% if %}
        "high",  # free text is shown as written, whatever it says
        "Sian",
    ]
    assert welsh.split(" | ")[:5] == [
        "Uchel",
        "Rhywun arall",
        "Cam-drin domestig",
        "Cam-drin domestig",
        "Cam-drin domestig",
    ]
    # A value the form does not offer (an old case, a form changed since) shows as stored.
    assert render_instructions("{{ grade }}", {"grade": "medium"}, "en", choices) == "medium"


def test_templates_still_compare_and_look_up_the_stored_values():
    choices = ChoiceTitles([REVIEW])
    template = (
        '{% if grade == "high" and "domestic_abuse" in flags %}yes{% endif %} | '
        '{{ {"high": "uchel iawn"}[grade] }} | {{ grade in ["high"] }} | '
        "{{ caller.relation | upper }} | {{ grade | length }}"
    )
    assert render_instructions(template, CASE, "cy", choices) == (
        "yes | uchel iawn | True | THIRD_PARTY | 4"
    )
    assert CASE["grade"] == "high" and type(CASE["grade"]) is str  # the case is not touched


@pytest.mark.parametrize("reach", ["grade._title", "grade['_title']", "grade.__dict__"])
def test_templates_cannot_reach_inside_a_choice(reach):
    with pytest.raises(SandboxError, match="_"):
        render_instructions(f"{{{{ {reach} }}}}", CASE, "en", ChoiceTitles([REVIEW]))


def test_a_field_several_forms_define_takes_the_titles_of_the_first_by_name():
    later = Form(
        "review_again",
        {"type": "object", "properties": {"grade": choice(("high", "Very high"))}},
    )
    choices = ChoiceTitles([REVIEW, later])
    assert render_instructions("{{ grade }}", CASE, "en", choices) == "High"


def test_a_letter_shows_dates_and_choices_in_the_victims_language():
    letters = {
        "notice": {"en": "{{ grade }} on {{ day }}", "cy": "{{ grade }} ar {{ day }}"},
    }
    data = {"grade": "high", "day": "2027-02-28", "victim_language": "cy"}
    letter = render_letter(letters, "notice", data, ChoiceTitles([REVIEW]))
    assert (letter.language, letter.text) == ("cy", "Uchel ar 28 Chwefror 2027")
    english = render_letter(letters, "notice", {**data, "victim_language": "en"})
    assert english.text == "high on 28 February 2027"  # without the forms, a choice as stored
