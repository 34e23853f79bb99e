"""Who is signed in to the pages: a signed session cookie naming the user, checked on every
page against the user's record, so that deactivating a user signs them out at once, and
against the time they were last seen, so that an idle session ends."""

import time
from urllib.parse import urlsplit

from flask import current_app, g, session

from ..audit.reads import log_read
from ..auth import Actor
from ..db import db
from ..models import User

USER, SEEN, LANGUAGE = "user_id", "seen", "language"


def signed_in_actor() -> Actor | None:
    """The user of this session, or None (never signed in, idle too long, or deactivated). A
    session that ended is cleared, and ``g.session_ended`` says why."""
    user_id = session.get(USER)
    if user_id is None:
        return None
    idle = current_app.config["IDLE_MINUTES"] * 60
    if time.time() - session.get(SEEN, 0) > idle:
        _end("idle")
        return None
    user = db.session.get(User, user_id)
    if user is None or user.deactivated_at is not None:
        _end("deactivated")
        return None
    session[SEEN] = time.time()
    actor = Actor(user.id, user.name, frozenset(user.role_names))
    g.actor = actor
    return actor


def sign_in(user: User, method: str | None = None) -> None:
    """Start a new session for the user (a fresh cookie, in the language they chose last).
    ``method`` names a way of signing in other than a password ("oidc") in the read log."""
    session.clear()
    session[USER] = user.id
    session[SEEN] = time.time()
    if user.language:
        session[LANGUAGE] = user.language
    actor = Actor(user.id, user.name, frozenset(user.role_names))
    log_read(actor, "session.sign_in", detail={"method": method} if method else None)


def sign_out(actor: Actor) -> None:
    log_read(actor, "session.sign_out")
    language = session.get(LANGUAGE)
    session.clear()
    if language:
        session[LANGUAGE] = language  # the pages keep speaking it


def _end(reason: str) -> None:
    language = session.get(LANGUAGE)
    session.clear()
    if language:
        session[LANGUAGE] = language
    g.session_ended = reason


def safe_next(value: str | None) -> str | None:
    """A page of this service to go back to after signing in: a path here, never another
    site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value
