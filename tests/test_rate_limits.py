"""Failed sign-ins are limited per client address, and the count holds across workers and restarts.

Only a 401 counts. Past the limit every request from the address that needs a token is 429
with Retry-After, until the window passes; /health and the OpenAPI document never are. The
counts are kept in the service's database, so the Procfile's two gunicorn workers share them
and a restart keeps them. The clock is moved, never waited on, except across a real server.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from service import CANNOT_START, create_app
from service.auth import create_user
from service.db import db
from service.limits import DatabaseStorage
from tests.conftest import bearer
from tests.test_api_http import assert_problem
from tests.web_server import Server, free_port, two_workers

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LIMIT = 3
BAD = bearer("gw_not-a-token")


def refused_for(seconds: int) -> str:
    return (
        "Too many failed attempts to sign in from your address; try again in "
        f"{seconds} second{'' if seconds == 1 else 's'}."
    )


@pytest.fixture
def settings():
    return {"AUTH_FAILURE_LIMIT": f"{LIMIT} per minute"}


@pytest.fixture
def sergeant(token_for):
    return bearer(token_for("Sergeant"))


def fail(client, times: int, headers=None, **request) -> None:
    for _ in range(times):
        response = client.get("/api/v1/cases", headers={**BAD, **(headers or {})}, **request)
        assert_problem(response, 401)


def assert_refused(response, seconds: int) -> None:
    body = assert_problem(response, 429)
    assert body["title"] == "Too Many Requests"
    assert body["detail"] == refused_for(seconds)
    assert response.headers["Retry-After"] == str(seconds)


def test_past_the_limit_every_request_needing_a_token_is_refused(client, sergeant, clock):
    fail(client, LIMIT)
    # Now even a good token is refused, on every address that needs one.
    assert_refused(client.get("/api/v1/cases", headers=sergeant), 60)
    assert_refused(client.get("/api/v1/tasks", headers=BAD), 60)
    assert_refused(client.post("/api/v1/tokens", json={}, headers=sergeant), 60)
    assert_refused(client.get("/api/v1/no-such-address", headers=sergeant), 60)
    clock.move_to(T0 + timedelta(seconds=45))
    assert_refused(client.get("/api/v1/cases", headers=sergeant), 15)
    clock.move_to(T0 + timedelta(seconds=59, milliseconds=500))
    assert_refused(client.get("/api/v1/cases", headers=sergeant), 1)
    # The window passes: the client is let in, and its failures are counted afresh.
    clock.move_to(T0 + timedelta(seconds=60))
    assert client.get("/api/v1/cases", headers=sergeant).status_code == 200
    fail(client, LIMIT)
    assert_refused(client.get("/api/v1/cases", headers=sergeant), 60)


def test_requests_that_sign_in_are_never_counted(client, sergeant, clock):
    for _ in range(LIMIT * 5):
        assert client.get("/api/v1/cases", headers=sergeant).status_code == 200
    fail(client, LIMIT)  # all of them still allowed
    assert_refused(client.get("/api/v1/cases", headers=sergeant), 60)


def test_requests_needing_no_token_are_never_counted_nor_refused(client, sergeant, clock):
    for _ in range(LIMIT * 3):
        assert client.get("/health").status_code == 200
        assert client.get("/api/v1/openapi.json", headers=BAD).status_code == 200
        assert client.options("/api/v1/cases").status_code == 200
    assert client.get("/api/v1/cases", headers=sergeant).status_code == 200
    fail(client, LIMIT)
    assert client.get("/health").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert_refused(client.get("/api/v1/cases", headers=sergeant), 60)


def test_failures_at_an_address_that_does_not_exist_count_too(client, sergeant, clock):
    # Otherwise tokens could be tried there without limit: a good one answers 404, a bad 401.
    for _ in range(LIMIT):
        assert_problem(client.get("/api/v1/no-such-address", headers=BAD), 401)
    assert_refused(client.get("/api/v1/cases", headers=sergeant), 60)


def test_each_address_is_counted_on_its_own(client, sergeant, clock):
    one, other = {"REMOTE_ADDR": "192.0.2.1"}, {"REMOTE_ADDR": "192.0.2.2"}
    fail(client, LIMIT, environ_base=one)
    assert_refused(client.get("/api/v1/cases", headers=sergeant, environ_base=one), 60)
    assert client.get("/api/v1/cases", headers=sergeant, environ_base=other).status_code == 200
    # No proxy is trusted by default: a client cannot name another address to escape its count.
    forwarded = {"X-Forwarded-For": "198.51.100.7", **sergeant}
    assert_refused(client.get("/api/v1/cases", headers=forwarded, environ_base=one), 60)


def test_behind_a_proxy_the_address_it_forwards_is_counted(database_uri, tmp_path, clock):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "AUTH_FAILURE_LIMIT": f"{LIMIT} per minute",
            "PROXIES": 1,
        }
    )
    with app.app_context():
        upgrade()
        token = bearer(create_user("sgt-proxy", ["Sergeant"])[1])
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    one, other = {"X-Forwarded-For": "192.0.2.1"}, {"X-Forwarded-For": "192.0.2.2"}
    fail(client, LIMIT, headers=one, environ_base=proxy)
    refused = client.get("/api/v1/cases", headers={**token, **one}, environ_base=proxy)
    assert_refused(refused, 60)
    let_in = client.get("/api/v1/cases", headers={**token, **other}, environ_base=proxy)
    assert let_in.status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_the_document_lists_429_with_retry_after_for_every_operation(client):
    spec = client.get("/api/v1/openapi.json").json
    operations = [
        operation
        for path in spec["paths"].values()
        for method, operation in path.items()
        if method in ("get", "post", "delete")
    ]
    assert len(operations) > 20
    for operation in operations:
        assert operation["responses"]["429"] == {"$ref": "#/components/responses/TOO_MANY_REQUESTS"}
    refused = spec["components"]["responses"]["TOO_MANY_REQUESTS"]
    assert refused["headers"]["Retry-After"]["required"] is True
    assert list(refused["content"]) == ["application/problem+json"]


@pytest.mark.parametrize(
    "setting, said",
    [
        ({"AUTH_FAILURE_LIMIT": "ten a minute"}, "GWARCHOD_AUTH_FAILURE_LIMIT is 'ten a minute'"),
        ({"RATE_LIMIT_STORAGE": "nowhere://"}, "GWARCHOD_RATE_LIMIT_STORAGE is 'nowhere://'"),
    ],
)
def test_a_limit_or_storage_that_cannot_be_used_stops_the_service(capsys, setting, said):
    with pytest.raises(SystemExit) as stopped:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", **setting})
    assert stopped.value.code == CANNOT_START
    assert said in capsys.readouterr().err


def test_a_deployment_refuses_the_eleventh_failure_in_a_minute(database_uri, monkeypatch, clock):
    for name in ("GWARCHOD_AUTH_FAILURE_LIMIT", "GWARCHOD_RATE_LIMIT_STORAGE", "GWARCHOD_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        upgrade()
    client = app.test_client()
    fail(client, 10)
    assert_refused(client.get("/api/v1/cases", headers=BAD), 60)
    assert rows(app) == {
        "LIMITER/failed-sign-ins/127.0.0.1/global/10/1/minute": (10, T0.timestamp() + 60)
    }
    with app.app_context():
        db.engine.dispose()


# --- the storage: counts in the service's database ------------------------------------------


def rows(app) -> dict[str, tuple[int, float]]:
    with app.app_context(), db.engine.begin() as connection:
        found = connection.execute(sa.text("SELECT key, hits, expires_at FROM rate_limit_counters"))
        return {key: (hits, expires_at) for key, hits, expires_at in found}


def test_the_storage_counts_in_windows_and_clears_ended_ones(app, clock):
    storage = DatabaseStorage()
    start = T0.timestamp()
    with app.app_context():
        assert storage.check()
        assert (storage.get("a"), storage.get_expiry("a")) == (0, start)
        assert [storage.incr("a", 10) for _ in range(3)] == [1, 2, 3]
        assert storage.incr("a", 10, amount=2) == 5
        assert (storage.get("a"), storage.get_expiry("a")) == (5, start + 10)
        assert storage.incr("b", 30) == 1
        clock.move_to(T0 + timedelta(seconds=10))
        # The window of "a" has ended: it counts as none, and its next count begins anew.
        assert (storage.get("a"), storage.get("b")) == (0, 1)
        assert storage.incr("a", 10) == 1
        assert storage.get_expiry("a") == start + 20
        clock.move_to(T0 + timedelta(seconds=40))
        assert storage.incr("c", 10) == 1  # a new window clears the ones that have ended
    assert rows(app) == {"c": (1, start + 50)}
    with app.app_context():
        storage.incr("d", 10)
        storage.clear("c")
        assert (storage.get("c"), storage.get("d")) == (0, 1)
        assert storage.reset() == 1
    assert rows(app) == {}


def test_counting_never_commits_the_requests_own_work(app, clock):
    storage = DatabaseStorage()
    with app.app_context():
        user, _ = create_user("never-committed", ["Sergeant"])  # commits its user and token
        user.name = "renamed"  # a change the request has not committed
        assert storage.incr("a", 60) == 1
        db.session.rollback()
        assert db.session.get(type(user), user.id).name == "never-committed"
    assert rows(app) == {"a": (1, T0.timestamp() + 60)}


def test_two_services_on_one_database_share_their_counts(app, database_uri, clock):
    other = create_app({"SQLALCHEMY_DATABASE_URI": database_uri})
    storages = [DatabaseStorage(), DatabaseStorage()]
    counted = []

    def count(service, storage):
        with service.app_context():
            counted.extend(storage.incr("shared", 60) for _ in range(25))

    threads = [
        threading.Thread(target=count, args=(service, storage))
        for service, storage in zip([app, other, app, other], storages * 2, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(counted) == list(range(1, 101))  # no count lost, none given twice
    with other.app_context():
        assert storages[1].get("shared") == 100
        db.engine.dispose()


def test_two_services_on_one_database_refuse_the_same_client(app, database_uri, clock):
    other = create_app({"SQLALCHEMY_DATABASE_URI": database_uri, "AUTH_FAILURE_LIMIT": "3/minute"})
    fail(app.test_client(), 2)
    fail(other.test_client(), 1)
    assert_refused(app.test_client().get("/api/v1/cases", headers=BAD), 60)
    assert_refused(other.test_client().get("/api/v1/cases", headers=BAD), 60)
    with other.app_context():
        db.engine.dispose()


# --- the Procfile's web process: two workers, and a restart ---------------------------------


def test_the_limit_holds_across_both_workers_and_a_restart(database_uri, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        upgrade()
        token = create_user("sgt-web", ["Sergeant"])[1]
        db.engine.dispose()
    environment = {"GWARCHOD_AUTH_FAILURE_LIMIT": "6 per minute"}
    log = tmp_path / "web.log"
    server = Server(database_uri, free_port(), log, environment)
    try:
        workers = two_workers(server)
        failed_in = set()
        for number in range(6):
            worker = workers[number % 2]
            status, body = worker.get("/api/v1/cases", token="gw_not-a-token")
            assert status == 401, body
            failed_in.add(worker.worker)
        assert len(failed_in) == 2  # each worker counted some of the six
        for worker in workers:
            status, body = worker.get("/api/v1/cases", token=token)
            assert status == 429, body
            assert body["detail"].startswith("Too many failed attempts to sign in")
            assert 1 <= int(worker.headers["Retry-After"]) <= 60
            assert worker.headers.get_content_type() == "application/problem+json"
            assert worker.get("/health")[0] == 200
    finally:
        server.stop()
    server = Server(database_uri, free_port(), log, environment)
    try:
        connection = server.connect()
        status, body = connection.get("/api/v1/cases", token=token)
        assert status == 429, body
        assert 1 <= int(connection.headers["Retry-After"]) <= 60
        assert connection.get("/health")[0] == 200
    finally:
        server.stop()
