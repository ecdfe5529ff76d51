"""Read-only queries: listings, single items, search, sitemap, and what each feed holds."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import joinedload, selectinload

from eventsvc.extensions import db
from eventsvc.models import (
    Credit,
    Event,
    NewsItem,
    Organization,
    RetiredEventSlug,
    Series,
    Tag,
    event_tags,
)
from eventsvc.search import ranked, search_words
from eventsvc.timezones import now

NEWS_PER_PAGE = 10
PAST_EVENTS_PER_PAGE = 20
SEARCH_PER_PAGE = 20

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

    @property
    def key(self) -> str:
        """The filters as a kept page's key: slugs are never empty, so '' means none."""
        return f"{self.series or ''}:{self.tag or ''}:{self.organization or ''}"

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments, for links that keep them."""
        values = {"series": self.series, "tag": self.tag, "organization": self.organization}
        return {name: value for name, value in values.items() if value}


def filters_exist(filters: EventFilters) -> bool:
    """Whether every slug the filters name belongs to a series, tag or organisation."""
    asked = ((Series, filters.series), (Tag, filters.tag), (Organization, filters.organization))
    return all(
        db.session.scalar(select(model.id).where(model.slug == slug)) is not None
        for model, slug in asked
        if slug
    )


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
    """One search result: a news item or an event, with the date it shows."""

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


def event_gone(slug: str) -> bool:
    """Whether an event once published at this address was unpublished or deleted (410)."""
    unpublished = select(Event.id).where(
        Event.slug == slug, Event.published_at.is_not(None), ~_PUBLISHED_EVENT
    )
    return (
        db.session.scalar(unpublished.limit(1)) is not None
        or db.session.get(RetiredEventSlug, slug[:200]) is not None
    )


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


def events_during(filters: EventFilters, start: datetime, end: datetime) -> list[Event]:
    """Published events matching `filters` that take place at some time from start to end."""
    statement = _filtered_events(filters).where(Event.starts_at < end, Event.ends_at > start)
    return list(db.session.scalars(statement.order_by(Event.starts_at, Event.id)))


def upcoming_events(filters: EventFilters, limit: int | None = None) -> list[Event]:
    """Published events matching `filters` that have not ended, soonest first."""
    return list(db.session.scalars(listed_events(filters).limit(limit)))


def by_slug(model, slug: str):
    """The organisation, series or tag with this slug, or None."""
    return db.session.scalar(select(model).where(model.slug == slug))


def _with_counts(model, *joins, moment: datetime, where=()) -> list:
    """Rows of `model` that have events in feeds, each with how many, by name."""
    query = select(model, func.count(func.distinct(Event.id))).select_from(model)
    for target, condition in joins:
        query = query.join(target, condition)
    query = query.where(listed(moment), *where).group_by(model.id).order_by(model.name)
    return db.session.execute(query).all()


def feeds_with_events(moment: datetime) -> dict[str, list]:
    """Every series, topic and organisation feed that has events, with event counts."""
    tagged = (event_tags, event_tags.c.tag_id == Tag.id), (Event, Event.id == event_tags.c.event_id)
    hosted = (
        (Credit, Credit.organization_id == Organization.id),
        (Event, Event.id == Credit.event_id),
    )
    return {
        "total": db.session.scalar(select(func.count(Event.id)).where(listed(moment))),
        "series": _with_counts(Series, (Event, Event.series_id == Series.id), moment=moment),
        "tags": _with_counts(Tag, *tagged, moment=moment),
        "organizations": _with_counts(
            Organization, *hosted, moment=moment, where=[Credit.role.in_(HOST_ROLES)]
        ),
    }


def news_listing() -> Select:
    """The published news, newest first, with their published events."""
    return (
        _published_news()
        .options(_PUBLIC_LINKED_EVENTS)
        .order_by(NewsItem.published_at.desc(), NewsItem.id.desc())
    )


@dataclass(frozen=True)
class SearchQuery:
    """A search: its words, which kind of item, and when (a range of UTC days, inclusive)."""

    text: str
    kind: str = "all"  # "all", "news" or "event"
    when: str = "any"  # "any", "upcoming", "past" or "range"
    first_day: date | None = None
    last_day: date | None = None

    @property
    def words(self) -> list[str]:
        return search_words(self.text)

    def as_args(self) -> dict[str, str]:
        """The search as query-string arguments, for links to its other pages."""
        values = {
            "q": self.text,
            "kind": self.kind if self.kind != "all" else None,
            "when": self.when if self.when != "any" else None,
            "from": self.first_day.isoformat() if self.first_day else None,
            "to": self.last_day.isoformat() if self.last_day else None,
        }
        return {name: value for name, value in values.items() if value}


@dataclass
class SearchResults:
    """A page of search hits, best first, and how many there are in all."""

    page: Page
    total: int

    @property
    def first_position(self) -> int:
        return (self.page.number - 1) * SEARCH_PER_PAGE + 1


def _news_matches(query: SearchQuery, moment: datetime) -> Select | None:
    if query.kind == "event" or query.when == "upcoming":
        return None
    listed = select(NewsItem.id).where(NewsItem.published_at <= moment)
    return _matches("news", query, _within_days(listed, NewsItem.published_at, query))


def _event_matches(query: SearchQuery, moment: datetime) -> Select | None:
    if query.kind == "news":
        return None
    listed = select(Event.id).where(_PUBLISHED_EVENT)
    if query.when == "upcoming":
        listed = listed.where(Event.ends_at > moment)
    elif query.when == "past":
        listed = listed.where(Event.ends_at <= moment)
    return _matches("event", query, _within_days(listed, Event.starts_at, query))


def _matches(kind: str, query: SearchQuery, listed: Select) -> Select:
    """(kind, item_id, rank) of the listed items of `kind` that match the query.

    The listed ids are gathered once, from indexes, and the matches looked up among them:
    looking up each match's row would read a long row (its body) per match.
    """
    found = ranked(kind, query.words)
    listed_ids = listed.cte(f"{kind}_listed").prefix_with("MATERIALIZED")
    return select(literal(kind).label("kind"), found.c.item_id, found.c.rank).where(
        found.c.item_id.in_(select(listed_ids.c.id))
    )


def _within_days(statement: Select, instant, query: SearchQuery) -> Select:
    if query.when == "range" and query.first_day:
        statement = statement.where(instant >= _utc_midnight(query.first_day))
    if query.when == "range" and query.last_day:
        statement = statement.where(instant < _utc_midnight(query.last_day + timedelta(days=1)))
    return statement


def search(query: SearchQuery, number: int) -> SearchResults:
    """Published news and events matching every word of the query, best match first."""
    moment = now()
    found = (_news_matches(query, moment), _event_matches(query, moment))
    parts = [part for part in found if part is not None]
    if not query.words or not parts:
        return SearchResults(Page([], number, has_older=False), 0)
    matches = union_all(*parts).subquery()
    rows = db.session.execute(
        select(matches.c.kind, matches.c.item_id, func.count().over().label("total"))
        .order_by(matches.c.rank.desc(), matches.c.kind, matches.c.item_id.desc())
        .limit(SEARCH_PER_PAGE)
        .offset((number - 1) * SEARCH_PER_PAGE)
    ).all()
    total = rows[0].total if rows else 0
    page = Page(_hits(rows), number, has_older=number * SEARCH_PER_PAGE < total)
    return SearchResults(page, total)


def _hits(rows) -> list[SearchHit]:
    """The rows' items, loaded in two statements, in the rows' order."""
    news_ids = [row.item_id for row in rows if row.kind == "news"]
    event_ids = [row.item_id for row in rows if row.kind == "event"]
    news = _by_ids(NewsItem, news_ids, _PUBLIC_LINKED_EVENTS)
    found = {("news", item.id): item for item in news}
    found |= {("event", item.id): item for item in _by_ids(Event, event_ids)}
    hits = []
    for row in rows:
        item = found[(row.kind, row.item_id)]
        when = item.published_at if row.kind == "news" else item.starts_at
        hits.append(SearchHit(row.kind, item, when))
    return hits


def _by_ids(model, ids: list[int], *options) -> list:
    if not ids:
        return []
    return list(db.session.scalars(select(model).options(*options).where(model.id.in_(ids))))


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


# Calendar feeds. A feed holds published events from 180 days ago onwards; a cancelled
# one stays, marked cancelled, for 30 days after its cancellation, then drops
# (ICAL-INTEROP item 13), even if it was unpublished meanwhile: subscribers' calendars
# must see it cancelled to drop it. Other drafts never appear. Every function here runs a
# fixed number of SQL statements, whatever the feed's size.
HISTORY = timedelta(days=180)
CANCELLED_GRACE = timedelta(days=30)
HOST_ROLES = ("host", "co_host")
# Last-Modified of a feed that has never held anything.
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Feed:
    """One calendar feed: what it is called and which events (by SQL condition) it holds.

    A `download` is one event to import, whenever it took place, not a calendar to follow.
    """

    name: str
    description: str
    filename: str
    scope: ColumnElement[bool]
    download: bool = False


def listed(moment: datetime) -> ColumnElement[bool]:
    """Events a feed lists at `moment`: recent or ahead, published, or once published and
    cancelled within CANCELLED_GRACE."""
    recently_cancelled = and_(
        Event.status == "cancelled",
        Event.cancelled_at >= moment - CANCELLED_GRACE,
        Event.published_at.is_not(None),
    )
    return and_(
        Event.ends_at >= moment - HISTORY,
        or_(and_(_PUBLISHED_EVENT, Event.status != "cancelled"), recently_cancelled),
    )


def hosted_by(organization_id: int) -> ColumnElement[bool]:
    """Events the organisation hosts or co-hosts."""
    return Event.credits.any(
        and_(Credit.organization_id == organization_id, Credit.role.in_(HOST_ROLES))
    )


def site_feed(site_name: str) -> Feed:
    """Every published event."""
    description = gettext(
        "Webinars and events of %(site)s, from six months ago onwards.", site=site_name
    )
    return Feed(gettext("All events"), description, "calendar.ics", true())


def find_by_name(model, name: str):
    """The row of `model` (organisation, person, series, tag) called `name`, ignoring case
    and surrounding spaces; None when there is none."""
    return db.session.scalar(
        select(model).where(func.lower(model.name) == name.strip().lower()).limit(1)
    )


def _by_slug(model, slug: str):
    return db.session.scalar(select(model).where(model.slug == slug))


def series_feed(slug: str) -> Feed | None:
    """The events of one series, or None for an unknown series."""
    series = _by_slug(Series, slug)
    if series is None:
        return None
    description = series.description.strip() or gettext(
        "Events in the series %(name)s.", name=series.name
    )
    return Feed(series.name, description, f"{slug}.ics", Event.series_id == series.id)


def tag_feed(slug: str) -> Feed | None:
    """The events with one tag, or None for an unknown tag."""
    tag = _by_slug(Tag, slug)
    if tag is None:
        return None
    scope = Event.tags.any(Tag.id == tag.id)
    name = gettext("Topic: %(name)s", name=tag.name)
    return Feed(name, gettext("Events about %(name)s.", name=tag.name), f"{slug}.ics", scope)


def organization_feed(slug: str) -> Feed | None:
    """The events an organisation hosts or co-hosts, or None for an unknown one."""
    organization = _by_slug(Organization, slug)
    if organization is None:
        return None
    name = gettext("Events with %(name)s", name=organization.name)
    description = gettext("Events that %(name)s hosts or co-hosts.", name=organization.name)
    return Feed(name, description, f"{slug}.ics", hosted_by(organization.id))


def event_feed(slug: str) -> Feed | None:
    """One published event as a calendar of its own, whenever it took place."""
    found = db.session.execute(
        select(Event.id, Event.title).where(Event.slug == slug, _PUBLISHED_EVENT)
    ).first()
    if found is None:
        return None
    return Feed(found.title, found.title, f"{slug}.ics", Event.id == found.id, download=True)


def feed_rows(feed: Feed, moment: datetime, language: str = "en") -> list:
    """The feed's events in order: id, sequence, stored entry in `language` and its key,
    when they leave."""
    members = and_(feed.scope, _PUBLISHED_EVENT if feed.download else listed(moment))
    entry = Event.calendar_entry
    if language != "en":
        entry = Event.calendar_entries[language].as_string().label("calendar_entry")
    statement = (
        select(
            Event.id,
            Event.sequence,
            Event.calendar_entry_key,
            entry,
            Event.ends_at,
            Event.cancelled_at,
        )
        .where(members)
        .order_by(Event.starts_at, Event.id)
    )
    return db.session.connection().execute(statement).all()


def leaving_times(feed: Feed, rows) -> list[datetime]:
    """When the feed's events leave it by time alone: long ended, or long cancelled."""
    if feed.download:
        return []
    ended = [row.ends_at + HISTORY for row in rows]
    return ended + [row.cancelled_at + CANCELLED_GRACE for row in rows if row.cancelled_at]


def events_for_entries(ids: list[int]) -> list[Event]:
    """Load events with everything an entry shows, in a fixed number of queries."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.id.in_(ids))
            .options(
                selectinload(Event.tags),
                selectinload(Event.recordings),
                selectinload(Event.credits).joinedload(Credit.organization),
                selectinload(Event.credits).joinedload(Credit.person),
            )
        )
    )


def stale_entry_ids(stamp: str) -> list[int]:
    """Events whose stored entry was built by older builders or for another base URL."""
    current = cast(Event.sequence, String).concat(f":{stamp}")
    condition = or_(Event.calendar_entry_key.is_(None), Event.calendar_entry_key != current)
    return list(db.session.scalars(select(Event.id).where(condition)))


def feed_last_change(moment: datetime) -> datetime:
    """When any feed last changed: an edit or publication of a listed event, or one leaving.

    One value for every feed, so an event moving between series or tags counts for both;
    it errs late, never early, so If-Modified-Since never hides a change.
    """
    ever_published = Event.published_at.is_not(None)
    member = listed(moment)
    row = db.session.execute(
        select(
            func.max(case((member, Event.updated_at))),
            func.max(case((Event.ends_at < moment - HISTORY, Event.ends_at))),
            func.max(case((Event.cancelled_at < moment - CANCELLED_GRACE, Event.cancelled_at))),
            func.max(case((~_PUBLISHED_EVENT, Event.updated_at))),
        ).where(ever_published)
    ).one()
    edited, last_ended, last_cancelled, unpublished = row
    moments = [
        edited,
        last_ended and last_ended + HISTORY,
        last_cancelled and last_cancelled + CANCELLED_GRACE,
        unpublished,
    ]
    return min(max((m for m in moments if m), default=NEVER), moment)
