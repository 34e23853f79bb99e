"""Form data a caseworker would submit, shared by the tests."""

CALL = {
    "storm_reference": "DP-20261128-0042",
    "reported_at": "2026-11-28T09:30:00Z",
    "caller": {"name": "Sian Jones", "phone": "01267 226440", "relationship_to_victim": "victim"},
    "location": "12 Heol y Dwr, Carmarthen",
    "summary": "Ex-partner has followed the caller to work three times this week.",
    "flags": ["stalking"],
    "victim_language": "cy",
}

REVIEW_OFFENCES = {
    "offences_disclosed": True,
    "pha_sections": ["s2A"],
    "first_response": "immediate_attendance",
    "review_notes": "Course of conduct disclosed; think stalking first.",
}

REVIEW_NO_OFFENCE = {"offences_disclosed": False, "first_response": "telephone_resolution"}
