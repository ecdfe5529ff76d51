"""Creating, editing, publishing, cancelling and rescheduling events."""

from dataclasses import dataclass, field, fields
from datetime import date, datetime

from eventsvc.calendar.entry import shown_fields
from eventsvc.calendar.stored import store_entry
from eventsvc.extensions import db
from eventsvc.models import Credit, Event, Recording
from eventsvc.services import audit, notifications
from eventsvc.services.catalog import (
    find_or_add_organization,
    find_or_add_person,
    find_or_add_series,
    find_or_add_tags,
)
from eventsvc.services.registration import fill_free_seats
from eventsvc.services.slugs import unique_slug
from eventsvc.timezones import check_duration, now


@dataclass
class CreditInput:
    """One credit as DESIGN §3 shapes it: a role and an organisation or person by name."""

    role: str
    kind: str
    name: str
    url: str | None = None


@dataclass
class EventFields:
    """Everything staff set on an event; times are already UTC instants."""

    title: str
    kind: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool = False
    start_date: date | None = None
    end_date: date | None = None
    summary: str = ""
    body: str = ""
    venue: str = ""
    address: str = ""
    join_url: str | None = None
    capacity: int | None = None
    series: str | None = None
    tags: list[str] = field(default_factory=list)
    credits: list[CreditInput] = field(default_factory=list)
    image_path: str | None = None
    image_url: str | None = None
    image_alt: str = ""
    internal_note: str = ""


_RELATED = {"series", "tags", "credits"}


def _credit(position: int, credit: CreditInput) -> Credit:
    if credit.kind == "organization":
        return Credit(
            position=position,
            role=credit.role,
            organization=find_or_add_organization(credit.name, credit.url),
        )
    return Credit(
        position=position, role=credit.role, person=find_or_add_person(credit.name, credit.url)
    )


def _apply(event: Event, values: EventFields) -> None:
    check_duration(values.starts_at, values.ends_at)
    for item in fields(values):
        if item.name not in _RELATED:
            setattr(event, item.name, getattr(values, item.name))
    event.series = find_or_add_series(values.series)
    event.tags = find_or_add_tags(values.tags)
    event.credits = [_credit(i, credit) for i, credit in enumerate(values.credits)]


def note_calendar_change(event: Event, before: tuple, moment: datetime) -> None:
    """Move the calendar version if the entry now differs from `before` (no commit)."""
    if shown_fields(event) != before:
        event.sequence += 1
        event.calendar_changed_at = moment
        store_entry(event)


def _commit_change(event: Event, before: tuple, notice: dict | None = None) -> Event:
    """Move the calendar version when the entry changed, email registrants, and commit.

    `notice` names the email (kind plus template values) that registrants get, in the
    same transaction as the change (DESIGN §3, Outbox).
    """
    moment = now()
    note_calendar_change(event, before, moment)
    event.updated_at = moment
    if notice and event.is_published:
        notifications.event_changed(event, **notice)
    db.session.commit()
    return event


def _what_changed(event: Event, before: tuple) -> str:
    """Name what registrants must hear about: the time, the place or the join link."""
    changes = []
    if _times(event) != before[0]:
        changes.append("new time")
    if (event.venue, event.address) != before[1]:
        changes.append("new place")
    if event.join_url != before[2]:
        changes.append("new join link")
    return ", ".join(changes)


def _times(event: Event) -> tuple:
    return (event.starts_at, event.ends_at, event.all_day, event.start_date, event.end_date)


def _notice_fields(event: Event) -> tuple:
    return (_times(event), (event.venue, event.address), event.join_url)


def create_event(values: EventFields, publish: bool = False) -> Event:
    """Create an event (a draft unless `publish`) with a slug made from its title."""
    event = Event(slug=unique_slug(Event, values.title), calendar_changed_at=now())
    db.session.add(event)
    _apply(event, values)
    if publish:
        event.visibility = "published"
        event.published_at = now()
    db.session.flush()  # gives the event its UID, which the stored entry shows
    store_entry(event)
    audit.record("event.created", event)
    if publish:
        audit.record("event.published", event)
    db.session.commit()
    return event


def update_event(event: Event, values: EventFields) -> Event:
    """Replace an event's fields; the calendar version moves only if its entry changes."""
    before, noticed, capacity = shown_fields(event), _notice_fields(event), event.capacity
    _apply(event, values)
    change = _what_changed(event, noticed)
    if event.capacity != capacity:
        db.session.flush()
        fill_free_seats(event)
    audit.record("event.changed", event)
    return _commit_change(
        event, before, {"kind": "event_changed", "change": change} if change else None
    )


def set_visibility(event: Event, published: bool) -> Event:
    """Publish or unpublish an event."""
    event.visibility = "published" if published else "draft"
    if published and event.published_at is None:
        event.published_at = now()
    event.updated_at = now()
    audit.record("event.published" if published else "event.unpublished", event)
    db.session.commit()
    return event


def cancel_event(event: Event, reason: str) -> Event:
    """Mark an event cancelled with a reason; it stays listed as cancelled."""
    before = shown_fields(event)
    event.status, event.status_reason, event.cancelled_at = "cancelled", reason, now()
    audit.record("event.cancelled", event, reason)
    return _commit_change(event, before, {"kind": "event_cancelled"})


def postpone_event(event: Event, reason: str) -> Event:
    """Mark an event postponed until a new time is known."""
    before = shown_fields(event)
    event.status, event.status_reason = "postponed", reason
    audit.record("event.postponed", event, reason)
    change = f"postponed: {reason}" if reason else "postponed until a new date is set"
    return _commit_change(event, before, {"kind": "event_changed", "change": change})


def reschedule_event(
    event: Event, starts_at: datetime, ends_at: datetime, reason: str = ""
) -> Event:
    """Move an event to new times, keeping the previous start for the page and feeds."""
    check_duration(starts_at, ends_at)
    before = shown_fields(event)
    event.previous_starts_at = event.starts_at
    event.starts_at, event.ends_at = starts_at, ends_at
    if event.all_day:
        event.start_date, event.end_date = None, None
        event.all_day = False
    event.status, event.status_reason, event.cancelled_at = "rescheduled", reason, None
    audit.record("event.rescheduled", event, reason)
    return _commit_change(event, before, {"kind": "event_changed", "change": "new time"})


def fields_of(event: Event) -> EventFields:
    """An event's current values, ready to change and pass to update_event."""
    return EventFields(
        **{
            item.name: getattr(event, item.name)
            for item in fields(EventFields)
            if item.name not in _RELATED
        },
        series=event.series.name if event.series else None,
        tags=[tag.name for tag in event.tags],
        credits=[CreditInput(c.role, c.kind, c.name, c.credited.url) for c in event.credits],
    )


def duplicate_event(event: Event) -> Event:
    """Copy an event into a new draft with its own slug and calendar UID."""
    values = fields_of(event)
    values.title = f"{event.title} (copy)"
    return create_event(values)


def delete_event(event: Event) -> None:
    """Delete a draft event; published ones are cancelled instead."""
    if event.is_published:
        raise ValueError("Only drafts can be deleted; cancel a published event instead")
    audit.record("event.deleted", event)
    db.session.delete(event)
    db.session.commit()


def add_recording(event: Event, url: str, title: str = "") -> Recording:
    """Post a recording; the page and the calendar entry show it."""
    before = shown_fields(event)
    recording = Recording(url=url, title=title, published_at=now())
    event.recordings.append(recording)
    audit.record("event.changed", event, "recording added")
    posted = {"url": url, "title": title}
    _commit_change(event, before, {"kind": "recording_posted", "recording": posted})
    return recording


def update_recording(recording: Recording, url: str, title: str) -> Recording:
    """Change a recording's link or title."""
    event = recording.event
    before = shown_fields(event)
    recording.url, recording.title = url, title
    audit.record("event.changed", event, "recording changed")
    _commit_change(event, before)
    return recording


def remove_recording(recording: Recording) -> None:
    """Remove a recording from its event."""
    event = recording.event
    before = shown_fields(event)
    event.recordings.remove(recording)
    audit.record("event.changed", event, "recording removed")
    _commit_change(event, before)
