"""Read-only queries behind the public pages: listings, single items, search and sitemap."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from eventsvc.extensions import db
from eventsvc.models import Credit, Event, NewsItem, Organization, Series, Tag, event_tags
from eventsvc.timezones import now

NEWS_PER_PAGE = 10
PAST_EVENTS_PER_PAGE = 20
SEARCH_LIMIT = 50
SEARCH_MAX_WORDS = 10

_PUBLISHED_EVENT = Event.visibility == "published"
# A news item's linked events as the public may see them: published ones, with credits.
# Through coalesce(): SQLite, without statistics, would otherwise start from the two-valued
# visibility index, reading every published event to find the few that the items link.
_PUBLIC_LINKED_EVENTS = selectinload(
    NewsItem.events.and_(func.coalesce(Event.visibility, "") == "published")
)
# Tags come in the event's own statement (a few rows more); credits and recordings each
# come in one more, so the page's statements stay few and do not grow with the data.
_EVENT_DETAILS = (
    joinedload(Event.tags),
    selectinload(Event.credits),
    selectinload(Event.recordings),
)


@dataclass
class Page:
    """One page of a listing, newest first: its items, its number, and whether more follow."""

    items: list
    number: int
    has_older: bool

    @property
    def has_newer(self) -> bool:
        return self.number > 1

    @property
    def is_beyond_end(self) -> bool:
        return self.number > 1 and not self.items


@dataclass(frozen=True)
class EventFilters:
    """What the events listing is narrowed to, each a slug or None."""

    series: str | None = None
    tag: str | None = None
    organization: str | None = None

    @property
    def active(self) -> bool:
        return any((self.series, self.tag, self.organization))

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments, for links that keep them."""
        values = {"series": self.series, "tag": self.tag, "organization": self.organization}
        return {name: value for name, value in values.items() if value}


@dataclass
class EventListing:
    """The events page: upcoming events, a page of past ones, and the filter choices."""

    upcoming: list[Event]
    past: Page
    series: list[Series] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)


@dataclass
class SearchHit:
    """One search result: a news item or an event, dated for sorting and display."""

    kind: str
    item: NewsItem | Event
    when: datetime


def _page(statement: Select, number: int, size: int) -> Page:
    rows = db.session.scalars(statement.limit(size + 1).offset((number - 1) * size)).all()
    return Page(items=list(rows[:size]), number=number, has_older=len(rows) > size)


def _published_news() -> Select:
    return select(NewsItem).where(NewsItem.published_at <= now())


def next_news_publication() -> datetime | None:
    """When the next scheduled news item is published, or None when none is scheduled."""
    return db.session.scalar(
        select(func.min(NewsItem.published_at)).where(NewsItem.published_at > now())
    )


def news_page(number: int) -> Page:
    """Page `number` of the published news, newest first, with their published events."""
    statement = (
        _published_news()
        .options(_PUBLIC_LINKED_EVENTS)
        .order_by(NewsItem.published_at.desc(), NewsItem.id.desc())
    )
    return _page(statement, number, NEWS_PER_PAGE)


def published_news(slug: str) -> NewsItem | None:
    """The published news item with this slug, its published events and their credits."""
    statement = (
        _published_news()
        .where(NewsItem.slug == slug)
        .options(_PUBLIC_LINKED_EVENTS.selectinload(Event.credits))
    )
    return db.session.scalar(statement)


def published_event(slug: str, details: bool = True) -> Event | None:
    """The published event with this slug, with everything its page shows unless `details=False`.

    The registration pages and POSTs show its title and times only, and so skip the
    statements that load its credits, tags and recordings.
    """
    statement = select(Event).where(_PUBLISHED_EVENT, Event.slug == slug)
    if details:
        statement = statement.options(*_EVENT_DETAILS)
    return db.session.scalars(statement).unique().first()


def _filtered_events(filters: EventFilters) -> Select:
    # A listed event shows its first credits, not its tags or recordings.
    statement = select(Event).where(_PUBLISHED_EVENT).options(selectinload(Event.credits))
    if filters.series:
        statement = statement.where(Event.series.has(Series.slug == filters.series))
    if filters.tag:
        statement = statement.where(Event.tags.any(Tag.slug == filters.tag))
    if filters.organization:
        credited = Credit.organization.has(Organization.slug == filters.organization)
        statement = statement.where(Event.credits.any(credited))
    return statement


def _used_by_published_events(model, used_ids: Select) -> list:
    return list(
        db.session.scalars(select(model).where(model.id.in_(used_ids)).order_by(model.name))
    )


def filter_choices() -> dict[str, list]:
    """The series, tags and organisations that published events use, by name."""
    published_ids = select(Event.id).where(_PUBLISHED_EVENT)
    return {
        "series": _used_by_published_events(
            Series, select(Event.series_id).where(_PUBLISHED_EVENT)
        ),
        "tags": _used_by_published_events(
            Tag, select(event_tags.c.tag_id).where(event_tags.c.event_id.in_(published_ids))
        ),
        "organizations": _used_by_published_events(
            Organization,
            select(Credit.organization_id).where(Credit.event_id.in_(published_ids)),
        ),
    }


def event_listing(filters: EventFilters, past_page: int) -> EventListing:
    """Published events matching `filters`: upcoming soonest first, past most recent first."""
    moment = now()
    statement = _filtered_events(filters)
    upcoming = db.session.scalars(
        statement.where(Event.ends_at > moment).order_by(Event.starts_at, Event.id)
    ).all()
    past = _page(
        statement.where(Event.ends_at <= moment).order_by(Event.starts_at.desc(), Event.id.desc()),
        past_page,
        PAST_EVENTS_PER_PAGE,
    )
    return EventListing(upcoming=list(upcoming), past=past, **filter_choices())


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def listed_events(
    filters: EventFilters,
    status: str | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> Select:
    """Published events matching `filters`, soonest first, with everything they show.

    With days (UTC, inclusive) those starting within them; without, those not yet ended.
    """
    statement = _filtered_events(filters).options(
        selectinload(Event.tags), selectinload(Event.recordings)
    )
    if status:
        statement = statement.where(Event.status == status)
    if first_day:
        statement = statement.where(Event.starts_at >= _utc_midnight(first_day))
    if last_day:
        statement = statement.where(Event.starts_at < _utc_midnight(last_day + timedelta(days=1)))
    if not (first_day or last_day):
        statement = statement.where(Event.ends_at > now())
    return statement.order_by(Event.starts_at, Event.id)


def news_listing() -> Select:
    """The published news, newest first, with their published events."""
    return (
        _published_news()
        .options(_PUBLIC_LINKED_EVENTS)
        .order_by(NewsItem.published_at.desc(), NewsItem.id.desc())
    )


def _matches_every_word(words: list[str], columns: tuple) -> list:
    return [or_(*(column.icontains(word, autoescape=True) for column in columns)) for word in words]


def search(text: str) -> list[SearchHit]:
    """Published news and events whose title, summary or body hold every word of `text`."""
    words = text.split()[:SEARCH_MAX_WORDS]
    if not words:
        return []
    news = db.session.scalars(
        _published_news()
        .where(*_matches_every_word(words, (NewsItem.title, NewsItem.excerpt, NewsItem.body)))
        .order_by(NewsItem.published_at.desc())
        .limit(SEARCH_LIMIT)
    )
    events = db.session.scalars(
        select(Event)
        .where(
            _PUBLISHED_EVENT, *_matches_every_word(words, (Event.title, Event.summary, Event.body))
        )
        .order_by(Event.starts_at.desc())
        .limit(SEARCH_LIMIT)
    )
    hits = [SearchHit("news", item, item.published_at) for item in news]
    hits += [SearchHit("event", event, event.starts_at) for event in events]
    return sorted(hits, key=lambda hit: hit.when, reverse=True)[:SEARCH_LIMIT]


def sitemap_entries() -> tuple[list, list]:
    """(slug, last change) rows of every published news item and event."""
    news = db.session.execute(
        select(NewsItem.slug, NewsItem.updated_at, NewsItem.published_at)
        .where(NewsItem.published_at <= now())
        .order_by(NewsItem.published_at.desc())
    ).all()
    events = db.session.execute(
        select(Event.slug, Event.updated_at)
        .where(_PUBLISHED_EVENT)
        .order_by(Event.starts_at.desc())
    ).all()
    news_rows = [(row.slug, max(row.updated_at, row.published_at)) for row in news]
    return news_rows, [(row.slug, row.updated_at) for row in events]
