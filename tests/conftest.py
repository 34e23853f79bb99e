"""Fixtures: an application on SQLite, and on PostgreSQL when a URL for it is given."""

import os
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine
from flask_migrate import upgrade

from service import create_app
from service.auth import create_user
from service.config import PROJECT_ROOT, database_url
from service.db import db
from service.definitions import deploy_directory

# Fixtures the page tests share (a desk officer with a password, a logged call).
pytest_plugins = ["tests.pages"]

POSTGRES_URL_VARIABLE = "GWARCHOD_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    """Where the PostgreSQL half of the suite runs: the test variable, or a PostgreSQL
    DATABASE_URL (each test works in a schema of its own there and drops it afterwards)."""
    url = os.environ.get(POSTGRES_URL_VARIABLE) or os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgresql", "postgres:")) else None


def _backends():
    yield pytest.param("sqlite", id="sqlite")
    yield pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(
            postgres_url() is None,
            reason=f"set {POSTGRES_URL_VARIABLE} (or a PostgreSQL DATABASE_URL) to run the "
            "suite on PostgreSQL",
        ),
    )


@pytest.fixture(params=list(_backends()))
def database_uri(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gwarchod.db'}"
        return
    # Each test gets a schema of its own, dropped afterwards.
    base = database_url(postgres_url())
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def settings():
    """Settings a test module adds to the application's, by overriding this fixture (the role
    catalogue it runs with, for example)."""
    return {}


@pytest.fixture
def app(database_uri, tmp_path, settings):
    # On SQLite every command restores its case from the database around freshly parsed
    # specs, as a command served by another worker or after a restart does; on PostgreSQL
    # commands take up the workflows the engine processes keep, as a busy service does.
    # Every scenario runs both ways.
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "MAX_CONTENT_LENGTH": 512_000,
            "ENGINE_FRESH": database_uri.startswith("sqlite"),
            # Scenarios move the clock years past when their tokens were issued (time limits,
            # bail, sixty years of policy reviews); tests of expiry set the lifetime they need.
            "TOKEN_DAYS": 100 * 366,
            # Tests send bad tokens on purpose, all from one address; the tests of the limit on
            # failed sign-ins (test_rate_limits.py) set the one they need.
            "AUTH_FAILURE_LIMIT": "10000 per minute",
            **settings,
        }
    )
    with app.app_context():
        upgrade()
        deploy_directory(PROJECT_ROOT, actor="tests")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token_for(app):
    """token_for("Sergeant", ...) -> a bearer token of a new user holding those roles."""

    def make(*roles: str) -> str:
        with app.app_context():
            _, token = create_user(f"user-{uuid.uuid4().hex[:8]}", list(roles))
        return token

    return make


@pytest.fixture
def user_for(app):
    """user_for("Investigator") -> (username, token) of a new user holding that role."""

    def make(*roles: str) -> tuple[str, str]:
        name = f"{roles[0].lower().replace(' ', '-')}-{uuid.uuid4().hex[:6]}"
        with app.app_context():
            _, token = create_user(name, list(roles))
        return name, token

    return make


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- the audit tests: a looping process, its worker and an auditor ---------------------------


@pytest.fixture
def loop(app):
    from tests.audit_diagrams import deploy_loop

    with app.app_context():
        deploy_loop()


@pytest.fixture
def owner(token_for):
    return token_for("Process Owner")


@pytest.fixture
def sergeant(token_for):
    return token_for("Sergeant")


@pytest.fixture
def investigator(token_for):
    return token_for("Investigator")


@pytest.fixture
def auditor(token_for):
    return token_for("Auditor")


@pytest.fixture
def afternoon_of_the_call():
    """A running clock from 14:00 on the day of the sample call, after every time the
    samples (tests/samples.py) record, for scenarios that do not move the clock."""
    with time_machine.travel(datetime(2026, 11, 28, 14, 0, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def clock(request):
    """The clock standing still at the test module's ``T0``; a test moves it with
    ``clock.move_to(...)``. Timers are tested this way, never by sleeping."""
    with time_machine.travel(request.module.T0, tick=False) as traveller:
        yield traveller
