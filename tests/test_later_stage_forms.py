"""The later stages' forms (suspect management to case closure) and the letters to the victim.

Each form accepts a good record and refuses bad ones on the field at fault, in English and in
Welsh, with the case's data under the submitted data as in a running case. Each letter renders
in the victim's language, in the same sandbox as task instructions, with the facts the victim
relies on: dates, bail conditions, order terms, the last day to ask for a review.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
import time_machine

from workflows.diagram_functions import DIAGRAM_FUNCTIONS
from workflows.forms import Form, load_form, translatable_pointers
from workflows.instructions import render_instructions

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "forms"
LETTERS = ROOT / "letters"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DROP = object()  # a field left out of the submitted data

# Case data the later stages see: written by earlier tasks and by the diagram's scripts.
CASE = {
    "storm_reference": "DP-20260901-0456",
    "reported_at": "2026-09-01T18:30:00Z",
    "caller": {"name": "Sian Evans", "relationship_to_victim": "victim"},
    "victim_language": "cy",
    "crime_reference": "CR/2026/004512",
    "recorded_offence": "s2A",
    "risk_grade": "high",
    "bail_months": 3,
    "charging_authority": "police",
    "charging_decided_by": "police",
}
# When the call was reported, and the crime recorded, as people read it (London time, BST).
REPORTED = {"en": "1 September 2026, 19:30", "cy": "1 Medi 2026, 19:30"}
RECORDED = {"en": "2 September 2026, 10:00", "cy": "2 Medi 2026, 10:00"}

GOOD = {
    "safeguarding_referrals": {
        "safeguarding_referrals_made": [
            "specialist_stalking_advocacy",
            "national_stalking_helpline",
        ],
        "safeguarding_consent": "given",
        "safeguarding_referred_at": "2026-09-02T10:00:00Z",
        "safe_contact_method": "via_advocate",
        "safe_contact_notes": "Not at home after 17:00; use her work mobile in working hours.",
        "safeguarding_notes": "ISAC referral accepted; she asked for a Welsh-speaking advocate.",
    },
    "suspect_management": {
        "suspect_identified": True,
        "suspect_arrested_at": "2026-11-03T09:15:00Z",
        "suspect_interviewed_at": "2026-11-03T14:40:00Z",
        "suspect_disposal": "pre_charge_bail",
        "victim_views_on_bail_sought": True,
        "bail_started_on": "2026-11-03",
        "bail_conditions": [
            "Not to contact Sian Evans directly or indirectly",
            "Not to enter Heol y Bont, Carmarthen",
        ],
        "spo_application": "interim_spo_applied",
        "spo_application_reason": "Fixated, repeated loitering at work: interim order sought.",
    },
    "bail_review": {
        "bail_decision": "extend",
        "bail_extension_to_months": 6,
        "victim_views_on_extension_sought": True,
        "bail_decision_reason": "Phone download outstanding; conditions still keep her safe.",
    },
    "bail_extension_approval": {
        "bail_extension_approved": True,
        "bail_extension_decision_reason": "Diligent enquiries; the download is booked.",
    },
    "bail_extension_court": {
        "bail_extension_approved": True,
        "court_name": "Swansea Magistrates' Court",
        "court_decision_date": "2026-11-30",
    },
    "inspector_review": {
        "inspector_standards_met": True,
        "inspector_spo_considered": True,
        "inspector_findings": "Classification, risk plan and victim contacts all in order.",
    },
    "cps_file_submission": {
        "cps_file_submitted_at": "2026-11-28T16:00:00Z",
        "cps_early_advice_sought": True,
        "restraining_order_information_included": True,
        "anticipated_plea": "not_guilty",
        "victim_views_on_outcome": "Wants an order keeping him away from her home and work.",
    },
    "charging_decision": {
        "charging_decision": "charge",
        "charged_offence": "s2A",
        "charging_decision_reason": "Full Code Test met: CCTV and messages corroborate.",
        "charging_decided_at": "2026-11-30T10:00:00Z",
    },
    "nfa_review": {
        "nfa_review_decision": "confirm_nfa",
        "nfa_reason_category": "evidential",
        "nfa_review_reason": "No witness or footage places the suspect at the address.",
    },
    "victim_letter": {"letter_sent_at": "2026-12-01T09:00:00Z", "letter_method": "email"},
    "court_outcome": {
        "court_hearing_date": "2026-11-30",
        "court_result": "convicted",
        "restraining_order_made": True,
        "restraining_order_terms": "Not to contact Sian Evans or go to Heol y Bont.",
        "restraining_order_until": "2028-11-30",
        "sentence": "12-week community order",
    },
    "order_breach": {
        "order_watch_decision": "breach_reported",
        "breach_reported_at": "2026-12-01T07:45:00Z",
        "breach_summary": "Waited outside her workplace at 07:30 this morning.",
    },
    "breach_crime_review": {
        "breach_crime_reference": "CR/2026/005001",
        "breach_offence": "breach_of_restraining_order",
        "breach_risk_reassessed": True,
        "breach_actions": "Suspect circulated for arrest; victim updated and risk plan reviewed.",
    },
    "srau_closure_review": {
        "srau_missed_offence": True,
        "srau_missed_offences": [
            {"offence": "Criminal damage", "details": "Victim's car tyres slashed on 12 October."}
        ],
        "srau_notes": "Record reviewed in full; one offence missed.",
    },
    "missed_offence_recording": {
        "missed_offence_crime_reference": "CR/2026/005002",
        "missed_offence_recorded_at": "2026-12-01T10:00:00Z",
    },
    "case_closure": {
        "closure_summary": "Convicted; restraining order in force until 2028.",
        "closure_standards_met": True,
        "retention_review_on": "2032-12-01",
    },
}
FORM_NAMES = tuple(GOOD)
# Forms whose rules the spec asks for; the rest rely on JSON Schema alone.
WITH_RULES = set(FORM_NAMES) - {"bail_extension_approval", "breach_crime_review"}
# Proper nouns and codes that read the same in Welsh and English.
SAME_IN_WELSH = frozenset({"s2", "s2A", "s4", "s4A", "Do", "Naddo"})


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def definition_files() -> dict[str, bytes]:
    files = {f"forms/{p.name}": p.read_bytes() for p in FORMS.glob("*.json")}
    files.update({f"bpmn/{p.name}": p.read_bytes() for p in (ROOT / "bpmn").glob("*.dmn")})
    return files


FILES = definition_files()


def form(name: str) -> Form:
    loaded, problems = load_form(name, FILES)
    assert not problems, problems
    return loaded


def changed(data: dict, **changes) -> dict:
    result = dict(data)
    for key, value in changes.items():
        if value is DROP:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def errors(name: str, data: dict, context: dict | None = None, language: str = "en"):
    return form(name).validate(data, {**CASE, **(context or {})}, language)


# --- files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORM_NAMES)
def test_form_loads_with_welsh_for_every_string_and_orders_every_field(name):
    loaded = form(name)
    schema = loaded.schema
    assert schema["additionalProperties"] is False and schema["required"]
    assert loaded.ui_schema["ui:order"] == list(schema["properties"])
    assert (FORMS / f"{name}.rules.json").exists() == (name in WITH_RULES)
    for part, document, keys in (
        ("schema", schema, ("title", "description")),
        ("uischema", loaded.ui_schema, ("ui:help",)),
    ):
        for pointer in translatable_pointers(document, keys):
            english = document
            for token in pointer.strip("/").split("/"):
                english = english[int(token)] if isinstance(english, list) else english[token]
            welsh = loaded.welsh[part][pointer]
            assert welsh != english or welsh in SAME_IN_WELSH, (pointer, welsh)


@pytest.mark.parametrize("name", sorted(WITH_RULES))
def test_every_rule_speaks_welsh(name):
    for rule in json.loads((FORMS / f"{name}.rules.json").read_text()):
        assert rule["message"]["cy"] != rule["message"]["en"], rule["field"]


# --- good records --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("name", FORM_NAMES)
def test_a_good_record_is_accepted(name, language):
    assert errors(name, GOOD[name], language=language) == []


SR = GOOD["safeguarding_referrals"]


@pytest.mark.parametrize(
    ("name", "data", "context"),
    [
        pytest.param(
            "safeguarding_referrals",
            changed(
                SR,
                safeguarding_referrals_made=["none_victim_declined"],
                safeguarding_consent="declined",
                safe_contact_method="text_message",
            ),
            {},
            id="high-risk-victim-declines-every-referral",
        ),
        pytest.param(
            "safeguarding_referrals",
            changed(
                SR,
                safeguarding_referrals_made=["victim_support", "idva"],
                safe_contact_notes=DROP,
            ),
            {"risk_grade": "medium"},
            id="medium-risk-needs-no-stalking-advocate",
        ),
        pytest.param(
            "safeguarding_referrals",
            changed(
                SR,
                safeguarding_referrals_made=["specialist_stalking_advocacy", "childrens_services"],
                safeguarding_consent="not_needed_safeguarding_duty",
                safe_contact_notes="",
            ),
            {},
            id="referred-without-consent-to-safeguard-a-child",
        ),
        pytest.param(
            "suspect_management",
            {
                "suspect_identified": True,
                "suspect_disposal": "not_yet_arrested",
                "spo_application": "under_consideration",
                "spo_application_reason": "Suspect not yet traced; DI to decide by Friday.",
            },
            {},
            id="suspect-not-yet-arrested",
        ),
        pytest.param(
            "suspect_management",
            changed(
                GOOD["suspect_management"],
                suspect_disposal="released_under_investigation",
                bail_started_on=DROP,
                bail_conditions=DROP,
                victim_views_on_bail_sought=DROP,
            ),
            {},
            id="released-under-investigation-needs-no-bail",
        ),
        pytest.param(
            "bail_review",
            {"bail_decision": "bail_ended", "bail_decision_reason": "Charged: bail now by court."},
            {},
            id="bail-ended",
        ),
        pytest.param(
            "bail_review",
            changed(GOOD["bail_review"], bail_extension_to_months=9),
            {"bail_months": 6},
            id="second-extension",
        ),
        pytest.param(
            "inspector_review",
            changed(
                GOOD["inspector_review"],
                inspector_standards_met=False,
                inspector_actions="DS Morgan to record the missed s4A element by Friday.",
            ),
            {},
            id="standards-not-met-with-actions",
        ),
        pytest.param(
            "charging_decision",
            {
                "charging_decision": "out_of_court_disposal",
                "oocd_type": "community_resolution",
                "charging_decision_reason": "Single breach; victim content; no previous record.",
                "charging_decided_at": "2026-11-30T10:00:00Z",
            },
            {},
            id="out-of-court-disposal",
        ),
        pytest.param(
            "charging_decision",
            GOOD["charging_decision"],
            {"charging_authority": "cps", "charging_decided_by": "cps"},
            id="cps-decides-where-the-table-reserves-it",
        ),
        pytest.param(
            "court_outcome",
            changed(
                GOOD["court_outcome"],
                court_result="acquitted",
                restraining_order_until=DROP,
                sentence=DROP,
            ),
            {},
            id="order-on-acquittal-until-further-order",
        ),
        pytest.param(
            "court_outcome",
            {
                "court_hearing_date": "2026-11-30",
                "court_result": "discontinued",
                "restraining_order_made": False,
            },
            {},
            id="no-order",
        ),
        pytest.param("order_breach", {"order_watch_decision": "order_ended"}, {}, id="order-ended"),
        pytest.param(
            "srau_closure_review",
            {
                "srau_missed_offence": False,
                "srau_notes": "Record reviewed in full; nothing missed.",
            },
            {},
            id="nothing-missed",
        ),
    ],
)
def test_other_good_records_are_accepted(name, data, context):
    assert errors(name, data, context) == []


# --- bad records ---------------------------------------------------------------------------------

SM = GOOD["suspect_management"]
BR = GOOD["bail_review"]
CD = GOOD["charging_decision"]
CO = GOOD["court_outcome"]
BEC = GOOD["bail_extension_court"]
PCB = {"suspect_disposal": "pre_charge_bail"}

# (form, submitted data, case data over CASE, field, English text, Welsh text)
BAD = [
    # safeguarding referrals
    ("safeguarding_referrals", changed(SR, safeguarding_referred_at="2026-12-01T12:30:00Z"), {},
     "safeguarding_referred_at", "in the future", "yn y dyfodol"),
    ("safeguarding_referrals", changed(SR, safeguarding_referred_at="2026-09-01T18:00:00Z"), {},
     "safeguarding_referred_at", "before the report", "cyn yr adroddiad"),
    ("safeguarding_referrals", changed(SR, safeguarding_referred_at="2026-09-02T10:00:00"), {},
     "safeguarding_referred_at", "needs a UTC offset", "gwrthbwyso UTC"),
    ("safeguarding_referrals", changed(SR, safeguarding_referrals_made=[]), {},
     "safeguarding_referrals_made", "choose or add at least 1", "o leiaf 1 eitem"),
    ("safeguarding_referrals",
     changed(SR, safeguarding_referrals_made=["victim_support", "victim_support"]), {},
     "safeguarding_referrals_made", "given only once", "fwy nag unwaith"),
    ("safeguarding_referrals", changed(SR, safeguarding_referrals_made=["isac"]), {},
     "safeguarding_referrals_made.0", "must be one of", "rhaid iddo fod yn un o"),
    ("safeguarding_referrals",
     changed(SR, safeguarding_referrals_made=["none_victim_declined", "victim_support"],
             safeguarding_consent="declined"), {},
     "safeguarding_referrals_made", "cannot be chosen with a referral", "gydag atgyfeiriad"),
    ("safeguarding_referrals",
     changed(SR, safeguarding_referrals_made=["none_victim_declined"]), {"risk_grade": "standard"},
     "safeguarding_consent", "record the consent as declined",
     "cofnodwch fod y caniatâd wedi'i wrthod"),
    ("safeguarding_referrals", changed(SR, safeguarding_referrals_made=["victim_support"]), {},
     "safeguarding_referrals_made", "high-risk victim must be referred to a specialist stalking",
     "Rhaid atgyfeirio dioddefwr risg uchel at eiriolwr stelcio arbenigol"),
    ("safeguarding_referrals",
     changed(SR, safeguarding_referrals_made=["childrens_services"],
             safeguarding_consent="not_needed_safeguarding_duty"), {},
     "safeguarding_referrals_made", "specialist stalking advocate", "eiriolwr stelcio arbenigol"),
    ("safeguarding_referrals", changed(SR, safeguarding_consent="maybe"), {},
     "safeguarding_consent", "must be one of", "rhaid iddo fod yn un o"),
    ("safeguarding_referrals", changed(SR, safe_contact_method=DROP), {},
     "safe_contact_method", "this field is required", "mae angen llenwi'r maes hwn"),
    ("safeguarding_referrals", changed(SR, safe_contact_notes="x" * 2001), {},
     "safe_contact_notes", "no more than 2000 characters", "ni chaiff fod yn hwy na 2000 nod"),
    ("safeguarding_referrals", changed(SR, safeguarding_notes="Referred"), {},
     "safeguarding_notes", "write at least 10 characters", "o leiaf 10 nod"),
    ("safeguarding_referrals", changed(SR, safeguarding_notes=" " * 12), {},
     "safeguarding_notes", "with at least three letters", "gydag o leiaf dair llythyren"),
    # suspect management
    ("suspect_management", changed(SM, suspect_arrested_at="2026-12-02T09:00:00Z"), {},
     "suspect_arrested_at", "arrest time is in the future", "amser yr arestio yn y dyfodol"),
    ("suspect_management", changed(SM, suspect_arrested_at="2026-09-01T18:00:00Z"), {},
     "suspect_arrested_at", "before the report", "cyn i'r adroddiad"),
    ("suspect_management", changed(SM, suspect_interviewed_at="2026-11-03T08:00:00Z"), {},
     "suspect_interviewed_at", "before the arrest", "cyn yr arestio"),
    ("suspect_management", changed(SM, suspect_interviewed_at="2026-12-01T13:00:00Z"), {},
     "suspect_interviewed_at", "interview time is in the future", "yn y dyfodol"),
    ("suspect_management", changed(SM, victim_views_on_bail_sought=False), {},
     "victim_views_on_bail_sought", "views must be sought before bail conditions",
     "Rhaid gofyn barn y dioddefwr"),
    ("suspect_management", changed(SM, victim_views_on_bail_sought=DROP), {},
     "victim_views_on_bail_sought", "views must be sought", "Rhaid gofyn barn"),
    ("suspect_management", changed(SM, bail_started_on=DROP), {},
     "bail_started_on", "needs the day it started", "Mae angen y diwrnod"),
    ("suspect_management", changed(SM, bail_started_on="2026-12-02"), {},
     "bail_started_on", "in the future", "yn y dyfodol"),
    ("suspect_management", changed(SM, bail_conditions=DROP), {},
     "bail_conditions", "at least one condition", "o leiaf un amod"),
    ("suspect_management", changed(SM, bail_conditions=[]), {},
     "bail_conditions", "choose or add at least 1", "o leiaf 1 eitem"),
    ("suspect_management", changed(SM, bail_conditions=["no"]), {},
     "bail_conditions.0", "at least 3 characters", "o leiaf 3 nod"),
    ("suspect_management", changed(SM, bail_conditions=["Not to contact her"] * 21), {},
     "bail_conditions", "no more than 20", "mwy na 20 eitem"),
    ("suspect_management", changed(SM, suspect_disposal="police_information_notice"), {},
     "suspect_disposal", "must be one of", "rhaid iddo fod yn un o"),
    ("suspect_management", changed(SM, spo_application_reason="n/a"), {},
     "spo_application_reason", "write at least 10 characters", "o leiaf 10 nod"),
    ("suspect_management", changed(SM, spo_application_reason="- - - - - - -"), {},
     "spo_application_reason", "punctuation alone are not a reason", "atalnodau'n unig"),
    ("suspect_management", changed(SM, suspect_identified=DROP), {},
     "suspect_identified", "this field is required", "mae angen llenwi'r maes hwn"),
    # bail review
    ("bail_review", changed(BR, bail_extension_to_months=DROP), {},
     "bail_extension_to_months", "needs the total length", "Mae angen cyfanswm"),
    ("bail_review", changed(BR, bail_extension_to_months=6), {"bail_months": 6},
     "bail_extension_to_months", "longer than the current bail period", "hwy na'r cyfnod"),
    ("bail_review", changed(BR, bail_extension_to_months=37), {},
     "bail_extension_to_months", "must be 36 or less", "36 neu'n llai"),
    ("bail_review", changed(BR, victim_views_on_extension_sought=False), {},
     "victim_views_on_extension_sought", "before bail is extended", "cyn ymestyn"),
    ("bail_review", changed(BR, bail_decision="release"), {},
     "bail_decision", "must be one of", "rhaid iddo fod yn un o"),
    # bail extension approval and court
    ("bail_extension_approval", {"bail_extension_approved": True}, {},
     "bail_extension_decision_reason", "this field is required", "mae angen llenwi"),
    ("bail_extension_court", changed(BEC, court_decision_date="2026-12-02"),
     {}, "court_decision_date", "decision date is in the future", "yn y dyfodol"),
    ("bail_extension_court", changed(BEC, court_decision_date="30/11/2026"),
     {}, "court_decision_date", "YYYY-MM-DD", "BBBB-MM-DD"),
    # inspector review
    ("inspector_review", changed(GOOD["inspector_review"], inspector_standards_met=False), {},
     "inspector_actions", "standards are not met", "Ni fodlonwyd y safonau"),
    # CPS file
    ("cps_file_submission",
     changed(GOOD["cps_file_submission"], cps_file_submitted_at="2026-12-01T12:30:00Z"), {},
     "cps_file_submitted_at", "in the future", "yn y dyfodol"),
    ("cps_file_submission",
     changed(GOOD["cps_file_submission"], cps_file_submitted_at="2026-11-28T16:00:00"), {},
     "cps_file_submitted_at", "needs a UTC offset", "gwrthbwyso UTC"),
    ("cps_file_submission",
     changed(GOOD["cps_file_submission"], restraining_order_information_included=False), {},
     "restraining_order_information_included", "goes with every file", "mynd gyda phob ffeil"),
    # charging decision
    ("charging_decision", changed(CD, charging_decision="police_information_notice"), {},
     "charging_decision", "must be one of", "rhaid iddo fod yn un o"),
    ("charging_decision", CD, {"charging_authority": "cps", "charging_decided_by": "police"},
     "charging_decision", "charging authority rule reserves", "rheol yr awdurdod cyhuddo"),
    ("charging_decision", changed(CD, charged_offence=DROP), {},
     "charged_offence", "needs the offence charged", "Mae angen y drosedd"),
    ("charging_decision", changed(CD, charged_offence="s5"), {},
     "charged_offence", "must be one of", "rhaid iddo fod yn un o"),
    ("charging_decision", changed(CD, charging_decision="out_of_court_disposal"), {},
     "oocd_type", "needs its kind", "Mae angen math"),
    ("charging_decision", changed(CD, charging_decided_at="2026-12-03T10:00:00Z"), {},
     "charging_decided_at", "in the future", "yn y dyfodol"),
    # NFA review
    ("nfa_review", changed(GOOD["nfa_review"], nfa_review_decision="police_information_notice"),
     {}, "nfa_review_decision", "must be one of", "rhaid iddo fod yn un o"),
    ("nfa_review", changed(GOOD["nfa_review"], nfa_reason_category=DROP), {},
     "nfa_reason_category", "this field is required", "mae angen llenwi"),
    # victim letter
    ("victim_letter", changed(GOOD["victim_letter"], letter_sent_at="2026-12-01T13:00:00Z"), {},
     "letter_sent_at", "in the future", "yn y dyfodol"),
    ("victim_letter", changed(GOOD["victim_letter"], letter_method="pigeon"), {},
     "letter_method", "must be one of", "rhaid iddo fod yn un o"),
    # court outcome
    ("court_outcome", changed(CO, court_hearing_date="2026-12-02"), {},
     "court_hearing_date", "hearing date is in the future", "yn y dyfodol"),
    ("court_outcome", changed(CO, restraining_order_terms=DROP), {},
     "restraining_order_terms", "record its terms", "cofnodwch ei delerau"),
    ("court_outcome", changed(CO, restraining_order_until="2026-11-30"), {},
     "restraining_order_until", "after the hearing date", "ar ôl dyddiad y gwrandawiad"),
    ("court_outcome", changed(CO, court_result="guilty"), {},
     "court_result", "must be one of", "rhaid iddo fod yn un o"),
    # order breach
    ("order_breach", changed(GOOD["order_breach"], breach_reported_at=DROP), {},
     "breach_reported_at", "needs the time it was reported", "Mae angen yr amser"),
    ("order_breach", changed(GOOD["order_breach"], breach_reported_at="2026-12-01T12:01:00Z"), {},
     "breach_reported_at", "in the future", "yn y dyfodol"),
    ("order_breach", changed(GOOD["order_breach"], breach_summary=DROP), {},
     "breach_summary", "needs a summary", "Mae angen crynodeb"),
    # breach crime review
    ("breach_crime_review",
     changed(GOOD["breach_crime_review"], breach_crime_reference="cr 2026 5001"), {},
     "breach_crime_reference", "write it like 62/12345/26", "ysgrifennwch ef fel 62/12345/26"),
    ("breach_crime_review", changed(GOOD["breach_crime_review"], breach_offence="harassment"), {},
     "breach_offence", "must be one of", "rhaid iddo fod yn un o"),
    # SRAU closure review
    ("srau_closure_review", changed(GOOD["srau_closure_review"], srau_missed_offences=DROP), {},
     "srau_missed_offences", "list each missed offence", "rhestrwch bob trosedd"),
    ("srau_closure_review",
     changed(GOOD["srau_closure_review"], srau_missed_offences=[{"offence": "Criminal damage"}]),
     {}, "srau_missed_offences.0.details", "this field is required", "mae angen llenwi"),
    # missed offence recording
    ("missed_offence_recording",
     changed(GOOD["missed_offence_recording"], missed_offence_recorded_at="2026-12-01T12:00:01Z"),
     {}, "missed_offence_recorded_at", "in the future", "yn y dyfodol"),
    ("missed_offence_recording",
     changed(GOOD["missed_offence_recording"], missed_offence_crime_reference="X"), {},
     "missed_offence_crime_reference", "write it like 62/12345/26",
     "ysgrifennwch ef fel 62/12345/26"),
    # case closure
    ("case_closure", changed(GOOD["case_closure"], retention_review_on="2026-12-01"), {},
     "retention_review_on", "must be after today", "ar ôl heddiw"),
    ("case_closure", changed(GOOD["case_closure"], closure_standards_met=DROP), {},
     "closure_standards_met", "this field is required", "mae angen llenwi"),
    ("case_closure", changed(GOOD["case_closure"], closure_summary="closed", extra=1), {},
     "extra", "not part of the form", "nid yw'r maes hwn yn rhan o'r ffurflen"),
]  # fmt: skip


def _bad_id(case) -> str:
    return f"{case[0]}-{case[3]}-{case[4][:24]}".replace(" ", "_")


@pytest.mark.parametrize(("name", "data", "context", "field", "english", "welsh"), BAD, ids=[
    _bad_id(case) for case in BAD
])  # fmt: skip
def test_a_bad_record_is_refused_on_its_field_in_both_languages(
    name, data, context, field, english, welsh
):
    for language, expected in (("en", english), ("cy", welsh)):
        found = errors(name, data, context, language)
        on_field = [error.message for error in found if error.field == field]
        assert on_field, (language, found)
        assert any(expected in message for message in on_field), (language, on_field)


def test_only_a_charging_rule_refuses_what_the_authority_table_reserves():
    # The table reserves the decision to the CPS: the CPS task decides, the police one may not.
    reserved = {"charging_authority": "cps"}
    assert errors("charging_decision", CD, {**reserved, "charging_decided_by": "cps"}) == []
    refused = errors("charging_decision", CD, {**reserved, "charging_decided_by": "police"})
    assert [error.field for error in refused] == ["charging_decision"]
    # Where the police may charge, either task may record the decision.
    allowed = {"charging_authority": "police"}
    for decided_by in ("cps", "police"):
        assert errors("charging_decision", CD, {**allowed, "charging_decided_by": decided_by}) == []


def test_an_extension_is_measured_against_the_bail_already_granted():
    for current, asked, refused in ((3, 4, False), (6, 6, True), (6, 9, False), (9, 8, True)):
        data = changed(BR, bail_extension_to_months=asked)
        found = [e.field for e in errors("bail_review", data, {"bail_months": current})]
        assert found == (["bail_extension_to_months"] if refused else []), (current, asked)


@pytest.mark.parametrize("risk", ["standard", "medium", "high"])
@pytest.mark.parametrize("consent", ["given", "declined", "not_needed_safeguarding_duty"])
def test_a_high_risk_victim_goes_to_a_stalking_advocate_unless_they_decline(risk, consent):
    without = changed(
        SR, safeguarding_referrals_made=["victim_support"], safeguarding_consent=consent
    )
    found = [e.field for e in errors("safeguarding_referrals", without, {"risk_grade": risk})]
    refused = risk == "high" and consent != "declined"
    assert found == (["safeguarding_referrals_made"] if refused else []), (risk, consent)
    with_advocate = changed(
        without, safeguarding_referrals_made=["specialist_stalking_advocacy", "victim_support"]
    )
    assert errors("safeguarding_referrals", with_advocate, {"risk_grade": risk}) == []


def safeguarding_instructions() -> dict[str, str]:
    """The task's instructions: English from the diagram, Welsh from the form."""
    from lxml import etree

    tree = etree.parse(str(ROOT / "bpmn" / "stalking_harassment.bpmn"))
    english = tree.findtext(
        ".//{*}userTask[@id='safeguarding_referrals']/{*}extensionElements/"
        "{*}instructionsForEndUser"
    )
    assert english, "the diagram has no safeguarding_referrals task with instructions"
    return {"en": english, "cy": form("safeguarding_referrals").welsh["instructions"]}


def test_safeguarding_instructions_say_the_same_in_welsh():
    templates = safeguarding_instructions()
    environment = jinja2.Environment()
    environment.filters["london"] = str  # only parsed here, to list the fields each reads
    read = {
        language: jinja2.meta.find_undeclared_variables(environment.parse(text))
        for language, text in templates.items()
    }
    assert read["en"] == read["cy"]
    high_welsh = {**CASE, "risk_grade": "high", "victim_language": "cy"}
    standard_english = {**CASE, "risk_grade": "standard", "victim_language": "en"}
    shown = {
        (language, grade): render_instructions(templates[language], data, language)
        for language in ("en", "cy")
        for grade, data in (("high", high_welsh), ("standard", standard_english))
    }
    for (language, _), text in shown.items():
        assert "DP-20260901-0456" in text
        assert REPORTED[language] in text  # London time (BST)
    assert "specialist stalking advocate" in shown["en", "high"]
    assert "support them in Welsh" in shown["en", "high"]
    assert "Gradd risg: uchel." in shown["cy", "high"]
    assert "eiriolwr stelcio arbenigol" in shown["cy", "high"]
    assert "eu cefnogi yn Gymraeg" in shown["cy", "high"]
    assert "Gradd risg: safonol." in shown["cy", "standard"]
    assert "specialist stalking advocate" not in shown["en", "standard"]
    assert "in Welsh" not in shown["en", "standard"]
    assert "eiriolwr" not in shown["cy", "standard"] and "Gymraeg" not in shown["cy", "standard"]


def test_dates_not_in_the_future_accept_today_and_refuse_tomorrow():
    court = GOOD["bail_extension_court"]
    assert errors("bail_extension_court", changed(court, court_decision_date="2026-12-01")) == []
    closure = GOOD["case_closure"]
    assert errors("case_closure", changed(closure, retention_review_on="2026-12-02")) == []


# --- letters -------------------------------------------------------------------------------------

LETTER_NAMES = (
    "arrest_and_bail",
    "bail_changed",
    "charge",
    "crime_recorded",
    "nfa_right_to_review",
    "restraining_order",
)
# Fields the diagram's scripts and decision tables write for the letters (not in a form).
SCRIPT_FIELDS = {
    "bail_expires_on",
    "bail_extension_authority",
    "bail_months",
    "bail_status",
    "crime_recorded_at",
    "nfa_decided_on",
    "officer_in_case_name",
    "victim_enhanced_rights",
}

LETTER_CASE = {
    **CASE,
    **GOOD["suspect_management"],
    "bail_expires_on": "2027-02-03",
    "officer_in_case_name": "DC Rhian Morgan",
}


def letter(name: str, language: str) -> str:
    return (LETTERS / f"{name}.{language}.md").read_text(encoding="utf-8")


def render(name: str, language: str, data: dict) -> str:
    return render_instructions(letter(name, language), data, language)


def both(name: str, data: dict) -> dict[str, str]:
    return {language: render(name, language, data) for language in ("en", "cy")}


def variables(name: str, language: str) -> set[str]:
    """The case fields a letter reads (not the names it sets for itself)."""
    parsed = jinja2.Environment().parse(letter(name, language))
    own = {node.target.name for node in parsed.find_all(jinja2.nodes.Assign)}
    return jinja2.meta.find_undeclared_variables(parsed) - own


def known_fields() -> set[str]:
    fields = set(SCRIPT_FIELDS)
    for path in FORMS.glob("*.schema.json"):
        fields |= set(json.loads(path.read_text())["properties"])
    return fields


@pytest.mark.parametrize("name", LETTER_NAMES)
def test_letters_use_only_case_fields_and_the_welsh_says_what_the_english_says(name):
    english, welsh = variables(name, "en"), variables(name, "cy")
    assert english == welsh
    assert english - known_fields() - set(DIAGRAM_FUNCTIONS) == set()
    assert letter(name, "en") != letter(name, "cy")


@pytest.mark.parametrize("name", LETTER_NAMES)
def test_letters_render_from_the_references_alone(name):
    # A letter shown before every optional field is known still renders.
    for text in both(name, {"storm_reference": "DP-1", "crime_reference": "CR/1"}).values():
        assert "DP-1" in text and "CR/1" in text and "101" in text


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("name", LETTER_NAMES)
def test_letters_carry_the_references_greeting_and_signature(name, language):
    text = render(name, language, LETTER_CASE)
    assert "DP-20260901-0456" in text and "CR/2026/004512" in text
    assert "Sian Evans" in text and "DC Rhian Morgan" in text
    assert ("Officer in the case" if language == "en" else "Swyddog yr achos") in text
    third_party = {
        **LETTER_CASE,
        "caller": {"name": "A Neighbour", "relationship_to_victim": "third_party"},
    }
    assert "A Neighbour" not in render(name, language, third_party)


def test_arrest_and_bail_letter_gives_the_bail_conditions_and_end_date():
    letters = both("arrest_and_bail", LETTER_CASE)
    assert "arrested on 3 November 2026, 09:15." in letters["en"]  # London time (GMT)
    assert "interviewed on 3 November 2026, 14:40." in letters["en"]
    assert "until **3 February 2027**" in letters["en"]  # bail expires
    assert "ar 3 Tachwedd 2026, 09:15." in letters["cy"]
    assert "Fe'i cyfwelwyd ar 3 Tachwedd 2026, 14:40." in letters["cy"]
    assert "tan **3 Chwefror 2027**" in letters["cy"]
    for text in letters.values():
        assert "- Not to contact Sian Evans directly or indirectly" in text
        assert "- Not to enter Heol y Bont, Carmarthen" in text
    assert "pre-charge bail" in letters["en"]
    assert "fechnïaeth cyn cyhuddo" in letters["cy"]


def test_arrest_and_bail_letter_counts_three_months_before_the_expiry_is_set():
    # The letter is shown with the suspect management task, before the diagram sets the expiry.
    letters = both("arrest_and_bail", changed(LETTER_CASE, bail_expires_on=DROP))
    assert "**3 February 2027**" in letters["en"] and "**3 Chwefror 2027**" in letters["cy"]


def test_arrest_and_bail_letter_explains_release_under_investigation():
    data = changed(
        LETTER_CASE,
        suspect_disposal="released_under_investigation",
        bail_conditions=DROP,
        bail_expires_on=DROP,
        bail_started_on=DROP,
    )
    letters = both("arrest_and_bail", data)
    assert "released under investigation" in letters["en"]
    assert "no bail conditions" in letters["en"]
    assert "wedi'i ryddhau dan ymchwiliad" in letters["cy"]
    assert "nid oes amodau mechnïaeth" in letters["cy"]
    for text in letters.values():
        assert "Not to contact" not in text and "2027" not in text


# The case after a round of bail review approved by an Inspector, as `bail_management`'s
# scripts leave it: 6 months in all from 30 November 2026.
BAIL_EXTENDED = {
    **LETTER_CASE,
    **GOOD["bail_review"],
    **GOOD["bail_extension_approval"],
    "bail_started_on": "2026-11-30",
    "bail_months": 6,
    "bail_expires_on": DIAGRAM_FUNCTIONS["add_months"]("2026-11-30", 6),
    "bail_extension_authority": "inspector",
    "bail_status": "on_bail",
}
CONDITIONS = (
    "- Not to contact Sian Evans directly or indirectly",
    "- Not to enter Heol y Bont, Carmarthen",
)
NO_LONGER_APPLY = {
    "en": "the bail conditions **no longer apply**",
    "cy": "**nid yw'r amodau mechnïaeth yn berthnasol mwyach**",
}


def test_bail_changed_letter_gives_the_new_end_date_and_the_conditions_still_in_force():
    letters = both("bail_changed", BAIL_EXTENDED)
    assert "from 30 November 2026, until **30 May 2027**." in letters["en"]
    assert "o 30 Tachwedd 2026, tan **30 Mai 2027**." in letters["cy"]
    for language, text in letters.items():
        assert all(condition in text for condition in CONDITIONS)
        assert "999" in text and "101" in text
        assert NO_LONGER_APPLY[language] not in text
    assert "has been **extended**" in letters["en"] and "6 months in all" in letters["en"]
    assert "we asked for your views" in letters["en"]
    assert "wedi'i **hymestyn**" in letters["cy"] and "6 mis i gyd" in letters["cy"]
    assert "gofynnwyd am eich barn" in letters["cy"]


def test_bail_changed_letter_counts_the_end_date_when_the_expiry_is_not_yet_set():
    letters = both("bail_changed", changed(BAIL_EXTENDED, bail_expires_on=DROP))
    assert "**30 May 2027**" in letters["en"] and "**30 Mai 2027**" in letters["cy"]


@pytest.mark.parametrize(
    ("authority", "english", "welsh"),
    [
        ("inspector", "authorised by an Inspector.", "gan Arolygydd."),
        ("superintendent", "authorised by a Superintendent.", "gan Uwch-arolygydd."),
        (
            "magistrates_court",
            "authorised by a magistrates' court (Swansea Magistrates' Court).",
            "gan lys ynadon (Swansea Magistrates' Court).",
        ),
    ],
)
def test_bail_changed_letter_names_who_authorised_the_extension(authority, english, welsh):
    # The court's name stays in the case from an earlier round: only a court's extension shows it.
    data = {
        **BAIL_EXTENDED,
        **GOOD["bail_extension_court"],
        "bail_extension_authority": authority,
    }
    letters = both("bail_changed", data)
    assert english in letters["en"] and welsh in letters["cy"]
    for text in letters.values():
        assert ("Swansea" in text) == (authority == "magistrates_court")


@pytest.mark.parametrize(
    ("decision", "approved", "english", "welsh"),
    [
        # The officer chose it; an earlier round's approval is still in the case.
        ("release_under_investigation", True, None, None),
        (
            "extend",
            False,
            "the extension was refused by a Superintendent",
            "gwrthodwyd yr estyniad gan Uwch-arolygydd",
        ),
    ],
)
def test_bail_changed_letter_explains_release_under_investigation(
    decision, approved, english, welsh
):
    data = {
        **BAIL_EXTENDED,
        "bail_decision": decision,
        "bail_extension_approved": approved,
        "bail_extension_authority": "superintendent",
        "bail_status": "released_under_investigation",
    }
    letters = both("bail_changed", data)
    for language, text in letters.items():
        assert NO_LONGER_APPLY[language] in text
        assert "999" in text and "101" in text
        assert not any(condition in text for condition in CONDITIONS)
        assert "2027" not in text
    assert "**released under investigation**" in letters["en"]
    assert "The investigation continues" in letters["en"]
    assert "If the suspect contacts you" in letters["en"]
    assert "wedi'i **ryddhau dan ymchwiliad**" in letters["cy"]
    assert "Mae'r ymchwiliad yn parhau" in letters["cy"]
    assert "Os bydd y sawl a ddrwgdybir yn cysylltu â chi" in letters["cy"]
    if english is None:
        assert "refused" not in letters["en"] and "gwrthodwyd" not in letters["cy"]
    else:
        assert english in letters["en"] and welsh in letters["cy"]


def test_bail_changed_letter_says_bail_has_ended_and_the_conditions_with_it():
    data = {**BAIL_EXTENDED, "bail_decision": "bail_ended", "bail_status": "ended"}
    letters = both("bail_changed", data)
    for language, text in letters.items():
        assert NO_LONGER_APPLY[language] in text
        assert not any(condition in text for condition in CONDITIONS)
        assert "2027" not in text
        assert "999" in text and "101" in text
    assert "has **ended**" in letters["en"] and "what happens next" in letters["en"]
    assert "released under investigation" not in letters["en"]
    assert "wedi **dod i ben**" in letters["cy"]
    assert "beth sy'n digwydd nesaf" in letters["cy"]
    assert "ryddhau dan ymchwiliad" not in letters["cy"]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"bail_extension_authority": "magistrates_court", **GOOD["bail_extension_court"]},
        {
            "bail_decision": "release_under_investigation",
            "bail_status": "released_under_investigation",
        },
        {"bail_extension_approved": False, "bail_status": "released_under_investigation"},
        {"bail_decision": "bail_ended", "bail_status": "ended"},
    ],
)
def test_bail_changed_letter_in_welsh_leaves_out_nothing_the_english_gives(changes):
    letters = both("bail_changed", {**BAIL_EXTENDED, **changes})
    english, welsh = letters["en"], letters["cy"]
    # Every date, number and phone number, every condition and paragraph, in both.
    assert re.findall(r"\d[\d /:]*\d|\d", english) == re.findall(r"\d[\d /:]*\d|\d", welsh)
    items = {
        language: [line for line in text.splitlines() if line.startswith("- ")]
        for language, text in letters.items()
    }
    assert items["en"][:-3] == items["cy"][:-3]  # the bail conditions; then the helplines
    assert len(english.split("\n\n")) == len(welsh.split("\n\n"))


@pytest.mark.parametrize(
    ("offence", "english", "welsh"),
    [
        ("s2", "harassment, under section 2 of", "aflonyddu, o dan adran 2 o"),
        ("s2A", "stalking, under section 2A of", "stelcio, o dan adran 2A o"),
        ("s4", "putting people in fear of violence", "peri i bobl ofni trais"),
        ("s4A", "serious alarm or distress", "fraw neu ofid difrifol"),
    ],
)
def test_charge_letter_names_the_offence_in_plain_words(offence, english, welsh):
    data = {
        **LETTER_CASE,
        "charged_offence": offence,
        "charging_decided_at": "2026-11-30T10:00:00Z",
    }
    letters = both("charge", data)
    assert english in letters["en"] and welsh in letters["cy"]
    assert "Protection from Harassment Act 1997" in letters["en"]
    assert "Ddeddf Diogelu rhag Aflonyddu 1997" in letters["cy"]
    assert "30 November 2026, 10:00" in letters["en"]
    assert "30 Tachwedd 2026, 10:00" in letters["cy"]


def test_charge_letter_explains_court_victim_personal_statement_and_witness_care():
    letters = both("charge", {**LETTER_CASE, "charged_offence": "s4A"})
    for phrase in (
        "magistrates' court",
        "Crown Court",
        "Victim Personal Statement",
        "Witness Care",
    ):
        assert phrase in letters["en"], phrase
    for phrase in (
        "llys ynadon",
        "Llys y Goron",
        "Datganiad Personol y Dioddefwr",
        "Gofal Tystion",
    ):
        assert phrase in letters["cy"], phrase
    summary_only = both("charge", {**LETTER_CASE, "charged_offence": "s2A"})
    assert "Crown Court" not in summary_only["en"] and "Llys y Goron" not in summary_only["cy"]


def test_nfa_letter_gives_the_last_day_to_ask_for_a_review():
    data = {
        **LETTER_CASE,
        **GOOD["nfa_review"],
        "nfa_decided_on": "2026-11-30",  # three months on: no 30 February, so 28 February
    }
    letters = both("nfa_right_to_review", data)
    assert "on 30 November 2026 we decided" in letters["en"]
    assert "no later than **28 February 2027**" in letters["en"]
    assert "ar 30 Tachwedd 2026, wedi penderfynu" in letters["cy"]
    assert "ddim hwyrach na **28 Chwefror 2027**" in letters["cy"]
    for text in letters.values():
        assert "No witness or footage places the suspect at the address." in text
        assert "101" in text and "0808 802 0300" in text
    assert "within 3 months" in letters["en"]
    assert "10 working days" in letters["en"] and "30 working days" in letters["en"]
    assert "Victims' Right to Review" in letters["en"]
    assert "The main reason is that there is not enough evidence" in letters["en"]
    assert "o fewn 3 mis" in letters["cy"]
    assert "10 diwrnod gwaith" in letters["cy"] and "30 diwrnod gwaith" in letters["cy"]
    assert "Hawl Dioddefwyr i Adolygiad" in letters["cy"]
    assert "Y prif reswm yw nad oes digon o dystiolaeth" in letters["cy"]


def test_restraining_order_letter_gives_the_terms_end_date_and_what_to_do_on_a_breach():
    data = {**LETTER_CASE, **GOOD["court_outcome"]}
    letters = both("restraining_order", data)
    for text in letters.values():
        assert "Not to contact Sian Evans or go to Heol y Bont." in text
        assert "999" in text and "101" in text
    assert "on 30 November 2026 the court" in letters["en"]
    assert "until **30 November 2028**" in letters["en"]
    assert (
        "ar 30 Tachwedd 2026, wedi" in letters["cy"] and "tan **30 Tachwedd 2028**" in letters["cy"]
    )
    assert "criminal offence" in letters["en"]
    assert "yn drosedd" in letters["cy"]


def test_restraining_order_letter_says_until_further_order_without_an_end_date():
    data = changed({**LETTER_CASE, **GOOD["court_outcome"]}, restraining_order_until=DROP)
    data["court_result"] = "acquitted"
    letters = both("restraining_order", data)
    assert "until further order" in letters["en"] and "acquitted" in letters["en"]
    assert "hyd nes y gwneir gorchymyn pellach" in letters["cy"]
    assert "yn ddieuog" in letters["cy"]


@pytest.mark.parametrize(
    ("offence", "english", "welsh"),
    [
        ("s2", "as **harassment, under section 2 of", "fel **aflonyddu, o dan adran 2 o"),
        ("s2A", "as **stalking, under section 2A of", "fel **stelcio, o dan adran 2A o"),
        ("s4", "putting people in fear of violence", "peri i bobl ofni trais"),
        ("s4A", "serious alarm or distress, under section 4A", "fraw neu ofid difrifol"),
    ],
)
def test_crime_recorded_letter_names_the_offence_and_when_it_was_recorded(offence, english, welsh):
    data = {
        **LETTER_CASE,
        "recorded_offence": offence,
        "crime_recorded_at": "2026-09-02T09:00:00Z",
        "victim_enhanced_rights": True,
    }
    letters = both("crime_recorded", data)
    assert english in letters["en"] and welsh in letters["cy"]
    for language, text in letters.items():
        assert REPORTED[language] in text  # London time (BST)
        assert RECORDED[language] in text
        assert "**CR/2026/004512**" in text


def test_crime_recorded_letter_sets_out_the_victims_code_rights_and_who_to_contact():
    letters = both("crime_recorded", {**LETTER_CASE, "victim_enhanced_rights": True})
    for phrase in (
        "Victims' Code",
        "kept informed",
        "arrested or charged",
        "decided not to prosecute",
        "Victim Personal Statement",
        "Welsh or English",
    ):
        assert phrase in letters["en"], phrase
    for phrase in (
        "Cod y Dioddefwyr",
        "gael gwybod am hynt yr ymchwiliad",
        "ei arestio neu ei gyhuddo",
        "peidio â'i erlyn",
        "Datganiad Personol y Dioddefwr",
        "Gymraeg neu yn Saesneg",
    ):
        assert phrase in letters["cy"], phrase
    for text in letters.values():
        assert "101" in text and "999" in text and "0808 802 0300" in text


@pytest.mark.parametrize(
    ("enhanced", "english", "welsh"),
    [
        (True, "within 1 working day", "o fewn 1 diwrnod gwaith"),
        (False, "within 5 working days", "o fewn 5 diwrnod gwaith"),
        (DROP, None, None),
    ],
)
def test_crime_recorded_letter_gives_the_time_to_be_told_the_victim_is_entitled_to(
    enhanced, english, welsh
):
    letters = both("crime_recorded", changed(LETTER_CASE, victim_enhanced_rights=enhanced))
    assert ("enhanced rights" in letters["en"]) == (enhanced is True)
    assert ("hawliau uwch" in letters["cy"]) == (enhanced is True)
    if english is None:  # not yet decided: the letter promises no time it cannot keep
        assert "working day" not in letters["en"] and "diwrnod gwaith" not in letters["cy"]
    else:
        assert english in letters["en"] and welsh in letters["cy"]


@pytest.mark.parametrize(
    ("name", "form_name", "field"),
    [
        ("charge", "charging_decision", "charged_offence"),
        ("crime_recorded", "crime_recording", "recorded_offence"),
        ("nfa_right_to_review", "nfa_review", "nfa_reason_category"),
    ],
)
def test_letters_word_every_choice_the_form_offers(name, form_name, field):
    # A choice added to the form without words in the letter would leave a gap in it.
    blank = both(name, {**LETTER_CASE, field: "not-a-choice"})
    for choice in form(form_name).schema["properties"][field]["oneOf"]:
        worded = both(name, {**LETTER_CASE, field: choice["const"]})
        for language in ("en", "cy"):
            assert worded[language] != blank[language], (choice["const"], language)
