"""Helpers the tests share: plain functions over the app's own operations."""

from dataclasses import replace

from eventsvc.inputs import EventChanges, EventFields, RegistrationSettings
from eventsvc.models import Event
from eventsvc.services.events import fields_of, save_event, schedule_of


def open_registration(event: Event, settings: RegistrationSettings | None = None) -> Event:
    """Save the event's registration settings (by default: open, with a waitlist)."""
    return save_event(event, EventChanges(registration=settings or RegistrationSettings()))


def save_fields(event: Event, values: EventFields) -> Event:
    """Save an event's fields, as the admin form and the API do."""
    return save_event(event, EventChanges(fields=values))


def changed_fields(event: Event, **changes) -> EventFields:
    """The event's fields with some changed; times by starts_at, ends_at and timezone."""
    times = {name: changes.pop(name) for name in ("starts_at", "ends_at") if name in changes}
    if "timezone" in changes:
        times["zone"] = changes.pop("timezone")
    values = fields_of(event)
    if times:
        values = replace(values, schedule=replace(schedule_of(event), **times))
    return replace(values, **changes)
