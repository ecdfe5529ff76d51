"""Staff control what goes out and who came, in Chromium: cancelling a queued email, the
check-in list on a phone, and importing a webinar platform's attendance report (issue 14)."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import OutboxMessage, Registration
from tests.helpers import sign_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def webinar(app, open_event, sign_up):
    event = open_event(title="Beyond Business-as-Usual", capacity=50)
    for email, name in [
        ("ana@example.org", "Ana Pérez"),
        ("bo@example.org", "Bo Chen"),
        ("cy@example.org", "Cy Diallo"),
    ]:
        sign_up(event, email, name=name)
    return event


@pytest.fixture
def staff_login(make_staff):
    return make_staff("editor@example.org", "editor")


def statuses() -> dict[str, str]:
    db.session.rollback()
    rows = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.status))
    return dict(rows.all())


def attendance() -> dict[str, bool | None]:
    db.session.rollback()
    return dict(db.session.execute(select(Registration.name, Registration.attended)).all())


def test_staff_cancel_a_queued_email_and_then_the_rest_of_the_event(
    live_server, new_page, staff_login, webinar
):
    user, password = staff_login
    page = new_page(live_server)
    sign_in(page, user.email, password)

    page.goto("/admin/outbox")
    row = page.get_by_role("row").filter(has_text="#1 ")
    row.get_by_role("button", name="Cancel").click()

    expect(page.get_by_role("status").first).to_contain_text("is cancelled: it will not be sent")
    expect(page.get_by_role("row").filter(has_text="#1 ")).to_contain_text("Cancelled")
    assert statuses()["ana@example.org"] == "cancelled"

    page.goto(f"/admin/events/{webinar.id}")
    expect(page.get_by_text("2 emails are waiting to be sent about this event.")).to_be_visible()
    page.get_by_role("link", name="Cancel the waiting emails…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel the queued messages")
    page.get_by_role("button", name="Cancel 2 messages").click()

    expect(page.get_by_role("status").first).to_contain_text("2 queued messages")
    assert set(statuses().values()) == {"cancelled"}


def test_people_are_checked_in_on_a_phone_with_one_tap_and_undone(
    live_server, new_page, staff_login, webinar
):
    user, password = staff_login
    phone = new_page(live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, user.email, password)
    phone.goto(f"/admin/events/{webinar.id}/check-in")
    loads: list[str] = []
    phone.on("request", lambda r: loads.append(r.url) if r.resource_type == "document" else 0)

    phone.get_by_label("Find by name or email").fill("bo")
    expect(phone.locator(".check-in-row:visible")).to_have_count(1)
    phone.get_by_role("button", name="Check in Bo Chen").tap()

    expect(phone.locator("#check-in-count")).to_contain_text("1 of 3 checked in")
    expect(phone.get_by_role("button", name="Undo check-in of Bo Chen")).to_be_focused()
    assert attendance()["Bo Chen"] is True
    phone.get_by_role("button", name="Undo check-in of Bo Chen").tap()
    expect(phone.get_by_role("button", name="Check in Bo Chen")).to_be_visible()
    expect(phone.locator("#check-in-count")).to_contain_text("0 of 3 checked in")
    assert attendance()["Bo Chen"] is None
    assert loads == []
    box = phone.get_by_role("button", name="Check in Bo Chen").bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_zoom_report_marks_who_attended(live_server, new_page, staff_login, webinar, tmp_path):
    user, password = staff_login
    report = tmp_path / "participants.csv"
    report.write_text(
        "Name (Original Name),User Email,Join Time,Duration (Minutes)\n"
        "Ana Pérez,Ana@Example.org,07/30/2031 10:00:00 AM,90\n"
        "Guest,guest@example.net,07/30/2031 10:05:00 AM,20\n",
        encoding="utf-8-sig",
    )
    page = new_page(live_server)
    sign_in(page, user.email, password)
    page.goto(f"/admin/events/{webinar.id}/registrants")
    page.get_by_role("link", name="Import a report").click()

    page.get_by_label("Attendance report (CSV)").set_input_files(str(report))
    page.get_by_role("button", name="Import the report").click()

    result = page.get_by_role("region", name="Report imported")
    expect(result).to_contain_text("1 registrant is marked as attended")
    expect(result).to_contain_text("2 confirmed registrants are marked as not attended")
    expect(result).to_contain_text("Line 3: guest@example.net")
    assert attendance() == {"Ana Pérez": True, "Bo Chen": False, "Cy Diallo": False}
    page.goto(f"/admin/events/{webinar.id}/registrants")
    expect(page.get_by_text(re.compile(r"Attended\s+1; 2 did not attend"))).to_be_visible()
