"""Justifications (reasons, rationales, explanations of a choice) must hold words: one rule,
``holds_words``, for every form field marked ``"justification": true`` and for the report."""

import json
import re

import pytest

from service.config import PROJECT_ROOT
from workflows.catalog import build_catalog, read_definition_files
from workflows.forms import load_form
from workflows.justification import holds_words

DICTIONARY = PROJECT_ROOT / "docs" / "data-dictionary.md"


def listed_in_the_dictionary() -> set[tuple[str, str]]:
    """(form, field) for each row of the data dictionary's list of justifications."""
    text = DICTIONARY.read_text()
    section = text.split("\n## Justifications\n", 1)[1].split("\n## ", 1)[0]
    listed = set()
    for line in section.splitlines():
        cells = line.split(" | ")
        if len(cells) < 3 or not cells[0].startswith("| `"):
            continue
        forms, fields = (re.findall(r"`([a-z_]+)`", cell) for cell in cells[:2])
        listed |= {(form, field) for form in forms for field in fields}
    return listed


FIELDS = sorted(listed_in_the_dictionary())


@pytest.fixture(scope="module")
def forms():
    return build_catalog(read_definition_files(PROJECT_ROOT)).forms


@pytest.mark.parametrize(
    ("text", "min_length", "holds"),
    [
        (" " * 12, 10, False),
        ("", 1, False),
        (None, 1, False),
        ("n/a", 1, False),
        ("..........!!", 10, False),
        ("0123456789 / 2026", 10, False),
        ("   Too short   ", 10, False),  # nine characters once trimmed
        ("   Parking dispute   ", 10, True),
        ("Cwn", 1, True),
        ("ŵŷâ", 3, True),  # Welsh letters are letters
        ("No.", 1, False),  # two letters
    ],
)
def test_holds_words_trims_then_counts_characters_and_letters(text, min_length, holds):
    assert holds_words(text, min_length) is holds


def test_the_data_dictionary_lists_every_field_the_forms_mark(forms):
    assert ("crime_recording", "not_stalking_reason") in FIELDS
    marked = {
        (name, field)
        for name, form in forms.items()
        for field, schema in form.schema["properties"].items()
        if schema.get("justification") is True
    }
    assert marked == set(FIELDS)


@pytest.mark.parametrize(("name", "field"), FIELDS)
def test_every_justification_refuses_text_without_words_in_both_languages(forms, name, field):
    form = forms[name]
    minimum = form.schema["properties"][field].get("minLength", 1)
    for text in (" " * max(minimum, 12), "-" * max(minimum, 3), "1" * max(minimum, 3)):
        for language, rule in (("en", "at least three letters"), ("cy", "dair llythyren")):
            on_field = [
                e.message
                for e in form.validate({field: text}, language=language)
                if e.field == field
            ]
            assert len(on_field) == 1 and rule in on_field[0], (text, language, on_field)
    words = ("Reason given " * minimum)[: max(minimum, 3)]
    assert [e for e in form.validate({field: words}) if e.field == field] == []


def schema_with(note: dict) -> dict:
    return {
        "type": "object",
        "title": "Note",
        "properties": {"notes": {"title": "Notes", "type": "array", "items": note}},
    }


def problems_of(schema: dict) -> list[str]:
    welsh = {"schema": {"/title": "Nodyn", "/properties/notes/title": "Nodiadau"}}
    files = {
        "forms/note.schema.json": json.dumps(schema).encode(),
        "forms/note.cy.json": json.dumps(welsh).encode(),
    }
    form, problems = load_form("note", files)
    assert (form is None) == bool(problems)
    return [problem.message for problem in problems]


def test_the_keyword_is_checked_wherever_it_is_in_the_schema():
    assert problems_of(schema_with({"type": "string", "justification": True})) == []
    assert problems_of(schema_with({"type": "string", "justification": False})) == [
        '"justification" at /properties/notes/items must be true (or left out)'
    ]
    assert problems_of(schema_with({"justification": True})) == [
        '"justification" at /properties/notes/items is only for a text field, with "type": "string"'
    ]
    # A field may be named "justification": only the keyword is checked.
    named = schema_with({"type": "object", "properties": {"justification": {"type": "boolean"}}})
    assert problems_of(named) == []
