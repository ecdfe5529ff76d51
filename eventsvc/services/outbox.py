"""Queueing email in the outbox inside the caller's transaction, and its words when written."""

from datetime import datetime
from uuid import uuid4

from flask import current_app, render_template

from eventsvc.extensions import db
from eventsvc.models import OutboxMessage, Registration

SUBJECTS = {
    "confirmed": "You are registered: {title}",
    "waitlisted": "You are on the waiting list: {title}",
    "pending": "Your registration awaits approval: {title}",
    "unverified": "Confirm your registration: {title}",
    "already_registered": "Your registration details: {title}",
    "promoted": "A seat is yours: {title}",
    "approved": "Your registration is approved: {title}",
    "declined": "Your registration was declined: {title}",
    "cancelled": "Your registration is cancelled: {title}",
    "event_changed": "Changed: {title}",
    "event_cancelled": "Cancelled: {title}",
    "recording_posted": "Watch the recording: {title}",
    "reminder_24h": "Tomorrow: {title}",
    "reminder_1h": "Starting in an hour: {title}",
    "staff_message": "{subject}",
}


def absolute_url(path: str) -> str:
    """Turn a site path into a full URL on the configured base URL."""
    return current_app.config["BASE_URL"] + path


def new_message_id() -> str:
    """A Message-ID that stays with the message through every retry."""
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2] or "eventsvc"
    return f"<{uuid4().hex}@{domain.strip('>')}>"


def queue_email(
    kind: str,
    registration: Registration,
    *,
    unsubscribe_url: str | None = None,
    details: dict | None = None,
    due: datetime | None = None,
) -> OutboxMessage:
    """Add an email about a registration to the outbox (no commit), due now unless `due`.

    It says whom to tell and why; what it says, with its invitation, is decided when the
    outbox worker writes it (services/notifications.py).
    """
    message = OutboxMessage(
        message_id=new_message_id(),
        kind=kind,
        to_address=registration.email,
        details=details or {},
        unsubscribe_url=unsubscribe_url,
        event_id=registration.event_id,
        registration_id=registration.id,
    )
    if due is not None:
        message.next_attempt_at = due
    db.session.add(message)
    return message


def written_email(kind: str, context: dict, calendar: bytes | None, method: str | None) -> dict:
    """A message's subject, text and HTML (templates/email/<kind>) and invitation, as columns.

    The templates read `calendar_method` from the context, so the words name the
    invitation attached, or none.
    """
    event = context.get("event")
    subject = SUBJECTS[kind].format(title=event.title if event else "", **context)
    context = context | {"calendar_method": method}
    return {
        "subject": subject.replace("\n", " ").strip()[:500],
        "body_text": render_template(f"email/{kind}.txt", **context),
        "body_html": render_template(f"email/{kind}.html", **context),
        "calendar": calendar.decode() if calendar else None,
        "calendar_method": method,
    }
