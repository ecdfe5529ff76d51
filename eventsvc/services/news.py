"""Writing and publishing news items."""

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import NewsFields
from eventsvc.models import Event, NewsItem
from eventsvc.services import audit
from eventsvc.services.locking import write_transaction
from eventsvc.services.slugs import unique_slug
from eventsvc.timezones import now


def _apply(item: NewsItem, values: NewsFields) -> None:
    item.title, item.body, item.excerpt = values.title, values.body, values.excerpt
    item.language, item.label = values.language, values.label
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
        item.published_at = item.published_at or now()
    else:
        item.published_at = None
    audit.record("news.published" if published else "news.unpublished", item)
    return item


@write_transaction()
def delete_news(item: NewsItem) -> None:
    """Delete a news item."""
    audit.record("news.deleted", item)
    db.session.delete(item)
