"""The admin's outbox: every email with its delivery state, its text, and retrying failures."""

from datetime import timedelta

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import OutboxMessage
from eventsvc.services.mailer import MAX_ATTEMPTS
from eventsvc.services.notifications import write_message
from eventsvc.services.registration import cancel_registration
from eventsvc.timezones import now
from eventsvc.web.presenters import site_time
from tests.helpers import SCRIPT, form_values, outbox_messages, page_text


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
    assert "Beyond Business as Usual Queued 0" in page_text(listing.text)
    assert (listing.headers["Cache-Control"], detail.headers["Cache-Control"]) == (
        "no-store",
        "no-store",
    )
    text = page_text(detail.text)
    assert "Not written yet" in text and "This is what it would say now." in text
    assert f"You are registered: {event.title}" in text
    assert "Recipient ana@example.org" in text
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
    assert "Status Dropped" in after and "Calendar invitation No invitation attached" in after
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


def test_staff_cancel_one_queued_message_from_its_page(client, editor, open_event, sign_up):
    event = open_event()
    sign_up(event, "ana@example.org")
    message = db.session.scalars(select(OutboxMessage)).one()

    page = page_text(client.get(f"/admin/outbox/{message.id}").text)
    response = client.post(f"/admin/outbox/{message.id}/cancel")
    again = client.post(f"/admin/outbox/{message.id}/cancel", follow_redirects=True)

    assert "Cancel this message" in page
    assert "Kind Registration confirmed" in page  # named as the list names it
    assert response.headers["Location"] == f"/admin/outbox/{message.id}"
    assert "Only a queued message can be cancelled" in page_text(again.text)
    assert "Cancelled: this message will not be sent." in page_text(again.text)
    assert page_text(again.text).count("Registration confirmed") == 2  # its heading, too
    assert db.session.get(OutboxMessage, message.id).status == "cancelled"


def test_staff_cancel_every_queued_message_of_an_event_after_seeing_what_waits(
    client, editor, open_event, sign_up
):
    event = open_event(title="Beyond business as usual")
    other = open_event(title="Rights at work")
    sign_up(event, "ana@example.org")
    sign_up(event, "bo@example.org", name="Bo Chen")
    sign_up(other, "cy@example.org", name="Cy Diallo")

    shown = page_text(client.get(f"/admin/events/{event.id}").text)
    listing = page_text(client.get(f"/admin/outbox?event={event.id}").text)
    confirm = page_text(client.get(f"/admin/events/{event.id}/outbox/cancel").text)
    done = client.post(f"/admin/events/{event.id}/outbox/cancel", follow_redirects=True)

    assert "2 emails are waiting to be sent about this event." in shown
    assert "Outbox: Beyond business as usual" in listing and "Queued (2)" in listing
    assert "Cancel every queued message of this event (2)" in listing
    assert "2 × Registration confirmed" in confirm
    assert "2 queued messages of “Beyond business as usual” cancelled." in page_text(done.text)
    statuses = dict(
        db.session.execute(select(OutboxMessage.to_address, OutboxMessage.status)).all()
    )
    assert statuses == {
        "ana@example.org": "cancelled",
        "bo@example.org": "cancelled",
        "cy@example.org": "queued",
    }


def test_the_list_cancels_a_row_and_returns_to_the_same_filter(client, editor, open_event, sign_up):
    event = open_event()
    sign_up(event, "ana@example.org")
    message = db.session.scalars(select(OutboxMessage)).one()

    listing = client.get(f"/admin/outbox?event={event.id}&status=queued").text
    response = client.post(
        f"/admin/outbox/{message.id}/cancel?status=queued&event={event.id}&back=list"
    )

    assert f"/admin/outbox/{message.id}/cancel?" in listing
    assert response.headers["Location"] == f"/admin/outbox?status=queued&event={event.id}"
    assert client.get("/admin/outbox?event=999").status_code == 404


def test_an_event_page_lists_its_waiting_emails_and_sends_or_cancels_them(
    client, editor, open_event, sign_up
):
    event = open_event(title="Rights at work")
    for address in ("ana@example.org", "bo@example.org"):
        sign_up(event, address)
    outbox_messages()
    form = form_values(client.get(f"/admin/events/{event.id}/edit").text)
    shown = client.post(f"/admin/events/{event.id}/edit", data=form | {"title": "Rights, live"})
    client.post(f"/admin/events/{event.id}/edit", data=form_values(shown.text))

    page = page_text(client.get(f"/admin/events/{event.id}").text)
    assert "Update: what changed 2 registrants" in page
    assert "Registration confirmed 2 registrants With the next send" in page

    sent = client.post(
        f"/admin/events/{event.id}/outbox/event_changed/send-now", follow_redirects=True
    )
    assert "2 emails “Update: what changed” go out with the next send" in page_text(sent.text)
    assert "Update: what changed 2 registrants With the next send" in page_text(sent.text)

    cancelled = client.post(
        f"/admin/events/{event.id}/outbox/event_changed/cancel", follow_redirects=True
    )
    assert "2 emails “Update: what changed” cancelled" in page_text(cancelled.text)
    assert "Update: what changed" not in page_text(cancelled.text).split("Emails", 1)[1]
    assert client.post(f"/admin/events/{event.id}/outbox/reminder_2h/cancel").status_code == 404


def test_the_list_names_each_messages_registration_event_and_kind_in_the_sites_zone(
    client, editor, open_event, sign_up
):
    event = open_event(title="Rights at work")
    registration = sign_up(event, "ana@example.org").registration
    message = db.session.scalars(select(OutboxMessage)).one()

    listing = client.get("/admin/outbox").text
    text = page_text(listing)

    assert "Recipient Event" in text
    assert f"Registration confirmed Registration #{registration.id} Rights at work" in text
    assert f'href="/admin/events/{event.id}/registrants/{registration.id}"' in listing
    assert "ana@example.org" not in listing  # the address shows on the message's own page
    assert site_time(message.created_at, short=True) in text
    assert "times in America/New_York" in text
