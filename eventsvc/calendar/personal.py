"""A registrant's own calendars: the personal feed and the single-event download.

Built per request from private entries (with join links, ICAL-INTEROP item 17): one
person's events are few, and these bytes must never be stored where a public feed reads.
"""

from flask_babel import gettext

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
        gettext("%(site)s: my events", site=site_name),
        gettext(
            "The events you are registered for, with their join links. Keep this address private."
        ),
    )


def personal_calendar(events: list, site_name: str, base_url: str, language: str) -> bytes:
    """The calendar of a person's confirmed events, join links included, in a language."""
    entries = (private_entry(event, base_url, language) for event in events)
    return assemble(personal_header(site_name), entries)


def personal_tag(events: list, site_name: str, base_url: str, language: str) -> str:
    """A strong ETag for the personal feed from its events' versions."""
    versions = sorted(event_version(event.id, event.sequence) for event in events)
    stamp = f"personal:{language}:{entry_stamp(base_url)}"
    return version_tag(personal_header(site_name), stamp, versions)


def registration_download(event, base_url: str, language: str) -> bytes:
    """One confirmed registrant's event as a download, join link included."""
    return assemble(download_header(), [private_entry(event, base_url, language)])


def download_tag(event, base_url: str, language: str) -> str:
    """A strong ETag for that download."""
    versions = [event_version(event.id, event.sequence)]
    stamp = f"download:{language}:{entry_stamp(base_url)}"
    return version_tag(download_header(), stamp, versions)
