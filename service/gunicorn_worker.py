"""Gunicorn's threaded worker, answering the requests gunicorn itself refuses as problem details.

Gunicorn refuses some requests before the application sees them: a request line longer than
``limit_request_line`` (414), headers past their limits (431), a request that is not HTTP
(400). Its own answer is an HTML page; this worker answers with the same status as
``application/problem+json``, in the shape of every other error (service/problems.py), so no
client ever receives HTML. The Procfile runs it: ``--worker-class
service.gunicorn_worker.ProblemWorker``.

Gunicorn still decides the status and logs the refusal: its ``handle_error`` writes its page into
a stand-in for the client's socket, and only the status line of that page is kept.
"""

import json

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from .problems import PROBLEM_JSON, SERVER_ERROR, problem_body

# Gunicorn's reasons said in plain words; the limits are the worker's settings.
_DETAILS = {
    400: "The request is not valid HTTP, so it was not read.",
    403: "The request was refused before it was read.",
    414: "The request line (method, address and query) is longer than this service accepts: "
    "at most {cfg.limit_request_line} bytes.",
    417: "The request asks for an expectation this service cannot meet.",
    431: "The request's headers are larger than this service accepts: at most "
    "{cfg.limit_request_fields} headers of at most {cfg.limit_request_field_size} bytes each.",
    500: SERVER_ERROR,
    501: "The request's transfer coding is not one this service reads.",
}


class _ErrorPage:
    """Stands in for the client's socket while gunicorn writes its error page, keeping it."""

    def __init__(self):
        self.written = b""

    def gettimeout(self) -> float:
        return 0.0  # already non-blocking, as far as gunicorn's writer can tell

    def sendall(self, data: bytes) -> None:
        self.written += data


class ProblemWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        page = _ErrorPage()
        super().handle_error(req, page, addr, exc)
        if not page.written:
            return
        status_line = page.written.split(b"\r\n", 1)[0].decode("latin-1")
        _version, code, reason = status_line.split(" ", 2)
        status = int(code)
        detail = _DETAILS.get(status, reason).format(cfg=self.cfg)
        body = json.dumps(problem_body(status, reason, detail)).encode()
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            "Connection: close\r\n"
            f"Content-Type: {PROBLEM_JSON}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        try:
            util.write_nonblock(client, head.encode("latin-1") + body)
        except Exception:
            self.log.debug("Failed to send error message.")
