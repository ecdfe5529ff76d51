"""Links to add one event or follow a feed, the /calendar page, and the news Atom feed."""

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.etree import ElementTree as ET

import feedparser
import pytest
from flask import render_template

from eventsvc.services.events import cancel_event

ATOM = "{http://www.w3.org/2005/Atom}"
JOIN = "https://zoom.example/j/777?pwd=secret"


@pytest.fixture
def webinar(make_event):
    start = datetime(2031, 7, 30, 14, 0, tzinfo=UTC)
    return make_event(
        title="Beyond Business as Usual: Rethinking MSIs",
        summary="A conversation on accountability & remedy.",
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        series="Rethinking MSIs",
        join_url=JOIN,
        credits=[
            ("host", "organization", "Human Rights Clinic"),
            ("co_host", "organization", "MSI Integrity"),
            ("moderator", "person", "Amina Diallo"),
            ("speaker", "organization", "Speakers Bureau"),
        ],
    )


def query_of(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    fields = {name: values[0] for name, values in parse_qs(parts.query).items()}
    return f"{parts.scheme}://{parts.netloc}{parts.path}", fields


def partial(app, event) -> str:
    """The add-to-calendar partial as a page including it renders it."""
    with app.test_request_context("/"):
        return render_template("public/_add_to_calendar.html", event=event)


def test_google_calendar_link_fills_in_utc_times_details_and_place(app, webinar):
    from eventsvc.web.feeds import google_calendar_url

    base, fields = query_of(google_calendar_url(webinar))

    assert base == "https://calendar.google.com/calendar/render"
    assert fields["action"] == "TEMPLATE"
    assert fields["text"] == "Beyond Business as Usual: Rethinking MSIs"
    assert fields["dates"] == "20310730T140000Z/20310730T153000Z"
    assert fields["location"] == "Online"
    assert fields["details"].startswith("A conversation on accountability & remedy.")
    assert (
        "Hosted by Human Rights Clinic, co-hosted by MSI Integrity, moderated by"
        in fields["details"]
    )
    assert fields["details"].endswith(f"http://localhost/events/{webinar.slug}")
    assert "zoom" not in google_calendar_url(webinar)


@pytest.mark.parametrize(
    ("link", "compose"),
    [
        ("outlook_calendar_url", "https://outlook.live.com/calendar/0/deeplink/compose"),
        ("office_calendar_url", "https://outlook.office.com/calendar/0/deeplink/compose"),
    ],
    ids=["Outlook.com", "Microsoft 365"],
)
def test_outlook_links_fill_in_utc_times_body_and_place(app, webinar, link, compose):
    from eventsvc.web import feeds

    outlook_calendar_url = getattr(feeds, link)
    base, fields = query_of(outlook_calendar_url(webinar))

    assert base == compose
    assert fields["subject"] == webinar.title
    assert fields["startdt"] == "2031-07-30T14:00:00Z"
    assert fields["enddt"] == "2031-07-30T15:30:00Z"
    assert fields["location"] == "Online"
    assert f"http://localhost/events/{webinar.slug}" in fields["body"]
    assert "allday" not in fields
    assert "zoom" not in outlook_calendar_url(webinar)


def test_all_day_links_use_dates_with_the_day_after_as_end(app, make_event):
    from eventsvc.web.feeds import google_calendar_url, outlook_calendar_url

    first = date(2031, 9, 14)
    event = make_event(
        title="Summit", all_day=True, start_date=first, end_date=date(2031, 9, 15), kind="in_person"
    )

    assert query_of(google_calendar_url(event))[1]["dates"] == "20310914/20310916"
    outlook = query_of(outlook_calendar_url(event))[1]
    assert (outlook["startdt"], outlook["enddt"], outlook["allday"]) == (
        "2031-09-14",
        "2031-09-16",
        "true",
    )


def test_the_partial_offers_download_google_both_outlooks_and_the_events_feeds(app, webinar):
    html = partial(app, webinar)
    hrefs = re.findall(r'href="([^"]+)"', html)

    assert f"/events/{webinar.slug}.ics" in hrefs
    assert any(h.startswith("https://calendar.google.com/calendar/render?") for h in hrefs)
    assert any(h.startswith("https://outlook.live.com/calendar/0/deeplink/compose?") for h in hrefs)
    assert any(
        h.startswith("https://outlook.office.com/calendar/0/deeplink/compose?") for h in hrefs
    )
    assert "webcal://localhost/calendar/series/rethinking-msis.ics" in hrefs
    assert "webcal://localhost/calendar/organizations/human-rights-clinic.ics" in hrefs
    assert "webcal://localhost/calendar/organizations/msi-integrity.ics" in hrefs
    assert "webcal://localhost/calendar/organizations/speakers-bureau.ics" not in hrefs
    assert "/calendar" in hrefs
    assert "Add to calendar" in html and "Add to Google Calendar" in html
    assert "Add to Outlook" in html
    assert "zoom" not in html


def test_a_cancelled_event_offers_no_add_links_but_keeps_subscriptions(app, webinar):
    cancel_event(webinar, "Postponed to next year.")

    html = partial(app, webinar)

    assert "Add to" not in html
    assert "webcal://localhost/calendar/series/rethinking-msis.ics" in html


def test_the_linked_feeds_exist(app, client, webinar):
    html = partial(app, webinar)

    for href in re.findall(r'href="webcal://localhost([^"]+)"', html):
        assert client.get(href).status_code == 200, href


def test_the_feeds_page_offers_every_feed_with_a_subscribe_menu(client, webinar):
    html = client.get("/calendar/feeds").text

    for path, name in (
        ("/calendar.ics", "all events"),
        ("/calendar/series/rethinking-msis.ics", "the series Rethinking MSIs"),
        ("/calendar/organizations/msi-integrity.ics", "events with MSI Integrity"),
        ("/calendar/organizations/human-rights-clinic.ics", "events with Human Rights Clinic"),
    ):
        address = f"http://localhost{path}"
        outlook = urlencode({"url": address, "name": f"Human Rights Clinic — {name}"})
        assert f'href="webcal://localhost{path}"' in html, path
        assert f'value="{address}"' in html and f'data-copy="{address}"' in html, path
        assert (
            f'href="https://outlook.live.com/calendar/0/addfromweb?{outlook}"'.replace("&", "&amp;")
            in html
        ), path
        assert (
            f"https://outlook.office.com/calendar/0/addfromweb?{outlook}".replace("&", "&amp;")
            in html
        ), path
    assert html.count('href="https://calendar.google.com/calendar/u/0/r/settings/addbyurl"') == 4
    assert "cid=" not in html
    assert "speakers-bureau" not in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)
    assert "/static/copy.js" in html


def test_the_feeds_page_names_tags_and_leaves_out_feeds_without_events(client, make_event):
    make_event(title="Listed", tags=["Land and environment"])
    make_event(title="Draft", tags=["Unreleased topic"], publish=False)

    html = client.get("/calendar/feeds").text

    assert "/calendar/tags/land-and-environment.ics" in html
    assert "unreleased-topic" not in html


def test_news_atom_is_valid_atom_of_published_items(client, make_news, webinar):
    make_news(
        title="Clinic hosts a webinar",
        excerpt="Join us on 30 July.",
        events=[webinar],
        label="event",
    )
    make_news(title="Draft note", published_at=None)
    make_news(title="Tomorrow's item", published_at=datetime.now(UTC) + timedelta(days=1))

    response = client.get("/news.atom")
    feed = ET.fromstring(response.data)  # noqa: S314 - the app's own output

    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert feed.tag == f"{ATOM}feed"
    for path in ("id", "title", "updated", "author/{ns}name"):
        assert feed.find(ATOM + path.format(ns=ATOM)).text
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/news.atom"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Clinic hosts a webinar"]
    entry = entries[0]
    assert entry.find(f"{ATOM}id").text == "http://localhost/news/clinic-hosts-a-webinar"
    assert (
        entry.find(f"{ATOM}link[@rel='alternate']")
        .get("href")
        .endswith("/news/clinic-hosts-a-webinar")
    )
    assert entry.find(f"{ATOM}summary").text == "Join us on 30 July."
    assert entry.find(f"{ATOM}published").text.endswith("Z")
    assert entry.find(f"{ATOM}updated").text >= entry.find(f"{ATOM}published").text


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
READER_ACCEPTS = ("application/atom+xml, application/rss+xml;q=0.9, */*;q=0.1", "*/*", None)


def test_the_news_feed_reads_as_a_page_in_a_browser_and_as_a_feed_in_a_reader(client, make_news):
    item = make_news(title="Clinic hosts a webinar", excerpt="Join us on 30 July.")

    page = client.get("/news.atom", headers={"Accept": BROWSER_ACCEPT})
    readers = [client.get("/news.atom", headers={"Accept": a} if a else {}) for a in READER_ACCEPTS]

    assert page.headers["Content-Type"] == "application/xml; charset=utf-8"
    atom = "application/atom+xml; charset=utf-8"
    assert [r.headers["Content-Type"] for r in readers] == [atom] * 3
    assert all(r.data == page.data for r in readers)
    assert "Accept" in page.headers["Vary"]
    first_lines = page.text.splitlines()[:2]
    assert first_lines[1] == (
        '<?xml-stylesheet type="text/css" href="http://localhost/static/atom.css"?>'
    )
    with client.get("/static/atom.css") as stylesheet:
        assert stylesheet.headers["Content-Type"].startswith("text/css")
        assert b"@namespace atom url(http://www.w3.org/2005/Atom);" in stylesheet.data
    assert "This is the news feed of Human Rights Clinic." in page.text
    assert (
        f'<html:a href="http://localhost/news/{item.slug}">Read it on our site</html:a>'
        in page.text
    )


def test_feed_readers_parse_the_news_feed_without_complaint(client, make_news):
    make_news(title="Clínica y Áñez", excerpt="Una audiencia.", language="es")
    make_news(title="Second item", body="Body text.")

    parsed = feedparser.parse(client.get("/news.atom").data)

    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Human Rights Clinic — News"
    assert [entry.title for entry in parsed.entries] == ["Second item", "Clínica y Áñez"]
    assert parsed.entries[1].summary == "Una audiencia."
    assert parsed.entries[1].link.endswith("/news/clinica-y-anez")


def test_news_atom_answers_304_to_its_etag(client, make_news):
    make_news()
    etag = client.get("/news.atom").headers["ETag"]

    assert client.get("/news.atom", headers={"If-None-Match": etag}).status_code == 304


def test_event_page_and_news_item_offer_the_calendar_links(client, webinar, make_news):
    item = make_news(title="July 30 Virtual Event: Beyond Business as Usual", events=[webinar])
    for path in (f"/events/{webinar.slug}", f"/news/{item.slug}"):
        page = client.get(path).text
        assert f'href="/events/{webinar.slug}.ics"' in page, path
        assert "calendar.google.com/calendar/render?action=TEMPLATE" in page, path
        assert "outlook.live.com/calendar/0/deeplink/compose" in page, path
        assert "20310730T140000Z" in page, path
        assert "webcal://localhost/calendar/series/rethinking-msis.ics" in page, path
        assert "webcal://localhost/calendar/organizations/msi-integrity.ics" in page, path
        assert JOIN not in page, path


def test_news_listing_links_the_site_feed_and_the_atom_feed(client, make_news):
    make_news()
    page = client.get("/").text
    assert 'href="webcal://localhost/calendar.ics"' in page
    assert 'href="/news.atom"' in page
    assert 'type="application/atom+xml"' in page
