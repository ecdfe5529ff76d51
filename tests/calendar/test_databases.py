"""What differs between SQLite and PostgreSQL: stored entries, their rebuild, the validators."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from eventsvc.extensions import db
from eventsvc.models import Event
from eventsvc.services.changes import store_stale_entries
from eventsvc.services.events import cancel_event
from tests.helpers import entries


def test_feeds_serve_stored_entries_and_rebuild_stale_ones(any_db_app, make_event):
    client = any_db_app.test_client()
    kept = make_event(title="Kept as built", tags=["Due diligence"])
    stale = make_event(title="Built before a change of format")
    cancelled = make_event(title="Called off")
    cancel_event(cancelled, "Speakers unavailable.")
    db.session.execute(update(Event).where(Event.id == stale.id).values(calendar_entry_key="old"))
    db.session.commit()

    first = client.get("/calendar.ics")
    again = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200
    found = entries(first.data)
    assert set(found) == {kept.uid, stale.uid, cancelled.uid}
    assert str(found[cancelled.uid]["STATUS"]) == "CANCELLED"
    assert again.status_code == 304
    db.session.expire_all()
    assert db.session.get(Event, stale.id).calendar_entry_key == "old"  # a GET writes nothing

    assert store_stale_entries() == 1
    db.session.expire_all()
    assert db.session.get(Event, stale.id).calendar_entry_key.startswith("0:")
    assert client.get("/calendar.ics").data == first.data
    since = client.get(
        "/calendar.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304


def test_last_modified_moves_when_a_cancelled_event_leaves(any_db_app, make_event):
    client = any_db_app.test_client()
    event = make_event(title="Called off long ago")
    cancel_event(event, "No venue.")
    event.cancelled_at = datetime.now(UTC) - timedelta(days=31)
    event.updated_at = datetime.now(UTC) - timedelta(days=31)
    db.session.commit()

    response = client.get("/calendar.ics")

    assert event.uid.encode() not in response.data
    left = datetime.now(UTC) - timedelta(days=1)
    modified = datetime.strptime(response.headers["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT")
    assert abs(modified.replace(tzinfo=UTC) - left) < timedelta(minutes=1)
