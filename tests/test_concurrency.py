"""Capacity under concurrency: the real app under gunicorn with 4 workers (DESIGN §5)."""

import pytest

from eventsvc.extensions import db
from tests.helpers import in_days
from tests.live import LiveServer, database_app, register_at_once, seat_snapshot


@pytest.fixture
def event_slug(database_url, tmp_path, open_event):
    """An event with 10 seats and a waitlist, in a database the server will share."""
    with database_app(database_url, tmp_path):
        db.create_all()
        return open_event(title="Crowded webinar", starts_at=in_days(5), capacity=10).slug


@pytest.fixture
def server(database_url, event_slug, tmp_path):
    """gunicorn with 4 workers on a free port, sharing the test's database."""
    with LiveServer(database_url, tmp_path, workers=4) as live:
        yield live.base


def _rows(database_url, tmp_path, slug):
    with database_app(database_url, tmp_path):
        return seat_snapshot(slug)


def test_sixty_concurrent_registrations_for_ten_seats(server, database_url, event_slug, tmp_path):
    results = register_at_once([server], event_slug, [f"person{i}@example.org" for i in range(60)])
    assert sorted(results) == [303] * 60
    rows, counters = _rows(database_url, tmp_path, event_slug)
    states = [state for state, _ in rows]
    assert states.count("confirmed") == 10
    assert states.count("waitlisted") == 50
    assert sorted(position for state, position in rows if state == "waitlisted") == list(
        range(1, 51)
    )
    assert counters == (10, 50)


def test_one_address_submitted_twenty_times_at_once_registers_once(
    server, database_url, event_slug, tmp_path
):
    spellings = ["ana@example.org", "ANA@example.org", " Ana@Example.org ", "ana@EXAMPLE.ORG"]
    results = register_at_once([server], event_slug, [spellings[i % 4] for i in range(20)])
    assert results == [303] * 20  # one answer for all: "check your inbox"
    rows, counters = _rows(database_url, tmp_path, event_slug)
    assert rows == [("confirmed", None)]
    assert counters == (1, 0)
