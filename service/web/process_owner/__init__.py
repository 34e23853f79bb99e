"""The process owner's workspace (the ``deploy_definitions`` grant): processes and their
versions, the diagram and decision table editors, new processes and moving running cases."""

from flask import Blueprint

from ..routes import web

bp = Blueprint("model", __name__)
# Nested in the pages' blueprint: its sign-in, CSRF check and security headers hold here too.
web.register_blueprint(bp)

# The routes, on the blueprint above.
from . import editor_routes, migration_routes, new_process_routes, routes  # noqa: E402, F401, I001
