"""One text for one value: canonical JSON, the digest of a saved engine state, and times as
stored, on every database. The hash chain and the checkpoints both hash these texts."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any


def canonical_json(value: Any) -> str:
    """One text for one value on every database: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def state_digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def time_text(value: datetime | str) -> str:
    """A stored time as fixed-width ISO 8601 in UTC (SQLite hands back text without a zone)."""
    if type(value) is str and len(value) == 26 and value[10] == " ":
        # SQLite's own fixed-width form of a UTC time: rewritten, not parsed (verification
        # reads 100,000s of them); a garbled one still yields text, and a hash that differs.
        return f"{value[:10]}T{value[11:]}+00:00"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def stored_time(value: datetime | str) -> datetime | None:
    """A time as stored, read without trusting it: None when a row's time is garbled."""
    try:
        return datetime.fromisoformat(time_text(value))
    except (TypeError, ValueError):
        return None
