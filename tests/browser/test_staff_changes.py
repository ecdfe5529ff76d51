"""Staff move a published webinar with registrants in Chromium: the save says whom it tells
and what before it happens, each person gets one email, and staff choose not to tell,
send the waiting update now or cancel it (issue 14)."""

from collections import Counter
from datetime import datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry, Event
from eventsvc.services.mailer import send_due
from eventsvc.timezones import to_utc
from tests.helpers import sign_in

NEW_YORK = "America/New_York"
DAY = datetime(2031, 1, 16)  # a Thursday in winter: EST
PEOPLE = [("Ana Pérez", "ana@example.org"), ("Bo Chen", "bo@example.org")]
WAITING = ("Cy Diallo", "cy@example.org")


@pytest.fixture
def app_config(app_config, smtp_server):
    """The live app sends its mail to the test's SMTP server."""
    return {**app_config, "SMTP_URL": smtp_server.url}


@pytest.fixture
def webinar(app, open_event, sign_up, smtp_server):
    """A published 10:00–11:30 webinar: two confirmed, one waiting, each sent their first
    email (which the SMTP server then forgets)."""
    event = open_event(
        title="Rights at work",
        starts_at=to_utc(DAY.replace(hour=10), NEW_YORK),
        ends_at=to_utc(DAY.replace(hour=11, minute=30), NEW_YORK),
        capacity=2,
        join_url="https://meet.example.org/1",
    )
    for name, email in [*PEOPLE, WAITING]:
        sign_up(event, email, name=name)
    assert send_due()["sent"] == 3
    smtp_server.received.clear()
    return event


@pytest.fixture
def staff(live_server, new_page, make_staff):
    user, password = make_staff("editor@example.org", "editor")
    page = new_page(live_server)
    sign_in(page, user.email, password)
    return page


def move_to_eleven(page, event: Event) -> None:
    """Open the edit form, set the start to 11:00 and save: the preview comes first."""
    page.goto(f"/admin/events/{event.id}/edit")
    expect(page.get_by_label("Ends")).to_have_value("2031-01-16T11:30")
    page.get_by_label("Starts").fill("2031-01-16T11:00")
    page.get_by_role("button", name="Save", exact=True).first.click()


def emails_by_recipient(smtp_server) -> Counter:
    return Counter(message["To"] for message in smtp_server.received)


def test_a_time_change_shows_whom_it_tells_and_each_person_gets_one_email(
    staff, smtp_server, webinar
):
    move_to_eleven(staff, webinar)

    preview = staff.get_by_role("region", name="Check before saving: 3 registrants will be emailed")
    expect(preview).to_be_focused()
    expect(preview).to_contain_text(
        "When: Thursday 16 January 2031, 10:00–11:30 (America/New_York, UTC−05:00) → "
        "Thursday 16 January 2031, 11:00–12:30 (America/New_York, UTC−05:00)"
    )
    expect(preview.get_by_label("Tell them: one email each, in 5 minutes")).to_be_checked()
    expect(staff.get_by_label("Starts")).to_have_value("2031-01-16T11:00")
    staff.get_by_role("button", name="Save", exact=True).first.click()
    expect(staff.get_by_role("status").first).to_contain_text(
        "3 registrants are told in 5 minutes, with any later edits, one email each."
    )

    # A second edit within the quiet period: still one email each, telling both changes.
    staff.goto(f"/admin/events/{webinar.id}/edit")
    staff.get_by_label("Join link").fill("https://meet.example.org/2")
    staff.get_by_role("button", name="Save", exact=True).first.click()
    expect(staff.get_by_role("region", name="Check before saving")).to_contain_text(
        "Join link: https://meet.example.org/1 → https://meet.example.org/2"
    )
    staff.get_by_role("button", name="Save", exact=True).first.click()
    waiting = staff.get_by_role("row", name="Update: what changed")
    expect(waiting).to_contain_text("3 registrants")
    waiting.get_by_role("button", name="Send now").click()
    expect(staff.get_by_role("status").first).to_contain_text("go out with the next send")

    assert send_due()["sent"] == 3
    assert emails_by_recipient(smtp_server) == Counter(
        {"ana@example.org": 1, "bo@example.org": 1, "cy@example.org": 1}
    )
    by_person = {m["To"]: m.get_body(("plain",)).get_content() for m in smtp_server.received}
    assert "now: Thursday 16 January 2031, 11:00–12:30" in by_person["ana@example.org"]
    assert "https://meet.example.org/2" in by_person["ana@example.org"]
    assert "meet.example.org" not in by_person["cy@example.org"]  # waiting: no link


def test_dont_tell_saves_the_change_and_sends_nothing(staff, smtp_server, webinar):
    move_to_eleven(staff, webinar)
    staff.get_by_label("Don’t tell them").check()
    staff.get_by_role("button", name="Save", exact=True).first.click()

    expect(staff.get_by_role("status").first).to_contain_text("Its registrants are not told")
    expect(staff.get_by_text("No email about this event is waiting to be sent.")).to_be_visible()
    assert send_due()["sent"] == 0
    assert smtp_server.received == []
    db.session.rollback()
    assert db.session.get(Event, webinar.id).local_start.hour == 11
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "event.registrants_not_told")
    )
    assert entry.detail == "Not told of: When"


def test_a_waiting_update_is_cancelled_from_the_event_page(staff, smtp_server, webinar):
    move_to_eleven(staff, webinar)
    staff.get_by_role("button", name="Save", exact=True).first.click()

    waiting = staff.get_by_role("row", name="Update: what changed")
    expect(waiting).to_contain_text("3 registrants")
    waiting.get_by_role("button", name="Cancel").click()

    expect(staff.get_by_role("status").first).to_contain_text(
        "3 emails “Update: what changed” cancelled: they will not be sent."
    )
    expect(staff.get_by_role("row", name="Update: what changed")).to_have_count(0)
    db.session.rollback()
    assert send_due()["sent"] == 0
    assert smtp_server.received == []
