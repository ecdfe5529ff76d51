"""The admin's outbox: every email with its delivery state, its text, and retrying failures."""

from datetime import timedelta

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import OutboxMessage
from eventsvc.services.mailer import MAX_ATTEMPTS
from eventsvc.services.notifications import write_message
from eventsvc.services.registration import cancel_registration
from eventsvc.timezones import now
from tests.helpers import SCRIPT, page_text


def queued(number: int, **fields) -> OutboxMessage:
    message = OutboxMessage(
        message_id=f"<m{number}@example.org>",
        kind="staff_message",
        to_address="ana@example.org",
        subject=f"Message {number}",
        body_text=f"Hello Ana,\n\nMessage {number}.",
        **fields,
    )
    db.session.add(message)
    db.session.commit()
    return message


def test_a_registration_email_can_be_read_in_the_admin_without_a_mail_server(
    client, editor, open_event, sign_up
):
    event = open_event()
    sign_up(event, "ana@example.org", SCRIPT)
    message = db.session.scalars(select(OutboxMessage)).one()

    listing = client.get("/admin/outbox")
    detail = client.get(f"/admin/outbox/{message.id}")

    assert "No mail server is set" in page_text(listing.text)
    assert f"#{message.id}" in page_text(listing.text)
    assert "confirmed Queued 0" in page_text(listing.text)
    assert (listing.headers["Cache-Control"], detail.headers["Cache-Control"]) == (
        "no-store",
        "no-store",
    )
    text = page_text(detail.text)
    assert "Not written yet" in text and "This is what it would say now." in text
    assert f"You are registered: {event.title}" in text
    assert "To ana@example.org" in text
    assert "Calendar invitation METHOD:REQUEST" in text
    assert SCRIPT not in detail.text
    assert f"Hello {SCRIPT}," in text


def test_a_message_whose_reason_is_gone_says_so_before_and_after_the_worker(
    client, editor, open_event, sign_up
):
    registration = sign_up(open_event(), "ana@example.org").registration
    message = db.session.scalars(select(OutboxMessage)).one()
    cancel_registration(registration)
    page = f"/admin/outbox/{message.id}"

    before = page_text(client.get(page).text)
    write_message(message.id)
    after = page_text(client.get(page).text)
    dropped = page_text(client.get("/admin/outbox?status=dropped").text)

    assert "As things are now, it would not be sent: The registration is now: cancelled." in before
    assert "Not sent: The registration is now: cancelled." in after
    assert "Status Dropped" in after and "Calendar invitation None" in after
    assert f"#{message.id}" in dropped and "1 dropped message," in dropped


def test_the_list_is_newest_first_in_pages_and_filters_by_status(client, editor):
    for number in range(1, 53):
        queued(number)
    queued(53, status="sent", sent_at=now())

    first = page_text(client.get("/admin/outbox").text)
    second = page_text(client.get("/admin/outbox?page=2").text)
    sent = page_text(client.get("/admin/outbox?status=sent").text)

    assert "53 messages, newest first" in first
    assert first.index("#53") < first.index("#52")
    assert "#3 " not in first and "Page 1 of 2" in first
    assert "#3 " in second and "#1 " in second
    assert "1 sent message," in sent and "#52" not in sent


def test_failed_messages_stand_out_and_retry_now_queues_them_again(client, editor):
    failed = queued(
        1,
        status="failed",
        attempts=MAX_ATTEMPTS,
        last_error="SMTP connection failed: ConnectionRefusedError",
        next_attempt_at=now() + timedelta(hours=1),
    )
    sent = queued(2, status="sent", attempts=1, sent_at=now())

    listing = client.get("/admin/outbox").text
    assert '<strong class="error">Failed</strong>' in listing
    assert "1 message has failed" in page_text(listing)
    detail = client.get(f"/admin/outbox/{failed.id}").text
    assert f"Not delivered after {MAX_ATTEMPTS} attempts: SMTP connection failed" in page_text(
        detail
    )
    assert f'action="/admin/outbox/{failed.id}/retry"' in detail
    assert "/retry" not in client.get(f"/admin/outbox/{sent.id}").text

    response = client.post(f"/admin/outbox/{failed.id}/retry", follow_redirects=True)

    assert "The message is queued again" in page_text(response.text)
    db.session.refresh(failed)
    assert (failed.status, failed.attempts) == ("queued", 0)
    assert failed.next_attempt_at <= now()
    refused = client.post(f"/admin/outbox/{sent.id}/retry", follow_redirects=True)
    assert "Only a failed message can be retried." in page_text(refused.text)
    db.session.refresh(sent)
    assert sent.status == "sent"


def test_an_unknown_message_is_not_found(client, editor):
    assert client.get("/admin/outbox/999").status_code == 404
    assert client.post("/admin/outbox/999/retry").status_code == 404
