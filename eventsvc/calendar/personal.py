"""A registrant's own calendars: the personal feed and the single-event download.

Built per request from private entries (with join links, ICAL-INTEROP item 17): one
person's events are few, and these bytes must never be stored where a public feed reads.
"""

from eventsvc.calendar.events import private_entry
from eventsvc.calendar.stored import entry_stamp
from eventsvc.calendar.vcalendar import (
    assemble,
    calendar_header,
    download_header,
    event_version,
    version_tag,
)


def personal_header(site_name: str) -> bytes:
    """The personal feed's VCALENDAR header: calendar apps name it '<site>: my events'."""
    return calendar_header(
        f"{site_name}: my events",
        "The events you are registered for, with their join links. Keep this address private.",
    )


def personal_calendar(events: list, site_name: str, base_url: str) -> bytes:
    """The calendar of a person's confirmed events, join links included."""
    return assemble(personal_header(site_name), (private_entry(e, base_url) for e in events))


def personal_tag(events: list, site_name: str, base_url: str) -> str:
    """A strong ETag for the personal feed from its events' versions."""
    versions = sorted(event_version(event.id, event.sequence) for event in events)
    return version_tag(personal_header(site_name), f"personal:{entry_stamp(base_url)}", versions)


def registration_download(event, base_url: str) -> bytes:
    """One confirmed registrant's event as a download, join link included."""
    return assemble(download_header(), [private_entry(event, base_url)])


def download_tag(event, base_url: str) -> str:
    """A strong ETag for that download."""
    versions = [event_version(event.id, event.sequence)]
    return version_tag(download_header(), f"download:{entry_stamp(base_url)}", versions)
