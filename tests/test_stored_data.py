"""Builders never raise on stored data (issue 12): values written before today's checks,
or straight into the database, still make pages, feeds and emails."""

from icalendar import Calendar
from sqlalchemy import update

from eventsvc.extensions import db
from eventsvc.models import Event, OutboxMessage
from eventsvc.services.locking import write_transaction
from eventsvc.services.mailer import send_due
from eventsvc.services.registration import register

BROKEN = {
    "title": "Rights\r\nBcc: everyone@example.org\x00",
    "venue": "Hall\n2\x1b",
    "join_url": "https://meet.example.org/room\r\n42",
}


def test_pages_feeds_and_emails_are_built_from_values_with_line_breaks(
    app, client, open_event, smtp_server
):
    event = open_event(join_url="https://meet.example.org/room-42")
    registration = register(event, "Ana", "ana@example.org", {}, True).registration
    token, feed = registration.manage_token, registration.attendee.feed_token
    with write_transaction():  # as an older version, or a hand in the database, left them
        db.session.execute(
            update(Event)
            .execution_options(synchronize_session=False)
            .values(**BROKEN, calendar_entry=None, calendar_entry_key=None)
        )
    for path in (
        f"/events/{event.slug}",
        f"/events/{event.slug}.ics",
        "/calendar.ics",
        f"/registrations/{token}",
        f"/registrations/{token}.ics",
        f"/calendar/personal/{feed}.ics",
        "/api/v1/events",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        if path.endswith(".ics"):
            [entry] = Calendar.from_ical(response.data).walk("VEVENT")
            assert str(entry["SUMMARY"]).startswith("Rights"), path
    app.config["SMTP_URL"] = smtp_server.url
    assert send_due() == {"sent": 1, "failed": 0}
    [email] = smtp_server.received
    assert "\n" not in email["Subject"] and email["Bcc"] is None
    assert db.session.query(OutboxMessage.status).scalar() == "sent"
