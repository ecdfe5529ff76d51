"""Queueing email in the outbox inside the caller's transaction, its words when written,
and staff cancelling what is still queued."""

from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from eventsvc.extensions import db
from eventsvc.languages import SOURCE, prefixed
from eventsvc.models import Event, OutboxMessage, Registration
from eventsvc.models.outbox import KIND_NAMES
from eventsvc.services import audit
from eventsvc.services.locking import write_transaction
from eventsvc.timezones import now

SUBJECTS = {
    "confirmed": _l("You are registered: {title}"),
    "waitlisted": _l("You are on the waiting list: {title}"),
    "pending": _l("Your registration awaits approval: {title}"),
    "unverified": _l("Confirm your registration: {title}"),
    "already_registered": _l("Your registration details: {title}"),
    "promoted": _l("A seat is yours: {title}"),
    "approved": _l("Your registration is approved: {title}"),
    "declined": _l("Your registration was declined: {title}"),
    "cancelled": _l("Your registration is cancelled: {title}"),
    "event_changed": _l("Changed: {title}"),
    "event_cancelled": _l("Cancelled: {title}"),
    "recording_posted": _l("Watch the recording: {title}"),
    "reminder_24h": _l("Tomorrow: {title}"),
    "reminder_1h": _l("Starting in an hour: {title}"),
    "staff_message": "{subject}",
}


@dataclass(frozen=True)
class Waiting:
    """An event's queued messages of one kind: how many, and from when to when they are due."""

    kind: str
    count: int
    first_due: datetime
    last_due: datetime

    @property
    def name(self) -> str:
        return str(KIND_NAMES[self.kind])

    @property
    def is_due(self) -> bool:
        """Whether all of them go with the next send."""
        return self.last_due <= now()


def absolute_url(path: str, language: str = SOURCE) -> str:
    """Turn a site path into a full URL on the configured base URL, in a language."""
    return current_app.config["BASE_URL"] + prefixed(path, language)


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
    invitation attached, or none. Written in the language being read (the caller forces
    the registrant's).
    """
    subject = str(SUBJECTS[kind]).format(**context)
    context = context | {"calendar_method": method}
    return {
        "subject": subject.replace("\n", " ").strip()[:500],
        "body_text": render_template(f"email/{kind}.txt", **context),
        "body_html": render_template(f"email/{kind}.html", **context),
        "calendar": calendar.decode() if calendar else None,
        "calendar_method": method,
    }


def _cancel_queued(*conditions) -> int:
    """Mark the queued messages matching `conditions` cancelled; a message already being
    sent (claimed by a worker) is left alone. Returns how many were cancelled."""
    cancelled = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "queued", *conditions)
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
    return cancelled.rowcount


def cancel_message(message: OutboxMessage) -> bool:
    """Cancel one queued message, so it is never sent; False when it is no longer queued."""
    message_id = message.id
    with write_transaction():
        if not _cancel_queued(OutboxMessage.id == message_id):
            return False
        audit.record("outbox.cancelled", db.session.get(OutboxMessage, message_id))
    return True


def waiting_messages(event: Event) -> list[Waiting]:
    """The event's queued messages by kind, the soonest due first."""
    due = OutboxMessage.next_attempt_at
    rows = db.session.execute(
        select(OutboxMessage.kind, func.count(), func.min(due), func.max(due))
        .where(OutboxMessage.event_id == event.id, OutboxMessage.status == "queued")
        .group_by(OutboxMessage.kind)
        .order_by(func.min(due), OutboxMessage.kind)
    )
    return [Waiting(*row) for row in rows]


def _of_event(event_id: int, kind: str | None) -> tuple:
    conditions = (OutboxMessage.event_id == event_id,)
    return conditions if kind is None else (*conditions, OutboxMessage.kind == kind)


def _detail(count: int, kind: str | None) -> str:
    messages = f"{count} message{'' if count == 1 else 's'}"
    return messages if kind is None else f"{messages}: {KIND_NAMES[kind]}"


def cancel_event_messages(event: Event, kind: str | None = None, unwritten: bool = False) -> int:
    """Cancel every message about the event (of one kind, if given) that is still queued,
    or only those not written yet; returns how many."""
    event_id = event.id
    conditions = _of_event(event_id, kind)
    if unwritten:
        conditions = (*conditions, OutboxMessage.body_text.is_(None))
    with write_transaction():
        count = _cancel_queued(*conditions)
        if count:
            target = db.session.get(Event, event_id)
            audit.record("outbox.event_cancelled", target, _detail(count, kind))
    return count


def send_event_messages_now(event: Event, kind: str) -> int:
    """Make the event's queued messages of one kind due at once, so the next send takes
    them (an update's quiet period ends early); returns how many."""
    event_id = event.id
    with write_transaction():
        count = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "queued", *_of_event(event_id, kind))
            .values(next_attempt_at=now())
            .execution_options(synchronize_session=False)
        ).rowcount
        if count:
            audit.record("outbox.sent_now", db.session.get(Event, event_id), _detail(count, kind))
    return count
