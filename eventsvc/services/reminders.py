"""Reminder emails 24 hours and 1 hour before an event, each sent once."""

from datetime import timedelta

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Attendee, Event, Registration
from eventsvc.services.locking import write_transaction
from eventsvc.services.notifications import registration_email
from eventsvc.timezones import now

WINDOWS = (
    ("reminder_24h", "reminded_24h_at", timedelta(hours=24)),
    ("reminder_1h", "reminded_1h_at", timedelta(hours=1)),
)


def _due(column: str, window: timedelta, later: timedelta | None):
    moment = now()
    query = (
        select(Registration)
        .join(Event, Registration.event_id == Event.id)
        .outerjoin(Attendee, Registration.attendee_id == Attendee.id)
        .where(
            Registration.state == "confirmed",
            getattr(Registration, column).is_(None),
            Event.status != "cancelled",
            Event.visibility == "published",
            Event.starts_at > moment,
            Event.starts_at <= moment + window,
            Attendee.reminders_opt_out.is_not(True),
        )
    )
    if later is not None:
        # Inside the last hour only the 1-hour reminder goes out.
        query = query.where(Event.starts_at > moment + later)
    return query


def queue_due_reminders() -> int:
    """Queue every reminder that is due now; returns how many were queued."""
    queued = 0
    with write_transaction():
        for index, (kind, column, window) in enumerate(WINDOWS):
            later = WINDOWS[index + 1][2] if index + 1 < len(WINDOWS) else None
            for registration in db.session.scalars(_due(column, window, later)):
                setattr(registration, column, now())
                registration_email(registration, kind)
                queued += 1
    return queued
