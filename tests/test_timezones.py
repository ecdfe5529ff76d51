"""The time module across the DST weeks of 2026 in both hemispheres and a zone without DST."""

import zoneinfo
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import pytz
import tzdata
from hypothesis import given, settings
from hypothesis import strategies as st

from eventsvc.timezones import (
    TZDATA_VERSION,
    LocalTimeError,
    Schedule,
    TimeInputError,
    TimesAsked,
    check_duration,
    day_bounds,
    describe,
    describe_span,
    end_after,
    format_offset,
    is_ambiguous,
    offsets_at,
    parse_offset,
    read_schedule,
    read_window,
    to_local,
    to_utc,
    zone,
    zone_label,
    zones_by_region,
)


def test_one_tz_database_the_package_with_pytz_of_the_same_release():
    assert zoneinfo.TZPATH == ()  # the host's /usr/share/zoneinfo is never read
    assert TZDATA_VERSION == tzdata.IANA_VERSION == pytz.OLSON_VERSION
    vancouver = to_utc(datetime(2027, 1, 15, 10), "America/Vancouver")
    assert vancouver == datetime(2027, 1, 15, 17, tzinfo=UTC)
    assert describe(vancouver, "America/Vancouver").endswith("10:00 MST (UTC−07:00)")


def test_a_schedule_from_older_tz_data_keeps_its_wall_clock_and_rederives_its_instants():
    # 10:00 in Vancouver as tz 2025b made it (UTC−08:00, before BC stopped changing clocks).
    older = Schedule(
        "America/Vancouver",
        datetime(2027, 1, 15, 18, tzinfo=UTC),
        datetime(2027, 1, 15, 19, 30, tzinfo=UTC),
        local_start=datetime(2027, 1, 15, 10),
        local_end=datetime(2027, 1, 15, 11, 30),
        tz_version="2025b",
    )
    assert not older.is_current and older.local_start == datetime(2027, 1, 15, 10)

    today, moved = older.rederived()

    assert (today.starts_at, today.ends_at) == (
        datetime(2027, 1, 15, 17, tzinfo=UTC),
        datetime(2027, 1, 15, 18, 30, tzinfo=UTC),
    )
    assert (today.local_start, today.tz_version, moved) == (older.local_start, TZDATA_VERSION, [])
    assert describe_span(older.local_start, older.local_end, older.starts_at, older.zone) == (
        "Friday 15 January 2027, 10:00–11:30 (America/Vancouver, UTC−08:00)"
    )


def test_rederiving_keeps_the_occurrence_of_a_repeated_hour():
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, after falling back
    older = Schedule(
        "America/New_York",
        second,
        second + timedelta(hours=1),
        local_start=datetime(2026, 11, 1, 1, 30),
        local_end=datetime(2026, 11, 1, 2, 30),
        tz_version="2025b",
    )
    assert older.rederived()[0].starts_at == second


def test_a_schedule_made_today_reads_its_wall_clock_from_its_instants():
    made = Schedule(
        "Europe/London", datetime(2026, 7, 1, 9, tzinfo=UTC), datetime(2026, 7, 1, 10, tzinfo=UTC)
    )
    moved = replace(made, starts_at=datetime(2026, 7, 1, 8, tzinfo=UTC))
    assert (made.local_start, moved.local_start) == (
        datetime(2026, 7, 1, 10),
        datetime(2026, 7, 1, 9),
    )


ZONES = (
    "America/New_York",
    "Europe/London",
    "Europe/Amsterdam",
    "Australia/Sydney",
    "America/La_Paz",
)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def at(day: date, clock: str) -> datetime:
    """A naive wall-clock time: at(date(2026, 3, 8), "2:30")."""
    hour, minute = clock.split(":")
    return datetime(day.year, day.month, day.day, int(hour), int(minute))


@pytest.mark.parametrize(
    ("zone_name", "local", "message"),
    [
        (
            "America/New_York",
            datetime(2026, 3, 8, 2, 30),
            "2:30 does not exist on 8 March 2026 in America/New_York: "
            "clocks move from 2:00 to 3:00",
        ),
        (
            "Europe/London",
            datetime(2026, 3, 29, 1, 30),
            "1:30 does not exist on 29 March 2026 in Europe/London: clocks move from 1:00 to 2:00",
        ),
        (
            "Europe/Amsterdam",
            datetime(2026, 3, 29, 2, 0),
            "2:00 does not exist on 29 March 2026 in Europe/Amsterdam: "
            "clocks move from 2:00 to 3:00",
        ),
        (
            "Australia/Sydney",
            datetime(2026, 10, 4, 2, 59),
            "2:59 does not exist on 4 October 2026 in Australia/Sydney: "
            "clocks move from 2:00 to 3:00",
        ),
    ],
)
def test_a_time_in_the_spring_gap_is_refused_naming_the_gap(zone_name, local, message):
    with pytest.raises(LocalTimeError) as raised:
        to_utc(local, zone_name)
    assert str(raised.value) == message
    assert offsets_at(local, zone_name) == []


@pytest.mark.parametrize(
    ("zone_name", "day", "before", "after", "jump"),
    [
        ("America/New_York", date(2026, 3, 8), "1:59", "3:00", utc(2026, 3, 8, 7)),
        ("Europe/London", date(2026, 3, 29), "0:59", "2:00", utc(2026, 3, 29, 1)),
        ("Europe/Amsterdam", date(2026, 3, 29), "1:59", "3:00", utc(2026, 3, 29, 1)),
        ("Australia/Sydney", date(2026, 10, 4), "1:59", "3:00", utc(2026, 10, 3, 16)),
    ],
)
def test_the_minutes_either_side_of_the_gap_are_one_minute_apart(
    zone_name, day, before, after, jump
):
    assert to_utc(at(day, before), zone_name) == jump - timedelta(minutes=1)
    assert to_utc(at(day, after), zone_name) == jump


@pytest.mark.parametrize(
    ("zone_name", "local", "first", "second"),
    [
        ("America/New_York", datetime(2026, 11, 1, 1, 30), hours(-4), hours(-5)),
        ("Europe/London", datetime(2026, 10, 25, 1, 30), hours(1), hours(0)),
        ("Europe/Amsterdam", datetime(2026, 10, 25, 2, 30), hours(2), hours(1)),
        # Southern hemisphere: Sydney falls back in April.
        ("Australia/Sydney", datetime(2026, 4, 5, 2, 30), hours(11), hours(10)),
    ],
)
def test_an_ambiguous_time_is_its_first_occurrence_unless_an_offset_says(
    zone_name, local, first, second
):
    assert is_ambiguous(local, zone_name)
    assert offsets_at(local, zone_name) == [first, second]
    assert to_utc(local, zone_name) == (local - first).replace(tzinfo=UTC)
    assert to_utc(local, zone_name, first) == (local - first).replace(tzinfo=UTC)
    later = to_utc(local, zone_name, second)
    assert later == (local - second).replace(tzinfo=UTC)
    assert later - to_utc(local, zone_name) == hours(1)


@pytest.mark.parametrize(
    ("zone_name", "local", "offset", "message"),
    [
        (
            "America/New_York",
            datetime(2026, 11, 1, 1, 30),
            hours(-6),
            "America/New_York is not at UTC\u221206:00 at 1:30 on 1 November 2026; "
            "it is at UTC\u221204:00 or UTC\u221205:00",
        ),
        (
            "Europe/London",
            datetime(2026, 7, 1, 12, 0),
            hours(0),
            "Europe/London is not at UTC+00:00 at 12:00 on 1 July 2026; it is at UTC+01:00",
        ),
        (
            "America/La_Paz",
            datetime(2026, 11, 1, 1, 30),
            hours(-5),
            "America/La_Paz is not at UTC\u221205:00 at 1:30 on 1 November 2026; "
            "it is at UTC\u221204:00",
        ),
    ],
)
def test_an_offset_the_zone_does_not_have_then_is_refused(zone_name, local, offset, message):
    with pytest.raises(LocalTimeError) as raised:
        to_utc(local, zone_name, offset)
    assert str(raised.value) == message


def test_an_offset_in_a_gap_does_not_make_the_time_exist():
    with pytest.raises(LocalTimeError, match="does not exist"):
        to_utc(datetime(2026, 3, 8, 2, 30), "America/New_York", hours(-5))


def test_ordinary_times_have_one_offset():
    assert offsets_at(datetime(2026, 7, 30, 10), "America/New_York") == [hours(-4)]
    assert offsets_at(datetime(2026, 1, 15, 10), "America/New_York") == [hours(-5)]
    assert not is_ambiguous(datetime(2026, 7, 30, 10), "Europe/London")


@pytest.mark.parametrize(
    "local",
    [
        datetime(2026, 3, 8, 2, 30),
        datetime(2026, 3, 29, 1, 30),
        datetime(2026, 10, 25, 1, 30),
        datetime(2026, 11, 1, 1, 30),
        datetime(2026, 4, 5, 2, 30),
        datetime(2026, 10, 4, 2, 30),
    ],
)
def test_a_zone_without_dst_has_every_time_exactly_once(local):
    assert offsets_at(local, "America/La_Paz") == [hours(-4)]
    assert to_utc(local, "America/La_Paz") == (local + hours(4)).replace(tzinfo=UTC)


def test_seconds_of_a_wall_clock_time_are_dropped():
    assert to_utc(datetime(2026, 7, 30, 10, 0, 45, 5), "America/New_York") == utc(2026, 7, 30, 14)


@pytest.mark.parametrize(
    ("zone_name", "start_local", "wall_minutes"),
    [
        ("America/New_York", datetime(2026, 3, 8, 1, 30), 150),
        ("America/New_York", datetime(2026, 11, 1, 1, 0), 30),
        ("Europe/London", datetime(2026, 3, 29, 0, 30), 150),
        ("Europe/London", datetime(2026, 10, 25, 1, 0), 30),
        ("Europe/Amsterdam", datetime(2026, 3, 29, 1, 30), 150),
        ("Europe/Amsterdam", datetime(2026, 10, 25, 2, 0), 30),
        ("Australia/Sydney", datetime(2026, 10, 4, 1, 30), 150),
        ("Australia/Sydney", datetime(2026, 4, 5, 2, 0), 30),
        ("America/La_Paz", datetime(2026, 11, 1, 1, 0), 90),
    ],
)
def test_a_90_minute_event_across_a_dst_change_lasts_90_minutes(
    zone_name, start_local, wall_minutes
):
    starts_at = to_utc(start_local, zone_name)
    ends_at = end_after(starts_at, 90)
    assert ends_at - starts_at == timedelta(minutes=90)
    wall_start = to_local(starts_at, zone_name).replace(tzinfo=None)
    wall_end = to_local(ends_at, zone_name).replace(tzinfo=None)
    assert wall_start == start_local
    assert wall_end - wall_start == timedelta(minutes=wall_minutes)


def test_durations_must_be_positive_and_at_most_14_days():
    start = utc(2026, 7, 30, 14)
    with pytest.raises(LocalTimeError, match="end must be after the start"):
        check_duration(start, start)
    with pytest.raises(LocalTimeError, match="end must be after the start"):
        end_after(start, -30)
    with pytest.raises(LocalTimeError, match="at most 14 days"):
        check_duration(start, start + timedelta(days=14, minutes=1))
    check_duration(start, start + timedelta(days=14))
    assert end_after(start, 14 * 24 * 60) == start + timedelta(days=14)
    for minutes in (10**30, -(10**30)):  # typed into a form: refused, not an overflow
        with pytest.raises(LocalTimeError):
            end_after(start, minutes)


@pytest.mark.parametrize(
    ("instant", "zone_name", "text"),
    [
        (utc(2026, 7, 30, 14), "America/New_York", "30 July 2026, 10:00 EDT (UTC\u221204:00)"),
        (utc(2026, 1, 15, 15), "America/New_York", "15 January 2026, 10:00 EST (UTC\u221205:00)"),
        (utc(2026, 7, 30, 9), "Europe/London", "30 July 2026, 10:00 BST (UTC+01:00)"),
        (utc(2026, 1, 15, 10), "Europe/London", "15 January 2026, 10:00 GMT (UTC+00:00)"),
        (utc(2026, 7, 30, 8), "Europe/Amsterdam", "30 July 2026, 10:00 CEST (UTC+02:00)"),
        (utc(2026, 1, 15, 9), "Europe/Amsterdam", "15 January 2026, 10:00 CET (UTC+01:00)"),
        (utc(2026, 1, 14, 23), "Australia/Sydney", "15 January 2026, 10:00 AEDT (UTC+11:00)"),
        (utc(2026, 7, 30, 0), "Australia/Sydney", "30 July 2026, 10:00 AEST (UTC+10:00)"),
        (
            utc(2026, 7, 30, 14),
            "America/La_Paz",
            "30 July 2026, 10:00 La Paz time (UTC\u221204:00)",
        ),
    ],
)
def test_describe_shows_the_local_day_abbreviation_and_offset(instant, zone_name, text):
    assert describe(instant, zone_name) == f"Thursday {text}"


@pytest.mark.parametrize(
    ("instant", "abbreviation", "offset"),
    [
        # Both 1:30s of New York's fall-back night, an hour apart.
        (utc(2026, 11, 1, 5, 30), "EDT", hours(-4)),
        (utc(2026, 11, 1, 6, 30), "EST", hours(-5)),
    ],
)
def test_to_local_tells_the_two_occurrences_of_an_ambiguous_time_apart(
    instant, abbreviation, offset
):
    local = to_local(instant, "America/New_York")
    assert local.replace(tzinfo=None) == datetime(2026, 11, 1, 1, 30)
    assert local.tzname() == abbreviation
    assert local.utcoffset() == offset


def test_to_local_takes_naive_values_as_utc():
    naive = datetime(2026, 7, 30, 14)
    assert to_local(naive, "Europe/London") == to_local(naive.replace(tzinfo=UTC), "Europe/London")
    assert to_local(naive, "Europe/London").hour == 15


def test_zone_label_names_the_zone_abbreviation_and_offset():
    assert zone_label(utc(2026, 7, 30, 14), "Europe/London") == "Europe/London, BST, UTC+01:00"
    assert zone_label(utc(2026, 12, 1, 14), "Europe/London") == "Europe/London, GMT, UTC+00:00"


@pytest.mark.parametrize(
    ("zone_name", "first", "last", "starts_at", "ends_at", "length"),
    [
        # London springs forward on 29 March: the two days last 47 hours.
        ("Europe/London", date(2026, 3, 28), date(2026, 3, 29),
         utc(2026, 3, 28, 0), utc(2026, 3, 29, 23), hours(47)),
        # New York falls back on 1 November: that day lasts 25 hours.
        ("America/New_York", date(2026, 11, 1), date(2026, 11, 1),
         utc(2026, 11, 1, 4), utc(2026, 11, 2, 5), hours(25)),
        ("Europe/Amsterdam", date(2026, 10, 25), date(2026, 10, 25),
         utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), hours(25)),
        # Sydney springs forward in October: that day lasts 23 hours.
        ("Australia/Sydney", date(2026, 10, 4), date(2026, 10, 4),
         utc(2026, 10, 3, 14), utc(2026, 10, 4, 13), hours(23)),
        ("America/La_Paz", date(2026, 11, 1), date(2026, 11, 1),
         utc(2026, 11, 1, 4), utc(2026, 11, 2, 4), hours(24)),
    ],
)  # fmt: skip
def test_all_day_events_run_from_local_midnight_to_local_midnight(
    zone_name, first, last, starts_at, ends_at, length
):
    assert day_bounds(first, last, zone_name) == (starts_at, ends_at)
    assert ends_at - starts_at == length
    assert to_local(starts_at, zone_name).replace(tzinfo=None) == datetime(
        2026, first.month, first.day
    )


def test_all_day_spans_must_be_in_order_and_at_most_14_days():
    with pytest.raises(LocalTimeError, match="must not be before"):
        day_bounds(date(2026, 7, 2), date(2026, 7, 1), "Europe/London")
    with pytest.raises(LocalTimeError, match="at most 14 days"):
        day_bounds(date(2026, 7, 1), date(2026, 7, 15), "Europe/London")
    starts_at, ends_at = day_bounds(date(2026, 7, 1), date(2026, 7, 14), "Europe/London")
    assert ends_at - starts_at == timedelta(days=14)


def test_zones_are_grouped_by_region_for_the_picker():
    groups = zones_by_region()
    listed = [name for names in groups.values() for name in names]
    assert sorted(listed) == sorted(pytz.common_timezones)
    assert len(listed) == len(set(listed))
    for region, names in groups.items():
        expected = {name.split("/", 1)[0] if "/" in name else "Other" for name in names}
        assert expected == {region}
    assert "Europe/Amsterdam" in groups["Europe"]
    assert "Australia/Sydney" in groups["Australia"]
    assert "America/La_Paz" in groups["America"]
    assert "UTC" in groups["Other"]


@pytest.mark.parametrize(
    "name", ["Mars/Olympus_Mons", "", "new york", "../../etc/passwd", "EST5EDT\x00"]
)
def test_unknown_zone_names_are_refused(name):
    with pytest.raises(LocalTimeError, match="is not a known time zone"):
        zone(name)
    with pytest.raises(LocalTimeError, match="is not a known time zone"):
        to_utc(datetime(2026, 7, 30, 10), name)
    with pytest.raises(LocalTimeError, match="is not a known time zone"):
        describe(utc(2026, 7, 30, 14), name)


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("-05:00", hours(-5)),
        ("-0500", hours(-5)),
        ("+05:30", timedelta(hours=5, minutes=30)),
        ("+0545", timedelta(hours=5, minutes=45)),
        ("+14:00", hours(14)),
        ("-03", hours(-3)),
        ("Z", hours(0)),
        (" UTC\u221204:00 ", hours(-4)),
        ("UTC+01:00", hours(1)),
    ],
)
def test_parse_offset_reads_the_usual_spellings(text, offset):
    assert parse_offset(text) == offset


@pytest.mark.parametrize("text", ["5", "+5:30", "+15:00", "+05:60", "east", "+05:30:00"])
def test_parse_offset_refuses_what_is_not_an_offset(text):
    with pytest.raises(LocalTimeError, match="is not a UTC offset"):
        parse_offset(text)


@pytest.mark.parametrize(
    ("offset", "text"),
    [
        (hours(-4), "UTC\u221204:00"),
        (hours(0), "UTC+00:00"),
        (timedelta(hours=5, minutes=30), "UTC+05:30"),
        (timedelta(minutes=-30), "UTC\u221200:30"),
        (timedelta(hours=-9, minutes=-30), "UTC\u221209:30"),
    ],
)
def test_format_offset_uses_a_real_minus_sign(offset, text):
    assert format_offset(offset) == text
    assert parse_offset(text) == offset


wall_clock_times = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31, 23, 59)
).map(lambda moment: moment.replace(second=0, microsecond=0))

# Hour-long DST nights are where the interesting cases live; make sure they are drawn.
dst_nights = st.sampled_from(
    [date(2026, 3, 8), date(2026, 11, 1), date(2026, 3, 29), date(2026, 10, 25),
     date(2026, 4, 5), date(2026, 10, 4)]
).flatmap(
    lambda day: st.integers(0, 4 * 60 - 1).map(
        lambda minutes: datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
    )
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(local=st.one_of(wall_clock_times, dst_nights), zone_name=st.sampled_from(ZONES))
def test_a_wall_clock_time_either_names_its_gap_or_comes_back_unchanged(local, zone_name):
    try:
        instant = to_utc(local, zone_name)
    except LocalTimeError as error:
        assert f"does not exist on {local.day} {local:%B} 2026 in {zone_name}" in str(error)
        assert offsets_at(local, zone_name) == []
        return
    assert to_local(instant, zone_name).replace(tzinfo=None) == local


@settings(max_examples=300, deadline=None)
@given(local=st.one_of(wall_clock_times, dst_nights), zone_name=st.sampled_from(ZONES))
def test_every_offset_choice_round_trips(local, zone_name):
    offsets = offsets_at(local, zone_name)
    assert len(offsets) <= 2
    for offset in offsets:
        instant = to_utc(local, zone_name, offset)
        back = to_local(instant, zone_name)
        assert back.replace(tzinfo=None) == local
        assert back.utcoffset() == offset
        assert parse_offset(format_offset(offset)) == offset


# The time-input policy: one function behind the admin forms, the API and the demo.

NY = "America/New_York"


def schedule(**asked) -> Schedule:
    return read_schedule(TimesAsked(**{"zone": NY, **asked}))


def refusal(**asked) -> dict[str, list[str]]:
    with pytest.raises(TimeInputError) as raised:
        read_schedule(TimesAsked(**{"zone": NY, **asked}))
    return raised.value.errors


def test_a_start_with_an_end_or_a_duration_makes_a_schedule():
    by_end = schedule(start=datetime(2026, 7, 30, 10), end=datetime(2026, 7, 30, 11, 30))
    by_duration = schedule(start=datetime(2026, 7, 30, 10), duration=90)
    assert by_end == by_duration == Schedule(NY, utc(2026, 7, 30, 14), utc(2026, 7, 30, 15, 30))
    assert by_end.local_start == datetime(2026, 7, 30, 10)


def test_a_duration_is_elapsed_time_across_the_change_of_clocks():
    made = schedule(start=datetime(2026, 11, 1, 0, 30), duration=120)
    assert made.ends_at - made.starts_at == hours(2)
    assert made.local_end == datetime(2026, 11, 1, 1, 30)  # the repeated hour, second time


@pytest.mark.parametrize(
    ("asked", "errors"),
    [
        ({}, {"start": ["Enter the date and time it starts"]}),
        (
            {"start": datetime(2026, 7, 30, 10)},
            {"end": ["Enter when it ends, or a duration in minutes"]},
        ),
        (
            {"start": datetime(2026, 7, 30, 10), "end": datetime(2026, 7, 30, 11), "duration": 5},
            {"duration": ["Give an end or a duration, not both"]},
        ),
        (
            {"start": datetime(2026, 7, 30, 10), "end": datetime(2026, 7, 30, 9)},
            {"end": ["The end must be after the start"]},
        ),
        (
            {"start": datetime(2026, 3, 8, 2, 30), "duration": 60},
            {"start": ["2:30 does not exist on 8 March 2026 in America/New_York: "
                       "clocks move from 2:00 to 3:00"]},
        ),
        (
            {"start": datetime(2026, 11, 1, 1, 30), "start_offset": hours(1), "duration": 60},
            {"start_offset": ["America/New_York is not at UTC+01:00 at 1:30 on 1 November 2026; "
                              "it is at UTC−04:00 or UTC−05:00"]},
        ),
        (
            {"start": datetime(2026, 7, 30, 10), "duration": 60, "first_day": date(2026, 7, 30)},
            {"first_day": ["Only all-day events take days; give the time it starts instead"]},
        ),
        (
            {"all_day": True, "first_day": date(2026, 7, 30), "duration": 60},
            {"duration": ["An all-day event takes its first and last days, not times"]},
        ),
        ({"all_day": True}, {"first_day": ["Enter the first day"]}),
        (
            {"all_day": True, "first_day": date(2026, 7, 30), "last_day": date(2026, 7, 29)},
            {"last_day": ["The last day must not be before the first"]},
        ),
        ({"zone": "Mars/Olympus_Mons"}, {"zone": ["'Mars/Olympus_Mons' is not a known time zone"]}),
        ({"zone": None}, {"zone": ["Choose the time zone the event is timed in"]}),
    ],
)  # fmt: skip
def test_each_refusal_names_the_field_at_fault(asked, errors):
    assert refusal(**asked) == errors


def test_an_offset_picks_the_second_occurrence_of_a_repeated_hour():
    first = schedule(start=datetime(2026, 11, 1, 1, 30), duration=30)
    second = schedule(start=datetime(2026, 11, 1, 1, 30), start_offset=hours(-5), duration=30)
    assert second.starts_at - first.starts_at == hours(1)


def test_all_day_days_run_midnight_to_midnight_in_the_zone():
    made = schedule(all_day=True, first_day=date(2026, 7, 30))
    assert (made.first_day, made.last_day) == (date(2026, 7, 30), date(2026, 7, 30))
    assert (made.starts_at, made.ends_at) == day_bounds(date(2026, 7, 30), date(2026, 7, 30), NY)


def test_a_change_keeps_what_it_leaves_out():
    current = schedule(start=datetime(2026, 7, 30, 10), duration=90)
    later = read_schedule(TimesAsked(start=datetime(2026, 8, 6, 11)), current)
    assert (later.local_start, later.local_end) == (
        datetime(2026, 8, 6, 11),
        datetime(2026, 8, 6, 12, 30),
    )
    assert read_schedule(TimesAsked(), current) == current


def test_a_new_zone_alone_keeps_the_wall_clock_times():
    current = schedule(start=datetime(2026, 7, 30, 10), duration=90)
    moved = read_schedule(TimesAsked(zone="Europe/Berlin"), current)
    assert (moved.zone, moved.local_start, moved.local_end) == (
        "Europe/Berlin",
        datetime(2026, 7, 30, 10),
        datetime(2026, 7, 30, 11, 30),
    )
    assert moved.starts_at == utc(2026, 7, 30, 8)


def test_a_changed_first_day_keeps_an_all_day_event_s_length():
    current = schedule(all_day=True, first_day=date(2026, 7, 30), last_day=date(2026, 7, 31))
    moved = read_schedule(TimesAsked(all_day=True, first_day=date(2026, 8, 6)), current)
    assert (moved.first_day, moved.last_day) == (date(2026, 8, 6), date(2026, 8, 7))


def test_a_new_start_with_the_end_as_it_was_keeps_the_duration():
    current = schedule(start=datetime(2026, 7, 30, 10), duration=90)
    shown = {"end": datetime(2026, 7, 30, 11, 30)}
    moved = read_schedule(TimesAsked(zone=NY, start=datetime(2026, 7, 30, 11), **shown), current)
    assert (moved.local_start, moved.local_end) == (
        datetime(2026, 7, 30, 11),
        datetime(2026, 7, 30, 12, 30),
    )
    ends_too = TimesAsked(zone=NY, start=datetime(2026, 7, 30, 9), end=datetime(2026, 7, 30, 12))
    assert read_schedule(ends_too, current).local_end == datetime(2026, 7, 30, 12)
    same_start = TimesAsked(zone=NY, start=datetime(2026, 7, 30, 10), end=datetime(2026, 7, 30, 11))
    assert read_schedule(same_start, current).local_end == datetime(2026, 7, 30, 11)


def test_a_new_first_day_with_the_last_day_as_it_was_keeps_the_length():
    current = schedule(all_day=True, first_day=date(2026, 7, 30), last_day=date(2026, 7, 31))
    asked = TimesAsked(all_day=True, first_day=date(2026, 8, 6), last_day=date(2026, 7, 31))
    moved = read_schedule(asked, current)
    assert (moved.first_day, moved.last_day) == (date(2026, 8, 6), date(2026, 8, 7))
    asked = replace(asked, last_day=date(2026, 8, 9))
    assert read_schedule(asked, current).last_day == date(2026, 8, 9)


def test_a_registration_window_must_close_after_it_opens():
    opens, closes = read_window(datetime(2026, 7, 1, 9), datetime(2026, 7, 29, 17), NY)
    assert (opens, closes) == (utc(2026, 7, 1, 13), utc(2026, 7, 29, 21))
    assert read_window(None, None, NY) == (None, None)
    with pytest.raises(TimeInputError) as raised:
        read_window(datetime(2026, 7, 29, 17), datetime(2026, 7, 1, 9), NY)
    assert raised.value.errors == {"closes": ["Registration must close after it opens"]}
    with pytest.raises(TimeInputError) as raised:
        read_window(datetime(2026, 3, 8, 2, 30), None, NY)
    assert list(raised.value.errors) == ["opens"]


def test_a_schedule_that_ends_before_it_starts_cannot_be_made():
    with pytest.raises(LocalTimeError):
        Schedule(NY, utc(2026, 7, 30, 14), utc(2026, 7, 30, 13))
