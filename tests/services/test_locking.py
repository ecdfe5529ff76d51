"""Write transactions: SQLite writers queue on a lock file beside the database."""

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event

from eventsvc.extensions import db
from eventsvc.models import Event
from eventsvc.services.locking import _turn_to_write, write_transaction
from tests.helpers import dispose, new_app


def lock_file() -> Path:
    return Path(f"{db.engine.url.database}.write-lock")


def held_elsewhere(path: Path) -> bool:
    """Whether a writer has the lock file, as another process (another open file) sees it."""
    descriptor = os.open(path, os.O_RDONLY | os.O_CREAT)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)


def wait_until_someone_waits(path: Path) -> None:
    """Return once a writer is blocked on the lock file (a '->' line in /proc/locks)."""
    inode = f":{path.stat().st_ino} "
    for _ in range(10_000):
        locks = Path("/proc/locks").read_text().splitlines()
        if any("->" in line and inode in line for line in locks):
            return
        time.sleep(0.001)
    raise AssertionError(f"nobody waited for {path}")


def rename(event_id: int, title: str) -> None:
    db.session.get(Event, event_id).title = title


def title_of(event_id: int) -> str:
    db.session.rollback()  # a fresh snapshot: another thread may have written
    return db.session.get(Event, event_id).title


def test_the_lock_file_is_held_from_before_begin_until_after_commit(app, make_event):
    event_id, path = make_event().id, lock_file()
    seen = []
    sa_event.listen(db.engine, "begin", lambda _c: seen.append(("begin", held_elsewhere(path))))
    sa_event.listen(db.engine, "commit", lambda _c: seen.append(("commit", held_elsewhere(path))))
    with write_transaction():
        rename(event_id, "Renamed")
        seen.append(("block", held_elsewhere(path)))
    seen.append(("after", held_elsewhere(path)))
    assert seen == [("begin", True), ("block", True), ("commit", True), ("after", False)]
    assert title_of(event_id) == "Renamed"


def test_a_failing_block_rolls_back_and_lets_the_lock_go(app, make_event):
    event = make_event()
    event_id, title = event.id, event.title
    with pytest.raises(RuntimeError), write_transaction():
        rename(event_id, "Renamed")
        raise RuntimeError
    assert not held_elsewhere(lock_file())
    assert title_of(event_id) == title


def test_a_writer_waits_while_another_process_has_the_lock(app, make_event):
    event_id, path = make_event().id, lock_file()
    order = []

    def writer():
        with app.app_context(), write_transaction():
            order.append("entered")
            rename(event_id, "Renamed")

    other_process = os.open(path, os.O_RDONLY | os.O_CREAT)
    fcntl.flock(other_process, fcntl.LOCK_EX)
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_until_someone_waits(path)
        order.append("released")
    finally:
        os.close(other_process)
        thread.join()
    assert order == ["released", "entered"]
    assert title_of(event_id) == "Renamed"


def test_writers_in_threads_take_turns(app, make_event):
    event_id, path = make_event().id, lock_file()
    names = ["a", "b", "c", "d"]
    everyone_ready = threading.Barrier(len(names))
    log = []

    def writer(name):
        with app.app_context():
            everyone_ready.wait()
            for turn in range(5):
                with write_transaction():
                    log.append((name, "in", held_elsewhere(path)))
                    rename(event_id, f"{name} {turn}")
                    log.append((name, "out", held_elsewhere(path)))

    threads = [threading.Thread(target=writer, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each writer's turn ends before the next one's starts, and it holds the lock throughout.
    assert len(log) == 2 * 5 * len(names)
    for entered, left in zip(log[0::2], log[1::2], strict=True):
        assert entered == (entered[0], "in", True)
        assert left == (entered[0], "out", True)
    assert not held_elsewhere(path)


def test_a_nested_write_transaction_goes_ahead(app, make_event):
    event_id, path = make_event().id, lock_file()
    with write_transaction():
        with write_transaction():
            rename(event_id, "Renamed")
        assert held_elsewhere(path)
    assert not held_elsewhere(path)
    assert title_of(event_id) == "Renamed"


def test_a_forked_worker_queues_behind_its_parent(app, make_event):
    """gunicorn forks its workers from a process that may have written already."""
    event_id, path = make_event().id, lock_file()
    reading, writing = os.pipe()
    with write_transaction():
        rename(event_id, "Renamed")
        child = os.fork()
        if child == 0:
            status = 1
            try:
                with _turn_to_write(db.engine):
                    os.write(writing, b"entered")
                status = 0
            finally:
                os._exit(status)
        os.close(writing)
        wait_until_someone_waits(path)
        os.set_blocking(reading, False)
        with pytest.raises(BlockingIOError):
            os.read(reading, 16)
    os.set_blocking(reading, True)
    assert os.read(reading, 16) == b"entered"
    os.close(reading)
    assert os.waitpid(child, 0)[1] == 0


def test_only_a_sqlite_file_gets_a_lock_file(any_db_app, make_event, tmp_path):
    event_id = make_event().id
    with write_transaction():
        rename(event_id, "Renamed")
    assert title_of(event_id) == "Renamed"
    on_sqlite = db.engine.dialect.name == "sqlite"
    expected = [tmp_path / "test.db.write-lock"] if on_sqlite else []
    assert list(tmp_path.rglob("*.write-lock")) == expected


def test_an_in_memory_database_has_no_lock_file(tmp_path, monkeypatch, make_event):
    monkeypatch.chdir(tmp_path)
    app = new_app(tmp_path, "sqlite://")
    with app.app_context():
        event_id = make_event().id
        with write_transaction():
            rename(event_id, "Renamed")
        assert title_of(event_id) == "Renamed"
    dispose(app)
    assert list(tmp_path.rglob("*.write-lock")) == []


def test_a_nested_block_joins_the_outer_one_and_an_error_undoes_both(any_db_app, make_event):
    first, second = make_event(title="First"), make_event(title="Second")
    first_id, second_id = first.id, second.id
    with pytest.raises(RuntimeError), write_transaction():
        rename(first_id, "Changed by the outer block")
        with write_transaction():
            rename(second_id, "Changed by the inner block")
        assert db.session.get(Event, second_id).title == "Changed by the inner block"
        raise RuntimeError("a later step fails")
    assert (title_of(first_id), title_of(second_id)) == ("First", "Second")


def test_changes_made_before_the_block_are_refused_not_lost(app, make_event):
    event = make_event(title="Before")
    event.title = "Changed outside any write"
    with pytest.raises(RuntimeError, match="outside a write transaction"), write_transaction():
        pass
    db.session.rollback()
    assert title_of(event.id) == "Before"
