"""Whether the database is set up for this version of the service.

A database never upgraded, or upgraded by an older or newer version, lacks tables or columns
the service reads, and one that cannot be reached has none. Rather than fail with a database
error, the command line stops before any command with what to do (``ServiceGroup``), and
``GET /health`` answers 503, as does a request that fails on such a database (a page saying so,
or problem details; service/problems.py).
"""

import functools
from pathlib import Path

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from .db import db

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")
UPGRADE = "flask --app service db upgrade"
# Exit status of a command refused because the database cannot be reached or is not set up.
DATABASE_NOT_READY = 4


@functools.cache
def _migrations() -> ScriptDirectory:
    """This version's migrations, read once a process."""
    return ScriptDirectory(MIGRATIONS_DIR)


def missing_upgrade() -> str | None:
    """None when the database is at this version's latest migration; otherwise what is wrong
    and what to do, in plain words (a database that cannot be reached among them)."""
    try:
        with db.engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return f"the database cannot be reached ({reason}): check DATABASE_URL"
    needed = frozenset(_migrations().get_heads())
    if current == needed:
        return None
    if not current:
        return f"the database has no tables yet: run `{UPGRADE}` to set it up"
    known = {revision.revision for revision in _migrations().walk_revisions()}
    if current - known:
        return (
            f"the database was upgraded by a newer version of Gwarchod (revision "
            f"{', '.join(sorted(current - known))}), which this version does not know: run the "
            "version that upgraded it"
        )
    return (
        f"the database is at revision {', '.join(sorted(current))}, and this version needs "
        f"{', '.join(sorted(needed))}: run `{UPGRADE}`"
    )


class DatabaseNotReady(Exception):
    """A request failed on a database that cannot be reached or is not set up: 503, not 500.
    Its message is ``missing_upgrade()``'s, for the log; the reader is told only that."""


class ServiceGroup(AppGroup):
    """A group of the service's commands: each first checks that the database is set up for
    this version, and stops with what to do when it is not (help needs no database)."""

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)

        def decorator(function):
            @functools.wraps(function)
            def checked(*positional, **named):
                problem = missing_upgrade()
                if problem is not None:
                    click.echo(f"Gwarchod cannot run this command: {problem}.", err=True)
                    raise SystemExit(DATABASE_NOT_READY)
                return function(*positional, **named)

            return register(checked)

        return decorator
