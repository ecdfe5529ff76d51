"""A registrant's own calendars: the personal feed and the single-event download.

Built per request from private entries (with join links, ICAL-INTEROP item 17): one
person's events are few, and these bytes must never be stored where a public feed reads.
"""

from eventsvc.calendar.events import private_entry
from eventsvc.calendar.stored import entry_stamp
from eventsvc.calendar.vcalendar import (
    assemble,
    calendar_header,
    calendar_title,
    event_version,
    version_tag,
)

PERSONAL_FEED_NAME = "My events"


def personal_header(site_name: str) -> bytes:
    """The personal feed's VCALENDAR header."""
    return calendar_header(
        calendar_title(site_name, PERSONAL_FEED_NAME),
        "The events you are registered for, with their join links. Keep this address private.",
    )


def personal_calendar(events: list, site_name: str, base_url: str) -> bytes:
    """The calendar of a person's confirmed events, join links included."""
    return assemble(personal_header(site_name), (private_entry(e, base_url) for e in events))


def personal_tag(events: list, site_name: str, base_url: str) -> str:
    """A strong ETag for the personal feed from its events' versions."""
    versions = sorted(event_version(event.id, event.sequence) for event in events)
    return version_tag(personal_header(site_name), f"personal:{entry_stamp(base_url)}", versions)
