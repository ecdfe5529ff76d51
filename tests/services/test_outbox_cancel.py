"""Staff cancel queued email (one message, an event's messages of one kind, or all of them)
and send an event's waiting messages at once."""

from dataclasses import replace

from flask import current_app
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry, OutboxMessage
from eventsvc.services import mailer
from eventsvc.services.events import fields_of
from eventsvc.services.notifications import write_message
from eventsvc.services.outbox import (
    cancel_event_messages,
    cancel_message,
    send_event_messages_now,
    waiting_messages,
)
from eventsvc.services.registration import cancel_registration
from tests.helpers import outbox_messages, save_fields


def messages() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_cancelled_message_is_never_sent(any_db_app, open_event, sign_up, smtp_server):
    event = open_event()
    sign_up(event, "ana@example.org")
    sign_up(event, "bo@example.org", name="Bo Chen")
    to_ana, to_bo = messages()

    assert cancel_message(to_ana)
    current_app.config["SMTP_URL"] = smtp_server.url
    assert mailer.send_due() == {"sent": 1, "failed": 0}
    assert mailer.send_due() == {"sent": 0, "failed": 0}

    assert [message["To"] for message in smtp_server.received] == ["bo@example.org"]
    assert [message.status for message in messages()] == ["cancelled", "sent"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.cancelled"))
    assert entry.target_label == f"Message #{to_ana.id} (confirmed) about “{event.title}”"
    assert "ana@example.org" not in entry.target_label + entry.detail


def test_a_message_already_sent_or_being_sent_cannot_be_cancelled(any_db_app, open_event, sign_up):
    event = open_event()
    sign_up(event, "ana@example.org")
    [message] = messages()
    mailer._claim(10)

    assert not cancel_message(message)
    assert messages()[0].status == "sending"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action.like("outbox.%"))) is None


def test_every_queued_message_of_one_event_is_cancelled_and_no_other(
    any_db_app, open_event, sign_up, smtp_server
):
    event = open_event(title="Beyond business as usual")
    other = open_event(title="Rights at work")
    for address in ("ana@example.org", "bo@example.org", "cy@example.org"):
        sign_up(event, address)
    sign_up(other, "dee@example.org")
    current_app.config["SMTP_URL"] = smtp_server.url
    mailer._claim(1)  # a worker is sending the first one already

    assert cancel_event_messages(event) == 2
    assert mailer.send_due() == {"sent": 1, "failed": 0}

    assert [message["To"] for message in smtp_server.received] == ["dee@example.org"]
    assert [m.status for m in messages()] == ["sending", "cancelled", "cancelled", "sent"]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "outbox.event_cancelled")
    )
    assert (entry.target_label, entry.detail) == ("Beyond business as usual", "2 messages")


def test_cancelled_and_dropped_messages_stay_as_they_are(any_db_app, open_event, sign_up):
    event = open_event()
    sign_up(event, "ana@example.org")
    bo = sign_up(event, "bo@example.org").registration
    to_ana, to_bo = messages()

    assert cancel_message(to_ana)
    cancel_registration(bo)
    written = [write_message(to_ana.id), write_message(to_bo.id)]  # as the worker would

    assert written == [False, False]
    assert not cancel_message(to_bo)  # dropped, as its registration was cancelled
    to_ana, to_bo, _bo_cancelled = messages()
    assert (to_ana.status, to_ana.body_text, to_bo.status) == ("cancelled", None, "dropped")


def update_waiting(event, sign_up) -> None:
    """Two registrants told of the event, and an update to them waiting its quiet period."""
    for address in ("ana@example.org", "bo@example.org"):
        sign_up(event, address)
    outbox_messages()
    save_fields(event, replace(fields_of(event), title="Rights at work, moved online"))


def test_an_update_sent_now_goes_with_the_next_send_and_is_audited(
    any_db_app, open_event, sign_up, smtp_server
):
    event = open_event(title="Rights at work")
    update_waiting(event, sign_up)
    current_app.config["SMTP_URL"] = smtp_server.url
    mailer.send_due()
    assert [w.kind for w in waiting_messages(event)] == ["event_changed"]
    assert not waiting_messages(event)[0].is_due

    assert send_event_messages_now(event, "event_changed") == 2
    assert mailer.send_due() == {"sent": 2, "failed": 0}

    subjects = [m["Subject"] for m in smtp_server.received[-2:]]
    assert subjects == ["Changed: Rights at work, moved online"] * 2
    assert waiting_messages(event) == []
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.sent_now"))
    assert (entry.target_label, entry.detail) == (
        "Rights at work, moved online",
        "2 messages: Update: what changed",
    )


def test_cancelling_one_kind_leaves_the_others_queued(any_db_app, open_event, sign_up):
    event = open_event(title="Rights at work")
    update_waiting(event, sign_up)
    sign_up(event, "cy@example.org")

    assert cancel_event_messages(event, "event_changed") == 2

    assert [(w.kind, w.count) for w in waiting_messages(event)] == [("confirmed", 3)]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "outbox.event_cancelled")
    )
    assert entry.detail == "2 messages: Update: what changed"
