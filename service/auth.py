"""Bearer-token authentication.

Tokens are random, so a plain SHA-256 of the token is enough to look it up and keeps a stolen
database from yielding usable tokens.
"""

import hashlib
import secrets
from dataclasses import dataclass

from flask import g, request
from sqlalchemy import bindparam, select

from .db import db
from .models import ApiToken, User, UserRole
from .problems import ApiProblem
from .roles import role_catalogue

TOKEN_PREFIX = "gw_"
PUBLIC_ENDPOINTS = {"health.health_check", "api-docs.openapi_json", "static"}


@dataclass(frozen=True)
class Actor:
    """Who is asking: a user's id, name and roles, as read from their token."""

    id: int
    name: str
    role_names: frozenset[str]


# Built once: every request runs it, and building a statement costs more than running it.
# It names the tables rather than the mapped classes, so it runs as a plain statement.
_users, _roles, _tokens = User.__table__, UserRole.__table__, ApiToken.__table__
_ACTOR_BY_TOKEN = (
    select(_users.c.id, _users.c.name, _roles.c.role)
    .join(_tokens, _tokens.c.user_id == _users.c.id)
    .outerjoin(_roles, _roles.c.user_id == _users.c.id)
    .where(_tokens.c.token_hash == bindparam("token_hash"), _tokens.c.revoked_at.is_(None))
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(name: str, roles: list[str]) -> tuple[User, str]:
    """Add a user with roles and one new token; return the token, which is shown only once."""
    catalogue = role_catalogue()
    unknown = sorted(role for role in roles if catalogue.role(role) is None)
    if unknown:
        known = ", ".join(role.name for role in catalogue.roles)
        raise ValueError(f"unknown role(s): {', '.join(unknown)}; roles are: {known}")
    roles = [catalogue.role(role).name for role in roles]
    if not roles:
        raise ValueError("give the user at least one role")
    if db.session.scalar(select(User).where(User.name == name)) is not None:
        raise ValueError(f"a user called '{name}' already exists")
    user = User(name=name, roles=[UserRole(role=role) for role in dict.fromkeys(roles)])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add_all([user, ApiToken(user=user, token_hash=hash_token(token))])
    db.session.commit()
    return user, token


def authenticate() -> None:
    """Before every request: find the caller from the bearer token, or answer 401."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorised("Send an API token as 'Authorization: Bearer <token>'.")
    rows = db.session.execute(_ACTOR_BY_TOKEN, {"token_hash": hash_token(token.strip())}).all()
    if not rows:
        raise _unauthorised("The API token is not valid or has been revoked.")
    g.actor = Actor(rows[0].id, rows[0].name, frozenset(row.role for row in rows if row.role))


def _unauthorised(detail: str) -> ApiProblem:
    return ApiProblem(401, "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


def current_user() -> Actor:
    return g.actor
