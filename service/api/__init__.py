"""The HTTP API under /api/v1, documented at /api/v1/openapi.json."""

import http

from apispec import BasePlugin
from flask import Blueprint, Flask, jsonify
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from ..auth import authenticate
from ..problems import PROBLEM_JSON, problem_response, register_error_handlers
from ..scheduler import scheduler_health
from ..schema import missing_upgrade
from . import audit, cases, migrations, processes, restrictions, tasks, timers, tokens
from .guards import IdConverter, id_schema, refuse_unreadable_body, refuse_unstorable_input
from .schemas import ProblemSchema

API_PREFIX = "/api/v1"

health = Blueprint("health", __name__)


@health.get("/health")
def health_check():
    """Up, and firing timers: 503 when a timer is overdue and no scheduler has woken lately,
    or when the database is not set up for this version (the command line says how)."""
    if missing_upgrade() is not None:
        return problem_response(
            503,
            "Service Unavailable",
            "The database cannot be reached, or is not set up for this version of Gwarchod: run "
            "any of its commands (`flask --app service scheduler status`) to see what to do.",
        )
    report = scheduler_health()
    return jsonify(report.view()), 200 if report.healthy else 503


class SignInLimit(BasePlugin):
    """Every operation in the document needs a token, so any of them may be answered 429 while
    the client is past the limit on failed sign-ins (service/limits.py)."""

    def operation_helper(self, path=None, operations=None, **_kwargs):
        for operation in operations.values():
            operation.setdefault("responses", {})[429] = http.HTTPStatus(429).name


class GwarchodApi(Api):
    """flask-smorest's Api, documenting every error as the problem details it is."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            if status == http.HTTPStatus.TOO_MANY_REQUESTS:
                response["description"] = "Too many failed sign-ins from the client's address"
                response["headers"] = {
                    "Retry-After": {
                        "description": "Seconds until the client may try again",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1},
                    }
                }
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as problem details", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def register_api(app: Flask) -> None:
    app.config.update(
        API_TITLE="Gwarchod",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    app.url_map.converters["id"] = IdConverter
    api = GwarchodApi(app, spec_kwargs={"extra_plugins": [SignInLimit()]})
    api.register_converter(IdConverter, id_schema)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "An API token"}
    )
    api.spec.options["security"] = [{"bearer": []}]
    for blueprint in (
        processes.blp,
        migrations.blp,
        cases.blp,
        restrictions.blp,
        tasks.blp,
        timers.blp,
        audit.blp,
        tokens.blp,
    ):
        api.register_blueprint(blueprint, url_prefix=f"{API_PREFIX}{blueprint.url_prefix}")
    app.register_blueprint(health)
    app.before_request(authenticate)
    app.before_request(refuse_unreadable_body)
    app.before_request(refuse_unstorable_input)
    register_error_handlers(app)
