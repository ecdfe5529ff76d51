"""Events built to be hard for calendar parsers."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event
from eventsvc.services.events import cancel_event
from eventsvc.timezones import to_utc
from tests.helpers import MANY_SCRIPTS, TRICKY_SUMMARY, TRICKY_TEXT, utc_text

DST_ZONES = ("America/New_York", "Europe/London", "Australia/Sydney")
NO_DST_ZONE = "America/La_Paz"


@dataclass
class Expected:
    """What every parser must read back for one event."""

    slug: str
    uid: str
    start: str
    end: str
    summary: str
    status: str


def next_transitions(zone_name: str, after: datetime, count: int = 2) -> list[datetime]:
    """The next `count` UTC instants at which the zone's offset changes."""
    tz, found = ZoneInfo(zone_name), []
    low = after
    while len(found) < count:
        high = low + timedelta(days=1)
        if low.astimezone(tz).utcoffset() != high.astimezone(tz).utcoffset():
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                same = middle.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset()
                low, high = (middle, high) if same else (low, middle)
            found.append(high.replace(second=0, microsecond=0))
        low = high
    return found


def _timed(make_event, title, zone_name, start, end, **fields) -> Expected:
    event = make_event(title=title, timezone=zone_name, starts_at=start, ends_at=end, **fields)
    return Expected(event.slug, event.uid, utc_text(start), utc_text(end), title, "CONFIRMED")


def _dst_events(make_event, zone_name: str, soon: datetime) -> list[Expected]:
    """Across each of the zone's next two changes: one inside the jump, one in its week."""
    made = []
    for number, change in enumerate(next_transitions(zone_name, soon), start=1):
        made.append(
            _timed(
                make_event,
                f"Across change {number} in {zone_name}",
                zone_name,
                change - timedelta(minutes=30),
                change + timedelta(minutes=30),
            )
        )
        day = change.astimezone(ZoneInfo(zone_name)).date() + timedelta(days=2)
        start = to_utc(datetime.combine(day, time(10, 0)), zone_name)
        made.append(
            _timed(
                make_event,
                f"Week of change {number} in {zone_name}",
                zone_name,
                start,
                start + timedelta(minutes=90),
                kind="in_person",
                venue=f"Hall {number}, {zone_name}",
            )
        )
    return made


def _text_events(make_event, soon: datetime) -> list[Expected]:
    start = soon + timedelta(days=3)
    long_title = (MANY_SCRIPTS * 3).strip()
    return [
        _timed(
            make_event,
            TRICKY_TEXT,
            "Europe/London",
            start,
            start + timedelta(hours=1),
            summary=TRICKY_SUMMARY,
            tags=["Business, human rights", "Accountability; remedy"],
            credits=[("co_host", "organization", "Clinic, Inc.; and \\ partners")],
        ),
        _timed(
            make_event,
            long_title,
            "Asia/Tokyo",
            start + timedelta(days=1),
            start + timedelta(days=1, hours=2),
            summary=MANY_SCRIPTS * 12,
            kind="hybrid",
            venue=MANY_SCRIPTS * 2,
            address="東京都千代田区 1-1 — Ciudad Autónoma 🏛️",
        ),
    ]


def _all_day_event(make_event) -> Expected:
    first = date.today() + timedelta(days=20)
    last = first + timedelta(days=1)
    start = to_utc(datetime.combine(first, time()), "Europe/London")
    end = to_utc(datetime.combine(last + timedelta(days=1), time()), "Europe/London")
    event = make_event(
        title="Two-day summit, all day",
        kind="in_person",
        timezone="Europe/London",
        all_day=True,
        start_date=first,
        end_date=last,
        starts_at=start,
        ends_at=end,
        venue="Senate House",
    )
    exclusive_end = (last + timedelta(days=1)).isoformat()
    return Expected(
        event.slug, event.uid, first.isoformat(), exclusive_end, event.title, "CONFIRMED"
    )


def _midnight_and_cancelled(make_event, soon: datetime) -> list[Expected]:
    night = datetime.combine(soon.date() + timedelta(days=5), time(22, 30))
    start = to_utc(night, "Australia/Sydney")
    midnight = _timed(
        make_event,
        "Night watch across midnight",
        "Australia/Sydney",
        start,
        start + timedelta(hours=3),
    )
    cancelled = _timed(
        make_event,
        "Panel that will not happen",
        NO_DST_ZONE,
        soon + timedelta(days=6),
        soon + timedelta(days=6, hours=1),
    )
    return [midnight, cancelled]


@pytest.fixture
def hard_events(app, make_event) -> list[Expected]:
    """Published events in DST weeks and jumps, with awkward text, all-day and overnight."""
    soon = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=1)
    made = []
    for zone_name in DST_ZONES:
        made += _dst_events(make_event, zone_name, soon)
    new_york_change = next_transitions("America/New_York", soon, 1)[0]
    made.append(
        _timed(
            make_event,
            "Same instant in La Paz, no DST",
            NO_DST_ZONE,
            new_york_change - timedelta(minutes=30),
            new_york_change + timedelta(minutes=30),
        )
    )
    made += _text_events(make_event, soon)
    made.append(_all_day_event(make_event))
    made += _midnight_and_cancelled(make_event, soon)
    cancelled = db.session.scalar(select(Event).where(Event.slug == made[-1].slug))
    cancel_event(cancelled, "The speakers cannot travel; a new date will follow.")
    made[-1].summary, made[-1].status = f"Cancelled: {made[-1].summary}", "CANCELLED"
    return made
