"""Users, their API tokens and bearer-token authentication.

Tokens are random, so a plain SHA-256 of the token is enough to look it up and keeps a stolen
database from yielding usable tokens. A token works until it expires (``TOKEN_DAYS`` after it
was issued), is revoked, or its user is deactivated. Issuing, revoking and deactivating are
logged by the ``service.auth`` logger, naming who did it.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, request
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError

from .db import db
from .models import ApiToken, User, UserRole, utcnow
from .passwords import set_password
from .problems import ApiProblem
from .roles import role_catalogue

TOKEN_PREFIX = "gw_"
# How many leading characters of a token are kept in the clear to tell tokens apart: the
# "gw_" and 8 random characters, leaving 208 of its 256 random bits unknown.
SHOWN_CHARACTERS = len(TOKEN_PREFIX) + 8
# A token's last use is written at most this often, so that requests do not each cost a write.
LAST_USED_PRECISION = timedelta(minutes=5)
PUBLIC_ENDPOINTS = {"health.health_check", "api-docs.openapi_json", "static"}
log = logging.getLogger(__name__)


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
    select(
        _users.c.id,
        _users.c.name,
        _users.c.deactivated_at,
        _tokens.c.id.label("token_id"),
        _tokens.c.expires_at,
        _tokens.c.revoked_at,
        _tokens.c.last_used_at,
        _roles.c.role,
    )
    .join(_tokens, _tokens.c.user_id == _users.c.id)
    .outerjoin(_roles, _roles.c.user_id == _users.c.id)
    .where(_tokens.c.token_hash == bindparam("token_hash"))
)
_TOUCH_TOKEN = (
    update(_tokens)
    .where(
        _tokens.c.id == bindparam("token_id"),
        or_(_tokens.c.last_used_at.is_(None), _tokens.c.last_used_at < bindparam("stale_before")),
    )
    .values(last_used_at=bindparam("used_at"))
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_roles(roles: list[str]) -> list[str]:
    """The roles by their names in the role catalogue (matched in any case); refuse an empty
    list or a role the catalogue does not know, naming the roles it knows."""
    catalogue = role_catalogue()
    unknown = sorted(role for role in roles if catalogue.role(role) is None)
    if unknown:
        known = ", ".join(role.name for role in catalogue.roles)
        raise ValueError(f"unknown role(s): {', '.join(unknown)}; roles are: {known}")
    if not roles:
        raise ValueError("give the user at least one role")
    return [catalogue.role(role).name for role in roles]


def create_user(name: str, roles: list[str], password: str | None = None) -> tuple[User, str]:
    """Add a user with roles, a password to sign in to the pages with (when given) and one new
    token; return the token, which is shown only once."""
    roles = check_roles(roles)
    if db.session.scalar(select(User).where(User.name == name)) is not None:
        raise ValueError(f"a user called '{name}' already exists")
    user = User(name=name, roles=[UserRole(role=role) for role in dict.fromkeys(roles)])
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    _, token = issue_token(user, by="user creation")
    return user, token


def find_user(name: str) -> User:
    user = db.session.scalar(select(User).where(User.name == name))
    if user is None:
        raise LookupError(f"there is no user called '{name}'")
    return user


def issue_token(user: User, by: str, name: str | None = None) -> tuple[ApiToken, str]:
    """A new token for an active user, committed; the secret is returned once and not stored."""
    if user.deactivated_at is not None:
        raise ValueError(f"'{user.name}' has been deactivated and cannot be given a token")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    issued_at = utcnow()
    token = ApiToken(
        user=user,
        token_hash=hash_token(secret),
        prefix=secret[:SHOWN_CHARACTERS],
        name=name,
        created_at=issued_at,
        expires_at=issued_at + timedelta(days=current_app.config["TOKEN_DAYS"]),
    )
    db.session.add(token)
    db.session.commit()
    log.info("API token %s (%s) issued to '%s' by %s", token.id, token.prefix, user.name, by)
    return token, secret


def revoke_token(token: ApiToken, by: str) -> None:
    """Revoke a token, committed; a token already revoked keeps the time it was revoked."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    db.session.commit()
    log.info("API token %s (%s) of '%s' revoked by %s", token.id, token.prefix, token.user.name, by)


def deactivate_user(user: User, by: str) -> int:
    """Deactivate a user and revoke every token they hold at once; return how many were live."""
    now = utcnow()
    live = [token for token in tokens_of(user) if token.revoked_at is None]
    for token in live:
        token.revoked_at = now
    if user.deactivated_at is None:
        user.deactivated_at = now
    db.session.commit()
    log.info("user '%s' deactivated by %s; %d token(s) revoked", user.name, by, len(live))
    return len(live)


def set_roles(user: User, roles: list[str], by: str) -> None:
    """Replace a user's roles, committed."""
    roles = check_roles(roles)
    user.roles = [UserRole(role=role) for role in dict.fromkeys(roles)]
    db.session.commit()
    log.info("roles of '%s' set to %s by %s", user.name, ", ".join(sorted(roles)), by)


class AccountTaken(Exception):
    """A provider's user whose name is held by a user who is not their force account."""


def choose_language(user_id: int, code: str) -> None:
    """Keep the language a user chose for the pages, committed."""
    user = db.session.get(User, user_id)
    if user is not None:
        user.language = code
        db.session.commit()


def provider_account(issuer: str, subject: str) -> str:
    """How a user's force account is kept: the provider's issuer and the subject it names them
    by, which together never change and are never given to anyone else."""
    return f"{issuer} {subject}"


def provided_user(name: str, account: str, roles: list[str], by: str) -> User:
    """The user an identity provider vouches for, committed: found by their force ``account``
    (``provider_account``), else created, with no password and no token, at their first sign-in;
    given the provider's roles (names of the catalogue's roles) at each one. A deactivated user is
    returned as they are, to be refused.

    A name is only ever matched with the account it was made for: a user of that name made here
    (``users create``) or by another account raises ``AccountTaken``, so that nobody at the
    provider can become them by taking their name."""
    roles = check_roles(roles)
    user = db.session.scalar(select(User).where(User.provider_account == account))
    if user is None:
        if db.session.scalar(select(User.id).where(User.name == name)) is not None:
            raise AccountTaken(name)
        user = User(
            name=name,
            provider_account=account,
            roles=[UserRole(role=role) for role in dict.fromkeys(roles)],
        )
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:  # the same user's other sign-in, at the same moment, made them
            db.session.rollback()
            return provided_user(name, account, roles, by)
        log.info("user '%s' created with roles %s by %s", name, ", ".join(sorted(roles)), by)
        return user
    if user.deactivated_at is None and user.role_names != set(roles):
        set_roles(user, roles, by)
    return user


def tokens_of(user: User | None) -> list[ApiToken]:
    """A user's tokens (everyone's for None), newest first."""
    statement = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user is not None:
        statement = statement.where(ApiToken.user_id == user.id)
    return list(db.session.scalars(statement))


def token_status(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= now else "active"


def needs_token() -> bool:
    """Whether this request must carry a token: every request to the API but its public
    endpoints and preflights. (The pages sign people in with a session of their own:
    service.web.)"""
    return (
        request.path.startswith("/api/")
        and request.endpoint not in PUBLIC_ENDPOINTS
        and request.method != "OPTIONS"
    )


def authenticate() -> None:
    """Before every request: find the caller from the bearer token, or answer 401."""
    if not needs_token():
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorised("Send an API token as 'Authorization: Bearer <token>'.")
    rows = db.session.execute(_ACTOR_BY_TOKEN, {"token_hash": hash_token(token.strip())}).all()
    if not rows:
        raise _unauthorised("The API token is not valid.")
    row, now = rows[0], utcnow()
    if row.deactivated_at is not None:
        raise _unauthorised(
            "The user this token belongs to has been deactivated; ask an Administrator if "
            "you need access again."
        )
    if row.revoked_at is not None:
        raise _unauthorised(
            f"This token was revoked on {_when(row.revoked_at)}: use another of your tokens, "
            "or ask an Administrator for a new one."
        )
    if row.expires_at <= now:
        raise _unauthorised(
            f"This token expired on {_when(row.expires_at)}: issue a new one with another of "
            "your tokens (POST /api/v1/tokens), or ask an Administrator for one."
        )
    if row.last_used_at is None or row.last_used_at < now - LAST_USED_PRECISION:
        parameters = {"token_id": row.token_id, "used_at": now}
        db.session.execute(_TOUCH_TOKEN, {**parameters, "stale_before": now - LAST_USED_PRECISION})
        db.session.commit()
    g.actor = Actor(row.id, row.name, frozenset(each.role for each in rows if each.role))


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _unauthorised(detail: str) -> ApiProblem:
    return ApiProblem(401, "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


def current_user() -> Actor:
    return g.actor
