"""Outgoing email, queued in the same transaction as the change that causes it.

A queued message says what to tell whom (its kind, registration, invitation method and
details); the outbox worker writes its subject, text, HTML and invitation when it first
sends it (services/notifications.py), and keeps them for every retry.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eventsvc.extensions import db
from eventsvc.models.common import Timestamped, UTCDateTime
from eventsvc.timezones import now

# "held": written for the record, never sent (a repeat within the hour, DESIGN §5).
OUTBOX_STATES = ("queued", "sending", "sent", "held", "failed")


class OutboxMessage(Timestamped, db.Model):
    """One email: queued, being sent, sent, held back, or failed after its last attempt."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(320))
    # What the message says beyond its registration: a staff message's subject and text,
    # what changed about the event, a recording's link.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    subject: Mapped[str | None] = mapped_column(String(500))
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    calendar: Mapped[str | None] = mapped_column(Text)
    calendar_method: Mapped[str | None] = mapped_column(String(20))
    unsubscribe_url: Mapped[str | None] = mapped_column(String(1000))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")

    @property
    def is_written(self) -> bool:
        return self.body_text is not None
