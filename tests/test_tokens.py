"""API tokens: a user lists, issues and revokes their own; an Administrator anyone's. Tokens
expire, and a revoked or expired token is refused with a problem that says which."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from service import create_app
from service.auth import create_user
from service.config import settings_from_environment
from service.db import db
from tests.conftest import bearer
from tests.test_api_http import assert_problem

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TOKENS = "/api/v1/tokens"


@pytest.fixture
def user(app):
    """user("name", "Role", ...) -> the new user's first token, which lasts the default 90 days."""
    app.config["TOKEN_DAYS"] = 90

    def make(name: str, *roles: str) -> str:
        with app.app_context():
            return create_user(name, list(roles))[1]

    return make


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def listed(client, token: str, query: str = "") -> list[dict]:
    response = client.get(TOKENS + query, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def test_a_user_issues_lists_and_revokes_their_own_tokens(client, user, clock):
    first = user("pc-morgan", "Investigator")
    issued = client.post(TOKENS, json={"name": "laptop"}, headers=bearer(first))
    assert issued.status_code == 201, issued.get_data(as_text=True)
    new = issued.json
    secret = new["token"]
    assert secret.startswith("gw_") and new["prefix"] == secret[:11]
    assert (new["user"], new["name"], new["status"]) == ("pc-morgan", "laptop", "active")
    assert at(new["expires_at"]) == T0 + timedelta(days=90)
    assert client.get("/api/v1/tasks", headers=bearer(secret)).status_code == 200

    mine = client.get(TOKENS, headers=bearer(first))
    assert [token["id"] for token in mine.json] == [new["id"], new["id"] - 1]
    assert all("token" not in token for token in mine.json)
    text = mine.get_data(as_text=True)
    assert secret not in text and first not in text
    assert hashlib.sha256(secret.encode()).hexdigest() not in text

    revoked = client.delete(f"{TOKENS}/{new['id']}", headers=bearer(first))
    assert revoked.status_code == 200
    assert revoked.json["status"] == "revoked" and at(revoked.json["revoked_at"]) == T0
    refused = assert_problem(client.get("/api/v1/tasks", headers=bearer(secret)), 401)
    assert "revoked" in refused["detail"]

    clock.move_to(T0 + timedelta(hours=1))
    again = client.delete(f"{TOKENS}/{new['id']}", headers=bearer(first))
    assert again.status_code == 200 and at(again.json["revoked_at"]) == T0
    assert client.get("/api/v1/tasks", headers=bearer(first)).status_code == 200


def test_an_expired_token_is_refused_and_its_user_told_to_issue_another(client, user, clock):
    token = user("pc-morgan", "Investigator")
    clock.move_to(T0 + timedelta(days=90, seconds=-1))
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200
    clock.move_to(T0 + timedelta(days=90))
    response = client.get("/api/v1/tasks", headers=bearer(token))
    problem = assert_problem(response, 401)
    assert problem["detail"].startswith("This token expired on 2027-03-01 09:00 UTC: issue a new")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert listed(client, user("admin", "Administrator"), "?user=pc-morgan")[0]["status"] == (
        "expired"
    )


def test_the_lifetime_of_a_new_token_is_configurable(app, client, user, clock, monkeypatch):
    assert settings_from_environment(str(app.instance_path))["TOKEN_DAYS"] == 90
    monkeypatch.setenv("GWARCHOD_TOKEN_DAYS", "30")
    assert settings_from_environment(str(app.instance_path))["TOKEN_DAYS"] == 30
    app.config["TOKEN_DAYS"] = 7
    issued = client.post(TOKENS, json={}, headers=bearer(user("pc-morgan", "Investigator")))
    assert at(issued.json["expires_at"]) == T0 + timedelta(days=7)
    assert issued.json["name"] is None


def test_last_use_is_written_at_most_every_five_minutes(client, user, clock):
    token = user("pc-morgan", "Investigator")
    assert at(listed(client, token)[0]["last_used_at"]) == T0
    clock.move_to(T0 + timedelta(minutes=4))
    assert at(listed(client, token)[0]["last_used_at"]) == T0
    clock.move_to(T0 + timedelta(minutes=6))
    assert at(listed(client, token)[0]["last_used_at"]) == T0 + timedelta(minutes=6)


def test_a_non_administrator_cannot_see_or_revoke_another_users_token(client, user, clock):
    alice = user("alice", "Investigator")
    bob = user("bob", "Sergeant", "Inspector")
    [bobs] = listed(client, bob)
    assert [token["user"] for token in listed(client, alice)] == ["alice"]

    missing = assert_problem(client.delete(f"{TOKENS}/{bobs['id']}", headers=bearer(alice)), 404)
    nowhere = assert_problem(client.delete(f"{TOKENS}/999999", headers=bearer(alice)), 404)
    assert missing["detail"] == f"There is no token '{bobs['id']}'."
    assert nowhere["detail"] == "There is no token '999999'."
    assert client.get("/api/v1/tasks", headers=bearer(bob)).status_code == 200

    for query in ("?user=bob", "?user=nobody", "?all=true"):
        forbidden = assert_problem(client.get(TOKENS + query, headers=bearer(alice)), 403)
        assert "bob" not in forbidden["detail"]
    assert [token["user"] for token in listed(client, alice, "?user=alice")] == ["alice"]


def test_an_administrator_lists_and_revokes_anyones_tokens(client, user, clock):
    admin = user("admin", "Administrator")
    bob = user("bob", "Sergeant")
    [bobs] = listed(client, admin, "?user=bob")
    assert bobs["user"] == "bob"
    assert {token["user"] for token in listed(client, admin, "?all=true")} == {"admin", "bob"}
    assert assert_problem(client.get(TOKENS + "?user=ghost", headers=bearer(admin)), 404)[
        "detail"
    ] == ("There is no user 'ghost'.")

    revoked = client.delete(f"{TOKENS}/{bobs['id']}", headers=bearer(admin))
    assert (revoked.status_code, revoked.json["status"]) == (200, "revoked")
    refused = assert_problem(client.get("/api/v1/tasks", headers=bearer(bob)), 401)
    assert refused["detail"].startswith("This token was revoked on 2026-12-01 09:00 UTC")


def test_the_openapi_document_describes_the_tokens(client):
    spec = client.get("/api/v1/openapi.json").json
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/tokens"])
    assert "delete" in spec["paths"]["/api/v1/tokens/{token_id}"]
    created = spec["paths"]["/api/v1/tokens"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/NewToken")
    assert "token" not in spec["components"]["schemas"]["Token"]["properties"]


OLD_TOKEN = "gw_issued-before-tokens-expired"


def test_upgrading_keeps_a_token_issued_before_expiry_working(database_uri, clock):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        upgrade(revision="9c66fe4f1dfc")
        created_at = sa.column("created_at", sa.DateTime(timezone=True))
        users = sa.table("users", sa.column("id"), sa.column("name"), created_at)
        roles = sa.table("user_roles", sa.column("user_id"), sa.column("role"))
        tokens = sa.table(
            "api_tokens",
            sa.column("user_id"),
            sa.column("token_hash"),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )
        earlier = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)  # long before 90 days before T0
        with db.engine.begin() as connection:
            connection.execute(sa.insert(users).values(id=1, name="sgt-old", created_at=earlier))
            connection.execute(sa.insert(roles).values(user_id=1, role="Sergeant"))
            old_hash = hashlib.sha256(OLD_TOKEN.encode()).hexdigest()
            connection.execute(
                sa.insert(tokens).values(user_id=1, token_hash=old_hash, created_at=earlier)
            )
        upgrade()
    try:
        client = app.test_client()
        [token] = listed(client, OLD_TOKEN)
        assert (token["user"], token["prefix"], token["status"]) == ("sgt-old", None, "active")
        assert at(token["expires_at"]) == T0 + timedelta(days=90)
        clock.move_to(T0 + timedelta(days=90))
        assert assert_problem(client.get(TOKENS, headers=bearer(OLD_TOKEN)), 401)[
            "detail"
        ].startswith("This token expired")
    finally:
        with app.app_context():
            db.engine.dispose()
