"""The content version moves in the same transaction as every change the public can see.

Public pages and feeds are kept in each worker with the version they were built at
(eventsvc/web/page_cache.py). Reading the version is one small query, so every worker and
every instance on the database sees a change the moment it commits. Changes to the tables
no public page shows (models/site.py PRIVATE_TABLES) leave it alone, as do statements
marked `execution_options(changes_pages=False)`: seat counters and stored calendar entries.
"""

from itertools import chain

from sqlalchemy import event, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from eventsvc.extensions import db
from eventsvc.models.site import PRIVATE_TABLES, ContentVersion

_MOVED = "content_version_moved"


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


def _is_public(instance) -> bool:
    return instance.__table__.name not in PRIVATE_TABLES


def _before_flush(session: Session, _context, _instances) -> None:
    modified = (instance for instance in session.dirty if session.is_modified(instance))
    if any(_is_public(instance) for instance in chain(session.new, session.deleted, modified)):
        move_version(session)


def _before_statement(state: ORMExecuteState) -> None:
    """Statements that write public tables through the session move the version too."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if not state.execution_options.get("changes_pages", True):
        return
    if state.statement.table.name not in PRIVATE_TABLES:
        move_version(state.session)


def _transaction_ended(session: Session, _transaction) -> None:
    session.info.pop(_MOVED, None)


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
