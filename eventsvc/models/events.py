"""Events with their credits, series, tags and recordings."""

from datetime import date, datetime
from uuid import uuid4

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc.extensions import db
from eventsvc.inputs import KIND_LABELS, ROLES
from eventsvc.models.common import Timestamped, UTCDateTime
from eventsvc.models.organizations import Organization, Person
from eventsvc.timezones import now

ROLE_PHRASES = {
    "host": _l("Hosted by"),
    "co_host": _l("Co-hosted by"),
    "moderator": _l("Moderated by"),
    "speaker": _l("With speakers"),
    "panelist": _l("With panelists"),
    "live_illustrator": _l("Live illustration by"),
    "organizer": _l("Organised by"),
}

event_tags = Table(
    "event_tags",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


def new_uid() -> str:
    """A calendar UID that stays with an event whatever its time or title become."""
    return f"{uuid4()}@eventsvc"


class Series(Timestamped, db.Model):
    """A run of related events, such as #RethinkingMSIs."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class Tag(db.Model):
    """A topic label on events."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100), unique=True)


def place_text(kind: str, venue: str, address: str) -> str:
    """Where an event of this kind takes place, in words: 'Online', the venue, or both."""
    if kind == "webinar":
        return gettext("Online")
    place = ", ".join(part for part in (venue, address) if part)
    if kind == "hybrid":
        return gettext("%(place)s and online", place=place) if place else gettext("Online")
    return place


class Event(Timestamped, db.Model):
    """A webinar, in-person or hybrid event: wall-clock times in its IANA zone, and instants.

    The wall clock (`local_start`, `local_end`, or the days of an all-day event) is the
    truth; `starts_at` and `ends_at` are derived from it with tz data `tz_version`, and
    derived again when that data changes (DESIGN §3, §4).
    """

    __tablename__ = "events"
    # Covers what calendar feeds ask on every request (which events, at which sequence,
    # changed when), so a 304 reads a small index instead of every wide event row.
    __table_args__ = (
        Index(
            "ix_events_feed_membership",
            "visibility",
            "ends_at",
            "status",
            "cancelled_at",
            "published_at",
            "updated_at",
            "series_id",
            "sequence",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(100), unique=True, default=new_uid)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="webinar")
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    all_day: Mapped[bool] = mapped_column(default=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    local_start: Mapped[datetime] = mapped_column(DateTime)
    local_end: Mapped[datetime] = mapped_column(DateTime)
    tz_version: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    join_url: Mapped[str | None] = mapped_column(String(1000))
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Registration settings (DESIGN §5); seats_taken counts pending and confirmed.
    registration_enabled: Mapped[bool] = mapped_column(default=False)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    approval_required: Mapped[bool] = mapped_column(default=False)
    confirm_email: Mapped[bool] = mapped_column(default=False)
    consent_text: Mapped[str] = mapped_column(Text, default="")
    consent_version: Mapped[int] = mapped_column(default=1)
    privacy_url: Mapped[str | None] = mapped_column(String(1000))
    seats_taken: Mapped[int] = mapped_column(default=0)
    waitlist_length: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    previous_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visibility: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    image_path: Mapped[str | None] = mapped_column(String(300))
    image_url: Mapped[str | None] = mapped_column(String(1000))
    image_alt: Mapped[str] = mapped_column(String(300), default="")
    internal_note: Mapped[str] = mapped_column(Text, default="")
    # The language it is written in, and its text in others (translated.py).
    language: Mapped[str] = mapped_column(String(20), default="en", server_default="en")
    translations: Mapped[dict | None] = mapped_column(JSON, default=dict)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"))
    sequence: Mapped[int] = mapped_column(default=0)
    calendar_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # The public feed entry's bytes and what they were built from (eventsvc/calendar/stored.py),
    # so every instance serves the same bytes and a feed is a concatenation (DESIGN §6).
    calendar_entry: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    calendar_entry_key: Mapped[str | None] = mapped_column(String(100))
    # The same entry in the site's other languages ({"es": "BEGIN:VEVENT…"}), same key.
    calendar_entries: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    # What the stored entry shows (calendar/entry.py), kept to tell a change from an edit
    # that the entry does not show (services/changes.py).
    calendar_fields: Mapped[dict | None] = mapped_column(JSON, deferred=True)

    series: Mapped[Series | None] = relationship(lazy="joined")
    tags: Mapped[list[Tag]] = relationship(secondary=event_tags, order_by="Tag.name")
    credits: Mapped[list["Credit"]] = relationship(
        back_populates="event", order_by="Credit.position", cascade="all, delete-orphan"
    )
    recordings: Mapped[list["Recording"]] = relationship(
        back_populates="event", order_by="Recording.published_at", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.visibility == "published"

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def is_online(self) -> bool:
        return self.kind in ("webinar", "hybrid")

    @property
    def has_started(self) -> bool:
        return self.starts_at <= now()

    @property
    def is_past(self) -> bool:
        return self.ends_at <= now()

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_full(self) -> bool:
        """Whether a newcomer would find no seat: every one taken, or people waiting for one."""
        if self.capacity is None:
            return False
        return self.seats_taken >= self.capacity or self.waitlist_length > 0

    @property
    def registration_opens(self) -> datetime | None:
        """When registration opens: the set time, else publication."""
        return self.registration_opens_at or self.published_at

    @property
    def registration_closes(self) -> datetime:
        """When registration closes: the set time, else the start."""
        return self.registration_closes_at or self.starts_at

    @property
    def milestones(self) -> tuple[datetime | None, ...]:
        """When its page changes by time alone: registration opens and closes, it starts, ends."""
        return (self.registration_opens, self.registration_closes, self.starts_at, self.ends_at)

    @property
    def credit_groups(self) -> list[tuple[str, list["Credit"]]]:
        """Credits grouped by role in role order: [("Co-hosted by", [A, B]), …]."""
        groups = []
        for role in ROLES:
            members = [credit for credit in self.credits if credit.role == role]
            if members:
                groups.append((str(ROLE_PHRASES[role]), members))
        return groups

    @property
    def location_text(self) -> str:
        return place_text(self.kind, self.venue, self.address)

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class Credit(db.Model):
    """One organisation or person credited in a role, in the event's order."""

    __tablename__ = "credits"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    role: Mapped[str] = mapped_column(String(30))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))

    event: Mapped[Event] = relationship(back_populates="credits")
    organization: Mapped[Organization | None] = relationship(lazy="joined")
    person: Mapped[Person | None] = relationship(lazy="joined")

    @property
    def kind(self) -> str:
        return "organization" if self.organization is not None else "person"

    @property
    def credited(self) -> Organization | Person:
        return self.organization or self.person

    @property
    def name(self) -> str:
        return self.credited.name

    @property
    def affiliation(self) -> str:
        return self.person.affiliation if self.person else ""

    def as_dict(self) -> dict:
        """The credit in DESIGN §3's JSON shape."""
        return {"role": self.role, "kind": self.kind, "name": self.name, "url": self.credited.url}


class Recording(Timestamped, db.Model):
    """A recording posted after the event."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str] = mapped_column(String(300), default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    event: Mapped[Event] = relationship(back_populates="recordings")


class RetiredEventSlug(db.Model):
    """The address of a deleted event that was once published: it answers 410 Gone."""

    __tablename__ = "retired_event_slugs"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
