"""API tokens: a staff member's named, scoped keys for the JSON API."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc.extensions import db
from eventsvc.models.common import Timestamped, UTCDateTime
from eventsvc.models.staff import StaffUser


class ApiToken(Timestamped, db.Model):
    """A bearer token; only its SHA-256 is stored, the value is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The value's first characters, so people can tell their tokens apart in the list.
    prefix: Mapped[str] = mapped_column(String(12))
    scope: Mapped[str] = mapped_column(String(10), default="read")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff_user: Mapped[StaffUser] = relationship(lazy="joined")

    @property
    def can_write(self) -> bool:
        return self.scope == "write"

    def is_usable_at(self, moment: datetime) -> bool:
        """Whether the token authenticates at `moment`: not revoked, expired or disabled."""
        if self.revoked_at is not None or not self.staff_user.active:
            return False
        return self.expires_at is None or moment < self.expires_at
