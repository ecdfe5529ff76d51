"""A change a calendar shows reaches subscribers: SEQUENCE, LAST-MODIFIED and the ETag move
together (ICAL-INTEROP 6, 12, 13); other edits move none of them."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from eventsvc.extensions import db
from eventsvc.services import changes
from eventsvc.services import events as event_service
from eventsvc.services.events import (
    CreditInput,
    EventFields,
    add_recording,
    cancel_event,
    fields_of,
    set_visibility,
)
from tests.helpers import entries, save_fields


class Clock:
    """A settable now() for the events service and the change tracker, a minute further at each
    call to tick()."""

    def __init__(self):
        self.moment = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)

    def __call__(self) -> datetime:
        return self.moment

    def tick(self) -> None:
        self.moment += timedelta(minutes=1)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(event_service, "now", clock)
    monkeypatch.setattr(changes, "now", clock)
    return clock


@pytest.fixture
def event(make_event, clock):
    return make_event(
        title="Supply chains and due diligence",
        capacity=100,
        credits=[("co_host", "organization", "Fair Chains Foundation")],
    )


def snapshot(client, event) -> dict:
    """What a subscriber's calendar app sees of the event in the site feed."""
    response = client.get("/calendar.ics")
    entry = entries(response.data).get(event.uid)
    return {
        "etag": response.headers["ETag"],
        "sequence": entry and int(entry["SEQUENCE"]),
        "last_modified": entry and entry["LAST-MODIFIED"].dt,
        "dtstamp": entry and entry["DTSTAMP"].dt,
        "entry": entry,
    }


def _later(values: EventFields) -> EventFields:
    shift = timedelta(hours=2)
    times = values.schedule
    moved = replace(times, starts_at=times.starts_at + shift, ends_at=times.ends_at + shift)
    return replace(values, schedule=moved)


SHOWN_EDITS = {
    "time": _later,
    "title": lambda values: replace(values, title="Supply chains after the new directive"),
    "credits": lambda values: replace(
        values, credits=[*values.credits, CreditInput("moderator", "person", "Amina Diallo")]
    ),
}


@pytest.mark.parametrize("edit", SHOWN_EDITS)
def test_a_shown_edit_raises_sequence_last_modified_and_the_etag(client, clock, event, edit):
    before = snapshot(client, event)
    clock.tick()

    save_fields(event, SHOWN_EDITS[edit](fields_of(event)))
    after = snapshot(client, event)

    assert after["sequence"] == before["sequence"] + 1
    assert after["last_modified"] == after["dtstamp"] == clock.moment
    assert after["last_modified"] > before["last_modified"]
    assert after["etag"] != before["etag"]
    refreshed = client.get("/calendar.ics", headers={"If-None-Match": before["etag"]})
    assert refreshed.status_code == 200


def test_a_posted_recording_reaches_the_entry(client, clock, event):
    before = snapshot(client, event)
    clock.tick()

    add_recording(event, "https://video.example/watch?v=supply", "Watch: supply chains")
    after = snapshot(client, event)

    assert after["sequence"] == before["sequence"] + 1
    assert after["last_modified"] > before["last_modified"]
    assert after["etag"] != before["etag"]
    assert "Recording: https://video.example/watch?v=supply" in str(after["entry"]["DESCRIPTION"])


@pytest.mark.parametrize(
    "edit",
    [
        lambda values: replace(values, internal_note="Ask the venue about the microphones"),
        lambda values: replace(values, capacity=250),
    ],
    ids=["internal note", "capacity"],
)
def test_an_edit_no_calendar_shows_moves_nothing(client, clock, event, edit):
    before = snapshot(client, event)
    clock.tick()

    save_fields(event, edit(fields_of(event)))
    after = snapshot(client, event)

    assert after["etag"] == before["etag"]
    assert after["sequence"] == before["sequence"]
    assert after["last_modified"] == before["last_modified"]
    again = client.get("/calendar.ics", headers={"If-None-Match": before["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("unpublished", [False, True], ids=["published", "then unpublished"])
def test_a_cancelled_event_stays_marked_for_30_days_then_leaves(client, clock, event, unpublished):
    before = snapshot(client, event)
    clock.tick()

    cancel_event(event, "The speakers cannot travel.")
    if unpublished:
        set_visibility(event, published=False)
    cancelled = snapshot(client, event)

    assert cancelled["sequence"] == before["sequence"] + 1
    assert str(cancelled["entry"]["STATUS"]) == "CANCELLED"
    assert str(cancelled["entry"]["SUMMARY"]) == "Cancelled: Supply chains and due diligence"
    assert cancelled["etag"] != before["etag"]

    event.cancelled_at = datetime.now(UTC) - timedelta(days=29, hours=23)
    db.session.commit()
    assert snapshot(client, event)["entry"] is not None

    event.cancelled_at = datetime.now(UTC) - timedelta(days=30, minutes=1)
    db.session.commit()
    gone = client.get("/calendar.ics", headers={"If-None-Match": cancelled["etag"]})
    assert gone.status_code == 200
    assert event.uid.encode() not in gone.data
    assert gone.headers["ETag"] != cancelled["etag"]
    assert client.get(f"/events/{event.slug}.ics").status_code == (410 if unpublished else 200)


def test_events_stay_listed_until_180_days_after_they_end(client, make_event):
    old = make_event(
        title="Old webinar",
        starts_at=datetime.now(UTC) - timedelta(days=181),
        ends_at=datetime.now(UTC) - timedelta(days=179, hours=23),
    )
    older = make_event(
        title="Older webinar",
        starts_at=datetime.now(UTC) - timedelta(days=181),
        ends_at=datetime.now(UTC) - timedelta(days=180, minutes=1),
    )

    body = client.get("/calendar.ics").data

    assert old.uid.encode() in body
    assert older.uid.encode() not in body


def test_unpublishing_takes_the_event_out_and_moves_last_modified(client, make_event):
    listed = make_event(title="Briefing for journalists")
    listed.updated_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    before = client.get("/calendar.ics")

    set_visibility(listed, published=False)
    since = {"If-Modified-Since": before.headers["Last-Modified"]}
    after = client.get("/calendar.ics", headers=since)

    assert after.status_code == 200
    assert listed.uid.encode() not in after.data
    assert client.get(f"/events/{listed.slug}.ics").status_code == 410  # once published: gone
