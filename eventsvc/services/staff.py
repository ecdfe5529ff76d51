"""Staff accounts: creating, signing in, passwords and roles."""

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import MIN_PASSWORD_LENGTH, STAFF_ROLES
from eventsvc.models import StaffUser
from eventsvc.services import audit
from eventsvc.services.locking import write_transaction
from eventsvc.text import normalise_email
from eventsvc.timezones import now

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Checked against when the email is unknown, so both cases take the same time.

    Made on first use, not at import: a hash takes argon2's 64 MiB for a moment, which
    would otherwise be every web worker's peak memory from its start.
    """
    return _hasher.hash(secrets.token_urlsafe(16))


class StaffError(ValueError):
    """A staff account change that cannot be made, with a message for the user."""


def find_staff(email: str) -> StaffUser | None:
    """Return the staff account for an address, if any."""
    return db.session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))


def generate_password() -> str:
    """A random password that is easy to copy."""
    return secrets.token_urlsafe(15)


def _check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(gettext("Use at least %(count)s characters", count=MIN_PASSWORD_LENGTH))


def create_staff(email: str, role: str = "editor", password: str | None = None):
    """Create an account; returns (user, password), generating one when none is given."""
    if role not in STAFF_ROLES:
        raise StaffError(gettext("The role must be one of %(roles)s", roles=", ".join(STAFF_ROLES)))
    if find_staff(email):
        raise StaffError(gettext("%(email)s already has an account", email=email.strip()))
    password = password or generate_password()
    _check_strength(password)
    password_hash = _hasher.hash(password)  # slow on purpose: before the write lock
    with write_transaction():
        user = StaffUser(email=normalise_email(email), role=role, password_hash=password_hash)
        db.session.add(user)
        audit.record("staff.created", user, role)
    return user, password


def authenticate(email: str, password: str) -> StaffUser | None:
    """Return the active account matching the address and password, else None."""
    user = find_staff(email)
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    with write_transaction():
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = now()
    return user


def password_matches(user: StaffUser, password: str) -> bool:
    """Tell whether `password` is the account's current password."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(user: StaffUser, current: str, new: str) -> None:
    """Change one's own password after checking the current one."""
    if not password_matches(user, current):
        raise StaffError(gettext("The current password is not right"))
    _set_password(user, new)


def reset_password(user: StaffUser) -> str:
    """Give an account a new generated password (admins only) and return it."""
    password = generate_password()
    _set_password(user, password, "staff.password_reset")
    return password


def _set_password(user: StaffUser, password: str, action: str | None = None) -> None:
    _check_strength(password)
    password_hash = _hasher.hash(password)  # slow on purpose: before the write lock
    with write_transaction():
        user.password_hash = password_hash
        user.session_version += 1
        if action:
            audit.record(action, user)


@write_transaction()
def end_sessions(user: StaffUser) -> None:
    """End every session of the account, on every device (signing out, a new password)."""
    user.session_version += 1


@write_transaction()
def set_staff_active(user: StaffUser, active: bool) -> None:
    """Enable or disable an account; disabling signs it out everywhere."""
    user.active = active
    if not active:
        user.session_version += 1
    audit.record("staff.enabled" if active else "staff.disabled", user)


@write_transaction()
def set_staff_role(user: StaffUser, role: str) -> None:
    """Make an account an admin or an editor."""
    user.role = role
    audit.record("staff.role_changed", user, role)
