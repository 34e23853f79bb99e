"""The role catalogue the service started with, and roles as a person reads them."""

from flask import current_app

from workflows.roles import RoleCatalogue

ROLES_EXTENSION = "gwarchod.roles"


def role_catalogue() -> RoleCatalogue:
    return current_app.extensions[ROLES_EXTENSION]


def role_working(lane: str, language: str) -> str:
    """The name, in ``language``, of the role that works the lane; the lane's own name when no
    role works it (a case of a version deployed before the catalogue changed)."""
    role = role_catalogue().working(lane)
    return role.shown_name(language) if role is not None else lane
