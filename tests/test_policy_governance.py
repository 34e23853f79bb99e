"""The force policy's own lifecycle (``policy_governance``), through the API.

A Policy Owner opens the record with the draft; each version then has its equality impact
assessment, its Human Rights Act and Code of Ethics certificates and the Strategic Vulnerability
Board's decision (a return for changes sends the draft round again); publication, reviewed by the
Disclosure Unit only where the author sees harm in it, runs beside the Welsh translation; then the
implementation date, and a review two years later (09:00 UTC on the date). A review revises the
policy (a new version goes round again), keeps it (next review two years on) or withdraws it.

The clock only moves when a test moves it; ``drain(app)`` does the scheduler's work.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from service.config import PROJECT_ROOT
from tests.conftest import bearer
from tests.lifecycle import WELSH, drain, refused
from workflows.catalog import build_catalog, read_definition_files
from workflows.runner import Runner

T0 = datetime(2020, 7, 2, 9, 0, tzinfo=UTC)  # the policy is drafted; the clock stands still here

DRAFT = {
    "policy_number": "017/2020",
    "policy_title": "Stalking and Harassment",
    "policy_version": "2",
    "policy_owner": {"name": "DCI Rhian Morgan", "post": "Head of Protecting Vulnerable People"},
    "policy_change_summary": "Update on policy: adopts the NPCC and CPS stalking protocol.",
}
EIA = {
    "policy_eia_completed_by": "DI Gareth Lewis",
    "policy_eia_department": "Vulnerability Hub",
    "policy_eia_completed_on": "2020-06-15",
    "policy_eia_outcome": "no_impact",
    "policy_eia_summary": "Applied equally to all victims and suspects whatever their gender.",
}
CERTIFICATES = {
    "policy_hra_certified_by": "Sarah Thomas",
    "policy_hra_department": "Legal Services",
    "policy_hra_certified_on": "2020-06-18",
    "policy_coe_certified_by": "DI Gareth Lewis",
    "policy_coe_department": "Vulnerability Hub",
    "policy_coe_certified_on": "2020-06-19",
}
APPROVED = {
    "policy_board_decision": "approved",
    "policy_board_met_on": "2020-07-01",
    "policy_board_minute_reference": "SVB/2020/07/4",
}
RETURNED = {
    "policy_board_decision": "returned_for_changes",
    "policy_board_met_on": "2020-07-01",
    "policy_board_minute_reference": "SVB/2020/07/4",
    "policy_board_changes_requested": "Add the Stalking Protection Order duties to section 3.",
}
SUITABLE = {"policy_suitable_in_full": True, "policy_publication_assessed_on": "2020-07-02"}
HARMFUL = {
    "policy_suitable_in_full": False,
    "policy_publication_assessed_on": "2020-07-02",
    "policy_publication_harm": "Appendix B names the tactics used to trace suspects online.",
}
FOI_REDACTED = {
    "policy_foi_decision": "publish_with_redactions",
    "policy_foi_redactions": "Appendix B removed from the public-facing version.",
    "policy_foi_exemptions": ["s31"],
    "policy_foi_decision_maker": "Disclosure Officer Ann Price",
    "policy_foi_decided_on": "2020-07-02",
}
WELSH_VERSION = {
    "policy_welsh_checked_and_published": True,
    "policy_welsh_translator": "Welsh Language Unit",
    "policy_welsh_published_on": "2020-08-14",
}
IMPLEMENTED_ON = "2020-08-21"
# The seed policy: implemented 21/08/20, review 21/08/22.
REVIEW_DUE = datetime(2022, 8, 21, 9, 0, tzinfo=UTC)
ONE_SECOND = timedelta(seconds=1)
OWNER_TASKS = [
    "policy_equality_impact_assessment",
    "policy_certificates",
    "policy_board_approval",
]


def kept(reviewed_on: str) -> dict:
    return {
        "policy_review_outcome": "no_change",
        "policy_reviewed_on": reviewed_on,
        "policy_review_findings": "Still effective; no change to NPCC guidance or the protocol.",
        "policy_review_recertified": True,
    }


@pytest.fixture
def tokens(token_for):
    return {
        "owner": token_for("Policy Owner"),
        "disclosure": token_for("Disclosure Unit"),
        # The Auditor's grant to read every case: the policy's record moves through other lanes.
        "reader": token_for("Policy Owner", "Disclosure Unit", "Auditor"),
    }


class Policy:
    """A policy record driven through the API, remembering the last answer."""

    def __init__(self, client, tokens, draft=DRAFT):
        self.client, self.tokens = client, tokens
        response = client.post(
            "/api/v1/cases",
            json={"process": "policy_governance", "data": draft},
            headers=bearer(tokens["owner"]),
        )
        assert response.status_code == 201, response.json
        self.id, self.last = response.json["id"], response.json

    @property
    def open_tasks(self) -> list[tuple[str, str]]:
        return sorted((t["bpmn_id"], t["lane"]) for t in self.last["open_tasks"])

    @property
    def timers(self) -> list[tuple[str, str]]:
        return [(t["bpmn_id"], t["due_at"]) for t in self.last["timers"]]

    def task(self, bpmn_id: str) -> dict:
        [task] = [t for t in self.last["open_tasks"] if t["bpmn_id"] == bpmn_id]
        return task

    def submit(self, bpmn_id: str, role: str, data: dict, headers: dict | None = None):
        response = self.client.post(
            f"/api/v1/tasks/{self.task(bpmn_id)['id']}/complete",
            json={"data": data},
            headers={**bearer(self.tokens[role]), **(headers or {})},
        )
        if response.status_code == 200:
            self.last = response.json
        return response

    def complete(self, bpmn_id: str, data: dict, role: str = "owner") -> None:
        response = self.submit(bpmn_id, role, data)
        assert response.status_code == 200, response.json

    def instructions(self, bpmn_id: str, role: str = "owner") -> tuple[str, str]:
        url, headers = f"/api/v1/tasks/{self.task(bpmn_id)['id']}", bearer(self.tokens[role])
        english = self.client.get(url, headers=headers).json["instructions"]
        welsh = self.client.get(url, headers={**headers, **WELSH}).json["instructions"]
        for text in (english, welsh):
            assert "017/2020" in text and "could not be shown" not in text
        return english, welsh

    def inbox(self, role: str) -> list[tuple[str, str | None]]:
        response = self.client.get("/api/v1/tasks", headers=bearer(self.tokens[role]))
        assert response.status_code == 200, response.json
        return [(t["bpmn_id"], t["due_at"]) for t in response.json if t["case_id"] == self.id]

    def refresh(self) -> None:
        response = self.client.get(
            f"/api/v1/cases/{self.id}", headers=bearer(self.tokens["reader"])
        )
        assert response.status_code == 200, response.json
        self.last = response.json

    def path(self) -> list[str]:
        """Every task the record opened, sorted: the clock stands still within a test, so
        tasks opened together have the same creation time and no order between them."""
        tasks = self.client.get(
            f"/api/v1/tasks?case={self.id}&status=all", headers=bearer(self.tokens["reader"])
        ).json
        return sorted(t["bpmn_id"] for t in tasks)


def to_board(policy: Policy) -> None:
    assert policy.open_tasks == [("policy_equality_impact_assessment", "Policy Owner")]
    policy.complete("policy_equality_impact_assessment", EIA)
    policy.complete("policy_certificates", CERTIFICATES)
    assert policy.open_tasks == [("policy_board_approval", "Policy Owner")]


def to_implementation(policy: Policy, clock, publication=SUITABLE) -> None:
    """From the draft to an approved, published, translated version awaiting its date."""
    to_board(policy)
    policy.complete("policy_board_approval", APPROVED)
    assert policy.open_tasks == [
        ("policy_publication_suitability", "Policy Owner"),
        ("policy_welsh_translation", "Policy Owner"),
    ]
    policy.complete("policy_publication_suitability", publication)
    clock.move_to(datetime(2020, 8, 20, 9, 0, tzinfo=UTC))
    policy.complete("policy_welsh_translation", WELSH_VERSION)
    assert policy.open_tasks == [("policy_implemented", "Policy Owner")]


def implement(policy: Policy, clock, on: str = IMPLEMENTED_ON) -> None:
    clock.move_to(datetime.fromisoformat(on).replace(hour=10, tzinfo=UTC))
    policy.complete("policy_implemented", {"policy_implemented_on": on})
    assert policy.open_tasks == []


def review_falls_due(app, policy: Policy, clock, due: datetime) -> None:
    """Nothing before ``due``; the review in the Policy Owner's inbox just after it."""
    assert policy.timers == [("policy_review_due", due.isoformat())]
    clock.move_to(due - ONE_SECOND)
    assert drain(app) == 0
    policy.refresh()
    assert policy.open_tasks == []
    clock.move_to(due + ONE_SECOND)
    assert drain(app) == 1
    policy.refresh()
    assert policy.open_tasks == [("policy_review", "Policy Owner")]
    assert policy.inbox("owner") == [("policy_review", due.isoformat())]
    assert policy.inbox("disclosure") == []


def test_a_policy_is_reviewed_two_years_after_implementation(app, client, tokens, clock):
    policy = Policy(client, tokens)
    english, welsh = policy.instructions("policy_equality_impact_assessment")
    assert "adopts the NPCC and CPS stalking protocol" in english
    assert "Deddf Cydraddoldeb 2010" in welsh
    to_implementation(policy, clock)
    english, welsh = policy.instructions("policy_implemented")
    assert "meeting of 1 July 2020 (minute SVB/2020/07/4)" in english
    assert "gyfarfod ar 1 Gorffennaf 2020 (cofnod SVB/2020/07/4)" in welsh
    implement(policy, clock)
    data = policy.last["data"]
    assert data["policy_cycle_number"] == 1
    assert data["policy_eia_outcome"] == "no_impact"
    assert data["policy_hra_department"] == "Legal Services"
    assert data["policy_board_minute_reference"] == "SVB/2020/07/4"
    assert data["policy_implemented_on"] == IMPLEMENTED_ON
    assert data["policy_review_due_on"] == "2022-08-21"
    assert data["policy_review_due_at"] == REVIEW_DUE.isoformat()

    review_falls_due(app, policy, clock, REVIEW_DUE)
    english, welsh = policy.instructions("policy_review")
    assert "due for review on **21 August 2022**" in english
    assert "two years after it was implemented on 21 August 2020" in english
    assert "yn ddyledus i'w adolygu ar **21 Awst 2022**" in welsh
    assert policy.path() == sorted(
        [
            *OWNER_TASKS,
            "policy_publication_suitability",
            "policy_welsh_translation",
            "policy_implemented",
            "policy_review",
        ]
    )

    # Kept unchanged on the day: re-certified, and the next review is two years on.
    policy.complete("policy_review", kept("2022-08-21"))
    assert policy.open_tasks == []
    assert policy.last["data"]["policy_review_outcome"] == "no_change"
    assert policy.last["data"]["policy_cycle_number"] == 2
    assert policy.last["status"] == "running"
    review_falls_due(app, policy, clock, datetime(2024, 8, 21, 9, 0, tzinfo=UTC))
    english, _ = policy.instructions("policy_review")
    assert "two years after its last review on 21 August 2022" in english


def test_the_board_returns_the_draft_for_changes_then_approves(app, client, tokens, clock):
    policy = Policy(client, tokens)
    to_board(policy)
    missing = dict(RETURNED)
    del missing["policy_board_changes_requested"]
    refused(
        policy.submit("policy_board_approval", "owner", missing), "policy_board_changes_requested"
    )
    policy.complete("policy_board_approval", RETURNED)

    assert policy.open_tasks == [("policy_redraft", "Policy Owner")]
    english, welsh = policy.instructions("policy_redraft")
    assert "asked for these changes: Add the Stalking Protection Order duties" in english
    assert "gofyn am y newidiadau hyn: Add the Stalking Protection Order duties" in welsh
    redraft = {
        "policy_version": "2.1",
        "policy_change_summary": "Adds the Stalking Protection Order duties to section 3.",
    }
    policy.complete("policy_redraft", redraft)
    # The new draft is assessed and certified again before it goes back to the Board.
    english, _ = policy.instructions("policy_equality_impact_assessment")
    assert "version 2.1" in english and "Adds the Stalking Protection Order duties" in english
    to_board(policy)
    policy.complete("policy_board_approval", {**APPROVED, "policy_board_met_on": "2020-07-02"})
    assert policy.open_tasks == [
        ("policy_publication_suitability", "Policy Owner"),
        ("policy_welsh_translation", "Policy Owner"),
    ]
    assert policy.path() == sorted(
        [
            *OWNER_TASKS,
            "policy_redraft",
            *OWNER_TASKS,
            "policy_publication_suitability",
            "policy_welsh_translation",
        ]
    )


def test_only_the_disclosure_unit_reviews_a_policy_harmful_to_publish(app, client, tokens, clock):
    policy = Policy(client, tokens)
    to_board(policy)
    policy.complete("policy_board_approval", APPROVED)
    without_harm = {k: v for k, v in HARMFUL.items() if k != "policy_publication_harm"}
    refused(
        policy.submit("policy_publication_suitability", "owner", without_harm),
        "policy_publication_harm",
    )
    policy.complete("policy_publication_suitability", HARMFUL)
    assert policy.open_tasks == [
        ("policy_foi_publication_review", "Disclosure Unit"),
        ("policy_welsh_translation", "Policy Owner"),
    ]
    assert [bpmn_id for bpmn_id, _ in policy.inbox("owner")] == ["policy_welsh_translation"]
    assert policy.inbox("disclosure") == [("policy_foi_publication_review", None)]
    forbidden = policy.submit("policy_foi_publication_review", "owner", FOI_REDACTED)
    assert forbidden.status_code == 403, forbidden.json
    english, welsh = policy.instructions("policy_foi_publication_review", "disclosure")
    assert "Appendix B names the tactics" in english and "yn achosi niwed" in welsh

    # Redactions rely on an exemption, and a policy published in full relies on none.
    no_exemption = {k: v for k, v in FOI_REDACTED.items() if k != "policy_foi_exemptions"}
    response = policy.submit("policy_foi_publication_review", "disclosure", no_exemption, WELSH)
    assert refused(response, "policy_foi_exemptions") == "mae angen llenwi'r maes hwn"
    in_full = {**FOI_REDACTED, "policy_foi_decision": "publish_in_full"}
    del in_full["policy_foi_redactions"]
    message = refused(
        policy.submit("policy_foi_publication_review", "disclosure", in_full),
        "policy_foi_exemptions",
    )
    assert "relies on no exemption" in message
    not_published = {
        **FOI_REDACTED,
        "policy_foi_decision": "not_published",
        "policy_foi_exemptions": [],
    }
    refused(
        policy.submit("policy_foi_publication_review", "disclosure", not_published),
        "policy_foi_exemptions",
    )

    policy.complete("policy_foi_publication_review", FOI_REDACTED, role="disclosure")
    assert policy.last["data"]["policy_foi_decision"] == "publish_with_redactions"
    assert policy.last["data"]["policy_foi_exemptions"] == ["s31"]
    assert policy.open_tasks == [("policy_welsh_translation", "Policy Owner")]
    clock.move_to(datetime(2020, 8, 20, 9, 0, tzinfo=UTC))
    policy.complete("policy_welsh_translation", WELSH_VERSION)
    assert policy.open_tasks == [("policy_implemented", "Policy Owner")]


def test_refusals_name_the_field_in_english_and_welsh(app, client, tokens, clock):
    bad_number = client.post(
        "/api/v1/cases",
        json={"process": "policy_governance", "data": {**DRAFT, "policy_number": "17/20"}},
        headers=bearer(tokens["owner"]),
    )
    refused(bad_number, "policy_number")
    wrong_role = client.post(
        "/api/v1/cases",
        json={"process": "policy_governance", "data": DRAFT},
        headers=bearer(tokens["disclosure"]),
    )
    assert wrong_role.status_code == 403

    policy = Policy(client, tokens)
    future_eia = {**EIA, "policy_eia_completed_on": "2020-07-03"}
    message = refused(
        policy.submit("policy_equality_impact_assessment", "owner", future_eia),
        "policy_eia_completed_on",
    )
    assert "in the future" in message
    to_board(policy)
    wrong = {**APPROVED, "policy_board_decision": "deferred"}
    refused(policy.submit("policy_board_approval", "owner", wrong), "policy_board_decision")
    policy.complete("policy_board_approval", APPROVED)
    policy.complete("policy_publication_suitability", SUITABLE)
    clock.move_to(datetime(2020, 8, 20, 9, 0, tzinfo=UTC))
    not_checked = {**WELSH_VERSION, "policy_welsh_checked_and_published": False}
    refused(
        policy.submit("policy_welsh_translation", "owner", not_checked),
        "policy_welsh_checked_and_published",
    )
    policy.complete("policy_welsh_translation", WELSH_VERSION)

    tomorrow = {"policy_implemented_on": "2020-08-21"}
    english = refused(
        policy.submit("policy_implemented", "owner", tomorrow), "policy_implemented_on"
    )
    welsh = refused(
        policy.submit("policy_implemented", "owner", tomorrow, WELSH), "policy_implemented_on"
    )
    assert english == "The implementation date is in the future. Record the date it happened."
    assert welsh == "Mae dyddiad y gweithredu yn y dyfodol. Cofnodwch y dyddiad y digwyddodd."
    before_board = {"policy_implemented_on": "2020-06-30"}
    welsh = refused(
        policy.submit("policy_implemented", "owner", before_board, WELSH), "policy_implemented_on"
    )
    assert welsh == "Ni ellir gweithredu'r polisi cyn i'r Bwrdd ei gymeradwyo."
    implement(policy, clock)

    review_falls_due(app, policy, clock, REVIEW_DUE)
    unconfirmed = {k: v for k, v in kept("2022-08-21").items() if k != "policy_review_recertified"}
    refused(policy.submit("policy_review", "owner", unconfirmed), "policy_review_recertified")
    wrong = {**kept("2022-08-21"), "policy_review_outcome": "archive"}
    refused(policy.submit("policy_review", "owner", wrong), "policy_review_outcome")


def test_a_revised_policy_goes_round_the_cycle_again_and_can_be_withdrawn(
    app, client, tokens, clock
):
    policy = Policy(client, tokens)
    to_implementation(policy, clock)
    implement(policy, clock)
    review_falls_due(app, policy, clock, REVIEW_DUE)
    policy.complete(
        "policy_review",
        {
            "policy_review_outcome": "revise",
            "policy_reviewed_on": "2022-08-21",
            "policy_review_findings": "The 2024 stalking super-complaint changes the SPO guidance.",
        },
    )
    assert policy.open_tasks == [("policy_redraft", "Policy Owner")]
    english, _ = policy.instructions("policy_redraft")
    assert "The review of 21 August 2022 found that it needs revising" in english
    assert policy.timers == []
    policy.complete(
        "policy_redraft", {"policy_version": "3", "policy_change_summary": "SPO guidance updated."}
    )
    to_board(policy)
    policy.complete("policy_board_approval", {**APPROVED, "policy_board_met_on": "2022-08-21"})
    policy.complete("policy_publication_suitability", SUITABLE)
    policy.complete(
        "policy_welsh_translation", {**WELSH_VERSION, "policy_welsh_published_on": "2022-08-21"}
    )
    implement(policy, clock, "2022-09-05")
    assert policy.last["data"]["policy_version"] == "3"
    review_falls_due(app, policy, clock, datetime(2024, 9, 5, 9, 0, tzinfo=UTC))

    policy.complete(
        "policy_review",
        {
            "policy_review_outcome": "withdraw",
            "policy_reviewed_on": "2024-09-05",
            "policy_review_findings": "Replaced by the force's VAWG policy.",
        },
    )
    assert policy.open_tasks == [] and policy.timers == []
    assert policy.last["status"] == "completed"


def test_many_review_cycles_still_advance(app, client, tokens, clock):
    """Thirty reviews, sixty years: the cycle is a standard loop, so the record stays shallow."""
    policy = Policy(client, tokens)
    to_implementation(policy, clock)
    implement(policy, clock)
    due = REVIEW_DUE
    for _ in range(30):
        clock.move_to(due + ONE_SECOND)
        assert drain(app) == 1
        policy.refresh()
        assert policy.open_tasks == [("policy_review", "Policy Owner")]
        policy.complete("policy_review", kept(due.date().isoformat()))
        due = due.replace(year=due.year + 2)
        assert policy.timers == [("policy_review_due", due.isoformat())]
    assert due.year == 2082
    assert policy.last["data"]["policy_cycle_number"] == 31
    assert policy.path().count("policy_review") == 30


def deepest(runner, state: str) -> int:
    workflow = runner.restore("policy_governance", state)
    return max(task.depth for task in workflow.get_tasks())


def test_review_cycles_do_not_deepen_the_task_tree():
    """Sixty reviews, through the runner: every cycle sits at the same depth of the engine's
    task tree, so the engine never reaches the depth (1000) where it silently stops finding
    work, however long the policy lives. (The first review is the deepest: the first cycle,
    which held the policy's drafting and approval, is held until the second lets it go.)"""
    runner = Runner(build_catalog(read_definition_files(PROJECT_ROOT)))
    with time_machine.travel(datetime(2020, 8, 21, 9, 0, tzinfo=UTC), tick=False) as clock:
        outcome = runner.start("policy_governance", DRAFT)

        def complete(bpmn_id: str, data: dict):
            [task] = [t for t in outcome.open_tasks if t.bpmn_id == bpmn_id]
            return runner.complete("policy_governance", outcome.state, task.id, data)

        for bpmn_id, data in (
            ("policy_equality_impact_assessment", EIA),
            ("policy_certificates", CERTIFICATES),
            ("policy_board_approval", APPROVED),
            ("policy_publication_suitability", SUITABLE),
            ("policy_welsh_translation", WELSH_VERSION),
            ("policy_implemented", {"policy_implemented_on": IMPLEMENTED_ON}),
        ):
            outcome = complete(bpmn_id, data)
        due, depths = REVIEW_DUE, []
        for _ in range(60):
            clock.move_to(due + ONE_SECOND)
            outcome = runner.fire_due_timers("policy_governance", outcome.state)
            assert [t.bpmn_id for t in outcome.open_tasks] == ["policy_review"]
            outcome = complete("policy_review", kept(due.date().isoformat()))
            depths.append(deepest(runner, outcome.state))
            due = due.replace(year=due.year + 2)
            assert [t.due_at for t in outcome.timers] == [due]
    assert outcome.data["policy_cycle_number"] == 61
    assert set(depths[1:]) == {depths[1]} and depths[1] <= depths[0] < 20
