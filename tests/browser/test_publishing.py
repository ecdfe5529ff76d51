"""A staff member publishes a webinar; a reader in another zone sees both times (issue 2)."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.helpers import sign_in

EVENT_ZONE = ZoneInfo("America/New_York")
READER_ZONE = ZoneInfo("Europe/Berlin")
TITLE = "Defending Land Defenders: Lessons from the Andes"
CREDITS = [
    ("co_host", "organization", "Andean Rights Network"),
    ("co_host", "organization", "Standards Integrity Project"),
    ("moderator", "person", "Dr. Lucía Mamani"),
]


def offset_text(moment: datetime) -> str:
    """'UTC−05:00', with the minus sign the pages use."""
    minutes = int(moment.utcoffset().total_seconds() // 60)
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'−' if minutes < 0 else '+'}{hours:02d}:{rest:02d}"


def day_text(moment: datetime, with_year: bool = True) -> str:
    year = f" {moment.year}" if with_year else ""
    return f"{moment:%A} {moment.day} {moment:%B}{year}"


def fill_credit(page, number: int, role: str, kind: str, name: str) -> None:
    row = page.get_by_role("group", name=f"Credit {number}", exact=True)
    row.get_by_label("Role").select_option(role)
    row.get_by_label("Organisation or person").select_option(kind)
    row.get_by_label("Name").fill(name)


def create_webinar(page, day: date) -> None:
    page.goto("/admin/events/new")
    page.get_by_label(re.compile("^Title")).fill(TITLE)
    page.get_by_label("Kind").select_option("webinar")
    page.get_by_label("Time zone").select_option(EVENT_ZONE.key)
    page.get_by_label("Starts").fill(f"{day.isoformat()}T10:00")
    page.get_by_label("Ends").fill(f"{day.isoformat()}T11:30")
    for number, (role, kind, name) in enumerate(CREDITS, start=1):
        fill_credit(page, number, role, kind, name)
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status")).to_contain_text("as a draft")


def test_a_webinar_published_in_new_york_shows_a_berlin_reader_both_times(
    live_server, new_page, make_staff, tmp_path
):
    user, password = make_staff("editor@example.org", "editor")
    day = datetime.now(UTC).date() + timedelta(weeks=6)
    staff = new_page(live_server, timezone_id="Europe/London")
    sign_in(staff, user.email, password)
    create_webinar(staff, day)
    staff.get_by_role("button", name="Publish").click()
    expect(staff.get_by_role("status")).to_contain_text("is published")
    public_path = staff.get_by_role("link", name=re.compile(r"^\/events\/")).get_attribute("href")

    reader = new_page(live_server, timezone_id="Europe/Berlin", locale="en-GB")
    reader.goto(public_path)
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)

    starts = datetime.combine(day, time(10, 0), EVENT_ZONE)
    assert starts.tzname() in {"EST", "EDT"}
    when = reader.locator(".event-facts .event-time")
    expect(when).to_contain_text(
        f"{day_text(starts)}, 10:00 {starts.tzname()} ({offset_text(starts)}) – 11:30"
    )
    in_berlin = starts.astimezone(READER_ZONE)
    ends_in_berlin = (starts + timedelta(minutes=90)).astimezone(READER_ZONE)
    this_year = datetime.now(READER_ZONE).year
    your_time = when.locator(".reader-time")
    expect(your_time).to_be_visible()
    expect(your_time).to_have_text(
        f"Your time: {day_text(in_berlin, in_berlin.year != this_year)}, "
        f"{in_berlin:%H:%M} {in_berlin.tzname()} – {ends_in_berlin:%H:%M}"
    )

    credits = reader.locator("section.credits")
    expect(credits).to_contain_text(
        "Co-hosted by Andean Rights Network and Standards Integrity Project"
    )
    expect(credits).to_contain_text("Moderated by Dr. Lucía Mamani")

    screenshot = tmp_path / "event-page.png"
    reader.screenshot(path=screenshot, full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert screenshot.stat().st_size > 10_000
