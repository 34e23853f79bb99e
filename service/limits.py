"""Failed sign-ins are rate limited per client address, with Flask-Limiter.

Only a failed authentication counts: a 401 from ``service.auth.authenticate``. Once a client
has failed ``AUTH_FAILURE_LIMIT`` times within the window ("10 per minute" by default), every
request from it that needs a token is answered 429, with ``Retry-After``, until the window
passes; the requests that need no token (``GET /health``, the OpenAPI document) are never
limited, and a request that signs in is never counted. A sign-in on the pages that fails counts
as a failed authentication too, in the same store. A request to an address that does not
exist needs a token too, so it cannot be used to try tokens beside the limit.

The client is the address the request came from; the ``X-Forwarded-For`` header is believed
only when ``PROXIES`` says how many proxies in front of the service add to it (create_app).

The counts are kept where every web worker sees them and a restart keeps them: in the service's
own database by default (``DatabaseStorage``), or in a storage Flask-Limiter knows when
``RATE_LIMIT_STORAGE`` names one (``redis://host:6379``, with the redis client installed).
"""

import math
import time

from flask import Flask, g, has_request_context, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits import parse_many
from limits.errors import ConfigurationError
from limits.storage import Storage
from sqlalchemy import bindparam, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from .auth import needs_token
from .db import db
from .models import RateLimitCounter
from .problems import ERROR_PAGE, problem_response

DATABASE_STORAGE = "gwarchod-db://"
_counters = RateLimitCounter.__table__
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
# Built once: every request needing a token reads its client's count.
_LASTING = (_counters.c.key == bindparam("key")) & (_counters.c.expires_at > bindparam("now"))
_HITS = select(_counters.c.hits).where(_LASTING)
_EXPIRES_AT = select(_counters.c.expires_at).where(_LASTING)


class RateLimitSettingError(Exception):
    """A rate-limit setting the service cannot start with."""


class DatabaseStorage(Storage):
    """Rate-limit counts in the service's database (``rate_limit_counters``), for Flask-Limiter's
    fixed-window strategy: one row per key, with its count and the end of its window.

    A count is written in a short transaction of its own, on a connection of its own: counting
    never commits or disturbs the request's session. A count is read (every request needing a
    token asks for its client's) in the request's own transaction when there is one, with no
    connection or transaction of its own: a read commits nothing either. A count is raised by
    one atomic upsert (INSERT ... ON CONFLICT DO UPDATE, on SQLite and PostgreSQL), so workers
    counting at once lose nothing; a row whose window has ended counts as none, and the next
    count starts a new window. Each new window deletes the rows whose windows have ended.
    """

    STORAGE_SCHEME = ["gwarchod-db"]

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        insert = _INSERTS[db.engine.dialect.name](_counters)
        insert = insert.values(key=key, hits=amount, expires_at=now + expiry)
        ended = _counters.c.expires_at <= now
        statement = insert.on_conflict_do_update(
            index_elements=[_counters.c.key],
            set_={
                "hits": case(
                    (ended, insert.excluded.hits), else_=_counters.c.hits + insert.excluded.hits
                ),
                "expires_at": case(
                    (ended, insert.excluded.expires_at), else_=_counters.c.expires_at
                ),
            },
        ).returning(_counters.c.hits)
        with db.engine.begin() as connection:
            hits = connection.execute(statement).scalar_one()
        if hits == amount:  # a new window
            self._delete_ended(now)
        return hits

    def _delete_ended(self, now: float) -> None:
        # Rows another transaction holds are left for the next clean-up (PostgreSQL; SQLite
        # has one writer at a time), so two clean-ups never wait on each other.
        ended = (
            select(_counters.c.key)
            .where(_counters.c.expires_at <= now)
            .with_for_update(skip_locked=True)
        )
        with db.engine.begin() as connection:
            connection.execute(delete(_counters).where(_counters.c.key.in_(ended)))

    def get(self, key: str) -> int:
        return self._current(_HITS, key) or 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        return self._current(_EXPIRES_AT, key, now) or now

    def _current(self, statement, key: str, now: float | None = None):
        """The statement's column of the key's row while its window lasts; None when there is
        none."""
        parameters = {"key": key, "now": time.time() if now is None else now}
        if has_request_context():
            return db.session.scalar(statement, parameters)
        with db.engine.begin() as connection:
            return connection.scalar(statement, parameters)

    def check(self) -> bool:
        try:
            with db.engine.begin() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int:
        with db.engine.begin() as connection:
            return connection.execute(delete(_counters)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(_counters).where(_counters.c.key == key))


def limit_failed_sign_ins(app: Flask) -> Limiter:
    """Count failed sign-ins and refuse a client past the limit; before authentication runs."""
    limit = app.config["AUTH_FAILURE_LIMIT"]
    try:
        parse_many(limit)
    except ValueError:
        raise RateLimitSettingError(
            f"GWARCHOD_AUTH_FAILURE_LIMIT is '{limit}', which is not a rate limit: write it "
            "like '10 per minute' or '5/minute;20/hour'"
        ) from None
    storage = app.config["RATE_LIMIT_STORAGE"] or DATABASE_STORAGE
    limiter = Limiter(
        _client_address,
        application_limits=[limit],
        application_limits_exempt_when=lambda: not (needs_token() or _signing_in()),
        application_limits_deduct_when=_failed,
        # Flask-Limiter leaves a request to no route unlimited unless it is named.
        request_identifier=lambda: request.endpoint or "(no route)",
        key_prefix="failed-sign-ins",
        strategy="fixed-window",
        storage_uri=storage,
    )
    try:
        limiter.init_app(app)
    except ConfigurationError as error:
        raise RateLimitSettingError(
            f"GWARCHOD_RATE_LIMIT_STORAGE is '{storage}', which cannot be used: {error}"
        ) from None

    @app.errorhandler(RateLimitExceeded)
    def _too_many_failures(_error: RateLimitExceeded):
        reset_at, _remaining = limiter.current_limit.window
        seconds = max(1, math.ceil(reset_at - time.time()))
        page = app.extensions.get(ERROR_PAGE)
        if page is not None and not request.path.startswith("/api/"):
            body, status = page(TooManySignIns(seconds))
            return body, status, {"Retry-After": str(seconds)}
        response = problem_response(
            429,
            "Too Many Requests",
            "Too many failed attempts to sign in from your address; try again in "
            f"{seconds} second{'' if seconds == 1 else 's'}.",
        )
        response.headers["Retry-After"] = str(seconds)
        return response

    return limiter


class TooManySignIns(Exception):
    """A sign-in page refused: the client failed too often; it may try again in ``seconds``."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def _signing_in() -> bool:
    """A sign-in on the pages, with a password or back from the force's identity provider:
    limited, and counted when it fails, like a bad token."""
    if request.endpoint == "web.oidc_callback":
        return True
    return request.endpoint == "web.sign_in" and request.method == "POST"


def _failed(response) -> bool:
    return response.status_code == 401 or bool(g.get("sign_in_refused"))


def _client_address() -> str:
    return request.remote_addr or "(no address)"
