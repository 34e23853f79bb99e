"""Settings, read from the environment with zero-set-up defaults."""

import math
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url(url: str) -> str:
    """Use the psycopg 3 driver for the usual postgresql:// URLs (psycopg2 is not installed)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def settings_from_environment(instance_path: str) -> dict:
    default_db = f"sqlite:///{Path(instance_path) / 'gwarchod.db'}"
    secret = os.environ.get("GWARCHOD_SECRET_KEY")
    return {
        # Signs the pages' session cookies; made and kept in the instance folder when unset.
        **({"SECRET_KEY": secret} if secret else {}),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL", default_db)),
        # Uploaded diagrams and submitted forms are small; anything bigger is refused with 413.
        "MAX_CONTENT_LENGTH": _whole("GWARCHOD_MAX_BODY_BYTES", 4 * 1024 * 1024, least=1),
        "DEFINITIONS_ROOT": os.environ.get("GWARCHOD_DEFINITIONS", str(PROJECT_ROOT)),
        # The role catalogue: roles, the lanes they work and their grants (README).
        "ROLES_FILE": os.environ.get("GWARCHOD_ROLES_FILE", str(PROJECT_ROOT / "roles.toml")),
        # Diagram code runs in engine processes under these limits (docs/definitions.md).
        "ENGINE_ISOLATED": _flag("GWARCHOD_ENGINE_ISOLATED", True),
        "ENGINE_CPU_SECONDS": _positive("GWARCHOD_ENGINE_CPU_SECONDS", 2.0),
        "ENGINE_TIMER_CPU_SECONDS": _positive("GWARCHOD_ENGINE_TIMER_CPU_SECONDS", 0.5),
        "ENGINE_MEMORY_MB": _whole("GWARCHOD_ENGINE_MEMORY_MB", 256, least=1),
        "ENGINE_MAX_STEPS": _whole("GWARCHOD_ENGINE_MAX_STEPS", 10_000, least=1),
        "ENGINE_MAX_DATA_BYTES": _whole("GWARCHOD_ENGINE_MAX_DATA_BYTES", 1_000_000, least=1),
        # Every command restores its case from the database around freshly parsed specs, as
        # a process that has never seen the case would (slower; the tests run this way).
        "ENGINE_FRESH": _flag("GWARCHOD_ENGINE_FRESH", False),
        # Name the worker process in a response header (Gwarchod-Worker), for tests and
        # operators who need to see how requests spread over a server's workers.
        "WORKER_HEADER": _flag("GWARCHOD_WORKER_HEADER", False),
        # GET /health answers 503 when a timer is overdue and no scheduler has woken for this long.
        "SCHEDULER_STALE_AFTER_SECONDS": _positive("GWARCHOD_SCHEDULER_STALE_AFTER_SECONDS", 60.0),
        # The audit trail writes a checkpoint of the case (docs/audit.md) once this many events
        # have been recorded since its last one, so a point in time replays a few commands
        # rather than all of them; 0 writes none.
        "AUDIT_CHECKPOINT_EVERY": _whole(_named("AUDIT_CHECKPOINT_EVERY"), 28, least=0),
        # A new API token works for this many days, then its user issues another.
        "TOKEN_DAYS": _whole("GWARCHOD_TOKEN_DAYS", 90, least=1),
        # The pages: a user idle this long is signed out (warned a few minutes before).
        "IDLE_MINUTES": _positive("GWARCHOD_IDLE_MINUTES", 30.0),
        # Session cookies only over HTTPS: on wherever the service is served over HTTPS.
        "SESSION_COOKIE_SECURE": _flag("GWARCHOD_SECURE_COOKIES", False),
        # A case opened for a stated reason ("break glass") can be read for this many hours.
        "CASE_ACCESS_HOURS": _positive("GWARCHOD_CASE_ACCESS_HOURS", 24.0),
        # Failed sign-ins allowed from one client address, in Flask-Limiter's notation ("10 per
        # minute", "5/minute;20/hour"); past them every request needing a token is 429.
        "AUTH_FAILURE_LIMIT": os.environ.get("GWARCHOD_AUTH_FAILURE_LIMIT", "10 per minute"),
        # Where failed sign-ins are counted: the service's own database when empty, or a storage
        # Flask-Limiter knows ("redis://host:6379", with the redis client installed).
        "RATE_LIMIT_STORAGE": os.environ.get("GWARCHOD_RATE_LIMIT_STORAGE", ""),
        # How many proxies in front of the service add to X-Forwarded-For; 0 (the default)
        # trusts no such header and takes the client's address from the connection.
        "PROXIES": _whole("GWARCHOD_PROXIES", 0, least=0),
        # Signing in to the pages with the force's OpenID Connect provider: on when the issuer,
        # client id and secret are all set (README, "Signing in with your force's identity
        # provider"). Each is read as GWARCHOD_OIDC_... or plain OIDC_....
        "OIDC_ISSUER": _setting("OIDC_ISSUER").rstrip("/"),
        "OIDC_CLIENT_ID": _setting("OIDC_CLIENT_ID"),
        "OIDC_CLIENT_SECRET": _setting("OIDC_CLIENT_SECRET"),
        # The ID token's claim naming the user (falling back to "sub"), and the one listing
        # their roles by the role catalogue's English names.
        "OIDC_USERNAME_CLAIM": _setting("OIDC_USERNAME_CLAIM", "preferred_username"),
        "OIDC_ROLES_CLAIM": _setting("OIDC_ROLES_CLAIM", "roles"),
        # The scopes asked for; some providers put the roles claim in a scope of its own.
        "OIDC_SCOPES": _setting("OIDC_SCOPES", "openid profile"),
        # Where the provider sends the user back; worked out from the request when empty (set
        # it behind a proxy that serves the pages over HTTPS).
        "OIDC_REDIRECT_URI": _setting("OIDC_REDIRECT_URI"),
        # Where the provider sends the user after signing them out too (it must know the
        # address); the sign-in page, worked out from the request, when empty.
        "OIDC_POST_LOGOUT_REDIRECT_URI": _setting("OIDC_POST_LOGOUT_REDIRECT_URI"),
    }


class SettingError(Exception):
    """A setting in the environment the service cannot start with: which one, and why."""


def _named(name: str) -> str:
    """The variable a setting read as ``GWARCHOD_<name>`` or plainly ``<name>`` is set in."""
    return (
        f"GWARCHOD_{name}"
        if os.environ.get(f"GWARCHOD_{name}") or not os.environ.get(name)
        else name
    )


def _whole(variable: str, default: int, least: int) -> int:
    """A whole number of at least ``least`` from the environment (unset or empty: ``default``)."""
    return _number(variable, default, int, lambda value: value >= least, f"{least} or more")


def _positive(variable: str, default: float) -> float:
    """A number above 0 from the environment (unset or empty: ``default``)."""
    return _number(variable, default, float, lambda value: 0 < value < math.inf, "a number above 0")


def _number(variable: str, default, kind: type, allowed, rule: str):
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SettingError(f"{variable} is '{text}', which is not {what}") from None
    if not allowed(value):
        raise SettingError(f"{variable} is {text}: it must be {rule}")
    return value


def _setting(name: str, default: str = "") -> str:
    """A setting named ``GWARCHOD_<name>`` or plainly ``<name>`` in the environment."""
    return os.environ.get(f"GWARCHOD_{name}") or os.environ.get(name) or default


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in ("0", "false", "no", "off", "")
