"""The one place that turns wall-clock times into UTC instants and back.

One time-zone database (DESIGN §4): zoneinfo reads the `tzdata` package alone, never the
host's /usr/share/zoneinfo, which is often older (Debian 12 ships 2025b, an hour off for
Vancouver from March 2026 on); pytz's zone lists for pickers are the same release
(tests/test_timezones.py holds them to it). An event keeps its wall-clock times and the
version its instants were derived with, so a newer release re-derives them
(`Schedule.rederived`, `eventsvc timezones refresh`).

Times are written in the language being read (Flask-Babel's locale: the page's, or an
email's registrant's under force_locale), with Babel's names of days and months:
'Thursday 14 January 2027, 10:00 EST (UTC−05:00)', 'jueves, 14 de enero de 2027, 10:00
EST (UTC−05:00)'.
"""

import zoneinfo
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytz
import tzdata
from babel.dates import format_date
from flask_babel import get_locale, gettext, lazy_gettext

zoneinfo.reset_tzpath(to=[])
ZoneInfo.clear_cache()

TZDATA_VERSION = tzdata.IANA_VERSION
MAX_DURATION = timedelta(days=14)


class LocalTimeError(ValueError):
    """A wall-clock time that cannot be turned into one instant."""


def zone(name: str) -> ZoneInfo:
    """Return the zone for an IANA name, or raise LocalTimeError."""
    if name not in pytz.all_timezones_set:
        raise LocalTimeError(_unknown_zone(name))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise LocalTimeError(_unknown_zone(name)) from error


def _unknown_zone(name: str) -> str:
    return gettext("%(zone)s is not a known time zone", zone=repr(name))


# English keeps its house style; other languages write a day as their own full form.
_DAY_PATTERNS = {"en": ("EEEE d MMMM y", "d MMMM y", "EEE d MMM y")}


def _language() -> str:
    """The language being read: the request's, a forced one, else English."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def _clock(moment: datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def day_text(day: date) -> str:
    """A date such as '14 January 2027' or '14 de enero de 2027'."""
    language = _language()
    return format_date(day, _DAY_PATTERNS.get(language, (0, "long"))[1], locale=language)


def long_day(day: date) -> str:
    """A date with its weekday: 'Thursday 14 January 2027', 'jueves, 14 de enero de 2027'."""
    language = _language()
    return format_date(day, _DAY_PATTERNS.get(language, ("full",))[0], locale=language)


def short_day(day: date) -> str:
    """A date for tables: 'Thu 14 Jan 2027', '14 ene 2027'."""
    language = _language()
    return format_date(day, _DAY_PATTERNS.get(language, (0, 0, "medium"))[2], locale=language)


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
        raise LocalTimeError(_bad_offset(text))
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes >= 60:
        raise LocalTimeError(_bad_offset(text))
    return sign * timedelta(hours=hours, minutes=minutes)


def _bad_offset(text: str) -> str:
    return gettext("%(text)s is not a UTC offset like -05:00", text=repr(text))


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
            gettext(
                "%(time)s does not exist on %(day)s in %(zone)s: clocks move from %(before)s "
                "to %(after)s",
                time=_clock(local),
                day=day_text(local.date()),
                zone=zone_name,
                before=_clock(moved_from),
                after=_clock(moved_to),
            )
        )
    if offset is None:
        chosen = offsets[0]
    elif offset in offsets:
        chosen = offset
    else:
        allowed = gettext(" or ").join(format_offset(o) for o in offsets)
        raise LocalTimeError(
            gettext(
                "%(zone)s is not at %(offset)s at %(time)s on %(day)s; it is at %(allowed)s",
                zone=zone_name,
                offset=format_offset(offset),
                time=_clock(local),
                day=day_text(local.date()),
                allowed=allowed,
            )
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
    # Any number may be typed: one past the longest duration is refused just the same.
    longest = MAX_DURATION // timedelta(minutes=1)
    end = start + timedelta(minutes=min(max(minutes, 0), longest + 1))
    check_duration(start, end)
    return end


def check_duration(start: datetime, end: datetime) -> None:
    """Raise LocalTimeError unless `end` is after `start` and within the longest duration."""
    if end <= start:
        raise LocalTimeError(gettext("The end must be after the start"))
    if end - start > MAX_DURATION:
        raise LocalTimeError(gettext("An event can last at most 14 days"))


def day_bounds(first: date, last: date, zone_name: str) -> tuple[datetime, datetime]:
    """Return the UTC instants where an all-day span from `first` to `last` starts and ends."""
    if last < first:
        raise LocalTimeError(gettext("The last day must not be before the first"))
    if last - first >= MAX_DURATION:
        raise LocalTimeError(gettext("An event can last at most 14 days"))
    start = datetime.combine(first, time()).replace(tzinfo=zone(zone_name))
    end = datetime.combine(last + timedelta(days=1), time()).replace(tzinfo=zone(zone_name))
    return start.astimezone(UTC), end.astimezone(UTC)


def abbreviation(local: datetime, zone_name: str) -> str:
    """The zone's name at that moment: 'EDT', or 'La Paz time' where tzdata has only '-04'."""
    name = local.tzname() or ""
    if name[:1] in "+-" or not name:
        return gettext("%(city)s time", city=zone_name.rsplit("/", 1)[-1].replace("_", " "))
    return name


def describe(instant: datetime, zone_name: str) -> str:
    """Render an instant as e.g. 'Thursday 30 July 2026, 10:00 EDT (UTC−04:00)'."""
    local = to_local(instant, zone_name)
    return (
        f"{long_day(local.date())}, {local:%H:%M} {abbreviation(local, zone_name)} "
        f"({format_offset(local.utcoffset())})"
    )


def describe_period(starts_at: datetime, ends_at: datetime, zone_name: str) -> str:
    """Render a period as e.g. 'Thursday 30 July 2026, 10:00 EDT (UTC−04:00) – 11:30'.

    An end on another day gives that day and its zone too.
    """
    start, end = to_local(starts_at, zone_name), to_local(ends_at, zone_name)
    until = f"{end:%H:%M}" if end.date() == start.date() else describe(ends_at, zone_name)
    return f"{describe(starts_at, zone_name)} – {until}"


def describe_days(first: date, last: date) -> str:
    """Render all-day dates as e.g. 'Thursday 30 July 2026 (all day)' or a span of them."""
    if first == last:
        return gettext("%(day)s (all day)", day=long_day(first))
    return gettext("%(first)s – %(last)s (all day)", first=day_text(first), last=day_text(last))


def describe_span(
    local_start: datetime, local_end: datetime, starts_at: datetime, zone: str
) -> str:
    """Wall-clock times as their zone read them when told, with the offset they had then.

    E.g. 'Friday 15 January 2027, 10:00–11:30 (America/Vancouver, UTC−08:00)'. The offset
    is the wall clock's distance from the instant, so an older rule reads as it was.
    """
    offset = format_offset(local_start - as_utc(starts_at).replace(tzinfo=None))
    until = f"{local_end:%H:%M}"
    if local_end.date() != local_start.date():
        until = f"{long_day(local_end.date())}, {until}"
    start = f"{long_day(local_start.date())}, {local_start:%H:%M}"
    return f"{start}–{until} ({zone}, {offset})"


def describe_short(instant: datetime, zone_name: str) -> str:
    """Render an instant as e.g. 'Thu 30 Jul 2026, 10:00 EDT', for tables and lists."""
    local = to_local(instant, zone_name)
    return f"{short_day(local.date())}, {local:%H:%M} {abbreviation(local, zone_name)}"


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


# The time-input policy: how times typed into a form, sent to the API or written in the
# demo become an event's schedule. One function for all of them, so each rule (end or
# duration, all-day dates, gaps, repeated hours, explicit offsets) holds everywhere.


@dataclass(frozen=True)
class Schedule:
    """When an event takes place: its zone, its wall-clock times, and their UTC instants.

    `local_start` and `local_end` are naive wall-clock times in `zone`, the truth the
    instants are derived from with tz data `tz_version`. Made with today's data, they are
    read from the instants; a schedule kept from an older release keeps the wall clock it
    was given, which its instants no longer tell (see `rederived`). An all-day event has
    `first_day` and `last_day` (inclusive) and runs from midnight to midnight. A schedule
    that ends before it starts, or lasts too long, cannot be made.
    """

    zone: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool = False
    first_day: date | None = None
    last_day: date | None = None
    local_start: datetime | None = None
    local_end: datetime | None = None
    tz_version: str = TZDATA_VERSION

    def __post_init__(self) -> None:
        check_duration(self.starts_at, self.ends_at)
        if self.is_current or self.local_start is None or self.local_end is None:
            wall_clock = to_local(self.starts_at, self.zone), to_local(self.ends_at, self.zone)
            object.__setattr__(self, "local_start", wall_clock[0].replace(tzinfo=None))
            object.__setattr__(self, "local_end", wall_clock[1].replace(tzinfo=None))

    @property
    def is_current(self) -> bool:
        """Whether its instants come from the tz data this app runs with."""
        return self.tz_version == TZDATA_VERSION

    def rederived(self) -> tuple["Schedule", list[str]]:
        """The same wall clock with instants from today's tz data, and what had to move.

        A time today's rules skip moves forward by the jump's length, as any gap does; an
        ambiguous one keeps the occurrence it had. The list says, for staff, what moved.
        """
        if self.all_day:
            starts_at, ends_at = day_bounds(self.first_day, self.last_day, self.zone)
            return Schedule(self.zone, starts_at, ends_at, True, self.first_day, self.last_day), []
        start, start_moved = _settled(self.local_start, self.starts_at, self.zone)
        end, end_moved = _settled(self.local_end, self.ends_at, self.zone)
        if not start < end <= start + MAX_DURATION:
            end = start + (self.ends_at - self.starts_at)
        moved = [note for note in (start_moved, end_moved) if note]
        return Schedule(self.zone, start, end), moved


def _settled(local: datetime, instant: datetime, zone_name: str) -> tuple[datetime, str]:
    """The instant of a wall-clock time under today's rules, and a note if it had to move.

    The offset it had (`local` minus `instant`) picks between the two occurrences of a
    repeated hour; a skipped time moves forward by the jump, as zoneinfo's fold=0 reads it.
    """
    offsets = offsets_at(local, zone_name)
    if offsets:
        had = local - as_utc(instant).replace(tzinfo=None)
        return (local - (had if had in offsets else offsets[0])).replace(tzinfo=UTC), ""
    moved = local.replace(tzinfo=zone(zone_name), fold=0).astimezone(UTC)
    now_reads = to_local(moved, zone_name)
    note = gettext(
        "%(time)s on %(day)s does not exist in %(zone)s under tz data %(version)s: moved to "
        "%(moved)s",
        time=_clock(local),
        day=day_text(local.date()),
        zone=zone_name,
        version=TZDATA_VERSION,
        moved=_clock(now_reads),
    )
    return moved, note


@dataclass(frozen=True)
class TimesAsked:
    """Times as someone gave them; what is None was not given.

    `start` and `end` are naive wall-clock times; an offset picks between the two
    occurrences of a repeated hour. `duration` is elapsed minutes.
    """

    zone: str | None = None
    all_day: bool = False
    start: datetime | None = None
    start_offset: timedelta | None = None
    end: datetime | None = None
    end_offset: timedelta | None = None
    duration: int | None = None
    first_day: date | None = None
    last_day: date | None = None


class TimeInputError(LocalTimeError):
    """Times that cannot make a schedule, with messages by the policy's field names.

    The names are TimesAsked's (zone, start, start_offset, end, end_offset, duration,
    first_day, last_day), read_window's (opens, closes) or the one given to read_moment;
    each caller maps them to its own fields.
    """

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


def _refuse(name: str, message: str) -> TimeInputError:
    return TimeInputError({name: [message]})


def _checked(name: str, compute):
    """Run a conversion; a LocalTimeError becomes an error on field `name`."""
    try:
        return compute()
    except TimeInputError:
        raise
    except LocalTimeError as error:
        raise _refuse(name, str(error)) from error


_TIME_NAMES = ("start", "start_offset", "end", "end_offset", "duration")
_DAY_NAMES = ("first_day", "last_day")


def read_schedule(asked: TimesAsked, current: Schedule | None = None) -> Schedule:
    """The schedule the asked times give, keeping from `current` what they leave out.

    Left out of a change: the start stays, and so does the duration; a new zone alone
    keeps the wall-clock times. A new start (or first day) with the end (or last day) as
    it was keeps the duration too: only an end that is changed as well sets another.
    Raises TimeInputError naming the field at fault.
    """
    if current is not None and not current.is_current:
        current = current.rederived()[0]
    zone_name = asked.zone or (current.zone if current else None)
    if not zone_name:
        raise _refuse("zone", gettext("Choose the time zone the event is timed in"))
    _checked("zone", lambda: zone(zone_name))
    for name in _TIME_NAMES if asked.all_day else _DAY_NAMES:
        if getattr(asked, name) is not None:
            raise _refuse(name, str(_MIXED[asked.all_day]))
    if asked.all_day:
        return _days(asked, zone_name, current)
    return _timed(asked, zone_name, current)


_MIXED = {
    True: lazy_gettext("An all-day event takes its first and last days, not times"),
    False: lazy_gettext("Only all-day events take days; give the time it starts instead"),
}


def _days(asked: TimesAsked, zone_name: str, current: Schedule | None) -> Schedule:
    kept = current if current and current.all_day else None
    first = asked.first_day or (kept.first_day if kept else None)
    if first is None:
        raise _refuse("first_day", gettext("Enter the first day"))
    moved = kept is not None and first != kept.first_day
    if asked.last_day is not None and not (moved and asked.last_day == kept.last_day):
        last = asked.last_day
    elif moved:
        last = first + (kept.last_day - kept.first_day)
    else:
        last = kept.last_day if kept else first
    starts_at, ends_at = _checked("last_day", lambda: day_bounds(first, last, zone_name))
    return Schedule(zone_name, starts_at, ends_at, True, first, last)


def _instant(local: datetime, offset: timedelta | None, zone_name: str, name: str) -> datetime:
    chosen_at = f"{name}_offset" if offset is not None else name
    return _checked(chosen_at, lambda: to_utc(local, zone_name, offset))


def _timed(asked: TimesAsked, zone_name: str, current: Schedule | None) -> Schedule:
    if asked.end is not None and asked.duration is not None:
        raise _refuse("duration", gettext("Give an end or a duration, not both"))
    kept = current if current and not current.all_day else None
    if asked.start is None and kept is None:
        raise _refuse("start", gettext("Enter the date and time it starts"))
    if asked.start is None and asked.end is None and asked.duration is None:
        return _kept_clock(kept, zone_name)
    if asked.start is not None:
        start = _instant(asked.start, asked.start_offset, zone_name, "start")
    else:
        start = kept.starts_at if kept.zone == zone_name else _kept_clock(kept, zone_name).starts_at
    if asked.duration is not None:
        end = _checked("duration", lambda: end_after(start, asked.duration))
    elif asked.end is not None:
        end = _instant(asked.end, asked.end_offset, zone_name, "end")
        if _end_as_it_was(kept, start, end):
            end = start + (kept.ends_at - kept.starts_at)
        _checked("end", lambda: check_duration(start, end))
    elif kept is not None:
        end = start + (kept.ends_at - kept.starts_at)
    else:
        raise _refuse("end", gettext("Enter when it ends, or a duration in minutes"))
    return Schedule(zone_name, start, end)


def _end_as_it_was(kept: Schedule | None, start: datetime, end: datetime) -> bool:
    """Whether the end is the one the schedule has while its start moves: the form showed it,
    and nobody changed it, so the event keeps its length."""
    return kept is not None and end == kept.ends_at and start != kept.starts_at


def _kept_clock(kept: Schedule, zone_name: str) -> Schedule:
    """The schedule's times as they were, read on the same wall clock in `zone_name`."""
    if kept.zone == zone_name:
        return kept
    start = _checked("zone", lambda: to_utc(kept.local_start, zone_name))
    end = _checked("zone", lambda: to_utc(kept.local_end, zone_name))
    _checked("zone", lambda: check_duration(start, end))
    return Schedule(zone_name, start, end)


def read_moment(local: datetime | None, zone_name: str, name: str) -> datetime | None:
    """A wall-clock time in a zone as an instant (a repeated hour: its first occurrence)."""
    if local is None:
        return None
    return _checked(name, lambda: to_utc(local, zone_name))


def read_window(
    opens: datetime | None, closes: datetime | None, zone_name: str
) -> tuple[datetime | None, datetime | None]:
    """Registration's opening and closing wall-clock times as instants; None stays None."""
    opens_at = read_moment(opens, zone_name, "opens")
    closes_at = read_moment(closes, zone_name, "closes")
    if opens_at and closes_at and closes_at <= opens_at:
        raise _refuse("closes", gettext("Registration must close after it opens"))
    return opens_at, closes_at
