"""A feed's bytes and validators from its stored entries (DESIGN §6).

Pure: the feed's rows (as queries.feed_rows reads them) in, bytes and an ETag out. An
entry stored by older builders or for another base URL is replaced, in the answer only,
by one built now; the outbox worker stores it (services/changes.py).
"""

from eventsvc.calendar.stored import entry_stamp
from eventsvc.calendar.vcalendar import (
    assemble,
    calendar_header,
    calendar_title,
    download_header,
    event_version,
    version_tag,
)


def feed_header(name: str, description: str, site_name: str, download: bool = False) -> bytes:
    """A feed's VCALENDAR header; a download's has no calendar name or refresh hint."""
    if download:
        return download_header()
    return calendar_header(calendar_title(site_name, name), description)


def stale_ids(rows, base_url: str, languages: tuple[str, ...]) -> list[int]:
    """The rows whose stored entry is not the one these builders make for these settings."""
    stamp = entry_stamp(base_url, languages)
    return [row.id for row in rows if row.calendar_entry_key != f"{row.sequence}:{stamp}"]


def feed_bytes(header: bytes, rows, rebuilt: dict[int, bytes]) -> bytes:
    """The feed: its rows' stored entries in order, `rebuilt` ones replacing stale ones.

    An entry in another language than English is stored as text (queries.feed_rows)."""
    entries = (rebuilt.get(row.id) or _bytes(row.calendar_entry) for row in rows)
    return assemble(header, entries)


def _bytes(entry: bytes | str) -> bytes:
    return entry.encode() if isinstance(entry, str) else entry


def feed_etag(header: bytes, rows, base_url: str, language: str, languages: tuple) -> str:
    """The feed's strong ETag value: its header, language, entry format and events' versions."""
    versions = sorted(event_version(row.id, row.sequence) for row in rows)
    return version_tag(header, f"{language}:{entry_stamp(base_url, languages)}", versions)
