"""Passwords for signing in to the pages: argon2 hashes (argon2-cffi), never the password.

Checking a name that has no user, or no password, costs as much as checking a wrong password,
so the time taken does not tell which names exist.
"""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from .db import db
from .models import User

_hasher = PasswordHasher()
# Verified against when there is no hash to check, so that every refusal takes as long.
_NOTHING = _hasher.hash(secrets.token_urlsafe(16))
SHORTEST = 12


def new_password() -> str:
    """A password to hand a new user: four groups of letters and figures, easy to type."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def set_password(user: User, password: str) -> None:
    """Give the user a password (not committed); refuse one shorter than ``SHORTEST``."""
    if len(password) < SHORTEST:
        raise ValueError(f"a password needs at least {SHORTEST} characters")
    user.password_hash = _hasher.hash(password)


def signing_in(name: str, password: str) -> User | None:
    """The active user with this name and password, or None. A hash made with older settings
    is made again with the current ones (committed)."""
    user = db.session.scalar(select(User).where(User.name == name))
    stored = user.password_hash if user is not None else None
    try:
        _hasher.verify(stored or _NOTHING, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or stored is None or user.deactivated_at is not None:
        return None
    if _hasher.check_needs_rehash(stored):
        user.password_hash = _hasher.hash(password)
        db.session.commit()
    return user
