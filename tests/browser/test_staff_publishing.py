"""Staff post a webinar with six co-hosts and its announcement from one page, and its
recording afterwards, in Chromium (issue 14)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event, NewsItem
from eventsvc.services.events import add_recording
from tests.helpers import in_days, sign_in

CO_HOSTS = [
    "Andean Information Network",
    "Center for Legal and Social Studies",
    "Center for Justice and Accountability",
    "International Human Rights Clinic",
    "University Network for Human Rights",
    "Washington Office on Latin America",
]
TITLE = "The Struggle for Human Rights in Bolivia During the Pandemic"


@pytest.fixture
def staff(live_server, new_page, make_staff):
    """A signed-in editor's page."""
    user, password = make_staff("editor@example.org", "editor")
    page = new_page(live_server)
    sign_in(page, user.email, password)
    return page


def credit_row(page, number: int):
    return page.get_by_role("group", name=f"Credit {number}", exact=True)


def fill_credit(page, number: int, role: str, kind: str, name: str, affiliation: str = ""):
    row = credit_row(page, number)
    row.get_by_label("Role").select_option(role)
    row.get_by_label("Organisation or person").select_option(kind)
    row.get_by_label("Name").fill(name)
    if affiliation:
        row.get_by_label("Affiliation").fill(affiliation)


def documents_loaded(page) -> list[str]:
    """Every page load of the tab so far (each one a reload of the form or a new page)."""
    loads: list[str] = []
    page.on("request", lambda r: loads.append(r.method) if r.resource_type == "document" else 0)
    return loads


def test_a_webinar_with_six_co_hosts_and_its_announcement_are_posted_from_one_page(staff):
    day = datetime.now(UTC).date() + timedelta(weeks=6)
    staff.goto("/admin/events/new")
    loads = documents_loaded(staff)

    staff.get_by_label(re.compile("^Title")).fill(TITLE)
    expect(staff.get_by_label("Time zone")).to_have_value("America/New_York")
    staff.get_by_label("Starts").fill(f"{day.isoformat()}T10:00")
    staff.get_by_label("Ends").fill(f"{day.isoformat()}T11:30")
    staff.get_by_label("Summary", exact=True).fill("Six organisations discuss rights in Bolivia.")
    add = staff.get_by_role("button", name="Add another credit")
    for _ in range(7):
        add.click()
    expect(credit_row(staff, 10)).to_be_visible()
    expect(credit_row(staff, 10).get_by_label("Role")).to_be_focused()
    for number, name in enumerate(CO_HOSTS, start=1):
        fill_credit(staff, number, "co_host", "organization", name)
    fill_credit(staff, 7, "speaker", "person", "Kathryn Ledebur", "Director, AIN")
    fill_credit(staff, 8, "moderator", "person", "Krizna Gomez", "Director of Programs, JustLabs")
    fill_credit(staff, 9, "live_illustrator", "person", "Sita Magnuson")
    credit_row(staff, 8).get_by_role("button", name="Move up credit 8").click()
    expect(credit_row(staff, 7).get_by_label("Name")).to_have_value("Krizna Gomez")
    credit_row(staff, 10).get_by_role("button", name="Remove credit 10").click()
    expect(credit_row(staff, 10)).to_have_count(0)
    expect(staff.get_by_role("status").filter(has_text="Credit 10 removed.")).to_be_attached()
    expect(credit_row(staff, 1).get_by_label("Affiliation")).to_be_hidden()

    announcement = staff.get_by_label("Announcement title")
    expect(announcement).to_have_value(f"{day:%B} {day.day} Virtual Event: {TITLE}")
    expect(staff.get_by_label("Announcement text")).to_have_value(
        "Six organisations discuss rights in Bolivia."
    )
    staff.get_by_label("Announcement excerpt").fill("Join six organisations for a webinar.")
    assert loads == []

    staff.get_by_role("button", name="Save and publish").first.click()

    expect(staff.get_by_role("status").first).to_contain_text(
        f"Published “{TITLE}” and its announcement"
    )
    assert loads == ["POST", "GET"]
    db.session.rollback()
    event = db.session.scalars(select(Event)).one()
    item = db.session.scalars(select(NewsItem)).one()
    assert [(c.role, c.name) for c in event.credits] == [
        *[("co_host", name) for name in CO_HOSTS],
        ("moderator", "Krizna Gomez"),
        ("speaker", "Kathryn Ledebur"),
        ("live_illustrator", "Sita Magnuson"),
    ]
    assert [linked.id for linked in item.events] == [event.id]

    staff.goto("/")
    expect(staff.get_by_role("heading", name=item.title)).to_be_visible()
    expect(staff.locator(".news-card").first).to_contain_text(
        "Join six organisations for a webinar."
    )
    staff.get_by_role("link", name=item.title).click()
    block = staff.locator(".event-block")
    expect(block).to_contain_text(
        "Co-hosted by " + ", ".join(CO_HOSTS[:-1]) + f" and {CO_HOSTS[-1]}"
    )
    expect(block).to_contain_text("Moderated by Krizna Gomez")


def test_a_known_person_is_found_by_typing_and_brings_their_details(staff, make_event):
    make_event(
        credits=[
            ("moderator", "person", "Krizna Gomez", "https://justlabs.example.org",
             "Director of Programs, JustLabs"),
        ]
    )  # fmt: skip
    staff.goto("/admin/events/new")

    row = credit_row(staff, 1)
    row.get_by_label("Name").fill("Krizna Gomez")

    expect(row.get_by_label("Organisation or person")).to_have_value("person")
    expect(row.get_by_label("Affiliation")).to_have_value("Director of Programs, JustLabs")
    expect(row.get_by_label("Web address")).to_have_value("https://justlabs.example.org")
    option = staff.locator("#credit-names option[value='Krizna Gomez']")
    expect(option).to_have_attribute("label", "Person · Director of Programs, JustLabs")


def test_typing_on_past_a_known_name_takes_back_the_details_it_brought(staff, make_event):
    make_event(
        credits=[
            ("speaker", "person", "Krizna Gomez", "https://justlabs.example.org",
             "Director of Programs, JustLabs"),
        ]
    )  # fmt: skip
    staff.goto("/admin/events/new")
    row = credit_row(staff, 1)
    row.get_by_label("Organisation or person").select_option("person")

    row.get_by_label("Name").press_sequentially("Krizna Gomez")
    expect(row.get_by_label("Affiliation")).to_have_value("Director of Programs, JustLabs")
    row.get_by_label("Name").press_sequentially("-Ortiz")

    expect(row.get_by_label("Affiliation")).to_have_value("")
    expect(row.get_by_label("Web address")).to_have_value("")


def test_a_chosen_image_is_kept_when_the_form_comes_back_with_an_error(staff, tmp_path):
    image = tmp_path / "panel.png"
    image.write_bytes(PNG_1PX)
    staff.goto("/admin/events/new")
    staff.get_by_label("Image", exact=True).set_input_files(str(image))
    staff.get_by_label("Image description (alt text)").fill("The six co-hosts' logos")

    staff.get_by_role("button", name="Save as a draft").first.click()

    expect(staff.get_by_role("alert")).to_be_focused()
    expect(staff.get_by_text("The image you chose is kept")).to_be_visible()
    staff.get_by_label(re.compile("^Title")).fill(TITLE)
    staff.get_by_label("Starts").fill(f"{in_days(30):%Y-%m-%d}T10:00")
    staff.get_by_label("Or duration in minutes").fill("90")
    staff.get_by_role("button", name="Save as a draft").first.click()
    expect(staff.get_by_role("status").first).to_contain_text("as a draft")
    db.session.rollback()
    assert db.session.scalars(select(Event)).one().image_path.endswith(".png")


def test_a_recording_plays_only_when_the_visitor_asks(live_server, new_page, make_event, make_news):
    event = make_event(title="Beyond Business-as-Usual", starts_at=in_days(-40))
    add_recording(event, "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "Full webinar")
    item = make_news(title="WATCH: “Beyond Business-as-Usual”", label="recording", events=[event])
    visitor = new_page(live_server)
    video_requests: list[str] = []
    visitor.on(
        "request",
        lambda r: video_requests.append(r.url) if re.search(r"youtube|ytimg|google", r.url) else 0,
    )
    visitor.context.route(
        "https://www.youtube-nocookie.com/**",
        lambda route: route.fulfill(content_type="text/html", body="<p>The player</p>"),
    )

    visitor.goto(f"/news/{item.slug}")
    expect(visitor.get_by_role("link", name="Watch on YouTube: Full webinar")).to_be_visible()
    play = visitor.get_by_role("button", name=re.compile(r"^Play here\b.*Full webinar$"))
    expect(play).to_be_visible()
    visitor.wait_for_load_state("networkidle")
    assert video_requests == []

    play.click()

    frame = visitor.frame_locator("iframe[title='Full webinar']")
    expect(frame.get_by_text("The player")).to_be_visible()
    assert video_requests == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&rel=0"]


def test_linked_events_are_picked_by_typing_with_the_keyboard(staff, make_event):
    make_event(title="Beyond Business-as-Usual", starts_at=datetime(2026, 7, 30, 14, tzinfo=UTC))
    make_event(title="Rights at work", starts_at=datetime(2026, 7, 30, 18, tzinfo=UTC))
    staff.goto("/admin/news/new")
    staff.get_by_label(re.compile("^Title")).fill("WATCH: “Beyond Business-as-Usual”")
    staff.get_by_label(re.compile("^Text")).fill("On July 30, we hosted a webinar.")

    picker = staff.get_by_role("combobox", name="Linked events")
    picker.fill("beyond 30 jul")
    options = staff.get_by_role("listbox", name="Linked events").get_by_role("option")
    expect(options).to_have_text(["Beyond Business-as-Usual — Thu 30 Jul 2026"])
    picker.press("ArrowDown")
    picker.press("Enter")

    expect(picker).to_have_attribute("aria-expanded", "false")
    chosen = staff.locator(".picker-chosen")
    expect(chosen).to_contain_text("Beyond Business-as-Usual — Thu 30 Jul 2026")
    staff.get_by_role("button", name="Save and publish now").click()
    expect(staff.get_by_role("status").first).to_contain_text("Saved")
    db.session.rollback()
    item = db.session.scalars(select(NewsItem)).one()
    assert [event.title for event in item.events] == ["Beyond Business-as-Usual"]
    assert item.published_at is not None


# The smallest PNG: one transparent pixel.
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfab"
    "d40000000049454e44ae426082"
)
