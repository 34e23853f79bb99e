"""Requests gunicorn refuses before the application sees them are answered as problem details.

Gunicorn answers a request line over ``limit_request_line``, headers over their limits and a
request that is not HTTP with an HTML page of its own; the Procfile's worker
(service/gunicorn_worker.py) answers them as every other error is answered.
"""

import http.client
import json
import socket

import pytest
from flask_migrate import upgrade

from service import create_app
from service.db import db
from tests.web_server import Server, free_port

PROBLEM = "application/problem+json"


@pytest.fixture
def server(database_uri, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    server = Server(database_uri, free_port(), tmp_path / "web.log")
    yield server
    server.stop()


def exchange(server: Server, request: bytes) -> tuple[int, str, dict]:
    """Send bytes as they are; the answer's status, content type and body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(request)
        response = http.client.HTTPResponse(connection)
        response.begin()
        payload = response.read()
    assert b"<html" not in payload.lower()
    return response.status, response.getheader("Content-Type"), json.loads(payload)


def assert_problem(answer: tuple[int, str, dict], status: int) -> dict:
    answered, content_type, body = answer
    assert (answered, content_type) == (status, PROBLEM), answer
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def test_a_request_line_too_long_is_414_as_problem_details(server):
    path = "/api/v1/cases?process=" + "x" * 10_000
    body = assert_problem(exchange(server, f"GET {path} HTTP/1.1\r\n\r\n".encode()), 414)
    assert body["title"] == "URI Too Long"
    assert "at most 4094 bytes" in body["detail"]


def test_headers_too_large_are_431_as_problem_details(server):
    large = b"GET /health HTTP/1.1\r\nX-Note: " + b"x" * 10_000 + b"\r\n\r\n"
    body = assert_problem(exchange(server, large), 431)
    assert "of at most 8190 bytes each" in body["detail"]
    many = b"".join(b"X-Note-%d: x\r\n" % number for number in range(150))
    assert_problem(exchange(server, b"GET /health HTTP/1.1\r\n" + many + b"\r\n"), 431)


def test_a_request_that_is_not_http_is_400_as_problem_details(server):
    body = assert_problem(exchange(server, b"NOT HTTP AT ALL\r\n\r\n"), 400)
    assert body["detail"] == "The request is not valid HTTP, so it was not read."
    # The service goes on answering.
    assert server.connect().get("/health")[0] == 200
