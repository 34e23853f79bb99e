"""Instructions read as people read them, through the API: dates and times as "28 November
2026, 09:30" or "28 Tachwedd 2026, 09:30" (Europe/London), in the reader's language.

The clock stands still while a case runs.
"""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.conftest import bearer
from tests.lifecycle import Case, investigation_tokens
from tests.samples import CALL

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
LANES = {"live_time_review": "desk"}


@pytest.fixture
def tokens(token_for):
    return investigation_tokens(token_for)


def read(case: Case, task: dict) -> tuple[str, str]:
    """The task's instructions, from GET /tasks/{id} in English and with ?lang=cy."""
    url, headers = f"/api/v1/tasks/{task['id']}", bearer(case.tokens[LANES[task["bpmn_id"]]])
    english = case.client.get(url, headers=headers)
    welsh = case.client.get(f"{url}?lang=cy", headers=headers)
    assert english.status_code == welsh.status_code == 200, (english.json, welsh.json)
    return english.json["instructions"], welsh.json["instructions"]


def test_a_time_in_summer_shows_in_british_summer_time(client, tokens):
    with time_machine.travel(NOW, tick=False):
        case = Case(client, tokens, {**CALL, "reported_at": "2026-07-01T08:30:00Z"})
        [task] = case.last["open_tasks"]
        english, welsh = read(case, task)
    assert "reported at 1 July 2026, 09:30 (" in english
    assert "a adroddwyd am 1 Gorffennaf 2026, 09:30 (" in welsh
