"""The reports' words: each report's, group's, figure's and rate's name, in the page's language.

The figures are named by their marks in ``service.reports``; what a reader calls them is the
pages' to say, here, so that the Welsh is made and checked as for every other page word."""

from flask_babel import lazy_gettext as _l

from ...reports import Mark, mark_key

REPORT_TITLES = {
    "bcu_monthly": _l("BCU performance report"),
    "marac_survey": _l("MARAC victim survey"),
    "quarterly": _l("Report to the MARAC Steering Group and the VAWDASV board"),
    "victims_code": _l("Victims' Code compliance"),
    "live_review": _l("Live-time review timeliness"),
    "sla_breaches": _l("Service level breaches"),
    "outcomes": _l("Charge and no further action rates"),
}

REPORT_SUMMARIES = {
    "bcu_monthly": _l(
        "The figures for the monthly BCU performance meeting: the cases received, the offences "
        "recorded, the risk they were graded at and the standards the policy sets."
    ),
    "marac_survey": _l(
        "The MARAC Unit's monthly figures beside its survey of victims: the referrals the "
        "policy required and those sent, and the cases graded high risk."
    ),
    "quarterly": _l(
        "Each quarter the MARAC Steering Group and the regional VAWDASV board hear how the "
        "policy is working: the monthly figures for three months, with the victims told in time "
        "and the outcomes."
    ),
    "victims_code": _l(
        "Whether each victim was told that the crime was recorded by the deadline the Victims' "
        "Code sets."
    ),
    "live_review": _l(
        "Whether the Vulnerability Desk reviewed each call within 30 minutes, before the "
        "review was escalated to the Sergeant."
    ),
    "sla_breaches": _l(
        "The cases where a deadline the policy sets was missed: the live-time review, crime "
        "recording within 24 hours and telling the victim."
    ),
    "outcomes": _l(
        "How the cases were decided: charged, an out-of-court disposal or no further action, "
        "and the charge and no further action rates of the cases decided."
    ),
}

GROUP_TITLES = {
    "cases": _l("Cases"),
    "survey": _l("What victims told the survey"),
    "recorded_offence": _l("Offence recorded"),
    "s2_reason": _l("Harassment (s2) recorded: why it is not stalking"),
    "risk_grade": _l("Risk grade"),
    "standards": _l("Standards"),
    "marac": _l("MARAC referrals"),
    "victim_told_crime_recorded": _l("Victim told the crime was recorded"),
    "crime_recorded": _l("Crime recorded within 24 hours"),
    "live_review": _l("Live-time review within 30 minutes"),
    "sla_breach": _l("Deadlines missed"),
    "outcome": _l("Outcome"),
}

FIGURE_LABELS = {
    "survey.survey_responses": _l("Victims who answered"),
    "survey.survey_satisfied": _l("Satisfied or very satisfied"),
    "cases_received": _l("Cases received"),
    "cases_closed": _l("Cases closed"),
    "recorded_offence.s2": _l("Harassment (s2)"),
    "recorded_offence.s2A": _l("Stalking (s2A)"),
    "recorded_offence.s4": _l("Harassment with fear of violence (s4)"),
    "recorded_offence.s4A": _l("Stalking with fear of violence or serious alarm (s4A)"),
    "recorded_offence.not_recorded": _l("Not recorded yet"),
    "s2_with_not_stalking_reason": _l("With a reason"),
    "s2_without_not_stalking_reason": _l("Without a reason"),
    "risk_grade.high": _l("High"),
    "risk_grade.medium": _l("Medium"),
    "risk_grade.standard": _l("Standard"),
    "risk_grade.not_graded": _l("Not graded yet"),
    "risk_screenings": _l("Risk screened with S-DASH or DASH"),
    "spo_considered": _l("Stalking Protection Order considered"),
    "srau_missed_offences": _l("Offences the SRAU found missed"),
    "marac_referrals_required": _l("Referrals required"),
    "marac_referrals_sent": _l("Referrals sent"),
    "victim_told_crime_recorded.on_time": _l("Told on time"),
    "victim_told_crime_recorded.late": _l("Told late"),
    "victim_told_crime_recorded.not_yet": _l("Not told yet"),
    "crime_recorded.within_24_hours": _l("Within 24 hours"),
    "crime_recorded.after_24_hours": _l("After 24 hours"),
    "crime_recorded.not_recorded": _l("Not recorded"),
    "live_review.on_time": _l("Reviewed on time"),
    "live_review.late": _l("Reviewed late (escalated)"),
    "live_review.not_yet": _l("Not reviewed yet"),
    "sla_breach.live_review": _l("Live-time review after 30 minutes"),
    "sla_breach.crime_recording": _l("Crime recorded after 24 hours"),
    "sla_breach.victim_contact": _l("Victim told late (Victims' Code)"),
    "outcome.charge": _l("Charged"),
    "outcome.out_of_court_disposal": _l("Out-of-court disposal"),
    "outcome.nfa": _l("No further action"),
    "outcome.undecided": _l("Not decided yet"),
}

RATE_LABELS = {
    "survey_satisfied": _l("Satisfied of the victims who answered"),
    "marac_sent": _l("Referrals sent of those required"),
    "victims_code_on_time": _l("Told on time of the victims told"),
    "crime_recorded_in_time": _l("Recorded within 24 hours of the crimes recorded"),
    "live_review_on_time": _l("Reviewed on time of the calls reviewed"),
    "charge_rate": _l("Charge rate of the cases decided"),
    "nfa_rate": _l("No further action rate of the cases decided"),
}

# A report, its group and figure names in the CSV files: the marks, the same in any language.
LENGTH_NAMES = {"month": _l("A month"), "quarter": _l("A quarter (three months)")}


def figure_label(mark: Mark) -> str:
    return str(FIGURE_LABELS[mark_key(mark)])
