"""Justifications (reasons, rationales, explanations of a choice) must hold words: one rule,
``holds_words``, for every form field marked ``"justification": true``."""

import json

import pytest

from workflows.forms import load_form
from workflows.justification import holds_words


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
