"""Registering people for events, and moving them between states (DESIGN §5).

Seats are counted on the event row: one conditional UPDATE takes a seat in the same
transaction as the insert, so capacity holds under any concurrency on SQLite and
PostgreSQL. Waitlist positions run 1..N without gaps.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError

from eventsvc.extensions import db
from eventsvc.inputs import single_line_error
from eventsvc.models import Attendee, Event, Question, Registration
from eventsvc.models.registrations import ACTIVE_STATES
from eventsvc.services import audit, notifications
from eventsvc.services.answers import clean_answers
from eventsvc.services.locking import write_transaction
from eventsvc.text import normalise_email
from eventsvc.timezones import LocalTimeError, now, zone

NAME_LIMIT = 200
DETAILS_RESENT_EVERY = timedelta(hours=1)  # at most one "already registered" email per hour
HELD_BACK = "Held back: this address was sent its details again less than an hour ago."


class RegistrationError(ValueError):
    """A registration that cannot be made: a code of DESIGN §5/the API, a message, fields."""

    def __init__(self, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.code, self.message, self.fields = code, message, fields or {}


@dataclass
class Outcome:
    """What a submission led to, for staff and tests only: the registration it touched,
    and whether it is new. What the person sees never depends on it (DESIGN §5).
    """

    registration: Registration
    created: bool

    @property
    def state(self) -> str:
        return self.registration.state


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
        return RegistrationError("event_cancelled", gettext("This event has been cancelled."))
    if event.ends_at <= moment:
        return RegistrationError("event_past", gettext("This event has already taken place."))
    opens = event.registration_opens
    if not event.registration_enabled or not event.is_published or opens is None:
        return RegistrationError(
            "registration_not_open", gettext("This event does not take registrations.")
        )
    if moment < opens:
        return RegistrationError(
            "registration_not_open", gettext("Registration has not opened yet.")
        )
    if moment >= event.registration_closes:
        return RegistrationError("registration_closed", gettext("Registration has closed."))
    if event.is_full and not event.waitlist_enabled:
        return RegistrationError("event_full", gettext("This event is full."))
    return None


def _checked_name(name) -> tuple[str, dict[str, list[str]]]:
    """The name trimmed, and its error (by field) when it is empty, too long or not one line."""
    line_error = single_line_error(name)
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        return name, {"name": [gettext("Enter your name")]}
    if len(name) > NAME_LIMIT or "\x00" in name:
        message = gettext("Keep your name under %(count)s characters", count=NAME_LIMIT)
        return name, {"name": [message]}
    return name, {"name": [line_error]} if line_error else {}


def _check_person(name, email, consent, timezone) -> tuple[dict, str, str, str | None]:
    name, errors = _checked_name(name)
    address = email.strip() if isinstance(email, str) else ""
    try:
        address = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = [gettext("Enter an email address like name@example.org")]
    if consent is not True:
        errors["consent"] = [gettext("Agree to the use of your details to register")]
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
        raise RegistrationError("invalid", gettext("Some answers need attention."), errors)
    return name, address, clean, timezone


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
# A repeated submission writes the rows a new one writes (DESIGN §5: the same cost).
_KEEP_COUNTERS = _counter_update(seats_taken=Event.seats_taken)
_SEEN_AGAIN = (
    update(Attendee)
    .where(Attendee.id == bindparam("attendee_id"))
    .values(updated_at=bindparam("moment"))
    .execution_options(synchronize_session=False)
)
_SEAT_FREE_NOW = (
    select(Event.id)
    .where(Event.id == bindparam("event_id"), _SEAT_FREE, Event.waitlist_length == 0)
    .with_for_update()
)


def _seat_free(event_id: int) -> bool:
    """Whether a newcomer would get a seat (one is free, nobody waits), the event's row
    locked until the commit (PostgreSQL)."""
    found = db.session.execute(_SEAT_FREE_NOW, {"event_id": event_id})
    return found.first() is not None


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
        raise RegistrationError("event_full", gettext("This event is full."))


def register(
    event: Event,
    name,
    email,
    answers,
    consent,
    timezone=None,
    questions=None,
    *,
    by_staff=False,
    language: str = "en",
) -> Outcome:
    """Take a submission: a new registration, or the details sent again (DESIGN §5).

    Refusals that depend on the event alone come first, the same for every address. Past
    them, a new address and one registered already take one path: the same reads before
    and under the write lock, a write and a commit each, and an answer that does not say
    which it was. What differs reaches the address's mailbox only. `by_staff`: staff add
    the person by hand, which the audit log records; an address registered already is
    refused by name, as staff may see it anyway. `language` is the one they registered in
    (the page's, or the API's `language`): every email they get is written in it.
    """
    name, address, clean, timezone = validate_submission(
        event, name, email, answers, consent, timezone, questions
    )
    problem = refusal(event)
    if problem:
        raise problem
    terms = EventTerms.of(event)
    person = (name, address, normalise_email(address), clean, timezone, language)
    for _attempt in range(3):
        try:
            with write_transaction():
                return _take_submission(terms, *person, by_staff=by_staff)
        except IntegrityError:
            continue  # the address registered, or its attendee erased, meanwhile: look again
    raise RegistrationError(
        "busy", gettext("Many people are registering at once: send the form again.")
    )


def _take_submission(
    terms, name, address, key, answers, timezone, language, by_staff=False
) -> Outcome:
    """Under the write lock: the event as read, then the address's registration or a new one."""
    terms = _as_read(terms)
    if not terms.waitlist_enabled and not _seat_free(terms.id):
        raise RegistrationError("event_full", gettext("This event is full."))
    existing = db.session.scalar(
        select(Registration).where(
            Registration.event_id == terms.id,
            Registration.email_key == key,
            Registration.state.in_(ACTIVE_STATES),
        )
    )
    attendee_id = db.session.scalar(select(Attendee.id).where(Attendee.email == key))
    if existing is not None and by_staff:
        message = gettext("This address is registered already: find it in the list.")
        raise RegistrationError("already_registered", message, {"email": [message]})
    if existing is not None:
        return Outcome(_submitted_again(existing, attendee_id), created=False)
    person = (name, address, key, answers, timezone, language)
    registration = _new_registration(terms, attendee_id, *person, by_staff=by_staff)
    return Outcome(registration, created=True)


def _submitted_again(registration: Registration, attendee_id: int | None) -> Registration:
    """Count a repeated submission and queue its details again, dropped (never sent) if they
    went out less than an hour ago: one email an hour at most.

    It writes what a new registration writes (the attendee's row, the event's counters,
    a registration, a message), so that both answers take the same time.
    """
    moment = now()
    db.session.execute(_SEEN_AGAIN, {"attendee_id": attendee_id, "moment": moment})
    db.session.execute(_KEEP_COUNTERS, {"event_id": registration.event_id})
    registration.repeat_submissions += 1
    message = notifications.resend_details(registration)
    last = registration.details_resent_at
    if last is not None and moment - last < DETAILS_RESENT_EVERY:
        message.status, message.last_error = "dropped", HELD_BACK
    else:
        registration.details_resent_at = moment
    db.session.flush()
    return registration


def _as_read(terms: EventTerms) -> EventTerms:
    """The event's terms under the lock: as read before, unless it was edited meanwhile."""
    edited = db.session.scalar(select(Event.updated_at).where(Event.id == terms.id))
    if edited == terms.updated_at:
        return terms
    event = db.session.get(Event, terms.id)
    if event is None:
        raise RegistrationError(
            "registration_not_open", gettext("This event does not take registrations.")
        )
    problem = refusal(event)
    if problem:
        raise problem
    return EventTerms.of(event)


def _new_registration(
    terms, attendee_id, name, address, key, answers, timezone, language, by_staff=False
) -> Registration:
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
        language=language,
        state="unverified",
    )
    if not terms.confirm_email:
        _place(terms, registration)
    db.session.add(registration)
    db.session.flush()
    if by_staff:
        audit.record("registration.added", registration)
    notifications.state_email(registration)
    return registration


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


def fill_free_seats(event: Event) -> list[Registration]:
    """Promote waitlisted people, first in line first, while seats are free; returns them."""
    promoted = []
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
        promoted.append(first)


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
            "not_pending", gettext("Only a registration awaiting approval can be approved.")
        )
    registration.state, registration.confirmed_at = "confirmed", now()
    audit.record("registration.approved", registration)
    notifications.state_email(registration, "approved")
    return registration


@write_transaction()
def promote_registration(registration: Registration) -> Registration:
    """Move one waitlisted person to a free seat (staff), ahead of the queue."""
    if registration.state != "waitlisted":
        raise RegistrationError(
            "not_waitlisted", gettext("Only a waitlisted registration can be moved.")
        )
    if not _take_seat(registration.event_id, jump_queue=True):
        raise RegistrationError("event_full", gettext("No seat is free: raise the capacity first."))
    audit.record("registration.promoted", registration)
    _promote(registration)
    return registration


@write_transaction()
def resend_details(registration: Registration) -> None:
    """Send the person their registration details again."""
    notifications.resend_details(registration)


def add_registrant(event: Event, name, email, answers, consent, language: str = "en") -> Outcome:
    """Staff register someone by hand: the same checks, seats, waiting list and emails as
    the form, in the language staff chose for them; an address registered already is
    refused by name, as staff may know it."""
    return register(event, name, email, answers, consent, by_staff=True, language=language)


@write_transaction()
def change_registrant(registration: Registration, name, answers) -> Registration:
    """Staff correct a registrant's name and answers, by the form's rules; answers to
    questions since removed are kept."""
    name, errors = _checked_name(name)
    clean, answer_errors = clean_answers(active_questions(registration.event), answers or {})
    errors.update(answer_errors)
    if errors:
        raise RegistrationError("invalid", gettext("Some answers need attention."), errors)
    registration.name = name
    registration.answers = {**registration.answers, **clean}
    audit.record("registration.changed", registration)
    return registration
