"""The news listing at / and a news item at /news/<slug>."""

from datetime import UTC, datetime, timedelta

import pytest

from eventsvc.services.events import cancel_event, postpone_event, reschedule_event
from eventsvc.timezones import Schedule
from tests.helpers import in_days, page_text

SUMMER_START = datetime(2026, 7, 30, 14, 0, tzinfo=UTC)
SUMMER_WHEN = "Thursday 30 July 2026, 10:00 EDT (UTC\u221204:00) \u2013 11:30"


def replace_start(event, days: int) -> Schedule:
    """The event's schedule moved `days` later, its duration kept."""
    later = timedelta(days=days)
    return Schedule(event.timezone, event.starts_at + later, event.ends_at + later)


def _hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def test_listing_shows_label_linked_title_date_and_written_excerpt(client, make_news):
    item = make_news(
        title="Rethinking MSIs: where is the democracy debate?",
        excerpt="Standard-setting bodies claim a role in global governance.",
        label="news",
        published_at=datetime(2026, 8, 19, 12, tzinfo=UTC),
    )

    response = client.get("/")

    assert response.status_code == 200
    assert f'<a href="/news/{item.slug}">Rethinking MSIs: where is the democracy debate?</a>' in (
        response.text
    )
    text = page_text(response.text)
    assert "News Rethinking MSIs: where is the democracy debate? 19 August 2026" in text
    assert "Standard-setting bodies claim a role in global governance." in text


def test_listing_trims_a_long_body_at_a_word_boundary(client, make_news):
    body = " ".join(f"word{number}" for number in range(1, 81))
    make_news(title="A long statement", body=body)

    text = page_text(client.get("/").text)

    assert "word54 word55\u2026" in text
    assert "word56" not in text


def test_listing_pages_ten_items_newest_first_with_older_and_newer_links(client, make_news):
    for number in range(1, 13):
        make_news(title=f"Story number {number:02d}", published_at=_hours_ago(number))

    first = client.get("/")
    second = client.get("/?page=2")

    first_text, second_text = page_text(first.text), page_text(second.text)
    assert first_text.index("Story number 01") < first_text.index("Story number 10")
    assert "Story number 11" not in first_text
    assert '<a rel="next" href="/?page=2">' in first.text
    assert 'rel="prev"' not in first.text
    assert "Story number 11" in second_text and "Story number 12" in second_text
    assert "Story number 10" not in second_text
    assert '<a rel="prev" href="/">' in second.text
    assert 'rel="next"' not in second.text


@pytest.mark.parametrize("page", ["2", "0", "-1", "two", "99999999999999999999"])
def test_listing_pages_beyond_the_end_or_malformed_are_not_found(client, make_news, page):
    make_news(title="The only story")

    assert client.get(f"/?page={page}").status_code == 404


def test_listing_hides_drafts_and_items_scheduled_for_later(client, make_news):
    make_news(title="Draft statement", published_at=None)
    make_news(title="Embargoed statement", published_at=in_days(2))
    make_news(title="Published statement")

    text = page_text(client.get("/").text)

    assert "Published statement" in text
    assert "Draft statement" not in text
    assert "Embargoed statement" not in text


def test_listing_shows_the_linked_event_time_in_its_zone_and_for_the_reader(
    client, make_event, make_news
):
    event = make_event(starts_at=SUMMER_START, ends_at=SUMMER_START + timedelta(minutes=90))
    make_news(title="July 30 virtual event: beyond business as usual", events=[event])

    response = client.get("/")

    assert SUMMER_WHEN in page_text(response.text)
    assert '<time datetime="2026-07-30T14:00:00Z" data-local-start' in response.text
    assert "/static/localtime.js" in response.text


def test_listing_leaves_out_a_linked_draft_event(client, make_event, make_news):
    draft = make_event(publish=False, starts_at=SUMMER_START)
    make_news(title="Announcement", events=[draft])

    assert "EDT" not in page_text(client.get("/").text)


def test_news_item_shows_its_sanitised_body_in_its_language(client, make_news):
    item = make_news(
        title="La Clínica insta a expertos de la ONU",
        body="La Clínica presentó **hoy** un informe.\n\n<script>alert(1)</script>",
        language="es",
    )

    response = client.get(f"/news/{item.slug}")

    assert response.status_code == 200
    assert '<div class="prose" lang="es">' in response.text
    assert "<strong>hoy</strong>" in response.text
    assert "<script>alert(1)</script>" not in response.text


def test_bilingual_news_item_carries_both_languages(client, make_news):
    item = make_news(
        title="Clinic urges U.N. experts to review rights violations",
        body="(La versión en español está abajo.)\n\nThe clinic asked today.\n\n"
        "La Clínica pidió hoy.",
    )

    text = page_text(client.get(f"/news/{item.slug}").text)

    assert "The clinic asked today." in text
    assert "La Clínica pidió hoy." in text


def test_news_item_has_a_block_for_each_linked_event(client, make_event, make_news):
    event = make_event(
        title="Beyond Business as Usual",
        starts_at=in_days(20),
        credits=[
            ("co_host", "organization", "MSI Integrity"),
            ("co_host", "organization", "International Human Rights Clinic"),
            ("moderator", "person", "Krizna Gomez"),
        ],
    )
    item = make_news(title="Virtual event announced", events=[event])

    response = client.get(f"/news/{item.slug}")

    text = page_text(response.text)
    assert "Co-hosted by MSI Integrity and International Human Rights Clinic" in text
    assert "Moderated by Krizna Gomez" in text
    assert event.local_start.strftime("%H:%M") in text
    assert f'href="/events/{event.slug}#register">Register' in response.text
    assert f'<a href="/events/{event.slug}">Beyond Business as Usual</a>' in response.text
    assert f'datetime="{event.starts_at:%Y-%m-%dT%H:%M:%SZ}" data-local-start' in response.text


def test_news_item_offers_no_registration_for_a_cancelled_event(client, make_event, make_news):
    event = make_event(starts_at=in_days(20))
    cancel_event(event, "The speaker is unwell.")
    item = make_news(title="Update", events=[event])

    response = client.get(f"/news/{item.slug}")

    assert "#register" not in response.text
    assert "Cancelled." in page_text(response.text)


@pytest.mark.parametrize("published_at", [None, in_days(1)])
def test_unpublished_news_item_is_not_found(client, make_news, published_at):
    item = make_news(title="Not yet", published_at=published_at)

    assert client.get(f"/news/{item.slug}").status_code == 404


def test_unknown_news_item_is_not_found(client):
    assert client.get("/news/no-such-item").status_code == 404


def test_news_listing_runs_the_same_queries_however_much_there_is(
    make_event, make_news, statements_to_get
):
    make_news(title="First", events=[make_event(title="First event")])
    few = statements_to_get("/")
    for number in range(9):
        events = [make_event(title=f"Event {number} {n}") for n in range(3)]
        make_news(title=f"Story {number}", events=events)

    assert statements_to_get("/") == few


def test_a_cancelled_event_is_marked_on_every_teaser_that_shows_it(client, make_event, make_news):
    workshop = make_event(
        title="Amsterdam workshop on responsible business",
        kind="in_person",
        venue="Pakhuis",
        credits=[("co_host", "organization", "MSI Integrity")],
    )
    item = make_news(
        title="Join our Amsterdam workshop",
        excerpt="Places are limited, so please register early.",
        label="event",
        events=[workshop],
    )
    cancel_event(workshop, "The venue closed.")
    cancelled = "Cancelled: “Amsterdam workshop on responsible business” will not take place."

    home = page_text(client.get("/").text)
    news = page_text(client.get(f"/news/{item.slug}").text)
    search = page_text(client.get("/search?q=Amsterdam").text)
    listing = page_text(client.get("/events?organization=msi-integrity").text)
    embedded = page_text(client.get(f"/embed/news/{item.slug}").text)

    assert "Places are limited, so please register early." in home
    assert cancelled in home
    assert news.index("Published") < news.index(cancelled) < news.index("The clinic made")
    assert cancelled in search
    assert "Event · In person Cancelled Amsterdam workshop" in search
    assert "In person Cancelled Amsterdam workshop" in listing
    assert cancelled in embedded


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda event: postpone_event(event, "Speaker ill"), "is postponed; a new date"),
        (
            lambda event: reschedule_event(event, replace_start(event, days=3)),
            "has a new time:",
        ),
    ],
)
def test_postponed_and_rescheduled_events_are_marked_on_the_home_page(
    client, make_event, make_news, change, words
):
    webinar = make_event(title="Beyond business as usual")
    make_news(title="July 30 Virtual Event: Beyond business as usual", events=[webinar])
    change(webinar)

    home = page_text(client.get("/").text)

    status = "Postponed" if "postponed" in words else "Rescheduled"
    assert f"{status}: “Beyond business as usual” {words}" in home
