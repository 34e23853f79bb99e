"""A database not set up for this version: the command line stops before any command, saying what
to do, and GET /health answers 503; help still works. Nothing fails on a missing table."""

import html
import time

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import text

from service import create_app
from service.db import db
from service.problems import DATABASE_NOT_READY
from service.schema import DATABASE_NOT_READY as NOT_READY_EXIT
from service.schema import MIGRATIONS_DIR
from service.web.session import LANGUAGE, SEEN, USER

[HEAD] = ScriptDirectory(MIGRATIONS_DIR).get_heads()
EARLIER = ScriptDirectory(MIGRATIONS_DIR).get_revision(HEAD).down_revision


@pytest.fixture
def bare_app(database_uri):
    """The service on a database no one has upgraded."""
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri})


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.mark.parametrize(
    "command",
    [
        ("scheduler", "status"),
        ("users", "list"),
        ("users", "token", "list", "someone"),
        ("definitions", "load"),
        ("cases", "reindex-matches"),
        ("audit", "verify", "--all"),
    ],
)
def test_every_command_group_stops_on_a_database_with_no_tables(bare_app, command):
    result = run(bare_app, *command)
    assert result.exit_code == NOT_READY_EXIT
    assert result.output == (
        "Gwarchod cannot run this command: the database has no tables yet: run "
        "`flask --app service db upgrade` to set it up.\n"
    )
    assert "Traceback" not in result.output


def test_help_needs_no_database(bare_app):
    result = run(bare_app, "users", "create", "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_an_older_database_is_told_to_upgrade_and_then_works(bare_app):
    with bare_app.app_context():
        upgrade(revision=EARLIER)
    result = run(bare_app, "scheduler", "status")
    assert result.exit_code == NOT_READY_EXIT
    assert f"the database is at revision {EARLIER}, and this version needs {HEAD}" in result.output
    assert "run `flask --app service db upgrade`" in result.output

    with bare_app.app_context():
        upgrade()
    result = run(bare_app, "scheduler", "status")
    assert result.exit_code == 0, result.output
    assert "status: ok" in result.output


def test_a_database_from_a_newer_version_is_named_as_such(bare_app):
    with bare_app.app_context():
        upgrade()
        db.session.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
        db.session.commit()
    result = run(bare_app, "users", "list")
    assert result.exit_code == NOT_READY_EXIT
    assert "upgraded by a newer version of Gwarchod (revision f00dfeedbeef)" in result.output


def test_health_answers_503_until_the_database_is_upgraded(bare_app):
    client = bare_app.test_client()
    answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.content_type == "application/problem+json"
    assert "or is not set up for this version of Gwarchod" in answer.json["detail"]

    with bare_app.app_context():
        upgrade()
    assert client.get("/health").status_code == 200


def test_a_database_that_cannot_be_reached_is_said_so(tmp_path):
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'no' / 'such.db'}"}
    )
    result = run(app, "scheduler", "status")
    assert result.exit_code == NOT_READY_EXIT
    assert result.output == (
        "Gwarchod cannot run this command: the database cannot be reached (unable to open "
        "database file): check DATABASE_URL.\n"
    )
    answer = app.test_client().get("/health")
    assert answer.status_code == 503
    assert answer.json["detail"].startswith("The database cannot be reached")


def test_a_request_on_such_a_database_is_503_not_a_server_error(bare_app):
    client = bare_app.test_client()
    answer = client.get("/api/v1/cases", headers={"Authorization": "Bearer any"})
    assert answer.status_code == 503
    assert answer.content_type == "application/problem+json"
    assert answer.json["detail"] == DATABASE_NOT_READY


@pytest.mark.parametrize(
    ("language", "title", "advice"),
    [
        ("en", "Gwarchod is not available just now", "tell whoever runs Gwarchod"),
        ("cy", "Nid yw Gwarchod ar gael ar hyn o bryd", "wrth bwy bynnag sy'n rhedeg Gwarchod"),
    ],
)
def test_a_page_on_such_a_database_says_so_in_the_readers_language(
    bare_app, language, title, advice
):
    client = bare_app.test_client()
    with client.session_transaction() as session:  # a user signed in before it went wrong
        session.update({USER: 1, SEEN: time.time(), LANGUAGE: language})
    page = client.get("/")
    assert page.status_code == 503
    text = html.unescape(" ".join(page.get_data(as_text=True).split()))
    assert title in text and advice in text
    assert "Traceback" not in text
