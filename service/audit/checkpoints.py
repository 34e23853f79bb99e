"""Checkpoints: the case as it stood at one event of its history, so that a point in time is
rebuilt from the nearest one instead of from the first event.

A command that ran the engine, once ``AUDIT_CHECKPOINT_EVERY`` events or more have been
recorded since the case's last checkpoint, ends its events with a ``checkpoint`` event and
writes a row to case_checkpoints in the same transaction: the case's status, data and open
tasks as replay shows them (recorded task ids, assignees), and the saved engine state. The
event's payload is the row's digest, and the event is chained like any other, so a row changed
in the database no longer matches its event and verification names its sequence number.
"""

import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import String, and_, bindparam, insert, select, type_coerce

from ..db import db
from .canonical import canonical_json, state_digest, stored_time
from .models import CaseCheckpoint, CaseEvent

CHECKPOINT = "checkpoint"

_rows = CaseCheckpoint.__table__
_INSERT = insert(_rows)
_ROWS_OF_CASE = (
    select(_rows.c.seq, _rows.c.status, _rows.c.data, _rows.c.open_tasks, _rows.c.state)
    .where(_rows.c.case_id == bindparam("case_id"))
    .order_by(_rows.c.seq)
)
# The nearest checkpoint at or before an event, with the event that records it (if any).
_NEAREST = (
    select(
        _rows.c.seq,
        _rows.c.status,
        _rows.c.data,
        _rows.c.open_tasks,
        _rows.c.state,
        CaseEvent.type,
        CaseEvent.payload,
        CaseEvent.state_hash,
        type_coerce(CaseEvent.at, String).label("at"),
    )
    .outerjoin(CaseEvent, and_(CaseEvent.case_id == _rows.c.case_id, CaseEvent.seq == _rows.c.seq))
    .where(_rows.c.case_id == bindparam("case_id"), _rows.c.seq <= bindparam("seq"))
    .order_by(_rows.c.seq.desc())
    .limit(1)
)


@dataclass(frozen=True)
class Snapshot:
    """What point in time needs of a case after one command."""

    status: str
    data: dict
    open_tasks: list[dict]  # id, bpmn_id, name, lane, assignee: as replay shows them
    state: str  # the saved engine state


@dataclass(frozen=True)
class Checkpoint:
    """A stored checkpoint, read back and checked against its event."""

    seq: int
    at: datetime
    snapshot: Snapshot


class DamagedCheckpoint(Exception):
    """A checkpoint that does not match its event (``missing``: its row is gone)."""

    def __init__(self, seq: int, detail: str, missing: bool = False):
        self.seq, self.missing = seq, missing
        super().__init__(detail)


def every() -> int:
    """Events between checkpoints (the AUDIT_CHECKPOINT_EVERY setting); 0 writes none."""
    return current_app.config["AUDIT_CHECKPOINT_EVERY"]


def due(last_checkpoint: int | None, seq: int) -> bool:
    """Whether a checkpoint at event ``seq`` is due, the case's last one being at
    ``last_checkpoint`` (None for a case with none, such as one recorded before checkpoints)."""
    interval = every()
    return interval > 0 and seq - (last_checkpoint or 0) >= interval


def stored(case_id: str, seq: int, snapshot: Snapshot) -> tuple[dict, str]:
    """The row of a checkpoint at event ``seq``, and its digest for the checkpoint event."""
    row = {
        "case_id": case_id,
        "seq": seq,
        "status": snapshot.status,
        "data": canonical_json(snapshot.data),
        "open_tasks": canonical_json(snapshot.open_tasks),
        "state": zlib.compress(snapshot.state.encode(), 1),
    }
    return row, _digest(case_id, seq, row, state_digest(snapshot.state))


def write(row: dict) -> None:
    db.session.execute(_INSERT, row)


def nearest(case_id: str, seq: int) -> Checkpoint | None:
    """The case's last checkpoint at or before event ``seq``, checked against the event that
    records it; None when there is none. Raises DamagedCheckpoint when it does not match."""
    found = db.session.execute(_NEAREST, {"case_id": case_id, "seq": seq}).first()
    if found is None:
        return None
    state = _check(case_id, found, found.type, digest_in(found.payload), found.state_hash)
    at = stored_time(found.at)
    if at is None:
        raise DamagedCheckpoint(found.seq, f"event {found.seq} has no readable time.")
    return Checkpoint(found.seq, at, _snapshot(found, state))


def rows_of(case_id: str) -> dict[int, object]:
    """Every stored checkpoint of a case, by sequence number (states still compressed)."""
    return {row.seq: row for row in db.session.execute(_ROWS_OF_CASE, {"case_id": case_id})}


def read(case_id: str, row, digest: str | None, state_hash: str | None) -> Snapshot:
    """A stored row as a snapshot, checked against the digest and state hash its event
    records."""
    return _snapshot(row, _check(case_id, row, CHECKPOINT, digest, state_hash))


def digest_in(payload: str | None) -> str | None:
    """The digest a checkpoint event's payload records (None when it cannot be read)."""
    try:
        return json.loads(payload)["digest"]
    except (TypeError, ValueError, KeyError):
        return None


def verify(case_id: str, recorded: dict[int, tuple[str, str | None]]) -> DamagedCheckpoint | None:
    """Check every stored checkpoint of a case against the checkpoint events of its chain
    (``recorded``: seq -> (payload, state hash)); the first that does not match, if any."""
    found: list[DamagedCheckpoint] = []
    rows = rows_of(case_id)
    for seq, row in rows.items():
        if seq not in recorded:
            found.append(_unrecorded(seq))
            continue
        payload, state_hash = recorded[seq]
        try:
            _check(case_id, row, CHECKPOINT, digest_in(payload), state_hash)
        except DamagedCheckpoint as damage:
            found.append(damage)
    found.extend(
        DamagedCheckpoint(
            seq, f"the checkpoint recorded by event {seq} is missing: it was removed.", missing=True
        )
        for seq in recorded
        if seq not in rows
    )
    return min(found, key=lambda damage: damage.seq, default=None)


def _check(case_id: str, row, event_type, recorded: str | None, state_hash) -> str:
    """The row's saved state, once the row is found to match the event recording it."""
    if event_type != CHECKPOINT:
        raise _unrecorded(row.seq)
    try:
        state = zlib.decompress(row.state).decode()
        digest = state_digest(state)
        matches = _digest(case_id, row.seq, row, digest) == recorded and digest == state_hash
    except (zlib.error, UnicodeDecodeError, TypeError, ValueError) as error:
        raise DamagedCheckpoint(
            row.seq, f"the checkpoint at event {row.seq} cannot be read: {error}."
        ) from error
    if not matches:
        raise DamagedCheckpoint(
            row.seq,
            f"the checkpoint at event {row.seq} does not match its digest: it was changed.",
        )
    return state


def _unrecorded(seq: int) -> DamagedCheckpoint:
    return DamagedCheckpoint(
        seq,
        f"there is a checkpoint at event {seq}, but the history records none there: "
        "it was added outside the application.",
    )


def _snapshot(row, state: str) -> Snapshot:
    return Snapshot(row.status, json.loads(row.data), json.loads(row.open_tasks), state)


def _digest(case_id: str, seq: int, row, state_hash: str) -> str:
    """SHA-256 over the row as stored (its JSON texts hold no raw newline) and its state's
    digest, so checking one costs a hash of its state, not a parse."""
    header = canonical_json([case_id, seq, _field(row, "status"), state_hash])
    text = "\n".join((header, _field(row, "data"), _field(row, "open_tasks")))
    return hashlib.sha256(text.encode()).hexdigest()


def _field(row, name: str):
    return row[name] if isinstance(row, dict) else getattr(row, name)
