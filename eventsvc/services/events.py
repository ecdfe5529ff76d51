"""Creating, editing, publishing, cancelling and rescheduling events.

Each public function is one user intention and one transaction: saving an event with its
fields, registration settings, questions and publication is `save_event`, whoever asks
(the admin form, the API, the demo). The calendar version follows by itself
(services/changes.py); what registrants are told follows from what changed
(notifications.tell_registrants), after every operation here.
"""

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.inputs import CreditInput, EventChanges, EventFields, NewsFields
from eventsvc.models import Credit, Event, Recording, Registration, RetiredEventSlug
from eventsvc.models.registrations import ACTIVE_STATES
from eventsvc.queries import CANCELLED_GRACE
from eventsvc.services import audit, notifications
from eventsvc.services.catalog import (
    find_or_add_organization,
    find_or_add_person,
    find_or_add_series,
    find_or_add_tags,
)
from eventsvc.services.changes import calendar_change
from eventsvc.services.locking import undone, write_transaction
from eventsvc.services.news import (
    announce,
    post_watch_item,
    publish_announcements,
    retitle_announcements,
)
from eventsvc.services.registration import fill_free_seats
from eventsvc.services.registration_settings import apply_registration_settings, replace_questions
from eventsvc.services.slugs import unique_slug
from eventsvc.timezones import TZDATA_VERSION, Schedule, day_text, describe, now
from eventsvc.translated import cleaned_translations

# EventFields that are not columns of the event, each set its own way.
_RELATED = {"schedule", "series", "tags", "credits", "translations"}
_TEXTS = ("title", "summary", "body")


class EventError(ValueError):
    """A change that cannot be made as asked: a code for the API and a message for staff."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


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
    event.local_start, event.local_end = schedule.local_start, schedule.local_end
    event.tz_version = schedule.tz_version


def _apply(event: Event, values: EventFields) -> None:
    for item in fields(values):
        if item.name not in _RELATED:
            setattr(event, item.name, getattr(values, item.name))
    _set_schedule(event, values.schedule)
    event.translations = _with_texts(event.translations, values.translations, event.language)
    event.series = find_or_add_series(values.series)
    event.tags = find_or_add_tags(values.tags)
    event.credits = [_credit(i, credit) for i, credit in enumerate(values.credits)]


def _with_texts(kept: dict | None, given: dict, language: str) -> dict:
    """The event's translations with `given` titles, summaries and bodies; its consent texts
    (set with the registration settings) kept."""
    texts = cleaned_translations(given, _TEXTS, own=language)
    consents = {
        code: {"consent_text": values["consent_text"]}
        for code, values in (kept or {}).items()
        if values.get("consent_text") and code != language
    }
    merged = {code: {**consents.get(code, {}), **texts.get(code, {})} for code in consents | texts}
    return dict(sorted(merged.items()))


def _active_registrations(event: Event) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.state.in_(ACTIVE_STATES))
    )


def takedown_refusal(event: Event) -> EventError | None:
    """Why the event cannot be unpublished (or deleted) now, or None when it can.

    Registrants of an event still to come hold it in their calendars: it is cancelled
    first, which tells them and sends each invitation's CANCEL. Then it may go.
    """
    if event.is_cancelled or event.is_past or event.id is None:
        return None
    count = _active_registrations(event)
    if not count:
        return None
    return EventError(
        "event_has_registrants",
        ngettext(
            "“%(title)s” has %(num)d registrant. Cancel the event first: they are told, and it "
            "leaves their calendars. Then it can be unpublished or deleted.",
            "“%(title)s” has %(num)d registrants. Cancel the event first: they are told, and it "
            "leaves their calendars. Then it can be unpublished or deleted.",
            count,
            title=event.title,
        ),
    )


def deletion_refusal(event: Event) -> EventError | None:
    """Why the event cannot be deleted now, or None when it can."""
    if event.is_published:
        message = gettext("Only drafts can be deleted: unpublish the event first, or cancel it.")
        return EventError("event_published", message)
    if event.is_cancelled and event.published_at and now() < event.cancelled_at + CANCELLED_GRACE:
        until = event.cancelled_at + CANCELLED_GRACE
        return EventError(
            "event_in_feeds",
            gettext(
                "“%(title)s” stays in calendar feeds, marked cancelled, until %(day)s so "
                "subscribers' calendars drop it; delete it after then.",
                title=event.title,
                day=day_text(until.date()),
            ),
        )
    return takedown_refusal(event)


def _set_visibility(event: Event, published: bool) -> None:
    if published == event.is_published:
        return
    if not published and (problem := takedown_refusal(event)):
        raise problem
    event.visibility = "published" if published else "draft"
    if published and event.published_at is None:
        event.published_at = now()
    audit.record("event.published" if published else "event.unpublished", event)
    if published:
        publish_announcements(event)


@dataclass(frozen=True)
class Saved:
    """A saved event, and what the save did for its people: what registrants are told of
    (nothing when staff chose not to tell them), and who left the waiting list for a seat."""

    event: Event
    told: list[str]
    promoted: list[str]


@write_transaction()
def save_event(event: Event | None, changes: EventChanges) -> Saved:
    """Create (`event` None) or change an event: everything `changes` names, or nothing.

    A new event is a draft unless `changes.publish`; its announcement, if any, is posted
    in the same transaction, and announcements still titled as made from it follow it;
    one with registrants still to come is not unpublished (EventError). Seats freed by a
    larger capacity or a setting go to the waiting list, and registrants are told what
    changed (unless `changes.tell` is False), in the same transaction.
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
    _retitle_announcements(event)
    if changes.announcement is not None:
        announce(event, changes.announcement)
    promoted = [registration.name for registration in fill_free_seats(event)]
    return Saved(event, _tell(event, changes.tell), promoted)


def _retitle_announcements(event: Event) -> None:
    """Announcements still titled as made from the event follow its new date, kind or title."""
    db.session.flush()
    change = calendar_change(event)
    if change is not None:
        retitle_announcements(event, change[0])


def _tell(event: Event, tell: bool) -> list[str]:
    """Tell registrants of the event's change, or record that staff chose not to; returns
    what they are told of."""
    heard = notifications.tell_registrants(event, tell)
    if heard and not tell:
        audit.record("event.registrants_not_told", event, "Not told of: " + ", ".join(heard))
    return heard if tell else []


def preview_save(event: Event, changes: EventChanges) -> list[notifications.PlannedUpdate]:
    """What the event's registrants would be told if it were saved so now.

    The save itself runs and is undone (locking.undone), so the preview follows the very
    rules that send: the change tracker's before and after, and tell_registrants.
    """
    return _preview(event, lambda: save_event(event, changes).told)


def _preview(event: Event, change: Callable[[], list[str]]) -> list[notifications.PlannedUpdate]:
    return undone(lambda: notifications.planned_updates(event) if change() else [])


def set_visibility(event: Event, published: bool) -> Event:
    """Publish or unpublish an event."""
    return save_event(event, EventChanges(publish=published)).event


@write_transaction()
def cancel_event(event: Event, reason: str) -> Event:
    """Mark an event cancelled with a reason; it stays listed as cancelled."""
    event.status, event.status_reason, event.cancelled_at = "cancelled", reason, now()
    audit.record("event.cancelled", event, reason)
    notifications.tell_registrants(event)
    return event


def postpone_event(event: Event, reason: str) -> Event:
    """Mark an event postponed until a new time is known; registrants are told at once."""
    _postpone(event, reason)
    return event


def preview_postpone(event: Event, reason: str = "") -> list[notifications.PlannedUpdate]:
    """What the event's registrants would be told if it were postponed so now."""
    return _preview(event, lambda: _postpone(event, reason))


@write_transaction()
def _postpone(event: Event, reason: str) -> list[str]:
    event.status, event.status_reason = "postponed", reason
    audit.record("event.postponed", event, reason)
    return notifications.tell_registrants(event)


def reschedule_event(
    event: Event, schedule: Schedule, reason: str = "", tell: bool = True
) -> Event:
    """Move an event to new times, keeping the previous start for the page and feeds;
    registrants are told at once, unless `tell` is False."""
    _reschedule(event, schedule, reason, tell)
    return event


def preview_reschedule(
    event: Event, schedule: Schedule, reason: str = ""
) -> list[notifications.PlannedUpdate]:
    """What the event's registrants would be told if it were rescheduled so now."""
    return _preview(event, lambda: _reschedule(event, schedule, reason, True))


@write_transaction()
def _reschedule(event: Event, schedule: Schedule, reason: str, tell: bool) -> list[str]:
    event.previous_starts_at = event.starts_at
    _set_schedule(event, schedule)
    event.status, event.status_reason, event.cancelled_at = "rescheduled", reason, None
    audit.record("event.rescheduled", event, reason)
    _retitle_announcements(event)
    return _tell(event, tell)


def schedule_of(event: Event) -> Schedule:
    """An event's schedule as it stands: its wall clock, instants and their tz data."""
    return Schedule(
        event.timezone,
        event.starts_at,
        event.ends_at,
        event.all_day,
        event.start_date,
        event.end_date,
        event.local_start,
        event.local_end,
        event.tz_version,
    )


@dataclass(frozen=True)
class Rederived:
    """An event whose instants were derived again: whether they moved, and gaps it fell in."""

    title: str
    moved: bool
    notes: list[str]


def refresh_time_zone_rules() -> list[Rederived]:
    """Derive again the instants of events not yet over, made with older tz data.

    Idempotent. Each event is its own transaction: its wall clock stays, its instants
    follow today's rules; one that moved gets SEQUENCE + 1 (the change tracker), an
    update to its registrants and an audit entry, as does a time in a new gap, which
    moves forward by the gap's length.
    """
    stale = db.session.scalars(
        select(Event.id).where(Event.tz_version != TZDATA_VERSION, Event.ends_at > now())
    ).all()
    return [_rederive(db.session.get(Event, event_id)) for event_id in stale]


@write_transaction()
def _rederive(event: Event) -> Rederived:
    was = schedule_of(event)
    schedule, notes = was.rederived()
    moved = (schedule.starts_at, schedule.ends_at) != (was.starts_at, was.ends_at)
    _set_schedule(event, schedule)
    if moved:
        detail = (
            f"{event.timezone}: tz data {was.tz_version} → {schedule.tz_version}; starts "
            f"{was.starts_at:%Y-%m-%d %H:%M} UTC → {schedule.starts_at:%Y-%m-%d %H:%M} UTC"
        )
        audit.record("event.times_rederived", event, "; ".join([detail, *notes]))
    notifications.tell_registrants(event)
    return Rederived(event.title, moved, notes)


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
        translations=texts_of(event),
    )


def texts_of(event: Event) -> dict[str, dict[str, str]]:
    """The event's translated titles, summaries and bodies, by language."""
    return cleaned_translations(event.translations, _TEXTS)


def credit_input(credit: Credit) -> CreditInput:
    """A credit as staff give it: role, kind, name, web address and a person's affiliation."""
    return CreditInput(
        credit.role, credit.kind, credit.name, credit.credited.url, credit.affiliation
    )


def duplicate_event(event: Event) -> Event:
    """Copy an event into a new draft with its own slug and calendar UID."""
    values = replace(fields_of(event), title=f"{event.title} (copy)")
    return save_event(None, EventChanges(fields=values)).event


@write_transaction()
def delete_event(event: Event) -> None:
    """Delete a draft (see deletion_refusal); a once-published one's address answers 410."""
    if problem := deletion_refusal(event):
        raise problem
    audit.record("event.deleted", event)
    if event.published_at is not None:
        db.session.merge(RetiredEventSlug(slug=event.slug, retired_at=now()))
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
        message = gettext(
            "A recording can be posted once the event has started: from %(when)s", when=when
        )
        raise EventError("event_not_started", message)
    recording = Recording(url=url, title=title, published_at=now())
    event.recordings.append(recording)
    audit.record("event.changed", event, "recording added")
    notifications.tell_registrants(event)
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
