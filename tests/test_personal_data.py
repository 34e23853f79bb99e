"""Personal data is what the data dictionary marks personal; withholding it keeps the rest."""

import json

from service.personal import DATA_DICTIONARY, WITHHELD, marked_fields, withhold
from tests.samples import CALL


def test_the_data_dictionary_marks_the_personal_fields():
    marked = marked_fields(DATA_DICTIONARY.read_text(encoding="utf-8"))
    for field in (
        "caller.name",
        "caller.phone",
        "location",
        "summary",
        "victim_account",
        "incident_timeline[].description",
        "sdash_answers.<question>.note",
        "complainant.name",
        "letters_sent",
    ):
        assert field in marked
    for field in ("storm_reference", "caller.relationship_to_victim", "risk_grade", "caller"):
        assert field not in marked
    assert len(marked) == len(set(marked))


def test_withholding_follows_objects_lists_and_any_name():
    data = {
        **CALL,
        "incident_timeline": [
            {"occurred_at": "2026-11-20T08:00:00Z", "description": "Waited at the gate."}
        ],
        "sdash_answers": {"loitering": {"answer": True, "note": "Seen at the gate."}},
        "standard_risk_assessed_note": "Not done.",
        "letters_sent": [{"text": "Dear Sian"}],
    }
    shown = withhold(data)
    assert shown["caller"] == {
        "name": WITHHELD,
        "phone": WITHHELD,
        "relationship_to_victim": "victim",
    }
    assert shown["incident_timeline"] == [
        {"occurred_at": "2026-11-20T08:00:00Z", "description": WITHHELD}
    ]
    assert shown["sdash_answers"] == {"loitering": {"answer": True, "note": WITHHELD}}
    assert shown["standard_risk_assessed_note"] == WITHHELD
    assert shown["letters_sent"] == WITHHELD
    assert shown["flags"] == ["stalking"] and shown["reported_at"] == CALL["reported_at"]
    assert "Sian" not in json.dumps(shown)
