"""API tokens: issuing, recognising, listing and revoking them.

A token is shown once, when it is made; the database keeps its SHA-256 only. The value
is 256 random bits, so a fast hash is enough: nobody can guess one to compare.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import MAX_TOKEN_DAYS, TOKEN_NAME_LIMIT, TOKEN_SCOPES
from eventsvc.models import ApiToken, StaffUser
from eventsvc.permissions import may
from eventsvc.services.locking import write_transaction
from eventsvc.timezones import now

TOKEN_PREFIX = "evs_"  # noqa: S105 - a marker that tells a token apart, not a secret
# Recording every use would write on every request; once in a while tells staff enough.
USE_RECORDING_INTERVAL = timedelta(minutes=5)
_LONGEST_TOKEN = 100


class TokenError(ValueError):
    """A token that cannot be made as asked, with a message for the user."""


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _check(name: str, scope: str, expires_in_days: int | None) -> None:
    if not name.strip() or len(name.strip()) > TOKEN_NAME_LIMIT or "\x00" in name:
        raise TokenError(
            gettext("Give the token a name of 1 to %(count)s characters", count=TOKEN_NAME_LIMIT)
        )
    if scope not in TOKEN_SCOPES:
        raise TokenError(
            gettext("The scope must be one of %(scopes)s", scopes=", ".join(TOKEN_SCOPES))
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise TokenError(gettext("A token expires after 1 to %(count)s days", count=MAX_TOKEN_DAYS))


@write_transaction()
def issue_token(
    user: StaffUser, name: str, scope: str = "read", expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns (token, its value), the value for showing once."""
    _check(name, scope, expires_in_days)
    value = TOKEN_PREFIX + secrets.token_urlsafe(32)
    moment = now()
    token = ApiToken(
        staff_user=user,
        name=name.strip(),
        token_hash=_digest(value),
        prefix=value[:12],
        scope=scope,
        expires_at=moment + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.session.add(token)
    return token, value


def find_usable_token(value: str) -> ApiToken | None:
    """The token with this value if it authenticates now, else None."""
    if not value.startswith(TOKEN_PREFIX) or len(value) > _LONGEST_TOKEN:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(value)))
    if token is None or not token.is_usable_at(now()):
        return None
    return token


def record_use(token: ApiToken) -> None:
    """Note that a token was used, at most once per interval."""
    moment = now()
    if token.last_used_at and moment - token.last_used_at < USE_RECORDING_INTERVAL:
        return
    with write_transaction():
        token.last_used_at = moment


def visible_tokens(user: StaffUser) -> list[ApiToken]:
    """The tokens a staff member may see: their own, or every token for an admin."""
    statement = select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    if not may(user, "manage_every_token"):
        statement = statement.where(ApiToken.staff_user_id == user.id)
    return list(db.session.scalars(statement))


def can_manage(user: StaffUser, token: ApiToken) -> bool:
    """Whether `user` may revoke `token`: it is theirs, or they are an admin."""
    return may(user, "manage_every_token") or token.staff_user_id == user.id


def revoke_token(token: ApiToken) -> ApiToken:
    """Stop a token working from now on; revoking twice keeps the first time."""
    with write_transaction():
        if token.revoked_at is None:
            token.revoked_at = now()
    return token


def token_state(token: ApiToken, moment: datetime | None = None) -> str:
    """'active', 'expired' or 'revoked', for the list of tokens."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (moment or now()):
        return "expired"
    return "active"
