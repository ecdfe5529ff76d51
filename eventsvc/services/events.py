"""Creating, editing, publishing, cancelling and rescheduling events.

Each public function is one user intention and one transaction: saving an event with its
fields, registration settings, questions and publication is `save_event`, whoever asks
(the admin form, the API, the demo). The calendar version follows by itself
(services/changes.py); what registrants are told is decided here, from what changed.
"""

from dataclasses import fields, replace

from eventsvc.extensions import db
from eventsvc.inputs import CreditInput, EventChanges, EventFields, NewsFields
from eventsvc.models import Credit, Event, Recording
from eventsvc.services import audit, notifications
from eventsvc.services.catalog import (
    find_or_add_organization,
    find_or_add_person,
    find_or_add_series,
    find_or_add_tags,
)
from eventsvc.services.changes import calendar_change
from eventsvc.services.locking import write_transaction
from eventsvc.services.news import announce, post_watch_item, publish_announcements
from eventsvc.services.registration import fill_free_seats
from eventsvc.services.registration_settings import apply_registration_settings, replace_questions
from eventsvc.services.slugs import unique_slug
from eventsvc.timezones import Schedule, describe, now

# EventFields that are not columns of the event, each set its own way.
_RELATED = {"schedule", "series", "tags", "credits"}
# What registrants are told has changed, by the entry's values that show it.
_NOTICED = {
    "new time": ("starts_at", "ends_at", "all_day", "start_date", "end_date"),
    "new place": ("venue", "address"),
    "new join link": ("join_url",),
}


class RecordingError(ValueError):
    """A recording refused: the event has not started yet."""


def _credit(position: int, credit: CreditInput) -> Credit:
    if credit.kind == "organization":
        return Credit(
            position=position,
            role=credit.role,
            organization=find_or_add_organization(credit.name, credit.url),
        )
    person = find_or_add_person(credit.name, credit.url, credit.affiliation)
    return Credit(position=position, role=credit.role, person=person)


def _set_schedule(event: Event, schedule: Schedule) -> None:
    event.timezone, event.all_day = schedule.zone, schedule.all_day
    event.starts_at, event.ends_at = schedule.starts_at, schedule.ends_at
    event.start_date, event.end_date = schedule.first_day, schedule.last_day


def _apply(event: Event, values: EventFields) -> None:
    for item in fields(values):
        if item.name not in _RELATED:
            setattr(event, item.name, getattr(values, item.name))
    _set_schedule(event, values.schedule)
    event.series = find_or_add_series(values.series)
    event.tags = find_or_add_tags(values.tags)
    event.credits = [_credit(i, credit) for i, credit in enumerate(values.credits)]


def _set_visibility(event: Event, published: bool) -> None:
    if published == event.is_published:
        return
    event.visibility = "published" if published else "draft"
    if published and event.published_at is None:
        event.published_at = now()
    audit.record("event.published" if published else "event.unpublished", event)
    if published:
        publish_announcements(event)


def _what_changed(change: tuple[dict, dict] | None) -> str:
    """Name what registrants must hear about: the time, the place or the join link."""
    if change is None:
        return ""
    before, after = change
    return ", ".join(
        words
        for words, names in _NOTICED.items()
        if any(before.get(name) != after[name] for name in names)
    )


def _tell_registrants(event: Event, kind: str, **details) -> None:
    """Queue the email about this change to the event's registrants, if it is published."""
    if event.is_published:
        notifications.event_changed(event, kind, **details)


@write_transaction()
def save_event(event: Event | None, changes: EventChanges) -> Event:
    """Create (`event` None) or change an event: everything `changes` names, or nothing.

    A new event is a draft unless `changes.publish`; its announcement, if any, is posted
    in the same transaction. Seats freed by a larger capacity or
    a setting go to the waiting list, and registrants hear of a new time, place or join
    link, in the same transaction.
    """
    created = event is None
    if created:
        event = Event(slug=unique_slug(Event, changes.fields.title), calendar_changed_at=now())
        db.session.add(event)
    if changes.fields is not None:
        _apply(event, changes.fields)
        audit.record("event.created" if created else "event.changed", event)
    if changes.registration is not None:
        apply_registration_settings(event, changes.registration)
    if changes.questions is not None:
        replace_questions(event, changes.questions)
    if changes.publish is not None:
        _set_visibility(event, changes.publish)
    db.session.flush()
    if changes.announcement is not None:
        announce(event, changes.announcement)
    fill_free_seats(event)
    if change := _what_changed(calendar_change(event)):
        _tell_registrants(event, "event_changed", change=change)
    return event


def set_visibility(event: Event, published: bool) -> Event:
    """Publish or unpublish an event."""
    return save_event(event, EventChanges(publish=published))


@write_transaction()
def cancel_event(event: Event, reason: str) -> Event:
    """Mark an event cancelled with a reason; it stays listed as cancelled."""
    event.status, event.status_reason, event.cancelled_at = "cancelled", reason, now()
    audit.record("event.cancelled", event, reason)
    _tell_registrants(event, "event_cancelled")
    return event


@write_transaction()
def postpone_event(event: Event, reason: str) -> Event:
    """Mark an event postponed until a new time is known."""
    event.status, event.status_reason = "postponed", reason
    audit.record("event.postponed", event, reason)
    change = f"postponed: {reason}" if reason else "postponed until a new date is set"
    _tell_registrants(event, "event_changed", change=change)
    return event


@write_transaction()
def reschedule_event(event: Event, schedule: Schedule, reason: str = "") -> Event:
    """Move an event to new times, keeping the previous start for the page and feeds."""
    event.previous_starts_at = event.starts_at
    _set_schedule(event, schedule)
    event.status, event.status_reason, event.cancelled_at = "rescheduled", reason, None
    audit.record("event.rescheduled", event, reason)
    _tell_registrants(event, "event_changed", change="new time")
    return event


def schedule_of(event: Event) -> Schedule:
    """An event's schedule as it stands."""
    return Schedule(
        event.timezone,
        event.starts_at,
        event.ends_at,
        event.all_day,
        event.start_date,
        event.end_date,
    )


def fields_of(event: Event) -> EventFields:
    """An event's current values, ready to change and save."""
    return EventFields(
        **{
            item.name: getattr(event, item.name)
            for item in fields(EventFields)
            if item.name not in _RELATED
        },
        schedule=schedule_of(event),
        series=event.series.name if event.series else None,
        tags=[tag.name for tag in event.tags],
        credits=[credit_input(credit) for credit in event.credits],
    )


def credit_input(credit: Credit) -> CreditInput:
    """A credit as staff give it: role, kind, name, web address and a person's affiliation."""
    return CreditInput(
        credit.role, credit.kind, credit.name, credit.credited.url, credit.affiliation
    )


def duplicate_event(event: Event) -> Event:
    """Copy an event into a new draft with its own slug and calendar UID."""
    values = replace(fields_of(event), title=f"{event.title} (copy)")
    return save_event(None, EventChanges(fields=values))


@write_transaction()
def delete_event(event: Event) -> None:
    """Delete a draft event; published ones are cancelled instead."""
    if event.is_published:
        raise ValueError("Only drafts can be deleted; cancel a published event instead")
    audit.record("event.deleted", event)
    db.session.delete(event)


@write_transaction()
def add_recording(
    event: Event, url: str, title: str = "", news: NewsFields | None = None
) -> Recording:
    """Post a recording once the event has started; the page and calendar entry show it.

    With `news`, the news item presenting it ("WATCH: …") is posted in the same transaction.
    """
    if not event.has_started:
        when = describe(event.starts_at, event.timezone)
        raise RecordingError(f"A recording can be posted once the event has started: from {when}")
    recording = Recording(url=url, title=title, published_at=now())
    event.recordings.append(recording)
    audit.record("event.changed", event, "recording added")
    posted = {"url": url, "title": title}
    _tell_registrants(event, "recording_posted", recording=posted)
    if news is not None:
        post_watch_item(event, news)
    return recording


@write_transaction()
def update_recording(recording: Recording, url: str, title: str) -> Recording:
    """Change a recording's link or title."""
    recording.url, recording.title = url, title
    audit.record("event.changed", recording.event, "recording changed")
    return recording


@write_transaction()
def remove_recording(recording: Recording) -> None:
    """Remove a recording from its event."""
    event = recording.event
    event.recordings.remove(recording)
    audit.record("event.changed", event, "recording removed")
