"""Which events each feed holds, and a feed's version, change time and bytes.

A feed holds published events from 180 days ago onwards; a cancelled one stays, marked
cancelled, for 30 days after its cancellation, then drops (ICAL-INTEROP item 13); drafts
never appear. Every function here runs a fixed number of SQL statements, whatever the
feed's size.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select, true

from eventsvc.calendar.stored import entry_stamp, rebuild_entries
from eventsvc.calendar.vcalendar import (
    assemble,
    calendar_header,
    calendar_title,
    event_version,
    version_tag,
)
from eventsvc.extensions import db
from eventsvc.models import Credit, Event, Organization, Series, Tag

HISTORY = timedelta(days=180)
CANCELLED_GRACE = timedelta(days=30)
HOST_ROLES = ("host", "co_host")
# Last-Modified of a feed that has never held anything.
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Feed:
    """One calendar feed: what it is called and which events (by SQL condition) it holds."""

    name: str
    description: str
    filename: str
    scope: ColumnElement[bool]
    windowed: bool = True

    def header(self, site_name: str) -> bytes:
        """The feed's VCALENDAR header."""
        return calendar_header(calendar_title(site_name, self.name), self.description)


def listed(moment: datetime) -> ColumnElement[bool]:
    """Events a feed lists at `moment`: published, recent or ahead, not long cancelled."""
    return and_(
        Event.visibility == "published",
        Event.ends_at >= moment - HISTORY,
        or_(Event.status != "cancelled", Event.cancelled_at >= moment - CANCELLED_GRACE),
    )


def hosted_by(organization_id: int) -> ColumnElement[bool]:
    """Events the organisation hosts or co-hosts."""
    return Event.credits.any(
        and_(Credit.organization_id == organization_id, Credit.role.in_(HOST_ROLES))
    )


def site_feed(site_name: str) -> Feed:
    """Every published event."""
    description = f"Webinars and events of {site_name}, from six months ago onwards."
    return Feed("All events", description, "calendar.ics", true())


def _by_slug(model, slug: str):
    return db.session.scalar(select(model).where(model.slug == slug))


def series_feed(slug: str) -> Feed | None:
    """The events of one series, or None for an unknown series."""
    series = _by_slug(Series, slug)
    if series is None:
        return None
    description = series.description.strip() or f"Events in the series {series.name}."
    return Feed(series.name, description, f"{slug}.ics", Event.series_id == series.id)


def tag_feed(slug: str) -> Feed | None:
    """The events with one tag, or None for an unknown tag."""
    tag = _by_slug(Tag, slug)
    if tag is None:
        return None
    scope = Event.tags.any(Tag.id == tag.id)
    return Feed(f"Topic: {tag.name}", f"Events about {tag.name}.", f"{slug}.ics", scope)


def organization_feed(slug: str) -> Feed | None:
    """The events an organisation hosts or co-hosts, or None for an unknown one."""
    organization = _by_slug(Organization, slug)
    if organization is None:
        return None
    name = f"Events with {organization.name}"
    description = f"Events that {organization.name} hosts or co-hosts."
    return Feed(name, description, f"{slug}.ics", hosted_by(organization.id))


def event_feed(slug: str) -> Feed | None:
    """One published event as a calendar of its own, whenever it took place."""
    found = db.session.execute(
        select(Event.id, Event.title).where(Event.slug == slug, Event.visibility == "published")
    ).first()
    if found is None:
        return None
    return Feed(found.title, found.title, f"{slug}.ics", Event.id == found.id, windowed=False)


def _members(feed: Feed, moment: datetime) -> ColumnElement[bool]:
    if feed.windowed:
        return and_(feed.scope, listed(moment))
    return and_(feed.scope, Event.visibility == "published")


def feed_tag(feed: Feed, versions: list[int], site_name: str, base_url: str) -> str:
    """The feed's strong ETag value for these versions."""
    return version_tag(feed.header(site_name), entry_stamp(base_url), versions)


@dataclass(frozen=True)
class FeedBody:
    """A feed's bytes, its ETag value, and when its events next leave it by time alone."""

    body: bytes
    etag: str
    leaving: list[datetime]


def feed_body(feed: Feed, moment: datetime, site_name: str, base_url: str) -> FeedBody:
    """The feed's bytes from the stored entries (rebuilding stale ones) and their ETag value."""
    statement = (
        select(
            Event.id,
            Event.sequence,
            Event.calendar_entry_key,
            Event.calendar_entry,
            Event.ends_at,
            Event.cancelled_at,
        )
        .where(_members(feed, moment))
        .order_by(Event.starts_at, Event.id)
    )
    rows = db.session.connection().execute(statement).all()
    stamp = entry_stamp(base_url)
    stale = [row.id for row in rows if row.calendar_entry_key != f"{row.sequence}:{stamp}"]
    rebuilt = rebuild_entries(stale, base_url) if stale else {}
    entries = [rebuilt.get(row.id, row.calendar_entry) for row in rows]
    versions = sorted(event_version(row.id, row.sequence) for row in rows)
    etag = feed_tag(feed, versions, site_name, base_url)
    return FeedBody(assemble(feed.header(site_name), entries), etag, _leaving(feed, rows))


def _leaving(feed: Feed, rows) -> list[datetime]:
    if not feed.windowed:
        return []
    ended = [row.ends_at + HISTORY for row in rows]
    return ended + [row.cancelled_at + CANCELLED_GRACE for row in rows if row.cancelled_at]


def last_change(moment: datetime) -> datetime:
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
            func.max(case((Event.visibility != "published", Event.updated_at))),
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
