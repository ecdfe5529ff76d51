"""Staff accounts that sign in to the admin."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from eventsvc.extensions import db
from eventsvc.models.common import Timestamped, UTCDateTime


class StaffUser(UserMixin, Timestamped, db.Model):
    """A member of staff: an admin manages accounts, an editor manages content."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="editor")
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        # The version makes old sessions invalid after a password change or reset.
        return f"{self.id}:{self.session_version}"
