"""The stored form of each event's public entry (DESIGN §6): its key and format version.

An entry's bytes depend on the event (its `sequence` moves with every shown change), on
the builders' output format, on BASE_URL (the page link) and on the site's languages
(an entry is stored in each). `calendar_entry_key` records them all, so an entry built
for another base URL, other languages or by older builders is rebuilt, and every
instance with the same settings serves the same bytes.

The format version is not written by hand: it is a digest of what the builders make of
a few fixed events in every language, so any change to the bytes they write (a
translation included) changes it.
"""

import hashlib
from datetime import UTC, date, datetime
from functools import cache

from eventsvc.calendar.events import public_entry
from eventsvc.models import Credit, Event, Organization, Person, Recording, Series, Tag

_REFERENCE_BASE_URL = "https://events.example.org"


def _reference_events() -> list[Event]:
    """Fixed events that use every part of an entry: credits, tags, recordings, states."""
    clinic = Organization(name="Clinic, Inc.", url="https://clinic.example.org")
    moment = datetime(2030, 3, 14, 15, 0, tzinfo=UTC)
    timed = Event(
        uid="reference-timed@eventsvc",
        slug="reference-timed",
        title="Rights; at work",
        kind="hybrid",
        summary="Line one,\nline two.",
        timezone="America/New_York",
        all_day=False,
        starts_at=moment,
        ends_at=moment.replace(hour=16, minute=30),
        venue="Hall 1",
        address="1 Main St",
        join_url="https://meet.example.org/j/1",
        status="rescheduled",
        status_reason="Room change.",
        previous_starts_at=moment.replace(day=13),
        sequence=3,
        calendar_changed_at=moment.replace(day=1),
        series=Series(name="Series A"),
        tags=[Tag(name="Labour, rights"), Tag(name="Áñez")],
        credits=[
            Credit(position=0, role="co_host", organization=clinic),
            Credit(position=1, role="moderator", person=Person(name="Ana Pérez", url=None)),
        ],
        recordings=[
            Recording(url="https://video.example.org/1", title="Watch", published_at=moment)
        ],
    )
    day = Event(
        uid="reference-day@eventsvc",
        slug="reference-day",
        title="A day",
        kind="in_person",
        summary="",
        timezone="Europe/Amsterdam",
        all_day=True,
        start_date=date(2030, 3, 30),
        end_date=date(2030, 3, 31),
        starts_at=datetime(2030, 3, 29, 23, 0, tzinfo=UTC),
        ends_at=datetime(2030, 3, 31, 22, 0, tzinfo=UTC),
        venue="",
        address="Dam 1",
        join_url=None,
        status="cancelled",
        status_reason="",
        sequence=0,
        calendar_changed_at=moment,
    )
    return [timed, day]


@cache
def entry_format(languages: tuple[str, ...] = ("en",)) -> str:
    """The builders' output format: a digest of their bytes for the reference events."""
    digest = hashlib.sha256()
    for language in languages:
        for event in _reference_events():
            digest.update(public_entry(event, _REFERENCE_BASE_URL, language))
    return digest.hexdigest()[:12]


def entry_stamp(base_url: str, languages: tuple[str, ...] = ("en",)) -> str:
    """What, besides the event's sequence, its stored entries were built from."""
    settings = f"{base_url} {' '.join(languages)}"
    return f"{entry_format(languages)}:{hashlib.sha256(settings.encode()).hexdigest()[:16]}"


def entry_key(sequence: int, base_url: str, languages: tuple[str, ...] = ("en",)) -> str:
    """The key up-to-date entries carry: '<sequence>:<format>:<settings digest>'."""
    return f"{sequence}:{entry_stamp(base_url, languages)}"
