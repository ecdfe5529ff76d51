"""Staff work on registrants: messages, exports, a person's data, and purging."""

import csv
import io
from datetime import UTC, date, datetime

from sqlalchemy import literal, or_, select

from eventsvc.config import site_timezone
from eventsvc.extensions import db
from eventsvc.models import (
    Attendee,
    Event,
    InvitationStream,
    OutboxMessage,
    Question,
    Registration,
)
from eventsvc.search import folded
from eventsvc.services import audit
from eventsvc.services.answers import answer_text
from eventsvc.services.attendees import retire_feed_token
from eventsvc.services.locking import write_transaction
from eventsvc.services.notifications import registration_email
from eventsvc.services.registration import cancel_registration
from eventsvc.text import normalise_email, words_of
from eventsvc.timezones import now, to_local

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ATTENDED = {True: "yes", False: "no", None: ""}


def registrants(event: Event, state: str | None = None, search: str = "") -> list[Registration]:
    """An event's registrations, filtered by state and by words in name or email."""
    query = select(Registration).where(Registration.event_id == event.id)
    if state:
        query = query.where(Registration.state == state)
    # Each word within the name or address, ignoring case and accents: "anez" finds "Áñez".
    for word in words_of(search):
        pattern = folded(literal(f"%{word}%"))
        query = query.where(
            or_(
                folded(Registration.name).like(pattern),
                folded(Registration.email_key).like(pattern),
            )
        )
    order = (
        Registration.waitlist_position.is_not(None),
        Registration.waitlist_position,
        Registration.id,
    )
    return list(db.session.scalars(query.order_by(*order)))


def state_counts(event: Event) -> dict[str, int]:
    """How many registrations the event has in each state."""
    rows = db.session.execute(
        select(Registration.state, db.func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.state)
    )
    return dict(rows.all())


def message_registrants(event: Event, states: list[str], subject: str, body: str) -> int:
    """Queue a staff message to every registrant in the given states; returns the count."""
    with write_transaction():
        recipients = db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.state.in_(states))
            .order_by(Registration.id)
        ).all()
        for registration in recipients:
            registration_email(registration, "staff_message", subject=subject, body=body)
        audit.record("registrations.messaged", event, subject)
    return len(recipients)


def _safe_cell(value) -> str:
    """Neutralise a cell a spreadsheet would run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def registrants_csv(event: Event) -> str:
    """Every registration with every answer (removed questions too), as CSV; audited."""
    questions = list(
        db.session.scalars(
            select(Question).where(Question.event_id == event.id).order_by(Question.position)
        )
    )
    zone_name = site_timezone()
    out = io.StringIO()
    writer = csv.writer(out)
    header = [
        "Name", "Email", "State", "Waitlist position", "Time zone", "Registered at", "Attended"
    ]  # fmt: skip
    header += [q.label + (" (removed)" if q.removed_at else "") for q in questions]
    writer.writerow([_safe_cell(cell) for cell in header])
    for registration in registrants(event):
        row = [
            registration.name,
            registration.email,
            registration.state,
            registration.waitlist_position,
            registration.timezone,
            to_local(registration.created_at, zone_name).isoformat(timespec="seconds"),
            _ATTENDED[registration.attended],
        ]
        row += [answer_text(q, registration.answers.get(str(q.id))) for q in questions]
        writer.writerow([_safe_cell(cell) for cell in row])
    with write_transaction():
        audit.record("registrations.exported", event)
    return out.getvalue()


def registrations_of(email: str) -> list[Registration]:
    """Every registration of one address, across events (a person's data)."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.email_key == normalise_email(email))
            .order_by(Registration.created_at)
        )
    )


def person_export(email: str) -> dict:
    """A person's registrations as JSON-ready data; the audit log notes the export."""
    export = {
        "email": normalise_email(email),
        "exported_at": now().isoformat(),
        "registrations": [
            {
                "event": r.event.title,
                "event_slug": r.event.slug,
                "name": r.name,
                "email": r.email,
                "state": r.state,
                "answers": r.answers,
                "timezone": r.timezone,
                "consent_version": r.consent_version,
                "consent_at": r.consent_at.isoformat() if r.consent_at else None,
                "created_at": r.created_at.isoformat(),
            }
            for r in registrations_of(email)
        ],
    }
    count = len(export["registrations"])
    with write_transaction():
        audit.record("person_data.exported", label=_registration_count(count))
    return export


def _registration_count(count: int) -> str:
    return f"{count} registration{'' if count == 1 else 's'}"


def _anonymise(registration: Registration) -> None:
    db.session.execute(
        db.delete(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
    )
    db.session.execute(
        db.delete(InvitationStream).where(
            InvitationStream.event_id == registration.event_id,
            InvitationStream.email_key == registration.email_key,
        )
    )
    registration.name, registration.email = "(removed)", f"removed-{registration.id}@invalid"
    registration.email_key = registration.email
    registration.answers, registration.timezone = {}, None
    registration.attendee_id = None
    registration.anonymised_at = now()


@write_transaction()
def erase_person(email: str) -> int:
    """Free a person's seats and remove their data and emails; returns the count.

    Their manage links and personal feed answer 410 Gone from then on.
    """
    found = registrations_of(email)
    for registration in found:
        if registration.is_active:
            cancel_registration(registration, notify=False)
        _anonymise(registration)
    attendee = db.session.scalar(select(Attendee).where(Attendee.email == normalise_email(email)))
    if attendee is not None:
        retire_feed_token(attendee)
        db.session.delete(attendee)
    audit.record("person_data.erased", label=_registration_count(len(found)))
    return len(found)


def purge_before(day: date) -> int:
    """Anonymise registrations of events that ended before `day`; counts stay."""
    cutoff = datetime(day.year, day.month, day.day, tzinfo=UTC)
    with write_transaction():
        old = db.session.scalars(
            select(Registration)
            .join(Event, Registration.event_id == Event.id)
            .where(Event.ends_at < cutoff, Registration.anonymised_at.is_(None))
        ).all()
        for registration in old:
            _anonymise(registration)
        audit.record("registrations.purged", label=_registration_count(len(old)), detail=str(day))
    return len(old)
