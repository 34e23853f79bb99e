"""Appending a command and its events to a case's history, inside the command's transaction.

Each command writes a ``command`` event first (what was asked, by whom, with which data: enough
to run it again), then what happened, and, when one is due, a checkpoint (checkpoints.py). The
case's head row is locked (or, read with the case, checked still to be the head as it moves),
so commands on one case append one after the other and sequence numbers never collide.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from ..auth import Actor
from ..db import db
from ..problems import ApiProblem
from . import checkpoints
from .chain import GENESIS, canonical_json, event_hash, state_digest, time_text
from .checkpoints import CHECKPOINT, Snapshot
from .models import CaseAuditHead, CaseEvent

COMMAND = "command"

# Statements on the tables, not the mapped classes: plain statements cost less.
_heads = CaseAuditHead.__table__
_HEAD_FOR_UPDATE = (
    select(_heads.c.seq, _heads.c.hash, _heads.c.state_hash, _heads.c.checkpoint_seq)
    .where(_heads.c.case_id == bindparam("case_id"))
    .with_for_update()
)
_MOVE_HEAD = (
    update(_heads)
    .where(_heads.c.case_id == bindparam("b_case_id"), _heads.c.seq == bindparam("old"))
    .values(
        seq=bindparam("seq"),
        hash=bindparam("hash"),
        state_hash=bindparam("state_hash"),
        checkpoint_seq=bindparam("checkpoint_seq"),
    )
)
_NEW_HEAD = insert(_heads)
_APPEND = insert(CaseEvent.__table__)


class HistoryConflict(ApiProblem):
    """Another command appended to the case's history first: a person gets 409, a job retries."""

    def __init__(self, case_id: str):
        super().__init__(
            409, "Case changed", f"The case '{case_id}' changed just now; please try again."
        )


def record(
    case_id: str,
    actor: Actor | None,
    role: str | None,
    at: datetime,
    command: dict,
    events: Iterable[dict],
    state: str | None,
    new_case: bool = False,
    head_read: tuple | None = None,
    snapshot: Callable[[], Snapshot] | None = None,
) -> int:
    """Append a command and its events; return the last sequence number.

    ``command`` holds ``name`` and the command's data; each event holds ``type`` and its details.
    ``state`` is the saved engine state after the command, or None when it did not change.
    ``snapshot`` gives the case as the command leaves it, asked for only when a checkpoint is
    due. Call it inside the command's transaction, after the command's first write.

    ``head_read`` is the case's head (seq, hash, state hash, last checkpoint) as the command read
    it with the case, without a lock: the events are chained to it, and moving the head checks
    that it is still the head. Should another command have appended since, the head is read
    again under its lock and the events chained to that, as without ``head_read``.
    """
    events = list(events)
    if head_read is not None:
        appended = _append(
            case_id, actor, role, at, command, events, state, tuple(head_read), False, snapshot
        )
        if appended is not None:
            return appended
    head = None
    if not new_case:  # a case being started has no history yet
        with db.session.no_autoflush:
            head = db.session.execute(_HEAD_FOR_UPDATE, {"case_id": case_id}).first()
    return _append(case_id, actor, role, at, command, events, state, head, True, snapshot)


def _append(
    case_id, actor, role, at, command, events, state, head, locked: bool, snapshot
) -> int | None:
    """Chain the events (and a checkpoint, when one is due) to ``head`` (None for a case with no
    history) and move the head; None when the head moved meanwhile and was not ``locked``."""
    prev_seq, prev_hash, prev_state, last_checkpoint = (
        head if head is not None else (0, GENESIS, None, None)
    )
    state_hash = state_digest(state) if state is not None else prev_state
    events = [{"type": COMMAND, **command}, *events]
    checkpoint = None
    if snapshot is not None and checkpoints.due(last_checkpoint, prev_seq + len(events) + 1):
        # Asked for once the head is known: should another command (a claim) append before this
        # one moves the head, the move fails and the snapshot is taken again under the lock.
        last_checkpoint = prev_seq + len(events) + 1
        checkpoint, digest = checkpoints.stored(case_id, last_checkpoint, snapshot())
        events.append({"type": CHECKPOINT, "digest": digest})
    at_text = time_text(at)
    actor_id, actor_name = (actor.id, actor.name) if actor is not None else (None, "system")
    rows = []
    for offset, event in enumerate(events, start=1):
        details = dict(event)
        type_ = details.pop("type")
        payload = canonical_json(details)
        seq = prev_seq + offset
        digest = event_hash(
            case_id, seq, type_, actor_id, actor_name, role, at_text, payload, state_hash, prev_hash
        )
        rows.append(
            {
                "case_id": case_id,
                "seq": seq,
                "type": type_,
                "actor_id": actor_id,
                "actor_name": actor_name,
                "actor_role": role,
                "at": at,
                "payload": payload,
                "state_hash": state_hash,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    last = rows[-1]
    if head is None:  # a new case, whose row the command has already written
        db.session.execute(
            _NEW_HEAD,
            {
                "case_id": case_id,
                "seq": last["seq"],
                "hash": last["hash"],
                "state_hash": state_hash,
                "checkpoint_seq": last_checkpoint,
            },
        )
    else:
        moved = db.session.execute(
            _MOVE_HEAD,
            {
                "b_case_id": case_id,
                "old": prev_seq,
                "seq": last["seq"],
                "hash": last["hash"],
                "state_hash": state_hash,
                "checkpoint_seq": last_checkpoint,
            },
        )
        if moved.rowcount != 1:
            if not locked:
                return None
            db.session.rollback()
            raise HistoryConflict(case_id)
    db.session.execute(_APPEND, rows)
    if checkpoint is not None:
        checkpoints.write(checkpoint)
    return last["seq"]


def engine_events(
    outcome_events: Iterable[dict], known_open: set[str], cancelled: Iterable[dict] = ()
) -> list[dict]:
    """The runner's events as history: a task still open from before is not opened again;
    tasks the engine withdrew are recorded as cancelled."""
    kept = [
        event
        for event in outcome_events
        if not (event["type"] == "task_opened" and event["task_id"] in known_open)
    ]
    kept.extend({"type": "task_cancelled", **task} for task in cancelled)
    return kept
