"""Writing and publishing news items, and the announcement posted with an event."""

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from eventsvc.calendar.entry import shown_fields
from eventsvc.extensions import db
from eventsvc.inputs import NewsFields
from eventsvc.models import Event, NewsItem
from eventsvc.services import audit
from eventsvc.services.locking import write_transaction
from eventsvc.services.slugs import unique_slug
from eventsvc.timezones import now
from eventsvc.translated import NEWS_FIELDS, cleaned_translations, read_language_list

_ANNOUNCED_AS = {"webinar": "Virtual Event", "hybrid": "Hybrid Event", "in_person": "Event"}


def _apply(item: NewsItem, values: NewsFields) -> None:
    item.title, item.body, item.excerpt = values.title, values.body, values.excerpt
    item.language, item.label = values.language, values.label
    own = read_language_list(values.language)
    fields = cleaned_translations(values.translations, NEWS_FIELDS)
    item.translations = {code: text for code, text in fields.items() if code not in own}
    item.published_at = values.published_at
    wanted = values.event_ids or [-1]
    item.events = list(db.session.scalars(select(Event).where(Event.id.in_(wanted))))


@write_transaction()
def create_news(values: NewsFields) -> NewsItem:
    """Create a news item, published at `values.published_at` (a draft when None)."""
    item = NewsItem(slug=unique_slug(NewsItem, values.title))
    _apply(item, values)
    db.session.add(item)
    audit.record("news.created", item)
    return item


@write_transaction()
def update_news(item: NewsItem, values: NewsFields) -> NewsItem:
    """Replace a news item's fields; its slug stays."""
    _apply(item, values)
    audit.record("news.changed", item)
    return item


@write_transaction()
def set_news_published(item: NewsItem, published: bool) -> NewsItem:
    """Publish a news item now (keeping an earlier date) or take it back to draft."""
    if published:
        item.published_at = min(item.published_at or now(), now())
    else:
        item.published_at = None
    audit.record("news.published" if published else "news.unpublished", item)
    return item


@write_transaction()
def delete_news(item: NewsItem) -> None:
    """Delete a news item."""
    audit.record("news.deleted", item)
    db.session.delete(item)


def announcement_title(shown: dict) -> str:
    """An announcement's title as the listing's posts read, 'July 30 Virtual Event: …', from
    what the event's calendar entry shows (calendar.entry.shown_fields)."""
    day = datetime.fromisoformat(shown["start_date"] if shown["all_day"] else shown["local_start"])
    return f"{day:%B} {day.day} {_ANNOUNCED_AS[shown['kind']]}: {shown['title']}"


def retitle_announcements(event: Event, shown_before: dict) -> None:
    """Announcements still titled as made from the event as it showed before follow what it
    shows now (in the caller's transaction); one given a title of its own keeps it."""
    shown = shown_fields(event)
    was, title = announcement_title(shown | shown_before), announcement_title(shown)
    if title == was:
        return
    made = select(NewsItem).where(
        NewsItem.label == "event", NewsItem.title == was, NewsItem.events.any(Event.id == event.id)
    )
    for item in db.session.scalars(made):
        item.title = title
        audit.record("news.changed", item)


def draft_announcements(event: Event) -> list[NewsItem]:
    """The event's announcements waiting, without a time of their own, for it to be published."""
    return list(
        db.session.scalars(
            select(NewsItem).where(
                NewsItem.label == "event",
                NewsItem.published_at.is_(None),
                NewsItem.events.any(Event.id == event.id),
            )
        )
    )


def publish_announcements(event: Event) -> None:
    """Publish with the event the announcements that wait for it (in the caller's transaction)."""
    for item in draft_announcements(event):
        item.published_at = now()
        audit.record("news.published", item)


def announce(event: Event, values: NewsFields) -> NewsItem:
    """Post the news item announcing `event`, linked to it (in the caller's transaction).

    What is left empty comes from the event: the title, and the text (its summary, else
    its description). Without a time of its own it is published with the event.
    """
    published_at = values.published_at or (now() if event.is_published else None)
    return create_news(
        replace(
            values,
            title=values.title or announcement_title(shown_fields(event)),
            body=values.body or event.summary or event.body,
            label="event",
            event_ids=[event.id, *values.event_ids],
            published_at=published_at,
        )
    )


def post_watch_item(event: Event, values: NewsFields) -> NewsItem:
    """Post the news item presenting `event`'s recording (in the caller's transaction):
    'WATCH: “…”' unless titled, the event's summary unless written, published now unless
    timed, labelled a recording and linked to the event, whose page shows the player."""
    return create_news(
        replace(
            values,
            title=values.title or f"WATCH: “{event.title}”",
            body=values.body or event.summary or event.body,
            label="recording",
            event_ids=[event.id, *values.event_ids],
            published_at=values.published_at or now(),
        )
    )
