"""The HTTP API under /api/v1, documented at /api/v1/openapi.json."""

from flask import Blueprint, Flask, jsonify
from flask_smorest import Api

from ..auth import authenticate
from ..problems import register_error_handlers
from ..scheduler import scheduler_health
from . import audit, cases, processes, tasks, timers, tokens

API_PREFIX = "/api/v1"

health = Blueprint("health", __name__)


@health.get("/health")
def health_check():
    """Up, and firing timers: 503 when a timer is overdue and no scheduler has woken lately."""
    report = scheduler_health()
    return jsonify(report.view()), 200 if report.healthy else 503


def register_api(app: Flask) -> None:
    app.config.update(
        API_TITLE="Gwarchod",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = Api(app)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "An API token"}
    )
    api.spec.options["security"] = [{"bearer": []}]
    for blueprint in (processes.blp, cases.blp, tasks.blp, timers.blp, audit.blp, tokens.blp):
        api.register_blueprint(blueprint, url_prefix=f"{API_PREFIX}{blueprint.url_prefix}")
    app.register_blueprint(health)
    app.before_request(authenticate)
    register_error_handlers(app)
