"""The VCALENDAR around a feed's entries: header, closing line and the version tag.

Pure: names and bytes in, bytes out. A feed is `header + entries + FOOTER`; icalendar
serialises each component on its own, so this is byte for byte what building the whole
calendar with icalendar gives (tests/calendar/test_format.py holds it to that).
"""

import hashlib
from collections.abc import Iterable
from datetime import timedelta
from functools import cache, lru_cache

from icalendar import Calendar, vDuration, vText

PRODID = "-//eventsvc//eventsvc calendar feeds//EN"
REFRESH = timedelta(hours=1)
FOOTER = b"END:VCALENDAR\r\n"


def calendar_title(site_name: str, feed_name: str) -> str:
    """The name calendar apps show for a feed: 'Human Rights Clinic — All events'."""
    return f"{site_name} — {feed_name}"


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    return calendar


@cache
def download_header() -> bytes:
    """A single-event download's header: no calendar name or refresh hint, so calendar apps
    import its event rather than make a calendar of it (ICAL-INTEROP 22)."""
    return _calendar().to_ical().removesuffix(FOOTER)


@lru_cache(maxsize=1024)
def calendar_header(title: str, description: str) -> bytes:
    """BEGIN:VCALENDAR and the calendar's properties, ready for entries (ICAL-INTEROP 4, 15, 16)."""
    calendar = _calendar()
    # icalendar 7.3 writes plain strings unescaped here: vText escapes them (item 11).
    calendar.add("name", vText(title))
    calendar.add("x-wr-calname", vText(title))
    calendar.add("x-wr-caldesc", vText(description))
    # icalendar 7.3 leaves out VALUE=DURATION and knows no type for X-PUBLISHED-TTL (item 16).
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    return calendar.to_ical().removesuffix(FOOTER)


def assemble(header: bytes, entries: Iterable[bytes]) -> bytes:
    """The whole calendar: header, the entries in order, END:VCALENDAR."""
    return header + b"".join(entries) + FOOTER


def event_version(event_id: int, sequence: int) -> int:
    """One number per event that moves with its sequence: (id << 32) + sequence."""
    return (event_id << 32) + sequence


def version_tag(header: bytes, stamp: str, versions: list[int]) -> str:
    """A strong ETag value from what decides the bytes: header, entry format, event versions.

    Hashes a few bytes per event rather than the feed itself (ICAL-INTEROP item 20).
    `versions` are event_version() numbers, sorted, so the entries' order does not matter.
    """
    digest = hashlib.sha256(header)
    digest.update(stamp.encode())
    digest.update(repr(versions).encode())
    return digest.hexdigest()[:40]
