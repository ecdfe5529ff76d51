"""News items, some of which announce or follow up events."""

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc.extensions import db
from eventsvc.inputs import NEWS_LABEL_NAMES
from eventsvc.models.common import Timestamped, UTCDateTime
from eventsvc.models.events import Event
from eventsvc.timezones import now

news_events = Table(
    "news_events",
    db.metadata,
    Column("news_id", ForeignKey("news_items.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
)


class NewsItem(Timestamped, db.Model):
    """A news item; unpublished while `published_at` is empty or in the future."""

    __tablename__ = "news_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    # One language code, or several for an item written in all of them ("en, es").
    language: Mapped[str] = mapped_column(String(20), default="en")
    translations: Mapped[dict | None] = mapped_column(JSON, default=dict)
    label: Mapped[str] = mapped_column(String(20), default="news")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    events: Mapped[list[Event]] = relationship(secondary=news_events, order_by="Event.starts_at")

    @property
    def is_scheduled(self) -> bool:
        """Published at a time still to come: the public does not see it yet."""
        return self.published_at is not None and self.published_at > now()

    @property
    def label_name(self) -> str:
        return str(NEWS_LABEL_NAMES[self.label])
