"""The Procfile's web process run for a test: gunicorn with its two workers, on a free port."""

import http.client
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from service.config import PROJECT_ROOT


def web_command(port: int) -> list[str]:
    """The Procfile's web line, with the port filled in."""
    for line in (PROJECT_ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            command = line.removeprefix("web:").replace("${PORT:-5000}", str(port))
            return [
                str(Path(sys.executable).parent / word) if i == 0 else word
                for i, word in enumerate(shlex.split(command))
            ]
    raise AssertionError("the Procfile has no web process")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """The web process on ``database_uri``, started and answering ``/health``; ``environment``
    adds settings to the test's own."""

    def __init__(self, database_uri: str, port: int, log: Path, environment: dict | None = None):
        self.port = port
        environment = {
            **os.environ,
            "DATABASE_URL": database_uri,
            "GWARCHOD_WORKER_HEADER": "1",
            # The test holds a connection to each worker across commands.
            "GUNICORN_CMD_ARGS": "--keep-alive 120",
            # Hostile commands run long enough for a steady series of reads beside them.
            "GWARCHOD_ENGINE_CPU_SECONDS": "4",
            **(environment or {}),
        }
        with open(log, "ab") as output:
            self.process = subprocess.Popen(
                web_command(port),
                cwd=PROJECT_ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.connect().get("/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("the web process did not start")

    def connect(self) -> "Connection":
        return Connection(self.port)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Connection:
    """A keep-alive connection: every request on it is served by the same worker."""

    def __init__(self, port: int):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token: str | None = None
        self.worker: str | None = None
        self.headers: http.client.HTTPMessage | None = None

    def request(self, method: str, path: str, body=None, token=None, headers=None):
        headers = {"Content-Type": "application/json", **(headers or {})}
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        self.http.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = self.http.getresponse()
        payload = response.read()
        self.worker = response.getheader("Gwarchod-Worker")
        self.headers = response.msg
        return response.status, json.loads(payload) if payload else None

    def get(self, path: str, token=None, headers=None):
        return self.request("GET", path, token=token, headers=headers)

    def post(self, path: str, body, token=None):
        return self.request("POST", path, body, token)


def two_workers(server: Server) -> tuple[Connection, Connection]:
    """Keep-alive connections held by two different workers.

    An idle worker accepts every new connection first; while it is paused, the other must.
    """
    first = server.connect()
    first.get("/health")
    os.kill(int(first.worker), signal.SIGSTOP)
    try:
        second = server.connect()
        second.get("/health")
    finally:
        os.kill(int(first.worker), signal.SIGCONT)
    assert second.worker != first.worker
    return first, second
