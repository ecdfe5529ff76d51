"""Registration rules of DESIGN §5 on SQLite and PostgreSQL."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from eventsvc.extensions import db
from eventsvc.inputs import SINGLE_LINE_ERROR, QuestionFields, RegistrationSettings
from eventsvc.models import Event, Registration
from eventsvc.services import registration as reg
from eventsvc.services.registration_settings import add_question, remove_question
from eventsvc.timezones import Schedule, describe, now
from tests.helpers import (
    in_days,
    open_registration,
    outbox_messages,
    row_count,
    save_fields,
    under_way,
)

pytestmark = pytest.mark.usefixtures("any_db_app")  # each test on SQLite, then PostgreSQL


def test_confirmed_registration_takes_a_seat_and_mails_an_invitation(open_event, sign_up):
    event = open_event(capacity=10)
    outcome = sign_up(event, "ana@example.org", timezone="Europe/Berlin")
    assert outcome.state == "confirmed"
    db.session.refresh(event)
    assert event.seats_taken == 1
    [message] = outbox_messages("confirmed")
    assert message.to_address == "ana@example.org"
    invitation = Calendar.from_ical(message.calendar)
    assert invitation["METHOD"] == "REQUEST"
    [vevent] = invitation.walk("VEVENT")
    assert str(vevent["UID"]) == event.uid
    assert vevent["SEQUENCE"] == event.sequence
    assert vevent.decoded("DTSTART") == event.starts_at
    assert "ana@example.org" in str(vevent["ATTENDEE"])
    assert vevent["ATTENDEE"].params["RSVP"] == "FALSE"
    assert "Your time:" in message.body_text and "CET" in message.body_text


def test_full_event_waitlists_in_order_and_promotes_on_cancel(open_event, sign_up):
    event = open_event(capacity=2)
    first = sign_up(event, "a@example.org").registration
    sign_up(event, "b@example.org")
    third = sign_up(event, "c@example.org")
    fourth = sign_up(event, "d@example.org")
    assert (third.state, third.registration.waitlist_position) == ("waitlisted", 1)
    assert (fourth.state, fourth.registration.waitlist_position) == ("waitlisted", 2)
    outbox_messages()  # the worker sends the confirmations and waitlist places

    reg.cancel_registration(first)

    rows = {r.email: r for r in db.session.scalars(select(Registration))}
    assert rows["a@example.org"].state == "cancelled"
    assert rows["c@example.org"].state == "confirmed"
    assert rows["d@example.org"].waitlist_position == 1
    db.session.refresh(event)
    assert (event.seats_taken, event.waitlist_length) == (2, 1)
    [promoted] = outbox_messages("promoted")
    assert promoted.to_address == "c@example.org"
    assert Calendar.from_ical(promoted.calendar)["METHOD"] == "REQUEST"
    [cancelled] = outbox_messages("cancelled")
    assert Calendar.from_ical(cancelled.calendar)["METHOD"] == "CANCEL"


def test_cancelling_a_waitlisted_person_closes_the_gap(open_event, sign_up):
    event = open_event(capacity=1)
    sign_up(event, "a@example.org")
    waiting = [sign_up(event, f"w{i}@example.org").registration for i in range(3)]
    reg.cancel_registration(waiting[1])
    positions = db.session.scalars(
        select(Registration.waitlist_position)
        .where(Registration.state == "waitlisted")
        .order_by(Registration.waitlist_position)
    ).all()
    assert positions == [1, 2]


def test_full_event_without_waitlist_refuses_and_writes_nothing(open_event, sign_up):
    event = open_event(capacity=1, waitlist=False)
    sign_up(event, "a@example.org")
    before = (row_count(Registration), len(outbox_messages()))
    with pytest.raises(reg.RegistrationError) as error:
        sign_up(event, "b@example.org")
    assert error.value.code == "event_full"
    assert (row_count(Registration), len(outbox_messages())) == before


def test_same_address_in_any_case_registers_once_and_resends(open_event, sign_up):
    event = open_event()
    first = sign_up(event, "Ana@Example.org").registration
    outcome = sign_up(event, "  ana@EXAMPLE.ORG ")
    assert not outcome.created and outcome.registration.id == first.id
    assert row_count(Registration) == 1
    [resent] = outbox_messages("already_registered")
    assert resent.to_address == "Ana@example.org"


def test_after_cancelling_the_same_address_can_register_again(open_event, sign_up):
    event = open_event()
    reg.cancel_registration(sign_up(event, "ana@example.org").registration)
    assert sign_up(event, "ana@example.org").state == "confirmed"


def test_approval_holds_a_seat_until_approved_or_declined(open_event, sign_up):
    event = open_event(capacity=1, approval=True)
    pending = sign_up(event, "a@example.org").registration
    assert pending.state == "pending"
    assert sign_up(event, "b@example.org").state == "waitlisted"
    reg.decline_registration(pending)
    waiting = db.session.scalar(select(Registration).where(Registration.email == "b@example.org"))
    assert waiting.state == "pending"  # promoted, still needs approval
    reg.approve_registration(waiting)
    assert waiting.state == "confirmed"
    assert [m.kind for m in outbox_messages()][-3:] == ["declined", "promoted", "approved"]
    [declined] = outbox_messages("declined")
    assert declined.calendar is None  # never sent an invitation, so none to cancel
    assert "cancellation attached" not in declined.body_text


def test_confirm_email_first_registers_only_when_the_link_is_used(open_event, sign_up):
    event = open_event(capacity=5, confirm_email=True)
    first = sign_up(event, "a@example.org")
    again = sign_up(event, "A@example.org")
    assert (first.state, again.state) == ("unverified", "unverified")
    assert row_count(Registration) == 1
    db.session.refresh(event)
    assert event.seats_taken == 0
    assert [m.kind for m in outbox_messages()] == ["unverified", "unverified"]
    confirmed = reg.confirm_email(first.registration)
    assert confirmed.state == "confirmed"
    db.session.refresh(event)
    assert event.seats_taken == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": "cancelled"}, "event_cancelled"),
        ({"ends_at": "past"}, "event_past"),
        ({"registration_enabled": False}, "registration_not_open"),
        ({"registration_opens_at": "future"}, "registration_not_open"),
        ({"registration_closes_at": "past"}, "registration_closed"),
    ],
)
def test_closed_registration_is_refused_with_its_code(open_event, change, code, sign_up):
    event = open_event()
    for name, value in change.items():
        if value == "past":
            value = now() - timedelta(minutes=5)
            if name == "ends_at":
                event.starts_at = value - timedelta(hours=1)
        elif value == "future":
            value = in_days(2)
        setattr(event, name, value)
    db.session.commit()
    with pytest.raises(reg.RegistrationError) as error:
        sign_up(event, "a@example.org")
    assert error.value.code == code
    assert row_count(Registration) == 0


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": "cancelled"}, "event_cancelled"),
        ({"registration_enabled": False}, "registration_not_open"),
        ({"capacity": 0, "waitlist_enabled": False}, "event_full"),
    ],
)
def test_an_event_changed_while_a_registration_waits_its_turn_is_checked_again(
    open_event, monkeypatch, change, code, sign_up
):
    """Another worker edits the event after this one read it and before it may write."""
    event = open_event(capacity=10)
    event_id = event.id
    write_transaction = reg.write_transaction

    @contextmanager
    def edited_first():
        with db.engine.begin() as other_worker:
            other_worker.execute(update(Event).where(Event.id == event_id).values(**change))
        with write_transaction():
            yield

    monkeypatch.setattr(reg, "write_transaction", edited_first)
    with pytest.raises(reg.RegistrationError) as error:
        sign_up(event, "ana@example.org")
    assert error.value.code == code
    assert row_count(Registration) == 0
    assert outbox_messages() == []


def test_a_registration_cancelled_while_the_address_waits_its_turn_is_made_anew(
    open_event, monkeypatch, sign_up
):
    event = open_event()
    first = sign_up(event, "ana@example.org").registration
    first_id = first.id
    write_transaction = reg.write_transaction

    @contextmanager
    def cancelled_first():
        with db.engine.begin() as other_worker:
            other_worker.execute(
                update(Registration)
                .where(Registration.id == first_id)
                .values(state="cancelled", cancelled_at=now())
            )
        with write_transaction():
            yield

    monkeypatch.setattr(reg, "write_transaction", cancelled_first)
    outcome = sign_up(event, "ana@example.org")
    assert outcome.state == "confirmed"
    assert outcome.registration.id != first_id
    assert outbox_messages("already_registered") == []


def test_registering_and_cancelling_leave_the_event_as_last_edited(open_event, sign_up):
    """Feeds, the sitemap and the API date an event by its last edit; seats are not one."""
    event = open_event(capacity=1)
    edited = event.updated_at
    first = sign_up(event, "a@example.org").registration
    waiting = sign_up(event, "b@example.org").registration
    reg.cancel_registration(first)
    reg.cancel_registration(waiting)
    db.session.refresh(event)
    assert (event.seats_taken, event.waitlist_length) == (0, 0)
    assert event.updated_at == edited


def test_invalid_submission_names_each_field_and_writes_nothing(open_event):
    event = open_event()
    required = add_question(event, QuestionFields("short_text", "Affiliation", required=True))
    choice = add_question(event, QuestionFields("single_choice", "Format", choices=["A", "B"]))
    with pytest.raises(reg.RegistrationError) as error:
        reg.register(event, "", "not-an-address", {str(choice.id): "C", "999": "x"}, False)
    fields = error.value.fields
    assert error.value.code == "invalid"
    assert set(fields) == {
        "name",
        "email",
        "consent",
        "answers",
        f"answers.{required.id}",
        f"answers.{choice.id}",
    }
    assert row_count(Registration) == 0 and outbox_messages() == []


def test_answers_are_cleaned_and_kept_after_a_question_is_removed(open_event, sign_up):
    event = open_event()
    country = add_question(event, QuestionFields("country", "Country"))
    topics = add_question(
        event, QuestionFields("multiple_choice", "Topics", choices=["Labour", "Land", "Water"])
    )
    agree = add_question(event, QuestionFields("checkbox", "Keep me informed"))
    answers = {str(country.id): "bo", str(topics.id): ["Water", "Labour"], str(agree.id): "on"}
    registration = sign_up(event, "a@example.org", answers=answers).registration
    assert registration.answers == {
        str(country.id): "BO",
        str(topics.id): ["Labour", "Water"],
        str(agree.id): True,
    }
    remove_question(topics)
    assert [q.label for q in reg.active_questions(event)] == ["Country", "Keep me informed"]
    db.session.refresh(registration)
    assert registration.answers[str(topics.id)] == ["Labour", "Water"]


def test_staff_can_move_someone_up_only_into_a_free_seat(open_event, make_event, sign_up):
    event = open_event(capacity=1)
    sign_up(event, "a@example.org")
    waiting = sign_up(event, "b@example.org").registration
    with pytest.raises(reg.RegistrationError) as error:
        reg.promote_registration(waiting)
    assert error.value.code == "event_full"
    event.capacity = 2
    db.session.commit()
    assert reg.promote_registration(waiting).state == "confirmed"


def test_consent_version_rises_when_the_text_changes(open_event, sign_up):
    event = open_event(consent_text="Version one")
    version = event.consent_version
    open_registration(event, RegistrationSettings(consent_text="Version two"))
    assert event.consent_version == version + 1
    registration = sign_up(event, "a@example.org").registration
    assert registration.consent_version == version + 1
    assert registration.consent_at is not None


def test_registrants_hear_of_a_new_time_with_an_updated_invitation(open_event, sign_up):
    from eventsvc.services.events import reschedule_event

    event = open_event(capacity=1)
    sign_up(event, "a@example.org")
    sign_up(event, "b@example.org")
    outbox_messages()  # the worker sends the confirmation and the waitlist place
    was = describe(event.starts_at, event.timezone).split(", ")[0]
    reschedule_event(
        event, Schedule(event.timezone, in_days(12), in_days(12, hour=17)), "Speaker travel"
    )
    changed = outbox_messages("event_changed")
    assert sorted(m.to_address for m in changed) == ["a@example.org", "b@example.org"]
    confirmed = next(m for m in changed if m.to_address == "a@example.org")
    [vevent] = Calendar.from_ical(confirmed.calendar).walk("VEVENT")
    assert vevent["SEQUENCE"] == event.sequence
    assert vevent.decoded("DTSTART") == in_days(12)
    assert f"was: {was}" in confirmed.body_text
    assert "now: " + describe(in_days(12), event.timezone).split(", ")[0] in confirmed.body_text
    waiting = next(m for m in changed if m.to_address == "b@example.org")
    assert waiting.calendar is None  # no seat, no invitation


def test_cancelling_the_event_sends_a_cancel_and_recordings_reach_attendees(open_event, sign_up):
    from eventsvc.services.events import add_recording, cancel_event

    # Under way, and registration open until it ends: a recording may be posted.
    event = open_event(capacity=5, **under_way())
    sign_up(event, "a@example.org")
    add_recording(event, "https://video.example.org/1", "Full session")
    [recording] = outbox_messages("recording_posted")
    assert "https://video.example.org/1" in recording.body_text
    cancel_event(event, "Venue closed")
    [cancelled] = outbox_messages("event_cancelled")
    invitation = Calendar.from_ical(cancelled.calendar)
    assert invitation["METHOD"] == "CANCEL"
    assert invitation.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert "Venue closed" in cancelled.body_text


def test_raising_the_capacity_promotes_the_waitlist(open_event, sign_up):
    from dataclasses import replace

    from eventsvc.services.events import fields_of

    event = open_event(capacity=1)
    sign_up(event, "a@example.org")
    sign_up(event, "b@example.org")
    sign_up(event, "c@example.org")
    save_fields(event, replace(fields_of(event), capacity=2))
    states = dict(db.session.execute(select(Registration.email, Registration.state)).all())
    assert states == {
        "a@example.org": "confirmed",
        "b@example.org": "confirmed",
        "c@example.org": "waitlisted",
    }
    assert [m.to_address for m in outbox_messages("promoted")] == ["b@example.org"]
    assert outbox_messages("event_changed") == []  # capacity is not news for registrants


def test_staff_add_people_by_their_mailbox_key_and_are_told_of_one_registered_already(
    open_event, sign_up
):
    event = open_event(capacity=10)
    alice = sign_up(event, "alice@strasse.org").registration

    other = reg.add_registrant(event, "Alice B.", "alice@straße.org", {}, consent=True)
    with pytest.raises(reg.RegistrationError) as refused:
        reg.add_registrant(event, "Alice", "Alice@STRASSE.org", {}, consent=True)

    assert (other.created, other.state) == (True, "confirmed")
    assert other.registration.email_key == "alice@xn--strae-oqa.org" != alice.email_key
    assert refused.value.code == "already_registered"
    assert refused.value.fields["email"] == [
        "This address is registered already: find it in the list."
    ]
    assert row_count(Registration) == 2
    assert [m.to_address for m in outbox_messages()] == ["alice@strasse.org", "alice@straße.org"]


def test_a_corrected_name_is_refused_on_two_lines_as_on_the_form(open_event, sign_up):
    ana = sign_up(open_event(), "ana@example.org", name="Ana Pérez").registration

    with pytest.raises(reg.RegistrationError) as refused:
        reg.change_registrant(ana, "Ana\r\nBcc: everyone@example.org", {})

    assert refused.value.fields["name"] == [SINGLE_LINE_ERROR]
    db.session.expire_all()
    assert ana.name == "Ana Pérez"
