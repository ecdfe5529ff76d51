"""The one place that turns wall-clock times into UTC instants and back."""

from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytz

MAX_DURATION = timedelta(days=14)


class LocalTimeError(ValueError):
    """A wall-clock time that cannot be turned into one instant."""


def zone(name: str) -> ZoneInfo:
    """Return the zone for an IANA name, or raise LocalTimeError."""
    if name not in pytz.all_timezones_set:
        raise LocalTimeError(f"{name!r} is not a known time zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise LocalTimeError(f"{name!r} is not a known time zone") from error


def _clock(moment: datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def offsets_at(local: datetime, zone_name: str) -> list[timedelta]:
    """Return the UTC offsets a naive wall-clock time can have (0 in a gap, 2 if ambiguous)."""
    tz = zone(zone_name)
    found = []
    for fold in (0, 1):
        candidate = local.replace(tzinfo=tz, fold=fold)
        offset = candidate.utcoffset()
        back = candidate.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if back == local and offset not in found:
            found.append(offset)
    return found


def _gap_edges(local: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the wall-clock times before and after the jump that skips `local`."""
    before = local.replace(tzinfo=tz, fold=0).utcoffset()
    after = local.replace(tzinfo=tz, fold=1).utcoffset()
    low = (local - max(before, after)).replace(tzinfo=UTC)
    high = (local - min(before, after)).replace(tzinfo=UTC)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset():
            low = middle
        else:
            high = middle
    jump = high.replace(microsecond=0)
    if jump.second:
        jump += timedelta(seconds=60 - jump.second)
    moved_from = (jump + low.astimezone(tz).utcoffset()).replace(tzinfo=None)
    moved_to = jump.astimezone(tz).replace(tzinfo=None)
    return moved_from, moved_to


def format_offset(offset: timedelta) -> str:
    """Render an offset as UTC+HH:MM, with a real minus sign for negative ones."""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def parse_offset(text: str) -> timedelta:
    """Parse '+05:30', '-0500' or 'Z' into an offset, or raise LocalTimeError."""
    cleaned = text.strip().replace("\u2212", "-").removeprefix("UTC")
    if cleaned in {"Z", ""}:
        return timedelta(0)
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.lstrip("+-").replace(":", "")
    if not (digits.isdigit() and len(digits) in {2, 4}):
        raise LocalTimeError(f"{text!r} is not a UTC offset like -05:00")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes >= 60:
        raise LocalTimeError(f"{text!r} is not a UTC offset like -05:00")
    return sign * timedelta(hours=hours, minutes=minutes)


def to_utc(local: datetime, zone_name: str, offset: timedelta | None = None) -> datetime:
    """Turn a naive wall-clock time in a zone into an aware UTC instant.

    A time in a gap raises LocalTimeError naming the gap. An ambiguous time is its first
    occurrence unless `offset` picks one; an offset the zone does not have then is an error.
    """
    tz = zone(zone_name)
    local = local.replace(tzinfo=None, second=0, microsecond=0)
    offsets = offsets_at(local, zone_name)
    if not offsets:
        moved_from, moved_to = _gap_edges(local, tz)
        raise LocalTimeError(
            f"{_clock(local)} does not exist on {_day(local.date())} in {zone_name}: "
            f"clocks move from {_clock(moved_from)} to {_clock(moved_to)}"
        )
    if offset is None:
        chosen = offsets[0]
    elif offset in offsets:
        chosen = offset
    else:
        allowed = " or ".join(format_offset(o) for o in offsets)
        raise LocalTimeError(
            f"{zone_name} is not at {format_offset(offset)} at {_clock(local)} on "
            f"{_day(local.date())}; it is at {allowed}"
        )
    return (local - chosen).replace(tzinfo=UTC)


def is_ambiguous(local: datetime, zone_name: str) -> bool:
    """Tell whether a wall-clock time occurs twice in the zone (clocks falling back)."""
    return len(offsets_at(local, zone_name)) == 2


def to_local(instant: datetime, zone_name: str) -> datetime:
    """Return the aware wall-clock time of a UTC instant in a zone."""
    return as_utc(instant).astimezone(zone(zone_name))


def as_utc(instant: datetime) -> datetime:
    """Return an aware UTC datetime; naive values are taken to be UTC already."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def end_after(start: datetime, minutes: int) -> datetime:
    """Return the instant `minutes` of elapsed time after `start` (DST changes do not count)."""
    duration = timedelta(minutes=minutes)
    check_duration(start, start + duration)
    return start + duration


def check_duration(start: datetime, end: datetime) -> None:
    """Raise LocalTimeError unless `end` is after `start` and within the longest duration."""
    if end <= start:
        raise LocalTimeError("The end must be after the start")
    if end - start > MAX_DURATION:
        raise LocalTimeError("An event can last at most 14 days")


def day_bounds(first: date, last: date, zone_name: str) -> tuple[datetime, datetime]:
    """Return the UTC instants where an all-day span from `first` to `last` starts and ends."""
    if last < first:
        raise LocalTimeError("The last day must not be before the first")
    if last - first >= MAX_DURATION:
        raise LocalTimeError("An event can last at most 14 days")
    start = datetime.combine(first, time()).replace(tzinfo=zone(zone_name))
    end = datetime.combine(last + timedelta(days=1), time()).replace(tzinfo=zone(zone_name))
    return start.astimezone(UTC), end.astimezone(UTC)


def abbreviation(local: datetime, zone_name: str) -> str:
    """The zone's name at that moment: 'EDT', or 'La Paz time' where tzdata has only '-04'."""
    name = local.tzname() or ""
    if name[:1] in "+-" or not name:
        return f"{zone_name.rsplit('/', 1)[-1].replace('_', ' ')} time"
    return name


def describe(instant: datetime, zone_name: str) -> str:
    """Render an instant as e.g. 'Thursday 30 July 2026, 10:00 EDT (UTC−04:00)'."""
    local = to_local(instant, zone_name)
    return (
        f"{local:%A} {_day(local.date())}, {local:%H:%M} {abbreviation(local, zone_name)} "
        f"({format_offset(local.utcoffset())})"
    )


def zone_label(instant: datetime, zone_name: str) -> str:
    """Render the zone at an instant as 'America/New_York, EDT, UTC−04:00'."""
    local = to_local(instant, zone_name)
    return f"{zone_name}, {abbreviation(local, zone_name)}, {format_offset(local.utcoffset())}"


@cache
def zones_by_region() -> OrderedDict[str, list[str]]:
    """Group pytz's common zones by region for a picker: {'Europe': ['Europe/Amsterdam', …]}."""
    groups: OrderedDict[str, list[str]] = OrderedDict()
    for name in pytz.common_timezones:
        region = name.split("/", 1)[0] if "/" in name else "Other"
        groups.setdefault(region, []).append(name)
    return groups
