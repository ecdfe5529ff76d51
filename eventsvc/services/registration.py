"""Registering people for events, and moving them between states (DESIGN §5).

Seats are counted on the event row: one conditional UPDATE takes a seat in the same
transaction as the insert, so capacity holds under any concurrency on SQLite and
PostgreSQL. Waitlist positions run 1..N without gaps.
"""

from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError

from eventsvc.extensions import db
from eventsvc.models import Attendee, Event, Question, Registration
from eventsvc.models.registrations import ACTIVE_STATES
from eventsvc.services import audit, notifications
from eventsvc.services.answers import clean_answers
from eventsvc.services.locking import write_transaction
from eventsvc.text import normalise_email
from eventsvc.timezones import LocalTimeError, now, zone

NAME_LIMIT = 200


class RegistrationError(ValueError):
    """A registration that cannot be made: a code of DESIGN §5/the API, a message, fields."""

    def __init__(self, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.code, self.message, self.fields = code, message, fields or {}


@dataclass
class Outcome:
    """What a submission led to: the state to tell the person, and the row if one is new.

    `manage_token` is the new row's, kept from before the commit expires the row, so the
    page can link to it without loading the row again.
    """

    state: str
    registration: Registration | None = None
    manage_token: str | None = None


def active_questions(event: Event) -> list[Question]:
    """The questions an event asks now, in order."""
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.event_id == event.id, Question.removed_at.is_(None))
            .order_by(Question.position, Question.id)
        )
    )


def refusal(event: Event) -> RegistrationError | None:
    """Why an event takes no registration now, or None when it does."""
    moment = now()
    if event.is_cancelled:
        return RegistrationError("event_cancelled", "This event has been cancelled.")
    if event.ends_at <= moment:
        return RegistrationError("event_past", "This event has already taken place.")
    opens = event.registration_opens
    if not event.registration_enabled or not event.is_published or opens is None:
        return RegistrationError("registration_not_open", "This event does not take registrations.")
    if moment < opens:
        return RegistrationError("registration_not_open", "Registration has not opened yet.")
    if moment >= event.registration_closes:
        return RegistrationError("registration_closed", "Registration has closed.")
    return None


def _check_person(name, email, consent, timezone) -> tuple[dict, str, str, str | None]:
    errors: dict[str, list[str]] = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = ["Enter your name"]
    elif len(name) > NAME_LIMIT or "\x00" in name:
        errors["name"] = [f"Keep your name under {NAME_LIMIT} characters"]
    address = email.strip() if isinstance(email, str) else ""
    try:
        address = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = ["Enter an email address like name@example.org"]
    if consent is not True:
        errors["consent"] = ["Agree to the use of your details to register"]
    try:
        timezone = zone(timezone).key if timezone else None
    except LocalTimeError:
        timezone = None
    return errors, name, address, timezone


def validate_submission(event, name, email, answers, consent, timezone, questions=None):
    """Check a submission; return (name, email, answers, timezone) or raise 'invalid'.

    `questions` are the event's active questions, when the caller has read them already.
    """
    errors, name, address, timezone = _check_person(name, email, consent, timezone)
    if questions is None:
        questions = active_questions(event)
    clean, answer_errors = clean_answers(questions, answers or {})
    errors.update(answer_errors)
    if errors:
        raise RegistrationError("invalid", "Some answers need attention.", errors)
    return name, address, clean, timezone


def _active(event_id: int, email_key: str) -> int | None:
    """The id of the address's active registration for the event, if it has one."""
    return db.session.scalar(
        select(Registration.id).where(
            Registration.event_id == event_id,
            Registration.email_key == email_key,
            Registration.state.in_(ACTIVE_STATES),
        )
    )


@dataclass(frozen=True)
class EventTerms:
    """What a new registration takes from its event, read before the write lock.

    `updated_at` moves with every edit of the event (not with its seat counters), so one
    small query under the lock tells whether these still hold.
    """

    id: int
    updated_at: datetime
    confirm_email: bool
    approval_required: bool
    waitlist_enabled: bool
    consent_version: int | None

    @classmethod
    def of(cls, event: Event) -> "EventTerms":
        return cls(
            event.id,
            event.updated_at,
            event.confirm_email,
            event.approval_required,
            event.waitlist_enabled,
            event.consent_version,
        )


def _counter_update(**counters):
    """An UPDATE of one event's seat counters that keeps its updated_at.

    Feeds, the sitemap and the API date an event by its last edit, and a registration is
    not one; naming the column keeps its onupdate from firing.
    """
    return (
        update(Event)
        .where(Event.id == bindparam("event_id"))
        .values(**counters, updated_at=Event.updated_at)
        .execution_options(synchronize_session=False, changes_pages=False)
    )


# Built once: building these statements costs more than running them.
_SEAT_FREE = or_(Event.capacity.is_(None), Event.seats_taken < Event.capacity)
_TAKE_SEAT = _counter_update(seats_taken=Event.seats_taken + 1).where(_SEAT_FREE)
_TAKE_SEAT_IF_NOBODY_WAITS = _TAKE_SEAT.where(Event.waitlist_length == 0)
_GIVE_BACK_SEAT = _counter_update(seats_taken=Event.seats_taken - 1)
_JOIN_WAITLIST = _counter_update(waitlist_length=Event.waitlist_length + 1).returning(
    Event.waitlist_length
)
_LEAVE_WAITLIST = _counter_update(waitlist_length=Event.waitlist_length - 1)


def _take_seat(event_id: int, jump_queue: bool = False) -> bool:
    """Take one seat if capacity allows (and nobody waits, unless `jump_queue`)."""
    statement = _TAKE_SEAT if jump_queue else _TAKE_SEAT_IF_NOBODY_WAITS
    return db.session.execute(statement, {"event_id": event_id}).rowcount == 1


def _place(event: Event | EventTerms, registration: Registration) -> None:
    """Give a registration a seat, else a waitlist position, else refuse: event_full."""
    if _take_seat(event.id):
        registration.state = "pending" if event.approval_required else "confirmed"
        registration.confirmed_at = now() if registration.state == "confirmed" else None
    elif event.waitlist_enabled:
        registration.state = "waitlisted"
        registration.waitlist_position = db.session.execute(
            _JOIN_WAITLIST, {"event_id": event.id}
        ).scalar_one()
    else:
        raise RegistrationError("event_full", "This event is full.")


def register(
    event: Event, name, email, answers, consent, timezone=None, questions=None, *, by_staff=False
) -> Outcome:
    """Register someone; see DESIGN §5 for duplicates and 'confirm email first'.

    Everything that only reads (the checks, a registration already there, the attendee)
    happens before the write lock; under it, one query confirms the event is as read,
    and the unique index on active registrations catches an address registered meanwhile.
    `by_staff` records in the audit log that staff added the person by hand.
    """
    name, address, clean, timezone = validate_submission(
        event, name, email, answers, consent, timezone, questions
    )
    key = normalise_email(address)
    for _attempt in range(3):
        problem = refusal(event)
        if problem:
            raise problem
        existing = _active(event.id, key)
        if existing:
            outcome = _registered_already(event, existing)
            if outcome:
                return outcome
            continue  # cancelled meanwhile: the address may register again
        terms = EventTerms.of(event)
        attendee_id = db.session.scalar(select(Attendee.id).where(Attendee.email == key))
        person = (name, address, key, clean, timezone)
        try:
            with write_transaction():
                return _register_locked(terms, attendee_id, *person, by_staff=by_staff)
        except IntegrityError:
            continue  # an address registered, or an attendee erased, meanwhile: look again
    raise RegistrationError("already_registered", "This address is already registered.")


def _registered_already(event: Event, registration_id: int) -> Outcome | None:
    """Send the details again, or None if the registration ended before the lock.

    The answer tells the person no more than a new registration would.
    """
    state = "unverified" if event.confirm_email else "already_registered"
    with write_transaction():
        registration = db.session.get(Registration, registration_id)
        if registration is None or not registration.is_active:
            return None
        notifications.resend_details(registration)
    return Outcome(state)


def _as_read(terms: EventTerms) -> EventTerms:
    """The event's terms under the lock: as read before, unless it was edited meanwhile."""
    edited = db.session.scalar(select(Event.updated_at).where(Event.id == terms.id))
    if edited == terms.updated_at:
        return terms
    event = db.session.get(Event, terms.id)
    if event is None:
        raise RegistrationError("registration_not_open", "This event does not take registrations.")
    problem = refusal(event)
    if problem:
        raise problem
    return EventTerms.of(event)


def _register_locked(
    terms, attendee_id, name, address, key, answers, timezone, by_staff=False
) -> Outcome:
    terms = _as_read(terms)
    if attendee_id is None:
        attendee = Attendee(email=key)
        db.session.add(attendee)
        db.session.flush()
        attendee_id = attendee.id
    registration = Registration(
        event_id=terms.id,
        attendee_id=attendee_id,
        name=name,
        email=address,
        email_key=key,
        answers=answers,
        consent_version=terms.consent_version,
        consent_at=now(),
        timezone=timezone,
        state="unverified",
    )
    if not terms.confirm_email:
        _place(terms, registration)
    db.session.add(registration)
    db.session.flush()
    if by_staff:
        audit.record("registration.added", registration)
    notifications.state_email(registration)
    return Outcome(registration.state, registration, registration.manage_token)


def find_by_token(token: str) -> Registration | None:
    """The registration a manage link points to, or None."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Registration).where(Registration.manage_token == token))


@write_transaction()
def confirm_email(registration: Registration) -> Registration:
    """Use a 'confirm email first' link: the registration now takes a seat or a place."""
    if registration.state != "unverified":
        return registration
    problem = refusal(registration.event)
    if problem:
        raise problem
    _place(registration.event, registration)
    notifications.state_email(registration)
    return registration


def _leave_waitlist(event: Event, position: int) -> None:
    db.session.execute(
        update(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.state == "waitlisted",
            Registration.waitlist_position > position,
        )
        .values(waitlist_position=Registration.waitlist_position - 1)
        .execution_options(synchronize_session=False, changes_pages=False)
    )
    db.session.execute(_LEAVE_WAITLIST, {"event_id": event.id})


def _release(registration: Registration) -> None:
    """Give back what a registration holds: its seat or its waitlist position."""
    event = registration.event
    if registration.holds_seat:
        db.session.execute(_GIVE_BACK_SEAT, {"event_id": event.id})
    elif registration.state == "waitlisted":
        _leave_waitlist(event, registration.waitlist_position)
        registration.waitlist_position = None
    db.session.flush()


def _promote(registration: Registration) -> None:
    position = registration.waitlist_position
    registration.state = "pending" if registration.event.approval_required else "confirmed"
    registration.confirmed_at = now() if registration.state == "confirmed" else None
    registration.waitlist_position = None
    _leave_waitlist(registration.event, position)
    db.session.flush()
    notifications.state_email(registration, "promoted")


def fill_free_seats(event: Event) -> int:
    """Promote waitlisted people, first in line first, while seats are free."""
    promoted = 0
    while True:
        first = db.session.scalar(
            select(Registration).where(
                Registration.event_id == event.id,
                Registration.state == "waitlisted",
                Registration.waitlist_position == 1,
            )
        )
        if first is None or not _take_seat(event.id, jump_queue=True):
            return promoted
        _promote(first)
        promoted += 1


@write_transaction()
def _end(registration: Registration, state: str, notify: bool = True) -> Registration:
    if not registration.is_active:
        return registration
    audit.record(f"registration.{state}", registration)
    _release(registration)
    registration.state, registration.cancelled_at = state, now()
    if notify:
        notifications.state_email(registration)
    fill_free_seats(registration.event)
    return registration


def cancel_registration(registration: Registration, notify: bool = True) -> Registration:
    """Cancel (by the person or by staff): frees the seat and promotes the next in line."""
    return _end(registration, "cancelled", notify)


def decline_registration(registration: Registration) -> Registration:
    """Decline (staff): like a cancellation, with its own email."""
    return _end(registration, "declined")


@write_transaction()
def approve_registration(registration: Registration) -> Registration:
    """Approve a pending registration; its seat is already held."""
    if registration.state != "pending":
        raise RegistrationError(
            "not_pending", "Only a registration awaiting approval can be approved."
        )
    registration.state, registration.confirmed_at = "confirmed", now()
    audit.record("registration.approved", registration)
    notifications.state_email(registration, "approved")
    return registration


@write_transaction()
def promote_registration(registration: Registration) -> Registration:
    """Move one waitlisted person to a free seat (staff), ahead of the queue."""
    if registration.state != "waitlisted":
        raise RegistrationError("not_waitlisted", "Only a waitlisted registration can be moved.")
    if not _take_seat(registration.event_id, jump_queue=True):
        raise RegistrationError("event_full", "No seat is free: raise the capacity first.")
    audit.record("registration.promoted", registration)
    _promote(registration)
    return registration


@write_transaction()
def resend_details(registration: Registration) -> None:
    """Send the person their registration details again."""
    notifications.resend_details(registration)


def add_registrant(event: Event, name, email, answers, consent) -> Outcome:
    """Staff register someone by hand: the same checks, seats, waiting list and emails as
    the form; an address registered already is refused by name, as staff may know it."""
    _name, address, _answers, _zone = validate_submission(
        event, name, email, answers, consent, None
    )
    if _active(event.id, normalise_email(address)):
        message = "This address is registered already: find it in the list."
        raise RegistrationError("already_registered", message, {"email": [message]})
    return register(event, name, email, answers, consent, by_staff=True)


@write_transaction()
def change_registrant(registration: Registration, name, answers) -> Registration:
    """Staff correct a registrant's name and answers, by the form's rules; answers to
    questions since removed are kept."""
    name = name.strip() if isinstance(name, str) else ""
    errors = (
        {}
        if 0 < len(name) <= NAME_LIMIT
        else {"name": [f"Enter a name, up to {NAME_LIMIT} characters"]}
    )
    clean, answer_errors = clean_answers(active_questions(registration.event), answers or {})
    errors.update(answer_errors)
    if errors:
        raise RegistrationError("invalid", "Some answers need attention.", errors)
    registration.name = name
    registration.answers = {**registration.answers, **clean}
    audit.record("registration.changed", registration)
    return registration
