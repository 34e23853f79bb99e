"""Timer rows: each waiting timer of a case, kept in step with the engine after every command.

Rows are written in the command's own transaction, so the timers a scheduler sees always match
the saved state of the case.
"""

from datetime import datetime

from sqlalchemy import bindparam, select

from workflows.timers import WaitingTimer

from .db import db
from .models import Timer

# FIRING marks a row a scheduler has claimed inside its transaction; no one ever sees it
# committed, since the same transaction closes or reopens the row.
WAITING, FIRING, FIRED, CANCELLED, FAILED = "waiting", "firing", "fired", "cancelled", "failed"

_WAITING_OF_CASE = select(Timer).where(
    Timer.case_id == bindparam("case_id"), Timer.status.in_((WAITING, FIRING))
)


def sync_timers(
    case_id: str,
    waiting: list[WaitingTimer],
    now: datetime,
    firing: bool,
    new_case: bool = False,
) -> list[Timer]:
    """Open rows for new timers; close the rows of timers the case no longer waits on; return
    the rows of the timers it waits on, soonest first.

    A closed timer fired if this command fired the case's due timers and it was due;
    otherwise the path it guarded was left (a task completed, a branch cancelled).
    """
    current = {(timer.task_id, timer.due_at): timer for timer in waiting}
    rows = [] if new_case else db.session.scalars(_WAITING_OF_CASE, {"case_id": case_id}).all()
    known, still_waiting = set(), []
    for row in rows:
        key = (row.task_id, row.due_at)
        known.add(key)
        if key in current:
            row.status = WAITING  # a claimed timer the engine did not take as due waits on
            still_waiting.append(row)
            continue
        row.status = FIRED if firing and row.due_at <= now else CANCELLED
        row.closed_at = now
    added = [
        Timer(
            case_id=case_id,
            task_id=timer.task_id,
            bpmn_id=timer.bpmn_id,
            name=timer.name,
            kind=timer.kind,
            due_at=timer.due_at,
            status=WAITING,
            attempts=0,
        )
        for key, timer in current.items()
        if key not in known
    ]
    db.session.add_all(added)
    return sorted(still_waiting + added, key=lambda row: row.due_at)


def timer_view(timer: Timer) -> dict:
    return {
        "id": timer.id,
        "case_id": timer.case_id,
        "task_id": timer.task_id,
        "bpmn_id": timer.bpmn_id,
        "name": timer.name,
        "kind": timer.kind,
        "due_at": timer.due_at,
        "status": timer.status,
        "attempts": timer.attempts,
        "last_error": timer.last_error,
        "closed_at": timer.closed_at,
    }
