"""Timer rows: each waiting timer of a case, kept in step with the engine after every command.

Rows are written in the command's own transaction, so the timers a scheduler sees always match
the saved state of the case.
"""

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from workflows.timers import WaitingTimer

from .db import db
from .models import Timer

# FIRING marks a row a scheduler has claimed inside its transaction; no one ever sees it
# committed, since the same transaction closes or reopens the row.
WAITING, FIRING, FIRED, CANCELLED, FAILED = "waiting", "firing", "fired", "cancelled", "failed"

# Plain statements on the table, as the commands write their other rows (see service.commands):
# the rows are read and written without the ORM, and handed back as new Timer objects.
_timers = Timer.__table__
_WAITING_OF_CASE = select(_timers).where(
    _timers.c.case_id == bindparam("case_id"), _timers.c.status.in_((WAITING, FIRING))
)
_SET_STATUS = (
    update(_timers)
    .where(_timers.c.id == bindparam("timer_id"))
    .values(status=bindparam("new_status"), closed_at=bindparam("closed_at"))
)
_INSERT = insert(_timers).returning(_timers.c.id, sort_by_parameter_order=True)


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
    rows = [] if new_case else db.session.execute(_WAITING_OF_CASE, {"case_id": case_id}).all()
    known, still_waiting, changes = set(), [], []
    for row in rows:
        key = (row.task_id, row.due_at)
        known.add(key)
        if key in current:
            still_waiting.append(Timer(**{**row._mapping, "status": WAITING}))
            if row.status != WAITING:  # a claimed timer the engine did not take as due waits on
                changes.append((row, WAITING, None))
            continue
        changes.append((row, FIRED if firing and row.due_at <= now else CANCELLED, now))
    if changes:
        db.session.execute(
            _SET_STATUS,
            [
                {"timer_id": row.id, "new_status": status, "closed_at": closed_at}
                for row, status, closed_at in changes
            ],
        )
    added = [
        {
            "case_id": case_id,
            "task_id": timer.task_id,
            "bpmn_id": timer.bpmn_id,
            "name": timer.name,
            "kind": timer.kind,
            "due_at": timer.due_at,
            "status": WAITING,
            "attempts": 0,
            "not_before": None,
            "last_error": None,
            "created_at": now,
            "closed_at": None,
        }
        for key, timer in current.items()
        if key not in known
    ]
    if added:
        ids = db.session.execute(_INSERT, added).scalars().all()
        still_waiting += [Timer(id=id_, **row) for id_, row in zip(ids, added, strict=True)]
    return sorted(still_waiting, key=lambda row: row.due_at)
