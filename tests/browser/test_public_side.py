"""The public side in Chromium: the calendar by keyboard, subscribe menus, search without
accents on both databases, the news feed as a page, and an embed on a partner's site."""

import threading
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from eventsvc.inputs import RegistrationSettings
from eventsvc.timezones import to_utc
from tests.helpers import in_days, open_registration, serving

PARTNER = ("co_host", "organization", "Andean Rights Network")
GOOGLE_FROM_URL = "https://calendar.google.com/calendar/u/0/r/settings/addbyurl"


def tab_to(page, target, limit: int = 60) -> int:
    """Press Tab until `target` (a locator) has the focus; how many presses it took."""
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return count
    raise AssertionError(f"{target} is not reached in {limit} presses of Tab")


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def test_months_go_by_with_the_keyboard(live_server, new_page, make_event):
    make_event(
        title="Water forum", timezone="UTC", starts_at=to_utc(datetime(2031, 8, 12, 10), "UTC")
    )
    page = new_page(live_server)
    page.goto("/calendar?month=2031-07")

    tab_to(page, page.get_by_role("link", name="Next month: August"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=2, name="August 2031")).to_be_visible()
    assert page.url.endswith("/calendar?month=2031-08#month")
    # The page opens with the focus on the month: the next Tab goes to its first link, not
    # back through the site's menu.
    expect(page.locator("section#month")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Previous month: July")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Next month: September")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="10:00 UTC Water forum")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Water forum")).to_be_visible()


def test_the_subscribe_menu_offers_each_app_and_copies_the_address(live_server, new_page):
    page = new_page(live_server, permissions=["clipboard-read", "clipboard-write"])
    # Google's own page is outside this machine: stand in for it.
    page.context.route(f"{GOOGLE_FROM_URL}*", lambda route: route.fulfill(body="Google"))
    page.goto("/calendar")
    address = f"{live_server}/calendar.ics"

    summary = page.get_by_text("Subscribe to all events", exact=True)
    tab_to(page, summary)
    page.keyboard.press("Enter")

    menu = page.locator(".subscribe-box details")
    expect(menu.get_by_role("link", name="Apple Calendar")).to_be_visible()
    webcal = address.replace("http://", "webcal://")
    for name in ("Apple Calendar", "Outlook on Windows or Mac"):
        assert menu.get_by_role("link", name=name).get_attribute("href") == webcal
    outlook = menu.get_by_role("link", name="Outlook.com").get_attribute("href")
    office = menu.get_by_role("link", name="Microsoft 365").get_attribute("href")
    assert outlook.startswith("https://outlook.live.com/calendar/0/addfromweb?url=http")
    assert office.startswith("https://outlook.office.com/calendar/0/addfromweb?url=http")
    expect(menu.get_by_role("textbox")).to_have_value(address)

    menu.get_by_role("button", name="Copy address").click()
    expect(menu.get_by_role("status")).to_have_text("Copied.")
    assert clipboard(page) == address
    page.evaluate("navigator.clipboard.writeText('')")
    with page.expect_popup() as opened:
        menu.get_by_role("link", name="Google Calendar").click()
    assert opened.value.url == GOOGLE_FROM_URL
    expect(menu.get_by_role("status")).to_contain_text("paste it into “URL of calendar”")
    assert clipboard(page) == address

    menu.get_by_role("link", name="Apple Calendar").focus()
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="Apple Calendar")).to_be_hidden()
    expect(summary).to_be_focused()


@pytest.fixture
def any_live_server(any_db_app):
    """The app on SQLite, then on PostgreSQL, served on a free port."""
    with serving(any_db_app) as url:
        yield url


def test_search_finds_words_with_or_without_accents_on_both_databases(
    any_live_server, new_page, make_news, make_event
):
    make_news(title="La Clínica y Áñez", excerpt="Una audiencia pública en La Paz.")
    make_event(title="Seminario", summary="Sobre derechos humanos en Bolivia.")
    page = new_page(any_live_server)
    page.goto("/search")

    for typed, found, marked in (
        ("anez", "La Clínica y Áñez", "Áñez"),
        ("ÁÑEZ clinica", "La Clínica y Áñez", "Clínica"),
        ("publica", "La Clínica y Áñez", "pública"),
        ("DERECHOS humanos", "Seminario", "derechos"),
    ):
        page.get_by_label("Search news and events").fill(typed)
        page.get_by_label("Search news and events").press("Enter")
        results = page.locator(".results")
        expect(page.get_by_role("heading", level=2)).to_have_text(f"1 result for “{typed}”")
        expect(results.get_by_role("link")).to_have_text(found)
        expect(results.locator("mark", has_text=marked).first).to_be_visible()


def test_the_news_feed_reads_as_a_page(live_server, new_page, make_news):
    item = make_news(title="Clinic hosts a webinar", excerpt="Join us on 30 July.")
    page = new_page(live_server)

    page.goto("/news.atom")

    expect(page.get_by_text("This is the news feed of Human Rights Clinic.")).to_be_visible()
    expect(page.get_by_text("Join us on 30 July.")).to_be_visible()
    # An XHTML link inside the feed (tagName "html:a": Playwright's roles go by tag names).
    link = page.get_by_text("Read it on our site")
    assert link.evaluate("element => element instanceof HTMLAnchorElement")
    link.click()
    expect(page.get_by_role("heading", level=1, name="Clinic hosts a webinar")).to_be_visible()
    assert page.url == f"{live_server}/news/{item.slug}"


def test_a_long_event_page_takes_a_keyboard_user_to_the_form_at_once(
    live_server, new_page, make_event
):
    event = make_event(title="Long event", body="A paragraph of detail.\n\n" * 40)
    open_registration(event, RegistrationSettings())
    page = new_page(live_server)
    page.goto(f"/events/{event.slug}")

    presses = tab_to(page, page.get_by_role("link", name="Register for Long event"))
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")

    assert presses <= 8
    expect(page.get_by_label("Your name")).to_be_focused()


@contextmanager
def partner_site(page_html: str):
    """Another origin (another port) serving one page: a partner's site."""

    class Partner(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            body = page_html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_a_partner_site_shows_the_embed_and_its_links_open_our_site(
    live_server, new_page, make_event
):
    event = make_event(title="Defending the Defenders", starts_at=in_days(4), credits=[PARTNER])
    open_registration(event, RegistrationSettings())
    embed = f"{live_server}/embed/organizations/andean-rights-network"
    partner_page = (
        '<!doctype html><html lang="en"><head><title>Partner</title>'
        '<link rel="icon" href="data:,"></head><body><h1>Andean Rights Network</h1>'
        f'<iframe src="{embed}" title="Our events" width="600" height="480"></iframe>'
        "</body></html>"
    )

    with partner_site(partner_page) as partner:
        page = new_page(partner)
        page.goto(partner)
        frame = page.frame_locator('iframe[title="Our events"]')
        expect(
            frame.get_by_role("heading", name="Events with Andean Rights Network")
        ).to_be_visible()
        with page.expect_popup() as opened:
            frame.get_by_role("link", name="Defending the Defenders").click()
        ours = opened.value
        expect(ours.get_by_role("heading", level=1, name="Defending the Defenders")).to_be_visible()
        assert ours.url == f"{live_server}/events/{event.slug}"
        assert ours.evaluate("window.top === window")
        expect(ours.get_by_label("Your name")).to_be_visible()
        assert page.url == partner


def test_a_partner_site_cannot_frame_our_other_pages(live_server, browser, make_event):
    event = make_event(title="Defending the Defenders", starts_at=in_days(4))
    partner_page = (
        '<!doctype html><html lang="en"><head><title>Partner</title>'
        '<link rel="icon" href="data:,"></head><body>'
        f'<iframe src="{live_server}/events/{event.slug}" title="Framed"></iframe>'
        "</body></html>"
    )
    # Chromium reports the refusal on the console; this context is not watched for errors.
    context = browser.new_context()
    try:
        with partner_site(partner_page) as partner:
            page = context.new_page()
            page.goto(partner)
            page.wait_for_load_state("load")
            [framed] = [frame for frame in page.frames if frame != page.main_frame]
            assert not framed.url.startswith(live_server)
    finally:
        context.close()
