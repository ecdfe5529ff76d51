"""What belongs to an email address across events: its feed token and reminder choice."""

from eventsvc.extensions import db
from eventsvc.models import Registration, RetiredFeedToken
from eventsvc.models.registrations import new_token
from eventsvc.timezones import now


def set_reminders_opt_out(registration: Registration, opt_out: bool) -> None:
    """Stop (or restart) reminders and staff messages to this registration's address."""
    if registration.attendee is not None:
        registration.attendee.reminders_opt_out = opt_out
        db.session.commit()


def reset_feed_token(registration: Registration) -> str:
    """Give the address a new personal-feed token; the old URL then answers 410 Gone."""
    attendee = registration.attendee
    db.session.add(RetiredFeedToken(token=attendee.feed_token, retired_at=now()))
    attendee.feed_token = new_token()
    db.session.commit()
    return attendee.feed_token
