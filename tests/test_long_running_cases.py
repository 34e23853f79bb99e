"""A case that goes round a loop for months, through the API: its saved state stays the same
size (finished rounds are let go, workflows/pruning.py), while its history still holds every
round, proves the stored case (replay, verification) and shows it at any point in time.

On SQLite every command restores the case around freshly parsed specs; on PostgreSQL commands
take up the workflows the engine processes keep.
"""

import pytest
from sqlalchemy import select

from service.db import db
from service.models import Case as CaseRow
from tests.conftest import bearer
from tests.lifecycle import Case, investigation_tokens, to_investigation
from tests.samples import INVESTIGATION_PLAN, REVIEW_CONTINUE, SUSPECT_RELEASED_UNDER_INVESTIGATION
from tests.test_saved_state_pruning import keeping_every_round, rounds_held

pytestmark = pytest.mark.usefixtures("afternoon_of_the_call")


@pytest.fixture
def tokens(token_for):
    return investigation_tokens(token_for, auditor="Auditor")


def at_sergeant_review(client, tokens) -> Case:
    case = Case(client, tokens)
    to_investigation(case)
    case.complete("investigation_plan", "investigator", INVESTIGATION_PLAN)
    case.complete("suspect_management", "investigator", SUSPECT_RELEASED_UNDER_INVESTIGATION)
    assert case.open_tasks == [("sergeant_review", "Sergeant")]
    return case


def review(case: Case, rounds: int) -> None:
    for _ in range(rounds):
        case.complete("sergeant_review", "sergeant", REVIEW_CONTINUE)
        assert case.open_tasks == [("sergeant_review", "Sergeant")]


def stored_state(app, case: Case) -> str:
    with app.app_context():
        return db.session.scalar(select(CaseRow.state).where(CaseRow.id == case.id))


def proven(client, tokens, case: Case) -> None:
    """The history replays to the stored case, and its chain verifies."""
    auditor = bearer(tokens["auditor"])
    replay = client.post(f"/api/v1/cases/{case.id}/replay", headers=auditor)
    assert replay.status_code == 200 and replay.json["match"] is True, replay.json
    verified = client.get(f"/api/v1/cases/{case.id}/verify", headers=auditor)
    assert verified.json["ok"] is True, verified.json


def review_commands(client, tokens, case: Case) -> list[dict]:
    events = client.get(f"/api/v1/cases/{case.id}/events", headers=bearer(tokens["auditor"]))
    return [
        event
        for event in events.json
        if event["type"] == "command" and event["payload"].get("bpmn_id") == "sergeant_review"
    ]


def test_months_of_reviews_keep_the_saved_case_small_and_every_round_in_its_history(
    app, client, tokens
):
    case = at_sergeant_review(client, tokens)
    review(case, 10)
    at_10 = len(stored_state(app, case))
    review(case, 20)
    state = stored_state(app, case)
    assert len(state) <= at_10 + 16, (at_10, len(state))
    assert rounds_held(state) == 1
    # The history is the record: every round is in it.
    commands = review_commands(client, tokens, case)
    assert len(commands) == 30
    proven(client, tokens, case)

    # The case as it stood after its fourth review, rebuilt from the history.
    fourth = commands[3]
    past = client.get(
        f"/api/v1/cases/{case.id}/state",
        query_string={"at_seq": fourth["seq"]},
        headers=bearer(tokens["auditor"]),
    ).json
    assert past["consistent"] is True, past
    assert [t["bpmn_id"] for t in past["open_tasks"]] == ["sergeant_review"]
    assert past["open_tasks"][0]["id"] == commands[4]["payload"]["task_id"]
    assert past["data"]["review_decision"] == "continue_investigation"


class TestACaseSavedWithEveryRound:
    """Cases saved before finished rounds were let go: loaded as they are, proven by their
    history, and let go of their finished rounds by their next command."""

    @pytest.fixture
    def settings(self):
        # Engine work in this process, so that the case can be saved as it was before; and no
        # checkpoints, which came after finished rounds were let go (a checkpoint keeps the
        # state as saved, and replay compares it with the state it makes, rounds let go).
        return {"ENGINE_ISOLATED": False, "AUDIT_CHECKPOINT_EVERY": 0}

    def test_it_replays_verifies_and_goes_on_smaller(self, app, client, tokens):
        case = at_sergeant_review(client, tokens)
        with keeping_every_round():
            review(case, 8)
        before = stored_state(app, case)
        assert rounds_held(before) == 8
        proven(client, tokens, case)
        latest = client.get(
            f"/api/v1/cases/{case.id}/state", headers=bearer(tokens["auditor"])
        ).json
        assert latest["consistent"] is True and latest["data"] == case.data

        review(case, 2)
        after = stored_state(app, case)
        assert rounds_held(after) == 1 and len(after) < len(before)
        assert len(review_commands(client, tokens, case)) == 10
        proven(client, tokens, case)
