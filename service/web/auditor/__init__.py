"""The auditor's workspace (the ``audit`` grant): a case's history, its path on the
diagram and the heat maps of a process."""

from flask import Blueprint

from ..routes import web

bp = Blueprint("audit", __name__)
# Nested in the pages' blueprint: its sign-in, CSRF check and security headers hold here too.
web.register_blueprint(bp)

# The routes, on the blueprint above.
from . import diagram_routes, routes  # noqa: E402, F401, I001
