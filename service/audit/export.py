"""A case's history as clients and auditors take it away: JSON, JSON Lines or CSV."""

import csv
import io
import json

from sqlalchemy import Row

from ..db import db
from .chain import EVENT_ROWS, stored_time

CSV_COLUMNS = (
    "seq",
    "type",
    "at",
    "actor_id",
    "actor_name",
    "actor_role",
    "payload",
    "state_hash",
    "prev_hash",
    "hash",
)


def event_rows(case_id: str) -> list[Row]:
    return list(db.session.execute(EVENT_ROWS, {"case_id": case_id}))


def event_view(event: Row) -> dict:
    """An event as it is shown and exported; the payload is the stored JSON, parsed.

    A damaged row is shown as it is, not hidden: verification says what is wrong with it."""
    try:
        payload = json.loads(event.payload)
    except (TypeError, ValueError):
        payload = event.payload
    at = stored_time(event.at)
    return {
        "seq": event.seq,
        "type": event.type,
        "at": at.isoformat(timespec="microseconds") if at else str(event.at),
        "actor": {"id": event.actor_id, "name": event.actor_name, "role": event.actor_role},
        "payload": payload,
        "state_hash": event.state_hash,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def as_jsonl(events: list[dict]) -> str:
    return "".join(json.dumps(event, ensure_ascii=False) + "\n" for event in events)


def as_csv(events: list[dict]) -> str:
    """One row per event; the payload column holds its JSON text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        actor = event["actor"]
        writer.writerow(
            [
                event["seq"],
                event["type"],
                event["at"],
                actor["id"],
                safe_cell(actor["name"]),
                actor["role"],
                json.dumps(event["payload"], ensure_ascii=False, sort_keys=True),
                event["state_hash"],
                event["prev_hash"],
                event["hash"],
            ]
        )
    return out.getvalue()


def safe_cell(value):
    """A cell a spreadsheet will not take for a formula (text beginning with = + - @)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
