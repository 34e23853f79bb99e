"""Who is signed in to the pages: a signed session cookie naming the user, checked on every
page against the user's record, so that deactivating a user signs them out at once, and
against the time they were last seen, so that an idle session ends."""

import logging
import time
from urllib.parse import urlencode, urlsplit

import requests
from flask import current_app, g, session, url_for

from ..audit.reads import log_read
from ..auth import Actor
from ..db import db
from ..models import User
from . import OIDC_EXTENSION

USER, SEEN, LANGUAGE = "user_id", "seen", "language"
PROVIDER_TOKEN = "id_token"  # the force account's ID token, for signing out at the provider
MAX_KEPT_TOKEN = 1500  # characters of an ID token the session cookie keeps
log = logging.getLogger(__name__)


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
    g.chosen_language = user.language
    actor = Actor(user.id, user.name, frozenset(user.role_names))
    g.actor = actor
    return actor


def sign_in(user: User, method: str | None = None, id_token: str | None = None) -> None:
    """Start a new session for the user (a fresh cookie, in the language they chose last).
    ``method`` names a way of signing in other than a password ("oidc") in the read log; the
    provider's ``id_token`` is kept to sign the user out there too when they sign out."""
    session.clear()
    session[USER] = user.id
    if id_token:
        # A long token (a provider listing many groups) would push the cookie past what
        # browsers keep; the provider is then told the client alone, and asks the user.
        session[PROVIDER_TOKEN] = id_token if len(id_token) <= MAX_KEPT_TOKEN else ""
    session[SEEN] = time.time()
    if user.language:
        session[LANGUAGE] = user.language
    actor = Actor(user.id, user.name, frozenset(user.role_names))
    log_read(actor, "session.sign_in", detail={"method": method} if method else None)


def sign_out(actor: Actor) -> str | None:
    """End the session. For someone who signed in with their force account, return the
    provider's address that signs them out there too (OpenID Connect RP-initiated logout), so
    that the next person at a shared station is not signed straight back in as them; None when
    there is none to go to."""
    log_read(actor, "session.sign_out")
    at_provider = _provider_sign_out(session[PROVIDER_TOKEN]) if PROVIDER_TOKEN in session else None
    language = session.get(LANGUAGE)
    session.clear()
    if language:
        session[LANGUAGE] = language  # the pages keep speaking it
    return at_provider


def _provider_sign_out(id_token: str) -> str | None:
    provider = current_app.extensions.get(OIDC_EXTENSION)
    if provider is None:
        return None
    try:
        endpoint = provider.load_server_metadata().get("end_session_endpoint")
    except (requests.RequestException, ValueError) as error:
        log.warning("signed out here only: the provider's metadata could not be read: %r", error)
        return None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None  # the provider offers no sign-out: the session here has ended all the same
    if origin_of(endpoint) != origin_of(current_app.config["OIDC_ISSUER"]):
        # The pages' policy lets a form lead only here and to the issuer's own site.
        log.warning("signed out here only: the provider signs out at another site, %s", endpoint)
        return None
    back = current_app.config["OIDC_POST_LOGOUT_REDIRECT_URI"] or url_for(
        "web.sign_in", _external=True
    )
    query = {"client_id": current_app.config["OIDC_CLIENT_ID"], "post_logout_redirect_uri": back}
    if id_token:
        query["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


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


def origin_of(address: str) -> str:
    """The scheme, host and port of an address, as a content security policy names a site."""
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}"
