"""What registrants' mailboxes receive over an event's life, through a real SMTP server.

Every message is read by icalendar, vobject, ical and Mozilla's ical.js; per person the
SEQUENCE of their invitations strictly rises (DESIGN §5), a CANCEL comes only after a
REQUEST, the words name the invitation attached, and the last message says how the event
stands in the end.
"""

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from flask import current_app
from icalendar import Calendar
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Registration
from eventsvc.services import mailer
from eventsvc.services.events import (
    EventError,
    cancel_event,
    fields_of,
    reschedule_event,
    schedule_of,
    set_visibility,
)
from eventsvc.services.registration import cancel_registration
from eventsvc.timezones import Schedule, describe
from tests.calendar.parsers import read_ical, read_ical_js, read_icalendar, read_vobject
from tests.helpers import in_days, save_fields, utc_text

JOIN = "https://meet.example.org/j/rights-at-work"


@pytest.fixture
def app_config():
    """Updates go out at once here; the quiet period has tests of its own."""
    return {"NOTIFY_DELAY": 0}


@dataclass
class Received:
    """One email as its person reads it: words, and the invitation attached, if any."""

    to: str
    subject: str
    text: str
    html: str
    method: str | None
    calendar: bytes | None

    @property
    def vevent(self):
        return Calendar.from_ical(self.calendar).walk("VEVENT")[0]

    @property
    def sequence(self) -> int:
        return int(self.vevent["SEQUENCE"])


def received(smtp_server) -> list[Received]:
    found = []
    for email in smtp_server.received:
        parts = {part.get_content_type(): part for part in email.walk()}
        calendar = parts.get("text/calendar")
        found.append(
            Received(
                to=email["To"],
                subject=email["Subject"],
                text=parts["text/plain"].get_content().replace("\r\n", "\n"),
                html=parts["text/html"].get_content().replace("\r\n", "\n"),
                method=calendar.get_param("method") if calendar else None,
                calendar=calendar.get_content().encode() if calendar else None,
            )
        )
    return found


def sent(count: int) -> None:
    """The worker's round: exactly `count` messages go out."""
    assert mailer.send_due() == {"sent": count, "failed": 0}


def test_a_registrants_mailbox_over_the_events_life(any_db_app, open_event, sign_up, smtp_server):
    current_app.config["SMTP_URL"] = smtp_server.url
    event = open_event(title="Rights at work", join_url=JOIN, timezone="Europe/Berlin")
    sign_up(event, "ana@example.org", name="Ana Pérez")
    sign_up(event, "dee@example.org", name="Dee Okafor")
    sent(2)

    later = replace(schedule_of(event), starts_at=in_days(11), ends_at=in_days(11, hour=17))
    save_fields(event, replace(fields_of(event), schedule=later))
    sent(2)
    save_fields(event, replace(fields_of(event), title="Rights at work: the new directive"))
    sent(2)
    cancel_registration(confirmed(event, "ana@example.org"))
    sent(1)
    sign_up(event, "ana@example.org", name="Ana Pérez")
    sent(1)

    # Cancelled before the worker ran: the confirmation is never sent, nor a CANCEL.
    bo = sign_up(event, "bo@example.org", name="Bo Chen").registration
    cancel_registration(bo)
    sent(1)

    with pytest.raises(EventError, match="Cancel the event first"):
        set_visibility(event, False)  # registrants hold it in their calendars
    sent(0)

    cancel_event(event, "The venue closed.")
    sent(2)
    final = Schedule(event.timezone, in_days(20), in_days(20) + timedelta(hours=1))
    reschedule_event(event, final, "A new venue.")
    sent(2)

    mail = received(smtp_server)
    every_invitation_reads_alike_everywhere(mail, event.uid)
    words_match_the_invitation(mail)
    by_person = {to: [m for m in mail if m.to.startswith(to)] for to in ("ana@", "dee@", "bo@")}

    ana = by_person["ana@"]
    assert [m.method for m in ana] == [
        "REQUEST",
        "REQUEST",
        "REQUEST",
        "CANCEL",
        "REQUEST",
        "CANCEL",
        "REQUEST",
    ]
    assert [m.subject.split(":")[0] for m in ana] == [
        "You are registered",
        "Changed",
        "Changed",
        "Your registration is cancelled",
        "You are registered",
        "Cancelled",
        "Changed",
    ]
    assert "Title:" in ana[2].text and "was: Rights at work\n" in ana[2].text
    dee = by_person["dee@"]
    assert [m.method for m in dee] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL", "REQUEST"]
    for person in (ana, dee):
        sequences = [m.sequence for m in person if m.method]
        assert sequences == sorted(set(sequences)), sequences  # strictly rising
        last = person[-1].vevent
        assert last.decoded("DTSTART") == final.starts_at
        assert str(last["SUMMARY"]) == "Rights at work: the new directive"
        assert str(last["STATUS"]) == "CONFIRMED" and JOIN in str(last["LOCATION"])
        assert person[-1].sequence >= event.sequence

    [bo_mail] = by_person["bo@"]
    assert (bo_mail.subject.split(":")[0], bo_mail.method) == (
        "Your registration is cancelled",
        None,
    )


def confirmed(event, address: str) -> Registration:
    """The address's confirmed registration for the event."""
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.email == address,
            Registration.state == "confirmed",
        )
    )


def every_invitation_reads_alike_everywhere(mail: list[Received], uid: str) -> None:
    """icalendar, vobject, ical and ical.js read each invitation's times alike, and its
    METHOD is the one the MIME part names."""
    invitations = [m for m in mail if m.calendar]
    read_by_js = read_ical_js([m.calendar for m in invitations])
    for message, (js_event,) in zip(invitations, read_by_js, strict=True):
        start, end = (utc_text(message.vevent.decoded(name)) for name in ("DTSTART", "DTEND"))
        for read in (read_icalendar, read_vobject, read_ical):
            assert read(message.calendar) == {uid: (start, end)}, read.__name__
        assert (js_event["uid"], js_event["start"], js_event["end"]) == (uid, start, end)
        assert js_event["sequence"] == message.sequence
        assert str(Calendar.from_ical(message.calendar)["METHOD"]) == message.method
        organizer = message.vevent["ORGANIZER"]
        assert organizer.params["CN"] == "Human Rights Clinic"


def words_match_the_invitation(mail: list[Received]) -> None:
    """The text and HTML name the invitation attached, or none, and state its time."""
    for message in mail:
        for words in (message.text, message.html):
            assert ("invitation attached" in words) == (message.method == "REQUEST")
            assert ("cancellation attached" in words) == (message.method == "CANCEL")
        if message.method == "REQUEST":
            start = message.vevent.decoded("DTSTART")
            assert describe(start, "Europe/Berlin") in message.text
            assert JOIN in message.text
        elif message.method == "CANCEL":
            assert JOIN not in message.text + message.calendar.decode()
