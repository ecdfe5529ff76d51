"""Sending the outbox through a real SMTP server, including outages."""

from dataclasses import replace

import pytest
from flask import current_app
from icalendar import Calendar
from sqlalchemy import select

from eventsvc.cli import main
from eventsvc.extensions import db
from eventsvc.models import OutboxMessage
from eventsvc.services import mailer
from eventsvc.services.events import fields_of
from eventsvc.services.locking import write_transaction
from eventsvc.services.staff import create_staff
from eventsvc.timezones import now
from tests.helpers import free_port, save_fields, signs_in


@pytest.fixture
def registered(any_db_app, open_event, sign_up):
    """An event with one confirmed registration and its queued confirmation."""
    event = open_event(capacity=5)
    sign_up(event, "ana@example.org", timezone="America/La_Paz")
    return event


@pytest.fixture
def admin_client(any_db_app):
    """A test client with an admin signed in."""
    client = any_db_app.test_client()
    user, password = create_staff("chief@example.org", "admin", "correct horse battery")
    assert signs_in(client, user.email, password)
    return client


def statuses():
    return [m.status for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_confirmation_arrives_with_text_html_and_invitation(registered, smtp_server):
    current_app.config["SMTP_URL"] = smtp_server.url
    assert mailer.send_due() == {"sent": 1, "failed": 0}
    [received] = smtp_server.received
    assert received["To"] == "ana@example.org"
    assert received["Subject"].startswith("You are registered:")
    queued = db.session.scalar(select(OutboxMessage))
    assert received["Message-ID"] == queued.message_id
    parts = {part.get_content_type(): part for part in received.walk()}
    assert "Your registration:" in parts["text/plain"].get_content()
    assert "<a href=" in parts["text/html"].get_content()
    calendar_part = parts["text/calendar"]
    assert calendar_part.get_param("method") == "REQUEST"
    invitation = Calendar.from_ical(calendar_part.get_content())
    assert invitation["METHOD"] == "REQUEST"
    assert statuses() == ["sent"]
    assert mailer.send_due() == {"sent": 0, "failed": 0}
    assert len(smtp_server.received) == 1


def test_messages_wait_while_smtp_is_down_and_go_once_it_is_back(registered, smtp_server):
    app = current_app
    app.config["SMTP_URL"] = smtp_server.url
    smtp_server.stop()
    assert mailer.send_due() == {"sent": 0, "failed": 1}
    message = db.session.scalar(select(OutboxMessage))
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.next_attempt_at > now()
    assert "ana@example.org" not in message.last_error

    smtp_server.start()
    assert mailer.send_due() == {"sent": 0, "failed": 0}  # not due yet: back-off
    message.next_attempt_at = now()
    db.session.commit()
    assert mailer.send_due() == {"sent": 1, "failed": 0}
    assert mailer.send_due() == {"sent": 0, "failed": 0}
    assert len(smtp_server.received) == 1
    assert statuses() == ["sent"]


def test_a_message_is_failed_after_its_last_attempt(registered):
    app = current_app
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    message = db.session.scalar(select(OutboxMessage))
    message.attempts = mailer.MAX_ATTEMPTS - 1
    db.session.commit()
    mailer.send_due()
    db.session.refresh(message)
    assert message.status == "failed"


def test_a_claim_left_by_a_crashed_worker_is_sent_again_with_the_same_id(registered, smtp_server):
    app = current_app
    app.config["SMTP_URL"] = smtp_server.url
    message = db.session.scalar(select(OutboxMessage))
    message.status, message.claimed_at = "sending", now() - mailer.CLAIM_TIMEOUT
    db.session.commit()
    assert mailer.send_due()["sent"] == 1
    assert smtp_server.received[0]["Message-ID"] == message.message_id


def test_without_smtp_messages_stay_in_the_outbox(registered):
    current_app.config["SMTP_URL"] = None
    assert mailer.send_due() == {"sent": 0, "failed": 0}
    assert statuses() == ["queued"]


def test_a_message_is_written_when_first_sent_and_kept_for_every_retry(registered, smtp_server):
    current_app.config["SMTP_URL"] = smtp_server.url
    queued = db.session.scalar(select(OutboxMessage))
    assert not queued.is_written  # the registration did not wait for its email to be written

    smtp_server.stop()
    mailer.send_due()
    message = db.session.get(OutboxMessage, queued.id)
    first = (message.subject, message.body_text, message.body_html, message.calendar)
    assert message.status == "queued" and message.is_written
    assert "Ana Pérez" in message.body_text and "BEGIN:VCALENDAR" in message.calendar

    save_fields(registered, replace(fields_of(registered), title="A new title"))
    smtp_server.start()
    message.next_attempt_at = now()
    db.session.commit()
    assert mailer.send_due() == {"sent": 1, "failed": 0}  # the update waits its quiet period
    words = db.session.execute(
        select(OutboxMessage.subject, OutboxMessage.body_text).where(OutboxMessage.id == queued.id)
    ).one()
    assert tuple(words) == first[:2]  # the retry sent the words of the first attempt
    assert smtp_server.received[0]["Subject"] == first[0]


def test_a_message_says_what_the_event_is_when_it_is_written(registered, smtp_server):
    save_fields(registered, replace(fields_of(registered), title="Remedy, rescheduled"))
    current_app.config["SMTP_URL"] = smtp_server.url
    mailer.send_due()
    assert smtp_server.received[0]["Subject"] == "You are registered: Remedy, rescheduled"


def test_a_message_whose_registration_was_erased_meanwhile_is_dropped(
    any_db_app, open_event, sign_up, smtp_server
):
    outcome = sign_up(open_event(), "ana@example.org")
    message = db.session.scalar(select(OutboxMessage))
    message_id = message.id
    # As a purge of old registrations leaves it: the message without its registration.
    db.session.delete(outcome.registration)
    db.session.commit()

    current_app.config["SMTP_URL"] = smtp_server.url
    assert mailer.send_due() == {"sent": 0, "failed": 0}
    message = db.session.get(OutboxMessage, message_id)
    assert (message.status, message.is_written) == ("dropped", False)
    assert message.last_error == "Its registration no longer exists."
    assert smtp_server.received == []


def test_poisoned_messages_fail_with_their_reason_and_the_others_go_out(
    any_db_app, open_event, sign_up, smtp_server, admin_client
):
    event = open_event(capacity=10)
    for who in ("ana", "bo", "cy"):
        sign_up(event, f"{who}@example.org")
    unwritable, unbuildable = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id).limit(2)
    ).all()
    poisoned = {unwritable.id, unbuildable.id}
    with write_transaction():  # as a newer version or a hand in the database left them
        unwritable.kind = "no_such_kind"
        unbuildable.to_address = "bo@example.org\r\nBcc: everyone@example.org"
    current_app.config["SMTP_URL"] = smtp_server.url

    worker = ["outbox", "worker", "--rounds", "2", "--interval", "0"]
    result = any_db_app.test_cli_runner().invoke(main, worker)

    assert result.exit_code == 0, result.output
    assert [m["To"] for m in smtp_server.received] == ["cy@example.org"]
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed"))
    reasons = {message.id: message.last_error for message in failed}
    assert set(reasons) == poisoned
    assert reasons[unwritable.id].startswith("Could not be written: KeyError")
    assert reasons[unbuildable.id].startswith("Could not be built into an email: ValueError")
    page = admin_client.get("/admin/outbox?status=failed").text
    assert "Could not be written: KeyError" in page and "Could not be built" in page


def test_a_claim_left_half_done_again_and_again_is_failed_not_retried(registered, smtp_server):
    current_app.config["SMTP_URL"] = smtp_server.url
    message = db.session.scalar(select(OutboxMessage))
    with write_transaction():
        message.status, message.claimed_at = "sending", now() - mailer.CLAIM_TIMEOUT
        message.attempts = mailer.MAX_ATTEMPTS
    assert mailer.send_due() == {"sent": 0, "failed": 0}
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == "failed"
    assert message.last_error.startswith(f"Left half-sent {mailer.MAX_ATTEMPTS} times")
    assert smtp_server.received == []
