"""Which email each registration change sends, with its calendar invitation."""

from flask import current_app
from sqlalchemy import select

from eventsvc.calendar.invitation import build_invitation
from eventsvc.extensions import db
from eventsvc.models import Event, OutboxMessage, Registration
from eventsvc.services.outbox import absolute_url, queue_email, written_email
from eventsvc.timezones import describe

REQUEST_KINDS = {"confirmed", "promoted", "approved", "event_changed", "recording_posted"}
CANCEL_KINDS = {"cancelled", "declined", "event_cancelled"}
OPT_OUT_KINDS = {"reminder_24h", "reminder_1h", "staff_message"}


def manage_url(registration: Registration) -> str:
    """The private page where a person sees or cancels their registration."""
    return absolute_url(f"/registrations/{registration.manage_token}")


def personal_feed_url(registration: Registration) -> str | None:
    """The person's own calendar feed of everything they are confirmed for."""
    if registration.attendee is None:
        return None
    return absolute_url(f"/calendar/personal/{registration.attendee.feed_token}.ics")


def _context(registration: Registration) -> dict:
    event = registration.event
    yours = registration.timezone if registration.timezone != event.timezone else None
    return {
        "manage_url": manage_url(registration),
        "confirm_url": manage_url(registration) + "/confirm",
        "feed_url": personal_feed_url(registration),
        "event_url": absolute_url(f"/events/{event.slug}"),
        "when_event": describe(event.starts_at, event.timezone),
        "when_yours": describe(event.starts_at, yours) if yours else None,
        "join_url": event.join_url if registration.state == "confirmed" else None,
    }


def _calendar_method(registration: Registration, kind: str) -> str | None:
    """The invitation a kind carries: a cancellation, a request while confirmed, or none."""
    if kind in CANCEL_KINDS:
        return "CANCEL"
    if kind in REQUEST_KINDS and registration.state == "confirmed":
        return "REQUEST"
    return None


def registration_email(registration: Registration, kind: str, **details) -> OutboxMessage:
    """Queue one email about a registration; the outbox worker writes it when it sends it.

    `details` are what the email says beyond the registration and its event, as text.
    """
    unsubscribe = manage_url(registration) + "/unsubscribe" if kind in OPT_OUT_KINDS else None
    return queue_email(
        kind,
        registration,
        calendar_method=_calendar_method(registration, kind),
        unsubscribe_url=unsubscribe,
        details=details,
    )


def written(message: OutboxMessage) -> dict | None:
    """A queued message's subject, text, HTML and invitation, as its columns hold them.

    Written from its registration and event as they are now; None when the registration
    no longer exists (erased or purged).
    """
    if message.registration_id is None:
        return None
    registration = db.session.get(Registration, message.registration_id)
    if registration is None:
        return None
    context = {
        **_context(registration),
        **message.details,
        "event": registration.event,
        "registration": registration,
        "unsubscribe_url": message.unsubscribe_url,
    }
    calendar = None
    if message.calendar_method:
        calendar = build_invitation(
            registration.event,
            registration,
            message.calendar_method,
            organizer=current_app.config["MAIL_FROM"],
            base_url=current_app.config["BASE_URL"],
        )
    return written_email(message.kind, context, calendar)


def state_email(registration: Registration, kind: str | None = None) -> None:
    """Tell the person the state their registration is now in."""
    registration_email(registration, kind or registration.state)


def resend_details(registration: Registration) -> OutboxMessage:
    """Send the details again: the confirmation link while unverified, else the state."""
    kind = "unverified" if registration.state == "unverified" else "already_registered"
    return registration_email(registration, kind)


def _recipients(event: Event, states: tuple[str, ...]) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.state.in_(states))
            .order_by(Registration.id)
        )
    )


def event_changed(event: Event, kind: str, **details) -> int:
    """Tell everyone holding or awaiting a seat that the event changed (no commit)."""
    states = ("confirmed", "pending", "waitlisted")
    if kind == "recording_posted":
        states = ("confirmed",)
    recipients = _recipients(event, states)
    for registration in recipients:
        registration_email(registration, kind, **details)
    return len(recipients)
