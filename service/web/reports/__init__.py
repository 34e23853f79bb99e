"""The policy's reports as pages (the ``reports`` grant)."""

from flask import Blueprint

from ..routes import web

bp = Blueprint("reports", __name__)
# Nested in the pages' blueprint: its sign-in, CSRF check and security headers hold here too.
web.register_blueprint(bp)

# The routes, on the blueprint above.
from . import routes  # noqa: E402, F401, I001
