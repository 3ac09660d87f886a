"""Users, passwords (argon2id) and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from .models import ApiToken, User, utcnow

_hasher = PasswordHasher()
TOKEN_PREFIX = "sp_"
MIN_PASSWORD = 12


class AccountError(Exception):
    """A user or token request that cannot be carried out."""


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    """True when `password` is the user's password."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A random password that is easy to copy."""
    return secrets.token_urlsafe(12)


def set_password(session: Session, email: str, password: str) -> User:
    """Change a user's password."""
    user = find_user(session, email)
    if user is None:
        raise AccountError(f"No user {email!r}.")
    _check_password(password)
    user.password_hash = hash_password(password)
    session.add(user)
    return user


def add_user(session: Session, email: str, password: str, name: str = "") -> User:
    """Create a composer user."""
    email = email.strip().lower()
    if "@" not in email or any(c.isspace() for c in email):
        raise AccountError(f"{email!r} is not an email address.")
    if find_user(session, email) is not None:
        raise AccountError(f"A user {email!r} already exists.")
    _check_password(password)
    user = User(email=email, name=name.strip(), password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD} characters.")


def find_user(session: Session, email: str) -> User | None:
    """The user with this email, if any."""
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = find_user(session, email)
    if user is None:
        # Spend the same time as a real check, so timing does not reveal accounts.
        _hasher.hash(password or "x")
        return None
    if not user.is_active or not verify_password(user, password):
        return None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str, user: User | None = None) -> str:
    """Create an API token and return it; only its hash is stored."""
    if not name.strip():
        raise AccountError("Give the token a name.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            name=name.strip(),
            token_hash=_digest(token),
            user_id=user.id if user else None,
        )
    )
    session.flush()
    return token


def check_token(
    session: Session, token: str, now: datetime | None = None
) -> ApiToken | None:
    """The live token matching `token`, or None; records its use."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.exec(
        select(ApiToken).where(ApiToken.token_hash == _digest(token))
    ).first()
    if row is None or row.revoked:
        return None
    row.last_used_at = now or utcnow()
    session.add(row)
    return row
