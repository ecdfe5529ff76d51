"""Registrations, the attendees behind them, and each event's questions."""

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc.extensions import db
from eventsvc.inputs import QUESTION_TYPE_LABELS
from eventsvc.models.common import Timestamped, UTCDateTime
from eventsvc.models.events import Event

STATES = ("pending", "unverified", "confirmed", "waitlisted", "declined", "cancelled")
SEAT_STATES = ("pending", "confirmed")
ACTIVE_STATES = ("pending", "unverified", "confirmed", "waitlisted")
STATE_LABELS = {
    "pending": _l("Awaiting approval"),
    "unverified": _l("Awaiting email confirmation"),
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waiting list"),
    "declined": _l("Declined"),
    # A registration (in Spanish, "inscripción") is feminine: "Cancelada".
    "cancelled": lazy_pgettext("registration state", "Cancelled"),
}
ATTENDANCE_LABELS = {
    None: _l("Not known"),
    True: _l("Attended"),
    False: _l("Did not attend"),
}
_ACTIVE_SQL = text("state IN ('pending', 'unverified', 'confirmed', 'waitlisted')")


def new_token() -> str:
    """A long random token for manage links and personal feeds."""
    return secrets.token_urlsafe(32)


class Attendee(Timestamped, db.Model):
    """One email address: its personal-feed token and its reminder choice."""

    __tablename__ = "attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    reminders_opt_out: Mapped[bool] = mapped_column(default=False)


class RetiredFeedToken(db.Model):
    """A personal-feed token that was reset: its URL answers 410 Gone."""

    __tablename__ = "retired_feed_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Question(Timestamped, db.Model):
    """A registration question; removing one hides it but keeps past answers."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(default=False)
    help_text: Mapped[str] = mapped_column(Text, default="")
    choices: Mapped[list] = mapped_column(JSON, default=list)
    # {"es": {"label": …, "help_text": …, "choices": […]}}: choices in the same order.
    translations: Mapped[dict | None] = mapped_column(JSON, default=dict)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    @property
    def language(self) -> str:
        """The language its words are written in: its event's."""
        return self.event.language

    @property
    def type_label(self) -> str:
        return str(QUESTION_TYPE_LABELS[self.type])


class Registration(Timestamped, db.Model):
    """One person's registration for one event."""

    __tablename__ = "registrations"
    __table_args__ = (
        # One active registration per address and event, whatever the race (DESIGN §5).
        Index(
            "uq_registrations_active_email",
            "event_id",
            "email_key",
            unique=True,
            sqlite_where=_ACTIVE_SQL,
            postgresql_where=_ACTIVE_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    consent_version: Mapped[int | None] = mapped_column()
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The language they registered in: every email they get is written in it.
    language: Mapped[str] = mapped_column(String(20), default="en", server_default="en")
    state: Mapped[str] = mapped_column(String(20), index=True)
    waitlist_position: Mapped[int | None] = mapped_column()
    manage_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_24h_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_1h_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whether they came: None until staff check people in or import an attendance report.
    attended: Mapped[bool | None] = mapped_column()
    # The form or the API sent again for an address registered already: how often, and
    # when its details were last emailed again (at most once an hour, DESIGN §5).
    repeat_submissions: Mapped[int] = mapped_column(default=0, server_default="0")
    details_resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(lazy="joined")
    attendee: Mapped[Attendee | None] = relationship()

    @property
    def holds_seat(self) -> bool:
        return self.state in SEAT_STATES

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def is_erased(self) -> bool:
        """Anonymised (erased or purged): its manage link answers 410 Gone."""
        return self.anonymised_at is not None

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def attendance_label(self) -> str:
        return str(ATTENDANCE_LABELS[self.attended])
