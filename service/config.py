"""Settings, read from the environment with zero-set-up defaults."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url(url: str) -> str:
    """Use the psycopg 3 driver for the usual postgresql:// URLs (psycopg2 is not installed)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def settings_from_environment(instance_path: str) -> dict:
    default_db = f"sqlite:///{Path(instance_path) / 'gwarchod.db'}"
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL", default_db)),
        # Uploaded diagrams and submitted forms are small; anything bigger is refused with 413.
        "MAX_CONTENT_LENGTH": int(os.environ.get("GWARCHOD_MAX_BODY_BYTES", 4 * 1024 * 1024)),
        "DEFINITIONS_ROOT": os.environ.get("GWARCHOD_DEFINITIONS", str(PROJECT_ROOT)),
        # GET /health answers 503 when a timer is overdue and no scheduler has woken for this long.
        "SCHEDULER_STALE_AFTER_SECONDS": float(
            os.environ.get("GWARCHOD_SCHEDULER_STALE_AFTER_SECONDS", 60)
        ),
    }
