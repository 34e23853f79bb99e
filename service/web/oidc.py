"""Signing in with the force's own identity provider, by OpenID Connect (Authlib's Flask client).

On when ``OIDC_ISSUER``, ``OIDC_CLIENT_ID`` and ``OIDC_CLIENT_SECRET`` are all set. The sign-in
page then offers "Sign in with your force account": ``/sign-in/oidc`` sends the visitor to the
provider (the authorization code flow, with PKCE, state and nonce), and the provider sends them
back to ``/sign-in/oidc/callback``, where Authlib checks the state, exchanges the code and
validates the ID token. The token names the user (``OIDC_USERNAME_CLAIM``, else ``sub``) and
their roles (``OIDC_ROLES_CLAIM``), which are the role catalogue's: the user is created at their
first sign-in, linked to their force account (the token's issuer and subject), and given the
token's roles at each one. A username held by anyone else is refused, never taken over. Roles
the catalogue does not know are ignored; a user left with none, or deactivated, is refused.
Every refusal is a plain page in the user's language, logged, and counted against the client's
address like a wrong password.
"""

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError

from ..audit.reads import log_read
from ..auth import AccountTaken, provided_user, provider_account
from ..roles import role_catalogue
from . import OIDC_EXTENSION
from .routes import web
from .session import safe_next, sign_in

SETTINGS = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")
NEXT = "oidc_next"  # the page to go back to, kept in the session across the round trip
METHOD = {"method": "oidc"}
# How long to wait for the provider (its metadata, keys and token endpoint), in seconds.
TIMEOUT = 15
MAX_USER_NAME = 200  # what users.name keeps
log = logging.getLogger(__name__)


def oidc_enabled(app: Flask) -> bool:
    return all(app.config.get(setting) for setting in SETTINGS)


def register_oidc(app: Flask) -> None:
    """Register the provider with Authlib when its settings are all given."""
    if not oidc_enabled(app):
        return
    oauth = OAuth(app)
    app.extensions[OIDC_EXTENSION] = oauth.register(
        name="force",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{app.config['OIDC_ISSUER']}/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT,
        },
    )


def _provider():
    provider = current_app.extensions.get(OIDC_EXTENSION)
    if provider is None:
        abort(404)
    return provider


@web.get("/sign-in/oidc", endpoint="oidc_start")
def start():
    provider = _provider()
    next_page = safe_next(request.args.get("next"))
    if next_page:
        session[NEXT] = next_page
    else:
        session.pop(NEXT, None)
    redirect_uri = current_app.config["OIDC_REDIRECT_URI"] or url_for(
        "web.oidc_callback", _external=True
    )
    try:
        return provider.authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, RuntimeError) as error:
        log.error("OIDC sign-in could not start: the provider did not answer usably: %r", error)
        return _page(*_unreachable(), 502)


@web.get("/sign-in/oidc/callback", endpoint="oidc_callback")
def callback():
    provider = _provider()
    next_page = safe_next(session.pop(NEXT, None))
    try:
        token = provider.authorize_access_token()
    except MismatchingStateError:
        log.warning("OIDC sign-in refused: its state is not one this browser was given")
        return _refused(
            None,
            "state",
            400,
            _("This sign-in was not started here, or has expired"),
            [_("Start again from the sign-in page.")],
        )
    except OAuthError as error:
        log.warning("OIDC sign-in refused by the provider: %s (%s)", error.error, error.description)
        if error.error == "access_denied":
            paragraphs = [_("Your force's sign-in service did not let you sign in to Gwarchod.")]
        else:
            paragraphs = [_("Your force's sign-in service could not sign you in.")]
        return _refused(
            None,
            f"provider: {error.error}"[:200],
            403,
            _("You have not signed in"),
            [*paragraphs, _("Try again, or ask your administrator for help.")],
        )
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError) as error:
        log.error("OIDC sign-in failed: the provider's token could not be used: %r", error)
        return _refused(None, "token", 502, *_unreachable())
    claims = token.get("userinfo") or {}
    name = _username(claims)
    if name is None:
        log.warning("OIDC sign-in refused: the ID token names no user (sub %r)", claims.get("sub"))
        return _refused(
            None,
            "username",
            403,
            _("You have not signed in"),
            [
                _("Your force account does not give a username Gwarchod can use."),
                _("Ask your administrator for help."),
            ],
        )
    roles = _roles(claims, name)
    if not roles:
        log.warning("OIDC sign-in of '%s' refused: no role the role catalogue knows", name)
        return _refused(
            name,
            "no role",
            403,
            _("Your force account has no Gwarchod role"),
            [
                _(
                    "You signed in, but your force account does not give you any role in "
                    "Gwarchod, so there is nothing you could do here."
                ),
                _("Ask your administrator which roles you should have, and to give you them."),
            ],
        )
    issuer = current_app.config["OIDC_ISSUER"]
    account = provider_account(claims.get("iss") or issuer, claims["sub"])
    try:
        user = provided_user(name, account, roles, by=f"sign-in with {issuer}")
    except AccountTaken:
        log.warning(
            "OIDC sign-in refused: the name '%s' belongs to a user who is not force account %s",
            name,
            account,
        )
        return _refused(
            name,
            "name taken",
            403,
            _("You cannot sign in to Gwarchod"),
            [
                _(
                    "Your force account gives the username %(name)s, but a different account "
                    "already has that username in Gwarchod.",
                    name=name,
                ),
                _("Ask your administrator for help."),
            ],
        )
    if user.deactivated_at is not None:
        log.warning("OIDC sign-in refused: user '%s' has been deactivated", name)
        return _refused(
            name,
            "deactivated",
            403,
            _("You cannot sign in to Gwarchod"),
            [_("Your Gwarchod account has been closed. Ask your administrator if you need it.")],
        )
    sign_in(user, method="oidc", id_token=token.get("id_token"))
    return redirect(next_page or url_for("web.inbox"))


def _username(claims: dict) -> str | None:
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        return None  # an ID token always names its subject: without one, nobody is vouched for
    for claim in (current_app.config["OIDC_USERNAME_CLAIM"], "sub"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip() and len(value.strip()) <= MAX_USER_NAME:
            return value.strip()
    return None


def _roles(claims: dict, name: str) -> list[str]:
    """The catalogue's names of the roles the claim lists (a list, or a string of names split
    by commas or spaces); the rest are logged and left out."""
    catalogue = role_catalogue()
    value = claims.get(current_app.config["OIDC_ROLES_CLAIM"])
    if isinstance(value, str):
        value = _split(value, catalogue)
    if not isinstance(value, list):
        value = []
    known, unknown = [], []
    for each in value:
        role = catalogue.role(each.strip()) if isinstance(each, str) and each.strip() else None
        if role is not None:
            known.append(role.name)
        elif isinstance(each, str) and each.strip():
            unknown.append(each.strip())
    if unknown:
        log.warning(
            "OIDC sign-in of '%s': role(s) the role catalogue does not know left out: %s",
            name,
            ", ".join(unknown),
        )
    return list(dict.fromkeys(known))


def _split(value: str, catalogue) -> list[str]:
    """Role names in a string, split by commas, or by spaces where a name is followed by
    another: "Vulnerability Desk Sergeant" is two roles, the longest names matched first."""
    names = []
    for part in value.split(","):
        words = part.split()
        start = 0
        while start < len(words):
            end = next(
                (
                    end
                    for end in range(len(words), start, -1)
                    if catalogue.role(" ".join(words[start:end])) is not None
                ),
                start + 1,
            )
            names.append(" ".join(words[start:end]))
            start = end
    return names


def _refused(name: str | None, reason: str, status: int, title: str, paragraphs: list[str]):
    """A refusal: logged, counted against the client's address, and said plainly."""
    g.sign_in_refused = True  # counted against the client's address (service.limits)
    log_read(
        None,
        "session.sign_in.refused",
        actor_name=(name or "unknown")[:200],
        detail={**METHOD, "reason": reason},
    )
    return _page(title, paragraphs, status)


def _unreachable() -> tuple[str, list[str]]:
    return _("Your force's sign-in service is not working"), [
        _("Gwarchod could not complete your sign-in with your force's sign-in service."),
        _("Try again in a few minutes."),
    ]


def _page(title: str, paragraphs: list[str], status: int):
    page = render_template(
        "web/error.html",
        title=title,
        paragraphs=paragraphs,
        reference=None,
        back=(url_for("web.sign_in"), _("Go to the sign-in page")),
    )
    return page, status
