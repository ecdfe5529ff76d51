"""Each event's public entry, stored as bytes with the event (DESIGN §6).

The bytes depend on the event (its `sequence` moves with every shown change), on this
module's output format and on BASE_URL (the page link). `calendar_entry_key` records
all three, so an entry built for another base URL or an older format is rebuilt on the
next feed request, and every instance with the same settings serves the same bytes.
"""

import hashlib

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import selectinload

from eventsvc.calendar.events import public_entry
from eventsvc.extensions import db
from eventsvc.models import Credit, Event

# Raise whenever eventsvc/calendar/events.py changes the bytes it writes.
ENTRY_FORMAT = 1


def entry_stamp(base_url: str) -> str:
    """What, besides the event's sequence, its stored entry was built from."""
    return f"{ENTRY_FORMAT}:{hashlib.sha256(base_url.encode()).hexdigest()[:16]}"


def entry_key(sequence: int, base_url: str) -> str:
    """The key an up-to-date entry carries: '<sequence>:<format>:<base URL digest>'."""
    return f"{sequence}:{entry_stamp(base_url)}"


def store_entry(event: Event) -> None:
    """Build the event's public entry for this app's BASE_URL and keep it on the event."""
    base_url = current_app.config["BASE_URL"]
    event.calendar_entry = public_entry(event, base_url)
    event.calendar_entry_key = entry_key(event.sequence, base_url)


def _events_for_building(ids: list[int]) -> list[Event]:
    """Load events with everything an entry shows, in a fixed number of queries."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.id.in_(ids))
            .options(
                selectinload(Event.tags),
                selectinload(Event.recordings),
                selectinload(Event.credits).joinedload(Credit.organization),
                selectinload(Event.credits).joinedload(Credit.person),
            )
        )
    )


def _save(built: list[dict]) -> None:
    """Write rebuilt entries in one statement, skipping any event changed meanwhile."""
    table = Event.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("entry_id"), table.c.sequence == bindparam("entry_sequence"))
        # Naming updated_at keeps its onupdate from firing: a rebuild is not an edit.
        .values(
            calendar_entry=bindparam("entry"),
            calendar_entry_key=bindparam("key"),
            updated_at=table.c.updated_at,
        )
        # The bytes served do not change: a stale entry was rebuilt for the feed already.
        .execution_options(changes_pages=False)
    )
    db.session.execute(statement, built)
    db.session.commit()


def rebuild_entries(ids: list[int], base_url: str) -> dict[int, bytes]:
    """Build and store the entries of these events; returns {event id: bytes}."""
    built = [
        {
            "entry_id": event.id,
            "entry_sequence": event.sequence,
            "entry": public_entry(event, base_url),
            "key": entry_key(event.sequence, base_url),
        }
        for event in _events_for_building(ids)
    ]
    if built:
        _save(built)
    return {row["entry_id"]: row["entry"] for row in built}
