"""Write transactions that take their lock first, so concurrent writers queue up."""

from collections.abc import Iterator
from contextlib import contextmanager

from eventsvc.extensions import db


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block in one transaction that holds the write lock from its start.

    SQLite: BEGIN IMMEDIATE, so a second writer waits (busy timeout) instead of failing
    on a stale snapshot. PostgreSQL: row locks come from the conditional UPDATEs inside.
    Commits at the end, rolls back on any error.
    """
    session = db.session
    session.rollback()
    session.connection(execution_options={"sqlite_begin_immediate": True})
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
