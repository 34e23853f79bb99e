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

# The SRAU's review of a call the Vulnerability Desk found discloses no offence.
SRAU_CALL_CLEAR = {
    "srau_call_offence_missed": False,
    "srau_call_notes": "Checked the call and the prior incidents: no offence was missed.",
}
SRAU_CALL_MISSED = {
    "srau_call_offence_missed": True,
    "srau_call_pha_sections": ["s2A"],
    "srau_call_first_response": "scheduled_attendance",
    "srau_call_notes": "Followed to work three times this week: a course of conduct, stalking.",
}

# --- first response, risk assessment, crime recording, MARAC (times are before 2026-11-28T14:00Z,
# the time the lifecycle tests travel to) ---------------------------------------------------------

CALL_DOMESTIC = {
    **CALL,
    "storm_reference": "DP-20261128-0057",
    "summary": "Former partner keeps turning up at the house and sending messages all night.",
    "flags": ["harassment", "domestic_abuse"],
    "victim_language": "en",
}

FIRST_RESPONSE = {
    "attended_at": "2026-11-28T11:00:00Z",
    "four_test": {"fixated": True, "obsessive": True, "unwanted": True, "repeated": True},
    "behaviour_changed": True,
    "behaviour_change_details": "Takes a different route to work and no longer goes out alone.",
    "victim_account": "He follows me to work, waits outside and follows me home again.",
    "victim_very_frightened": True,
    "incident_timeline": [
        {"occurred_at": "2026-11-24T08:10:00Z", "description": "Followed to work."},
        {"occurred_at": "2026-11-26T08:05:00Z", "description": "Waited outside work all day."},
        {
            "occurred_at": "2026-11-27T17:30:00Z",
            "description": "Followed home; threatened to hurt her.",
            "storm_reference": "DP-20261127-0311",
        },
    ],
    "spo_considered": True,
    "spo_note": "Interim Stalking Protection Order to be sought with the investigation.",
}

# One incident and a victim who is not very frightened: no screening is required.
FIRST_RESPONSE_SINGLE = {
    **FIRST_RESPONSE,
    "four_test": {"fixated": False, "obsessive": False, "unwanted": True, "repeated": False},
    "behaviour_changed": False,
    "victim_very_frightened": False,
    "incident_timeline": [
        {"occurred_at": "2026-11-27T19:00:00Z", "description": "Abusive messages from a neighbour."}
    ],
    "spo_considered": True,
    "spo_note": "Not stalking on the facts so far; no order sought.",
}
del FIRST_RESPONSE_SINGLE["behaviour_change_details"]

SDASH_QUESTIONS = (
    "very_frightened",
    "previous_harassment",
    "property_damaged",
    "visits_home_or_work",
    "loitering",
    "threats_of_violence",
    "third_parties_harassed",
    "violence_in_incidents",
    "others_recruited",
    "substance_misuse",
    "past_violence",
)
SDASH_MOSTLY_YES = {
    question: {"answer": question != "substance_misuse", "note": "From the victim's account."}
    for question in SDASH_QUESTIONS
}

RISK_SDASH_HIGH = {
    "risk_tool": "s_dash",
    "sdash_answers": SDASH_MOSTLY_YES,
    "risk_grade": "high",
    "risk_to_others": "Two children live with the victim; the suspect knows their school.",
    "suspect_risk_notes": "Previous harassment of a former partner in 2023.",
    "risk_plan": "Panic alarm fitted, patrol strategy at home and work, school told.",
    "marac_professional_judgement": False,
    "previous_marac_referral": False,
}

RISK_DASH = {
    "risk_tool": "dash",
    "dash_yes_count": 15,
    "risk_grade": "high",
    "risk_to_others": "No children; the victim's sister has also been contacted.",
    "risk_plan": "Safety planning with the victim, target hardening, IDVA referral.",
    "marac_professional_judgement": False,
    "previous_marac_referral": False,
}

RISK_STANDARD_NO_TOOL = {
    "risk_tool": "none",
    "risk_grade": "standard",
    "risk_to_others": "None known.",
    "marac_professional_judgement": False,
    "previous_marac_referral": False,
}

CRIME_S4A = {
    "crime_reference": "62/12345/26",
    "stalking_acts": ["following", "loitering", "watching_or_spying"],
    "feared_violence_on_two_occasions": True,
    "serious_alarm_or_distress": True,
    "racially_or_religiously_aggravated": False,
    "recorded_offence": "s4A",
    "other_offences": ["Malicious Communications Act 1988 s1"],
}

CRIME_S2 = {
    "crime_reference": "62/12399/26",
    "stalking_acts": [],
    "feared_violence_on_two_occasions": False,
    "serious_alarm_or_distress": False,
    "racially_or_religiously_aggravated": False,
    "recorded_offence": "s2",
}
NOT_STALKING_REASON = (
    "A neighbour dispute about parking: no fixation on the victim, no acts of stalking."
)

MARAC_REFERRAL = {
    "marac_referral_sent_at": "2026-11-28T13:00:00Z",
    "marac_meeting_date": "2026-12-03",
    "marac_reference": "MARAC-CARM-2026-118",
    "victim_consent": "given",
    "victim_informed_of_referral": True,
    "marac_notes": "High risk on S-DASH; children in the household.",
}

INVESTIGATION_PLAN = {
    "officer_in_case_name": "DC 1234 Rhian Evans",
    "lines_of_enquiry": ["digital_evidence", "cctv", "suspect_arrest_and_interview"],
    "enquiry_plan": "Download the victim's phone; seize CCTV from her workplace; interview.",
    "victim_statement_taken": True,
    "vps_offered": True,
    "spo_considered": True,
    "spo_note": "Interim Stalking Protection Order to be sought at court this week.",
}

# The suspect is arrested and released under investigation: no bail to manage.
SUSPECT_RELEASED_UNDER_INVESTIGATION = {
    "suspect_identified": True,
    "suspect_arrested_at": "2026-11-28T12:00:00Z",
    "suspect_disposal": "released_under_investigation",
    "spo_application": "under_consideration",
    "spo_application_reason": "Waiting for the digital evidence before applying for an order.",
}

# Arrested, interviewed and bailed on the day of the call, with conditions.
SUSPECT_ON_BAIL = {
    "suspect_identified": True,
    "suspect_arrested_at": "2026-11-28T12:00:00Z",
    "suspect_interviewed_at": "2026-11-28T13:00:00Z",
    "suspect_disposal": "pre_charge_bail",
    "victim_views_on_bail_sought": True,
    "bail_started_on": "2026-11-28",
    "bail_conditions": [
        "Not to contact the victim directly or indirectly",
        "Not to enter Heol y Dwr",
    ],
    "spo_application": "interim_spo_applied",
    "spo_application_reason": "Fixated and repeated conduct: an interim order protects her now.",
}

REVIEW_CONTINUE = {
    "review_classification_correct": True,
    "review_risk_plan_in_place": True,
    "review_spo_considered": True,
    "review_victims_code_on_time": True,
    "review_time_limit_safe": True,
    "review_findings": "Enquiries under way; CCTV still awaited from the employer.",
    "review_decision": "continue_investigation",
}

# The Victims' Code contact after the crime is recorded (a branch beside the investigation):
# tests that do not follow it complete it at once, with the contact time set to
# ``crime_recorded_at``.
VICTIM_UPDATE = {
    "victim_contacted_at": "2026-11-28T14:00:00Z",
    "victim_contact_method": "telephone",
    "victim_contact_language": "cy",
    "victim_information_given": ["crime_recorded", "officer_in_case"],
    "victim_crime_reference_given": True,
}

# From the Sergeant's last review to the charging decision.
READY = {
    **REVIEW_CONTINUE,
    "review_decision": "ready_for_charging_advice",
    "review_findings": "Evidence complete; file ready for the charging decision.",
}
PROPOSE_NFA = {
    **REVIEW_CONTINUE,
    "review_decision": "propose_nfa",
    "review_findings": "The victim has withdrawn support and there is no other evidence.",
}
INSPECTOR_REVIEW = {
    "inspector_standards_met": True,
    "inspector_spo_considered": True,
    "inspector_findings": "Standards met; interim order in place; file complete.",
}
CPS_FILE = {
    "cps_file_submitted_at": "2026-12-01T09:00:00Z",
    "cps_early_advice_sought": True,
    "restraining_order_information_included": True,
    "anticipated_plea": "not_guilty",
    "victim_views_on_outcome": "She wants a restraining order whatever the verdict.",
}
CHARGE = {
    "charging_decision": "charge",
    "charged_offence": "s4A",
    "charging_decision_reason": "Full Code Test met: evidence of serious alarm and distress.",
    "charging_decided_at": "2026-12-01T09:30:00Z",
}
CONFIRM_NFA = {
    "nfa_review_decision": "confirm_nfa",
    "nfa_reason_category": "victim_withdrew_support",
    "nfa_review_reason": "Only the victim's account, now withdrawn.",
}

# Referrals to support, due two working days after the report (a branch beside the
# investigation): tests that do not follow it complete it with the MARAC referral.
SAFEGUARDING = {
    "safeguarding_referrals_made": ["specialist_stalking_advocacy", "national_stalking_helpline"],
    "safeguarding_consent": "given",
    "safeguarding_referred_at": "2026-11-28T13:30:00Z",
    "safe_contact_method": "text_message",
    "safe_contact_notes": "Text her work mobile first; never call the landline.",
    "safeguarding_notes": "Paladin advocate accepted the referral; helpline details given.",
}


def to_investigation(suspect: dict) -> list[tuple[str, dict]]:
    """The tasks from the call to the investigation, in order, with their data: the side
    branches done and ``suspect`` recorded, so only the investigation's own work is left open.
    The victim update's time must be set from the case (see ``victim_contacted``)."""
    return [
        ("live_time_review", REVIEW_OFFENCES),
        ("first_response", FIRST_RESPONSE),
        ("risk_assessment", RISK_SDASH_HIGH),
        ("crime_recording", CRIME_S4A),
        ("marac_referral", MARAC_REFERRAL),
        ("safeguarding_referrals", SAFEGUARDING),
        ("victim_update_crime_recorded", VICTIM_UPDATE),
        ("investigation_plan", INVESTIGATION_PLAN),
        ("suspect_management", suspect),
    ]


def victim_contacted(bpmn_id: str, data: dict, case_data: dict) -> dict:
    """``data`` for the task, with the victim told when the crime was recorded."""
    if bpmn_id == "victim_update_crime_recorded":
        return {**data, "victim_contacted_at": case_data["crime_recorded_at"]}
    return data
