"""What a completion asks of the database, and that asking less changed nothing it answers.

A completion reads its task, its case, the case's restriction and the head of its history in one
statement, without a lock, and is one transaction that reads nothing after it commits (a
rollback after the answer would make psycopg drop every statement it keeps prepared).
"""

import pytest
from sqlalchemy import event

from service import commands
from service.db import db
from tests.audit_helpers import complete, start_loop
from tests.conftest import bearer

# The history's head read on its own, under its lock (FOR UPDATE, where the database has it).
_HEAD_READ = "FROM CASE_AUDIT_HEADS WHERE"


@pytest.fixture
def statements(app):
    """Every statement and transaction command the app's engine runs, as they run."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def on_execute(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()).upper())

    def on_commit(_conn):
        seen.append("COMMIT")

    def on_rollback(_conn):
        seen.append("ROLLBACK")

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    yield seen
    event.remove(engine, "before_cursor_execute", on_execute)
    event.remove(engine, "commit", on_commit)
    event.remove(engine, "rollback", on_rollback)


def test_a_completion_is_one_transaction_and_reads_nothing_after_it(
    client, loop, investigator, statements
):
    case = start_loop(client, investigator)
    statements.clear()
    response = complete(client, investigator, case["open_tasks"][0]["id"], {"note": "one"})
    assert response.status_code == 200, response.json
    assert response.json["process_name"]  # named from the catalog the command ran on
    assert statements.count("COMMIT") == 1
    assert statements[-1] == "COMMIT", statements
    assert "ROLLBACK" not in statements
    assert not [s for s in statements if _HEAD_READ in s]  # the head was read with the case
    # The failed sign-ins read, the token, the task with its case, the open tasks, the task
    # marked, the history's head moved and its events, the case, the new task, the timers.
    assert len([s for s in statements if s != "COMMIT"]) <= 11, statements


def test_history_appended_while_the_engine_ran_is_chained_after(
    client, loop, investigator, auditor, monkeypatch, statements
):
    """Another command on the case (here, the task claimed) appends to its history after the
    completion read the head: the completion's events follow the claim's, and the chain holds."""
    case = start_loop(client, investigator)
    task_id = case["open_tasks"][0]["id"]
    read_open_tasks = commands._open_tasks_of

    def claimed_meanwhile(case_id):
        claimed = client.post(f"/api/v1/tasks/{task_id}/claim", headers=bearer(investigator))
        assert claimed.status_code == 200, claimed.json
        return read_open_tasks(case_id)

    monkeypatch.setattr(commands, "_open_tasks_of", claimed_meanwhile)
    response = complete(client, investigator, task_id, {"note": "after the claim"})
    assert response.status_code == 200, response.json
    # The head had moved: it was read again under its lock, and the events chained to it.
    assert [s for s in statements if _HEAD_READ in s]

    events = client.get(f"/api/v1/cases/{case['id']}/events", headers=bearer(auditor)).json
    kinds = [e["type"] for e in events]
    claim = kinds.index("task_claimed")
    assert kinds[claim + 1] == "command" and "task_completed" in kinds[claim + 1 :]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    report = client.get(f"/api/v1/cases/{case['id']}/verify", headers=bearer(auditor)).json
    assert report["ok"], report
