"""The role catalogue the service started with, and roles as a person reads them."""

from flask import current_app

from workflows.roles import RoleCatalogue

ROLES_EXTENSION = "gwarchod.roles"


def role_catalogue() -> RoleCatalogue:
    return current_app.extensions[ROLES_EXTENSION]


def holds_grant(actor, grant: str) -> bool:
    """Whether one of the actor's roles holds the grant."""
    return grant in role_catalogue().grants_of(actor.role_names)


def role_working(lane: str, language: str) -> str:
    """The name, in ``language``, of the role that works the lane; the lane's own name when no
    role works it (a case of a version deployed before the catalogue changed)."""
    role = role_catalogue().working(lane)
    return role.shown_name(language) if role is not None else lane
