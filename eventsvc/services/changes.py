"""What changed, decided in one place: one flush hook moves the content version and
every changed event's calendar version.

Content version: public pages and feeds are kept in each worker with the version they
were built at (web/page_cache.py). It moves in the same transaction as every change the
public can see, so every worker and instance sees a change the moment it commits.
Changes to tables no public page shows (models/site.py PRIVATE_TABLES) leave it alone,
as do statements marked `execution_options(changes_pages=False)`: seat counters.

Calendar version: when anything an event's calendar entry shows differs from what it
showed (calendar/entry.py), its `sequence` and `calendar_changed_at` move and its entry
is stored again (DESIGN §3, §6). That includes credits, tags, recordings and the names
of the organisations, people and series it credits: a change to any of them is a change
to every event showing it. No write needs to ask for it.
"""

from itertools import chain

from flask import current_app
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from eventsvc import queries
from eventsvc.calendar.entry import entry_changed, shown_fields
from eventsvc.calendar.events import public_entry
from eventsvc.calendar.stored import entry_key, entry_stamp
from eventsvc.extensions import db
from eventsvc.languages import site_languages
from eventsvc.models import Credit, Event, Organization, Person, Recording, Series, Tag, event_tags
from eventsvc.models.events import new_uid
from eventsvc.models.site import PRIVATE_TABLES, ContentVersion
from eventsvc.services.locking import write_transaction
from eventsvc.timezones import now

_MOVED = "content_version_moved"
_CHANGED_EVENTS = "calendar_changed_events"

# Read on every request for a kept page; built once, as building it costs more than running it.
_TABLE = ContentVersion.__table__
_CURRENT_VERSION = select(_TABLE.c.version).where(_TABLE.c.id == 1)


def current_version() -> int | None:
    """The content version, or None when its row is missing (nothing is kept then)."""
    return db.session.scalar(_CURRENT_VERSION)


def move_version(session: Session) -> None:
    """Move the version once in the session's current transaction."""
    if session.info.get(_MOVED):
        return
    session.info[_MOVED] = True
    session.connection().execute(update(_TABLE).values(version=_TABLE.c.version + 1))


def store_entry(event: Event) -> None:
    """Build the event's public entries for this app's BASE_URL and keep them on the event:
    one in English, and one in each other site language."""
    base_url = current_app.config["BASE_URL"]
    event.calendar_entry = public_entry(event, base_url)
    event.calendar_entries = other_entries(event, base_url)
    event.calendar_entry_key = entry_key(event.sequence, base_url, site_languages())


def other_entries(event: Event, base_url: str) -> dict[str, str]:
    """The event's public entry in each site language but English, as text."""
    return {code: public_entry(event, base_url, code).decode() for code in site_languages()[1:]}


def calendar_change(changed: Event) -> tuple[dict, dict] | None:
    """What the event's entry showed before this transaction and shows now, if it changed.

    Known after a flush; None when the entry shows the same, or the event is new.
    """
    before = db.session.info.get(_CHANGED_EVENTS, {}).get(changed)
    return None if before is None else (before, changed.calendar_fields)


def _events_showing(row) -> list[Event]:
    """The events whose entries show a renamed organisation, person, series or tag."""
    if isinstance(row, Organization):
        condition = Event.credits.any(Credit.organization_id == row.id)
    elif isinstance(row, Person):
        condition = Event.credits.any(Credit.person_id == row.id)
    elif isinstance(row, Series):
        condition = Event.series_id == row.id
    else:
        tagged = select(event_tags.c.event_id).where(event_tags.c.tag_id == row.id)
        condition = Event.id.in_(tagged)
    return list(db.session.scalars(select(Event).where(condition)))


def _renamed(session: Session, row) -> bool:
    """Whether a flush changes a row that entries show by name (its name or web address)."""
    return row in session.dirty and session.is_modified(row)


def _touched_events(session: Session) -> set[Event]:
    """Events whose entry may show something else after this flush."""
    touched: set[Event] = set()
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, Event):
            touched.add(row)
        elif isinstance(row, Credit | Recording) and row.event is not None:
            touched.add(row.event)
        elif isinstance(row, Organization | Person | Series | Tag) and _renamed(session, row):
            touched.update(_events_showing(row))
    return {item for item in touched if item not in session.deleted}


def _with_defaults(item: Event) -> None:
    """Give a new event the column defaults its INSERT would, so its entry can show them."""
    for column in Event.__table__.columns:
        default = column.default
        if default is not None and default.is_scalar and getattr(item, column.key) is None:
            setattr(item, column.key, default.arg)
    item.uid = item.uid or new_uid()


def _track_entry(session: Session, item: Event) -> None:
    """Move the event's calendar version if its entry now shows something else."""
    if item.id is None:
        _with_defaults(item)
    shown = shown_fields(item)
    if not entry_changed(item.calendar_fields, shown):
        if item.calendar_fields != shown:
            item.calendar_fields = shown  # values this version shows for the first time
        return
    changed = session.info.setdefault(_CHANGED_EVENTS, {})
    if item not in changed:  # once per transaction, however many flushes it takes
        changed[item] = item.calendar_fields  # None for a new event: its first entry
        if item.calendar_fields is not None:
            item.sequence += 1
    # Its last edit and its calendar change are one moment (DESIGN §3: DTSTAMP = LAST-MODIFIED).
    item.calendar_changed_at = item.updated_at = now()
    item.calendar_fields = shown
    store_entry(item)


def _before_flush(session: Session, _context, _instances) -> None:
    for item in _touched_events(session):
        _track_entry(session, item)
    modified = (row for row in session.dirty if session.is_modified(row))
    if any(_is_public(row) for row in chain(session.new, session.deleted, modified)):
        move_version(session)


def _is_public(instance) -> bool:
    return instance.__table__.name not in PRIVATE_TABLES


def _before_statement(state: ORMExecuteState) -> None:
    """Statements that write public tables through the session move the version too."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if not state.execution_options.get("changes_pages", True):
        return
    if state.statement.table.name not in PRIVATE_TABLES:
        move_version(state.session)


def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_MOVED, None)
        session.info.pop(_CHANGED_EVENTS, None)


_LISTENERS = (
    ("before_flush", _before_flush),
    ("do_orm_execute", _before_statement),
    ("after_transaction_end", _transaction_ended),
)


def watch_changes() -> None:
    """Listen to every session's writes (once per process, whatever the number of apps)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


# A stale entry (older builders, another BASE_URL) is stored again in one statement, unless
# the event changed meanwhile; naming updated_at keeps its onupdate from firing, and the
# bytes the public sees do not change: feeds built it already for their answers.
_EVENTS = Event.__table__
_SAVE_ENTRY = (
    update(_EVENTS)
    .where(_EVENTS.c.id == bindparam("entry_id"), _EVENTS.c.sequence == bindparam("entry_sequence"))
    .values(
        calendar_entry=bindparam("entry"),
        calendar_entries=bindparam("entries"),
        calendar_entry_key=bindparam("key"),
        updated_at=_EVENTS.c.updated_at,
    )
    .execution_options(changes_pages=False)
)


def store_stale_entries() -> int:
    """Store again every entry built by older builders or for another BASE_URL."""
    base_url, languages = current_app.config["BASE_URL"], site_languages()
    stale = queries.stale_entry_ids(entry_stamp(base_url, languages))
    if not stale:
        return 0
    rows = [
        {
            "entry_id": item.id,
            "entry_sequence": item.sequence,
            "entry": public_entry(item, base_url),
            "entries": other_entries(item, base_url),
            "key": entry_key(item.sequence, base_url, languages),
        }
        for item in queries.events_for_entries(stale)
    ]
    with write_transaction():
        db.session.execute(_SAVE_ENTRY, rows)
    return len(rows)
