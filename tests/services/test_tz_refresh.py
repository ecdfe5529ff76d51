"""`eventsvc timezones refresh`: events whose instants older tz data made follow today's rules.

The older data is tests/zoneinfo-2025b, two zones as Debian 12 ships them: Vancouver still
changing clocks (today's rules keep UTC−07:00 all year), and Chisinau changing them an
hour earlier than today's rules, which leaves 03:30 on its spring day in a new gap.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from eventsvc.cli import main
from eventsvc.extensions import db
from eventsvc.models import AuditEntry, Event
from eventsvc.services.events import fields_of, refresh_time_zone_rules
from eventsvc.timezones import TZDATA_VERSION, Schedule
from tests.helpers import entries, outbox_messages, reloaded, save_fields

OLDER = Path(__file__).resolve().parent.parent / "zoneinfo-2025b"
NEXT_YEAR = date.today().year + 1


def older_rules(zone_name: str) -> ZoneInfo:
    """A zone as tz 2025b has it."""
    with (OLDER / zone_name).open("rb") as handle:
        return ZoneInfo.from_file(handle, key=zone_name)


def made_by_2025b(event: Event, local_start: datetime, minutes: int) -> Event:
    """Give the event the times tz 2025b made of this wall clock, as the app stored them."""
    starts_at = local_start.replace(tzinfo=older_rules(event.timezone)).astimezone(UTC)
    duration = timedelta(minutes=minutes)
    schedule = Schedule(
        event.timezone,
        starts_at,
        starts_at + duration,
        local_start=local_start,
        local_end=local_start + duration,
        tz_version="2025b",
    )
    return save_fields(event, replace(fields_of(event), schedule=schedule))


def last_sunday_of_march(year: int) -> date:
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@pytest.fixture
def vancouver(any_db_app, open_event, sign_up):
    """A webinar at 10:00 Vancouver time next 15 January, stored at 18:00 UTC by tz 2025b,
    and a registrant who was sent its invitation."""
    event = open_event(title="Forests and free consent", timezone="America/Vancouver")
    made_by_2025b(event, datetime(NEXT_YEAR, 1, 15, 10), 90)
    sign_up(event, "ana@example.org", timezone="America/Vancouver")
    outbox_messages()
    return event


def test_refresh_moves_an_event_to_todays_rules_and_tells_why(any_db_app, vancouver):
    assert vancouver.starts_at == datetime(NEXT_YEAR, 1, 15, 18, tzinfo=UTC)
    [confirmed] = outbox_messages("confirmed")
    sent_sequence = Calendar.from_ical(confirmed.calendar).walk("VEVENT")[0]["SEQUENCE"]
    sequence = vancouver.sequence

    [refreshed] = refresh_time_zone_rules()

    event = reloaded(vancouver)
    assert refreshed.moved and refreshed.notes == []
    assert event.starts_at == datetime(NEXT_YEAR, 1, 15, 17, tzinfo=UTC)
    assert event.ends_at == datetime(NEXT_YEAR, 1, 15, 18, 30, tzinfo=UTC)
    assert (event.local_start, event.tz_version) == (datetime(NEXT_YEAR, 1, 15, 10), TZDATA_VERSION)
    assert event.sequence == sequence + 1
    feed_entry = entries(any_db_app.test_client().get("/calendar.ics").data)[event.uid]
    assert feed_entry.decoded("DTSTART") == event.starts_at
    assert feed_entry["SEQUENCE"] == event.sequence

    [update] = outbox_messages("event_changed")
    [vevent] = Calendar.from_ical(update.calendar).walk("VEVENT")
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent["SEQUENCE"] > sent_sequence
    text = " ".join(update.body_text.split())
    assert f"was: Friday 15 January {NEXT_YEAR}, 10:00–11:30 (America/Vancouver, UTC−08:00)" in (
        text
    )
    assert "(America/Vancouver, UTC−07:00)" in text.rsplit("now: ", 1)[1]
    assert "The rules of the America/Vancouver time zone changed" in text
    assert "which is now 17:00 UTC" in text

    [audited] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "event.times_rederived")
    ).all()
    assert (audited.actor, audited.target_label) == ("system", "Forests and free consent")
    assert "tz data 2025b → " + TZDATA_VERSION in audited.detail
    assert f"{NEXT_YEAR}-01-15 18:00 UTC → {NEXT_YEAR}-01-15 17:00 UTC" in audited.detail

    assert refresh_time_zone_rules() == []  # idempotent: nothing older is left
    assert len(outbox_messages("event_changed")) == 1


def test_a_time_in_a_new_gap_moves_forward_by_the_gap_and_is_listed(any_db_app, make_event):
    spring = last_sunday_of_march(NEXT_YEAR)
    event = make_event(title="Moldovan dialogue", timezone="Europe/Chisinau")
    made_by_2025b(event, datetime.combine(spring, time(3, 30)), 60)
    # tz 2025b: 03:30 is after its jump (02:00 → 03:00); today's rules jump 03:00 → 04:00.
    assert event.starts_at == datetime.combine(spring, time(0, 30), UTC)
    runner = any_db_app.test_cli_runner()

    result = runner.invoke(main, ["timezones", "refresh"])

    assert result.exit_code == 0, result.output
    event = reloaded(event)
    assert event.starts_at == datetime.combine(spring, time(1, 30), UTC)
    assert event.local_start == datetime.combine(spring, time(4, 30))
    assert event.ends_at - event.starts_at == timedelta(minutes=60)
    note = f"3:30 on {spring.day} March {NEXT_YEAR} does not exist in Europe/Chisinau"
    assert "1 moved" in result.output and "Moved: Moldovan dialogue" in result.output
    assert note in result.output and "moved to 4:30" in result.output
    detail = db.session.scalar(
        select(AuditEntry.detail).where(AuditEntry.action == "event.times_rederived")
    )
    assert note in detail


def test_events_over_or_not_moved_keep_their_instants(any_db_app, make_event, sign_up):
    over = make_event(title="Last winter", timezone="America/Vancouver")
    made_by_2025b(over, datetime(2025, 1, 15, 10), 60)
    summer = make_event(title="Summer school", timezone="Europe/Chisinau")
    made_by_2025b(summer, datetime(NEXT_YEAR, 7, 1, 10), 60)  # both releases: UTC+03:00
    sequence, starts_at = summer.sequence, summer.starts_at

    [refreshed] = refresh_time_zone_rules()

    assert (refreshed.title, refreshed.moved) == ("Summer school", False)
    summer, over = reloaded(summer, over)
    assert (summer.tz_version, summer.sequence, summer.starts_at) == (
        TZDATA_VERSION,
        sequence,
        starts_at,
    )
    assert over.tz_version == "2025b"
    moved = select(AuditEntry.id).where(AuditEntry.action == "event.times_rederived")
    assert db.session.scalar(moved) is None
