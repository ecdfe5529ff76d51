"""Who is told what, and when: one update per person per quiet period, each message decided
from the state when it is written, and each person's invitations rising."""

from dataclasses import replace
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from eventsvc.extensions import db
from eventsvc.models import OutboxMessage, Registration
from eventsvc.services.events import cancel_event, fields_of, schedule_of
from eventsvc.services.notifications import pending_updates
from eventsvc.services.registration import cancel_registration
from eventsvc.timezones import now
from tests.helpers import in_days, outbox_messages, save_fields


def due_now() -> None:
    """Let every waiting message's time come, as the quiet period ending does."""
    db.session.execute(update(OutboxMessage).values(next_attempt_at=now()))
    db.session.commit()


def sequence_of(message: OutboxMessage) -> int:
    return int(Calendar.from_ical(message.calendar).walk("VEVENT")[0]["SEQUENCE"])


@pytest.fixture
def told(any_db_app, open_event, sign_up):
    """An event with a confirmed and a waitlisted registrant, both sent their first email."""
    event = open_event(title="Rights at work", capacity=1, join_url="https://meet.example.org/1")
    sign_up(event, "ana@example.org")
    sign_up(event, "bo@example.org")
    outbox_messages()
    return event


def test_edits_in_a_quiet_period_make_one_update_per_person_saying_all(told):
    save_fields(told, replace(fields_of(told), title="Rights at work: the directive"))
    first = [m.next_attempt_at for m in pending_updates(told)]
    later = replace(schedule_of(told), starts_at=in_days(12), ends_at=in_days(12, hour=17))
    save_fields(told, replace(fields_of(told), schedule=later, venue="Hall 2", kind="hybrid"))

    waiting = pending_updates(told)
    assert len(waiting) == 2  # one per registrant, not one per edit
    assert all(m.next_attempt_at > now() + timedelta(minutes=4) for m in waiting)
    assert all(m.next_attempt_at >= due for m, due in zip(waiting, first, strict=True))
    ana, bo = outbox_messages("event_changed")  # written here whatever the hour
    for label in ("Title:", "When:", "Where:"):
        assert label in ana.body_text and label in bo.body_text
    assert "now: Hall 2 and online" in ana.body_text
    assert (ana.calendar_method, bo.calendar_method) == ("REQUEST", None)


def test_a_change_undone_before_the_update_goes_out_sends_nothing(told):
    title = told.title
    save_fields(told, replace(fields_of(told), title="A title for a minute"))
    save_fields(told, replace(fields_of(told), title=title))
    due_now()

    assert outbox_messages("event_changed") == []
    reasons = db.session.scalars(
        select(OutboxMessage.last_error).where(OutboxMessage.status == "dropped")
    ).all()
    assert reasons == ["Nothing they were told has changed since."] * 2


def test_a_cancellation_goes_at_once_and_the_waiting_update_is_dropped(told):
    save_fields(told, replace(fields_of(told), title="Rights at work, moved online"))
    cancel_event(told, "The speaker is ill.")

    cancelled = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "event_cancelled")
    ).all()
    assert all(m.next_attempt_at <= now() for m in cancelled)
    assert [m.kind for m in outbox_messages()][-2:] == ["event_cancelled", "event_cancelled"]
    # No "Changed:" invitation saying STATUS:CANCELLED: the update's reason is gone.
    assert outbox_messages("event_changed") == []
    ana, bo = outbox_messages("event_cancelled")
    assert (ana.calendar_method, bo.calendar_method) == ("CANCEL", None)  # bo had no REQUEST


def test_a_registration_cancelled_before_its_email_is_written_gets_no_invitation(
    any_db_app, open_event, sign_up
):
    event = open_event(join_url="https://meet.example.org/1")
    registration = sign_up(event, "ana@example.org").registration
    cancel_registration(registration)

    [cancelled] = outbox_messages()
    assert (cancelled.kind, cancelled.calendar) == ("cancelled", None)
    assert "https://meet.example.org/1" not in cancelled.body_text
    dropped = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "confirmed"))
    assert (dropped.status, dropped.last_error) == (
        "dropped",
        "The registration is now: cancelled.",
    )


def test_a_persons_invitations_rise_through_the_waitlist_and_registering_again(
    any_db_app, open_event, sign_up
):
    event = open_event(capacity=1)
    sign_up(event, "ana@example.org")
    sign_up(event, "bo@example.org")
    outbox_messages()
    cancel_registration(registration_of("ana@example.org"))  # bo is promoted
    outbox_messages()
    sign_up(event, "ana@example.org")  # again: she waits for a seat
    cancel_registration(registration_of("bo@example.org"))  # and is promoted

    invitations = [m for m in outbox_messages() if m.calendar_method]
    sent = {
        address: [
            (m.calendar_method, sequence_of(m)) for m in invitations if m.to_address == address
        ]
        for address in ("ana@example.org", "bo@example.org")
    }
    assert [method for method, _ in sent["ana@example.org"]] == ["REQUEST", "CANCEL", "REQUEST"]
    assert [method for method, _ in sent["bo@example.org"]] == ["REQUEST", "CANCEL"]
    for person in sent.values():
        sequences = [sequence for _method, sequence in person]
        assert sequences == sorted(set(sequences)), person


def registration_of(address: str) -> Registration:
    """The address's confirmed registration."""
    return db.session.scalar(
        select(Registration).where(Registration.email == address, Registration.state == "confirmed")
    )
