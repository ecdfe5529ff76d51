"""Write transactions that take their lock first, so concurrent writers queue up."""

import fcntl
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TypeVar

from sqlalchemy import Engine

from eventsvc.extensions import db
from eventsvc.private_files import open_private

_WRITING = "write_transaction"
T = TypeVar("T")


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block in one transaction that holds the write lock from its start.

    The one way to write: every service runs its changes inside it (as a `with` block or
    as the decorator `@write_transaction()`), and nothing else commits. A block inside
    another joins it: the outermost one commits, and any error rolls back all of it.

    The outermost block first ends the session's read-only transaction: loaded objects
    are expired and read again under the lock, so checks made there see the latest
    committed rows. Changes made before it would be lost, so they are refused.
    SQLite: the writer waits its turn in the database file's WriterQueue, then BEGIN
    IMMEDIATE; the busy timeout still covers writers that do not queue (other programs).
    PostgreSQL: row locks come from the conditional UPDATEs inside.
    """
    session = db.session
    if session.info.get(_WRITING):
        yield
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("Changes were made outside a write transaction")
    session.rollback()
    with _turn_to_write(db.engine):
        session.connection(execution_options={"sqlite_begin_immediate": True})
        session.info[_WRITING] = True
        try:
            yield
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.info.pop(_WRITING, None)


class _Undone(Exception):
    """Carries an operation's result out of the transaction that is rolled back."""

    def __init__(self, result):
        super().__init__()
        self.result = result


def undone(operation: Callable[[], T]) -> T:
    """Run a write operation in a transaction that is rolled back; return what it returned.

    Shows what a change would do by the very code that does it (a preview), with the
    write lock held meanwhile. Read what is needed inside `operation`: rows it made are
    gone afterwards, and loaded objects are read again. Never inside another write.
    """
    if db.session.info.get(_WRITING):
        raise RuntimeError("A write transaction cannot be undone from inside another")
    try:
        with write_transaction():
            raise _Undone(operation())
    except _Undone as undone_change:
        return undone_change.result


class WriterQueue:
    """The writers of one SQLite file, queued on an flock of a lock file beside it.

    SQLite's busy handler retries in growing sleeps (up to 100 ms each), so a waiting
    writer sleeps on long after the lock is free; flock wakes the next waiter as soon as
    the holder lets go. A process's threads share its one open lock file, on which flock
    would not tell them apart, so a thread lock queues them first. It is re-entrant: a
    nested turn in the same thread goes ahead, and only the outermost one takes the flock.
    """

    def __init__(self, database: str):
        self.path = f"{database}.write-lock"
        self._thread_turn = threading.RLock()
        self._depth = 0
        self._descriptor: int | None = None

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold this database's write turn for the block."""
        with self._thread_turn:
            outermost = self._depth == 0
            if outermost:
                fcntl.flock(self._lock_file(), fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if outermost:
                    fcntl.flock(self._descriptor, fcntl.LOCK_UN)

    def _lock_file(self) -> int:
        if self._descriptor is None:
            # Read-only is enough for flock; like the database beside it, the file is the
            # owner's alone (DESIGN §8).
            self._descriptor = open_private(self.path, os.O_RDONLY)
            weakref.finalize(self, os.close, self._descriptor)
        return self._descriptor


# One queue per database file per process, kept while an engine on that file lives.
_queue_of_engine: weakref.WeakKeyDictionary[Engine, WriterQueue] = weakref.WeakKeyDictionary()
_queue_of_path: weakref.WeakValueDictionary[str, WriterQueue] = weakref.WeakValueDictionary()
_queues_lock = threading.Lock()


def _turn_to_write(engine: Engine) -> AbstractContextManager[None]:
    """The engine's write turn: a WriterQueue's for a SQLite file, none otherwise."""
    url = engine.url
    # An in-memory database has no file to lock; a file: URI (uri=true) is left to SQLite.
    in_memory = url.database in (None, "", ":memory:")
    if url.get_backend_name() != "sqlite" or in_memory or url.query.get("uri"):
        return nullcontext()
    with _queues_lock:
        queue = _queue_of_engine.get(engine)
        if queue is None:
            path = os.path.realpath(url.database)
            queue = _queue_of_path.get(path) or WriterQueue(path)
            _queue_of_engine[engine] = _queue_of_path[path] = queue
    return queue.turn()


def _forget_queues() -> None:
    """A forked child opens lock files of its own: flock does not tell it from its parent."""
    global _queues_lock
    _queues_lock = threading.Lock()
    _queue_of_engine.clear()
    _queue_of_path.clear()


os.register_at_fork(after_in_child=_forget_queues)
