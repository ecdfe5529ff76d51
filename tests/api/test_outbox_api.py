"""An event's waiting emails through the API, for staff: listed by kind, sent at once or
cancelled, as on the event's admin page (issue 14)."""

from dataclasses import replace

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry
from eventsvc.services.events import fields_of
from eventsvc.services.outbox import waiting_messages
from tests.helpers import assert_error, outbox_messages, save_fields


def test_staff_list_an_events_waiting_emails_and_send_or_cancel_them(
    api, make_token, open_event, sign_up
):
    event = open_event(title="Rights at work")
    for address in ("ana@example.org", "bo@example.org"):
        sign_up(event, address)
    outbox_messages()
    save_fields(event, replace(fields_of(event), title="Rights at work, online"))
    reader, writer = api.as_(make_token("read")), api.as_(make_token("write"))
    path = f"/events/{event.slug}/outbox"

    listed = reader.get(path)
    assert listed.status_code == 200
    assert [(g["kind"], g["name"], g["count"]) for g in listed.get_json()["items"]] == [
        ("confirmed", "Registration confirmed", 2),
        ("event_changed", "Update: what changed", 2),
    ]
    assert listed.get_json()["items"][1]["first_due"].endswith("Z")
    assert_error(reader.post(f"{path}/event_changed/send-now"), 403, "forbidden")
    assert_error(api.get(path), 401, "unauthorized")

    assert writer.post(f"{path}/event_changed/send-now").get_json() == {"count": 2}
    assert all(group.is_due for group in waiting_messages(event))
    assert writer.post(f"{path}/event_changed/cancel").get_json() == {"count": 2}
    assert writer.post(f"{path}/event_changed/cancel").get_json() == {"count": 0}
    assert writer.post(f"{path}/reminder_2h/cancel").status_code == 404

    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["outbox.sent_now", "outbox.event_cancelled"]
