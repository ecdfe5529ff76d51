"""News services on SQLite and PostgreSQL: writing, linking events, publishing."""

from datetime import UTC, datetime, timedelta

from eventsvc.models import Event, NewsItem, news_events
from eventsvc.services.news import (
    NewsFields,
    create_news,
    delete_news,
    set_news_published,
    update_news,
)
from eventsvc.timezones import now
from tests.helpers import in_days, reloaded, row_count


def test_a_news_item_without_a_date_is_a_draft_with_its_events_in_date_order(
    any_db_app, make_event
):
    later = make_event(title="Webinar: accountable governance", starts_at=in_days(20))
    sooner = make_event(title="Panel: rethinking MSIs", starts_at=in_days(5))
    item = create_news(
        NewsFields(
            title="Anuncio / Announcement: two events this autumn",
            body="English first.\n\nEspañol después: «derechos humanos».",
            excerpt="Two events, in English and Spanish.",
            language="en, es",
            label="event",
            event_ids=[later.id, sooner.id],
        )
    )
    item = reloaded(item)
    assert item.published_at is None
    assert item.slug == "anuncio-announcement-two-events-this-autumn"
    assert item.body == "English first.\n\nEspañol después: «derechos humanos»."
    assert (item.excerpt, item.language, item.label) == (
        "Two events, in English and Spanish.",
        "en, es",
        "event",
    )
    assert [event.title for event in item.events] == [
        "Panel: rethinking MSIs",
        "Webinar: accountable governance",
    ]


def test_an_edit_replaces_fields_and_links_but_keeps_the_slug(any_db_app, make_event, make_news):
    first, second = make_event(title="First"), make_event(title="Second")
    item = make_news(title="Webinar announced", events=[first])
    published_at = item.published_at
    update_news(
        item,
        NewsFields(
            title="WATCH: the webinar recording",
            body="The recording is online.",
            label="recording",
            event_ids=[second.id],
            published_at=published_at,
        ),
    )
    item = reloaded(item)
    assert (item.slug, item.title, item.label) == (
        "webinar-announced",
        "WATCH: the webinar recording",
        "recording",
    )
    assert item.published_at == published_at
    assert [event.title for event in item.events] == ["Second"]
    update_news(item, NewsFields(title=item.title, event_ids=[]))
    item = reloaded(item)
    assert item.events == []
    assert row_count(Event) == 2


def test_titles_that_make_the_same_slug_get_distinct_slugs(any_db_app, make_news):
    slugs = [make_news(title=title).slug for title in ("Statement", "Statement", "STATEMENT!")]
    assert slugs == ["statement", "statement-2", "statement-3"]


def test_publishing_stamps_the_time_once_and_unpublishing_clears_it(any_db_app):
    item = create_news(NewsFields(title="Clinic welcomes the ruling"))
    before = now()
    set_news_published(item, True)
    item = reloaded(item)
    assert before <= item.published_at <= now()
    set_news_published(item, False)
    assert reloaded(item).published_at is None


def test_publishing_keeps_a_date_already_given(any_db_app):
    earlier = datetime(2026, 7, 30, 14, tzinfo=UTC)
    item = create_news(NewsFields(title="Archive item", published_at=earlier))
    set_news_published(item, True)
    assert reloaded(item).published_at == earlier


def test_deleting_a_news_item_keeps_its_events(any_db_app, make_event, make_news):
    event = make_event()
    item = make_news(events=[event], published_at=now() - timedelta(days=1))
    delete_news(item)
    assert (row_count(NewsItem), row_count(news_events), row_count(Event)) == (0, 0, 1)
