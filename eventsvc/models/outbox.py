"""Outgoing email, queued in the same transaction as the change that causes it.

A queued message says what to tell whom and why (its kind, registration and details);
the outbox worker writes its subject, text, HTML and invitation when it first takes it
up, from the state then, or drops it when its reason no longer holds
(services/notifications.py), and keeps what it wrote for every retry.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eventsvc.extensions import db
from eventsvc.models.common import Timestamped, UTCDateTime
from eventsvc.timezones import now

OUTBOX_STATES = ("queued", "sending", "sent", "failed", "dropped", "cancelled")
# Never sent: dropped when its reason no longer held as it was written, or cancelled by
# staff while queued. The worker claims queued messages only, and never writes these.
NEVER_SENT = ("dropped", "cancelled")

# The kinds of message, with what each is for staff reading what waits to go out.
KIND_NAMES = {
    "confirmed": _l("Registration confirmed"),
    "waitlisted": _l("On the waiting list"),
    "pending": _l("Awaiting approval"),
    "unverified": _l("Confirm the address"),
    "already_registered": _l("Registration details again"),
    "promoted": _l("A seat is theirs"),
    "approved": _l("Registration approved"),
    "declined": _l("Registration declined"),
    "cancelled": _l("Registration cancelled"),
    "event_changed": _l("Update: what changed"),
    "event_cancelled": _l("The event is cancelled"),
    "recording_posted": _l("The recording is online"),
    "reminder_24h": _l("Reminder, a day before"),
    "reminder_1h": _l("Reminder, an hour before"),
    "staff_message": _l("Message from staff"),
}


class OutboxMessage(Timestamped, db.Model):
    """One email: queued, being sent, sent, failed after its last attempt, or never sent."""

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


class InvitationStream(db.Model):
    """What one address has been told about one event (DESIGN §5), kept per address key.

    Every iTIP message to the address for the event's UID carries a SEQUENCE above
    `last_sequence`, through re-registration, cancellations and coalesced updates;
    `holds_entry` says whether the last one was a REQUEST (so a CANCEL has something to
    remove); `told` is what the entry showed (calendar/entry.py) as it was last told, from
    which an update says what was and what is now.
    """

    __tablename__ = "invitation_streams"
    __table_args__ = (UniqueConstraint("event_id", "email_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    email_key: Mapped[str] = mapped_column(String(320))
    last_sequence: Mapped[int | None] = mapped_column()
    holds_entry: Mapped[bool] = mapped_column(default=False)
    told: Mapped[dict | None] = mapped_column(JSON)
