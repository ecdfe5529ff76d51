"""What belongs to an email address across events: its feed token and reminder choice."""

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Attendee, Event, Registration, RetiredFeedToken
from eventsvc.models.registrations import new_token
from eventsvc.services.locking import write_transaction
from eventsvc.timezones import now


def set_reminders_opt_out(registration: Registration, opt_out: bool) -> None:
    """Stop (or restart) reminders and staff messages to this registration's address."""
    with write_transaction():
        if registration.attendee is not None:
            registration.attendee.reminders_opt_out = opt_out


def retire_feed_token(attendee: Attendee) -> None:
    """Make the address's personal-feed URL answer 410 Gone from now on (no commit)."""
    db.session.add(RetiredFeedToken(token=attendee.feed_token, retired_at=now()))


@write_transaction()
def reset_feed_token(registration: Registration) -> str:
    """Give the address a new personal-feed token; the old URL then answers 410 Gone."""
    attendee = registration.attendee
    retire_feed_token(attendee)
    attendee.feed_token = new_token()
    return attendee.feed_token


def find_by_feed_token(token: str) -> Attendee | None:
    """The address a personal-feed token belongs to, or None."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Attendee).where(Attendee.feed_token == token))


def feed_token_retired(token: str) -> bool:
    """Tell whether a token was reset (its feed answers 410 Gone rather than 404)."""
    return db.session.get(RetiredFeedToken, token[:64]) is not None


def confirmed_events(attendee: Attendee, listed) -> list[Event]:
    """The events an address holds a confirmed registration for, among those `listed`."""
    return list(
        db.session.scalars(
            select(Event)
            .join(Registration, Registration.event_id == Event.id)
            .where(
                Registration.attendee_id == attendee.id,
                Registration.state == "confirmed",
                listed,
            )
            .order_by(Event.starts_at, Event.id)
        ).unique()
    )
