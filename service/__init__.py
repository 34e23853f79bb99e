"""Gwarchod's Flask application."""

import os
import sys
from pathlib import Path

from flask import Flask, has_app_context
from flask_migrate import Migrate
from werkzeug.middleware.proxy_fix import ProxyFix

from workflows.forms import set_case_lookup
from workflows.roles import RoleCatalogueError, load_roles

from .config import SettingError, database_url, settings_from_environment
from .db import db
from .definitions import case_exists
from .limits import RateLimitSettingError, limit_failed_sign_ins
from .roles import ROLES_EXTENSION
from .schema import MIGRATIONS_DIR

# The exit status of a service that cannot start: gunicorn stops, rather than starting workers
# again and again, when one exits with it ("worker failed to boot").
CANNOT_START = 3


def _case_exists(case_id: str) -> bool:
    if not has_app_context():
        return True  # checked where the service runs; plain engine use has no cases to ask
    return case_exists(case_id)


def create_app(settings: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    try:
        app.config.update(settings_from_environment(app.instance_path))
        app.config.update(settings or {})
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])
        app.extensions[ROLES_EXTENSION] = load_roles(Path(app.config["ROLES_FILE"]))
        # Before the API: a client past the limit is refused before its token is looked at.
        limit_failed_sign_ins(app)
    except (SettingError, RoleCatalogueError, RateLimitSettingError) as error:
        # Said plainly, without a traceback: the file's or setting's owner has a rule to put right.
        print(f"Gwarchod cannot start: {error}", file=sys.stderr)
        raise SystemExit(CANNOT_START) from None
    db.init_app(app)
    if app.config["PROXIES"]:
        # The client's address is the one the outermost of that many proxies saw, as its
        # X-Forwarded-For says; without proxies the header is not believed.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXIES"], x_proto=0)
    Migrate(app, db, directory=MIGRATIONS_DIR)

    from .api import register_api
    from .cli import register_cli
    from .web import register_web

    register_api(app)
    register_web(app)
    register_cli(app)
    if app.config["WORKER_HEADER"]:

        @app.after_request
        def _name_the_worker(response):
            response.headers["Gwarchod-Worker"] = str(os.getpid())
            return response

    # Forms may link to another case (a complaint names its case): only an existing one will do.
    set_case_lookup(_case_exists)
    return app
