"""Errors as RFC 9457 problem details (application/problem+json), never a stack trace."""

import logging
import uuid

from flask import Flask, Response, current_app, json, request
from sqlalchemy.exc import OperationalError, ProgrammingError
from werkzeug.exceptions import HTTPException

from .roles import role_working
from .schema import DatabaseNotReady, missing_upgrade

PROBLEM_JSON = "application/problem+json"
SERVER_ERROR = "Something went wrong on the server; nothing was changed. The error has been logged."
DATABASE_NOT_READY = (
    "The service's database cannot be reached, or is not set up for this version of Gwarchod; "
    "nothing was changed. Try again in a few minutes."
)
log = logging.getLogger(__name__)


class ApiProblem(Exception):
    """An error a client can act on: raise it anywhere below a request."""

    def __init__(self, status: int, title: str, detail: str, headers=None, **extra):
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem_body(status: int, title: str, detail: str, **extra) -> dict:
    return {"type": "about:blank", "status": status, "title": title, "detail": detail, **extra}


def problem_response(status: int, title: str, detail: str, **extra) -> Response:
    body = problem_body(status, title, detail, **extra)
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


def not_found(what: str, identifier: object) -> ApiProblem:
    return ApiProblem(404, f"{what} not found", f"There is no {what.lower()} '{identifier}'.")


def _from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    title = error.name
    detail = error.description or title
    extra = {}
    messages = getattr(error, "data", {}).get("messages") if hasattr(error, "data") else None
    if messages:
        # Request-parsing errors from webargs: {location: {field: [messages]}}.
        errors = []
        for location, fields in messages.items():
            if location == "json" and isinstance(fields, list):
                errors.append({"field": "(body)", "message": "; ".join(map(str, fields))})
                continue
            for name, texts in _flatten(fields):
                errors.append({"field": name, "message": "; ".join(map(str, texts))})
        extra["errors"] = errors
        if status in (400, 422):
            if any(e["field"] == "(body)" for e in errors):
                status, title = 400, "Malformed request body"
                detail = "The request body must be a JSON object."
            else:
                detail = "Some fields are not valid: " + ", ".join(e["field"] for e in errors)
    if status == 413:
        detail = "The request body is larger than this service accepts."
    elif status == 405:
        detail = "This address does not accept that method."
    elif status == 404 and not messages:
        detail = "There is nothing at this address."
    return problem_response(status, title, detail, **extra)


def _flatten(fields: object, prefix: str = "") -> list[tuple[str, list]]:
    if isinstance(fields, dict):
        found = []
        for key, value in fields.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            found.extend(_flatten(value, name))
        return found
    return [(prefix or "(body)", fields if isinstance(fields, list) else [fields])]


# Set by the pages (service.web.errors): renders an error as a page, for a request that is
# not to the API.
ERROR_PAGE = "gwarchod.error_page"


def _page_for(error: Exception) -> Response | None:
    render = current_app.extensions.get(ERROR_PAGE)
    if render is None or request.path.startswith("/api/") or request.path == "/health":
        return None
    return render(error)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiProblem)
    def _api_problem(error: ApiProblem):
        page = _page_for(error)
        if page is not None:
            return page
        response = problem_response(error.status, error.title, error.detail, **error.extra)
        response.headers.update(error.headers)
        return response

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return _page_for(error) or _from_http_exception(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        # A missing table or column, or a database that cannot be reached, raises one of these
        # (a pool's timeout does not: asking the database again would only wait once more).
        if isinstance(error, OperationalError | ProgrammingError):
            problem = missing_upgrade()
            if problem is not None:  # not a fault of the request: the service is not ready
                log.error("a request failed on the database: %s", problem)
                return _page_for(DatabaseNotReady(problem)) or problem_response(
                    503, "Service Unavailable", DATABASE_NOT_READY
                )
        reference = uuid.uuid4().hex[:12]
        log.exception("unhandled error (reference %s)", reference)
        error.reference = reference
        return _page_for(error) or problem_response(
            500, "Internal Server Error", f"{SERVER_ERROR} Its reference: {reference}."
        )


_NOT_YOUR_LANE = {
    "en": "The task '{name}' is work for the {role} role, which you do not hold.",
    "cy": "Gwaith i'r rôl {role} yw'r dasg '{name}', ac nid yw'r rôl honno gennych.",
}


def not_your_lane(task, language: str, name: str) -> ApiProblem:
    """403 for a task in a lane the caller has no role for (a charging decision the CPS must
    make, a bail extension only an Inspector may authorise); ``name`` is the task's name in
    ``language``; the role that works the lane is named in ``language`` too."""
    text = _NOT_YOUR_LANE.get(language, _NOT_YOUR_LANE["en"])
    return ApiProblem(
        403, "Forbidden", text.format(name=name, role=role_working(task.lane, language))
    )
