"""Who is told what, and when: one update per person per quiet period, each message decided
from the state when it is written, and each person's invitations rising."""

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from eventsvc.extensions import db
from eventsvc.models import OutboxMessage, Registration
from eventsvc.services.attendance import set_attended
from eventsvc.services.events import (
    add_recording,
    cancel_event,
    fields_of,
    remove_recording,
    schedule_of,
)
from eventsvc.services.notifications import pending_updates
from eventsvc.services.registration import cancel_registration
from eventsvc.timezones import day_bounds, now, to_utc
from tests.helpers import in_days, outbox_messages, save_fields, under_way


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


def test_a_recording_removed_before_its_email_is_written_is_not_announced(
    any_db_app, open_event, sign_up
):
    event = open_event(**under_way())
    sign_up(event, "ana@example.org")
    outbox_messages()
    remove_recording(add_recording(event, "https://video.example.org/1"))

    assert outbox_messages("recording_posted") == []
    dropped = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "recording_posted")
    )
    assert dropped.last_error == "The recording was removed meanwhile."


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


def test_registrants_hear_of_an_events_recordings_once(any_db_app, open_event, sign_up):
    event = open_event(**under_way())
    sign_up(event, "ana@example.org")
    outbox_messages()
    add_recording(event, "https://video.example.org/part-1")
    sign_up(event, "bo@example.org", name="Bo")
    add_recording(event, "https://video.example.org/part-2")

    told = outbox_messages("recording_posted")
    assert [m.to_address for m in told] == ["ana@example.org", "bo@example.org"]
    assert "https://video.example.org/part-2" in told[1].body_text


def test_a_recording_replaced_before_its_email_goes_is_announced_once_with_the_new_link(
    any_db_app, open_event, sign_up
):
    event = open_event(**under_way())
    sign_up(event, "ana@example.org")
    remove_recording(add_recording(event, "https://video.example.org/wrong"))
    add_recording(event, "https://video.example.org/right")

    [told] = outbox_messages("recording_posted")
    assert "https://video.example.org/right" in told.body_text
    assert "wrong" not in told.body_text


def test_a_withdrawn_announcement_leaves_the_next_recording_to_be_announced(
    any_db_app, open_event, sign_up
):
    event = open_event(**under_way())
    sign_up(event, "ana@example.org")
    remove_recording(add_recording(event, "https://video.example.org/wrong"))
    assert outbox_messages("recording_posted") == []  # written as it goes: dropped
    add_recording(event, "https://video.example.org/right")

    [told] = outbox_messages("recording_posted")
    assert "https://video.example.org/right" in told.body_text


def test_attendees_and_no_shows_get_their_own_words_with_the_recording(
    any_db_app, open_event, sign_up
):
    event = open_event(**under_way())
    came, missed, unknown = (
        sign_up(event, f"{name}@example.org", name=name.title()).registration
        for name in ("ana", "bo", "cy")
    )
    set_attended(came, True)
    set_attended(missed, False)
    add_recording(event, "https://video.example.org/1")

    words = {m.to_address: (m.body_text, m.body_html) for m in outbox_messages("recording_posted")}
    assert "Thank you for joining us." in words["ana@example.org"][0]
    assert "We are sorry we missed you." in words["bo@example.org"][1]
    assert "joining" not in words["cy@example.org"][0]
    assert "missed" not in words["cy@example.org"][0]
    assert "The recording of the event is online" in words["cy@example.org"][0]


def test_a_waiting_persons_update_speaks_of_no_join_link_or_invitation(told):
    later = replace(schedule_of(told), starts_at=in_days(12), ends_at=in_days(12, hour=17))
    save_fields(
        told, replace(fields_of(told), schedule=later, join_url="https://meet.example.org/2")
    )

    ana, bo = outbox_messages("event_changed")
    assert "Join link:" in ana.body_text and "invitation attached" in ana.body_text
    for words in (bo.body_text, bo.body_html):
        assert "join" not in words.lower() and "invitation" not in words.lower()
        assert "meet.example.org" not in words
    assert bo.calendar is None


def test_the_cancellation_email_carries_no_join_link_and_reads_cleanly(told):
    cancel_event(told, "The speaker is ill.")

    ana, bo = outbox_messages("event_cancelled")
    for message in (ana, bo):
        assert "meet.example.org" not in message.body_text + message.body_html
        assert ".." not in message.body_text
        assert message.body_text.count("The speaker is ill.") == 1
    assert "The cancellation attached removes the event from your calendar." in ana.body_text


def test_an_email_gives_start_and_end_on_the_events_clock_and_the_readers(
    any_db_app, open_event, sign_up
):
    starts_at = to_utc(datetime(2031, 1, 16, 10), "America/New_York")
    event = open_event(starts_at=starts_at, ends_at=starts_at + timedelta(minutes=90))
    sign_up(event, "ana@example.org", timezone="Europe/Madrid")

    [confirmed] = outbox_messages("confirmed")

    text = confirmed.body_text
    assert "When: Thursday 16 January 2031, 10:00 EST (UTC−05:00) – 11:30\n" in text
    assert "Your time: Thursday 16 January 2031, 16:00 CET (UTC+01:00) – 17:30\n" in text


def test_an_all_day_events_email_gives_its_days_not_a_midnight(any_db_app, open_event, sign_up):
    first, last = date(2031, 3, 4), date(2031, 3, 5)
    starts_at, ends_at = day_bounds(first, last, "Europe/Amsterdam")
    event = open_event(
        timezone="Europe/Amsterdam",
        all_day=True,
        start_date=first,
        end_date=last,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    sign_up(event, "ana@example.org", timezone="America/New_York")

    [confirmed] = outbox_messages("confirmed")

    assert "When: 4 March 2031 – 5 March 2031 (all day)\n" in confirmed.body_text
    assert "00:00" not in confirmed.body_text
    assert "Your time" not in confirmed.body_text
