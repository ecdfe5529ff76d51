"""The calendar: events by month and as an agenda, how to subscribe, and every feed.

Routes attach to the public blueprint. An event sits on the days it covers in its own
time zone, as its page gives them; "today" is the site's (EVENTSVC_TIMEZONE).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import abort, render_template, request
from flask_babel import gettext

from eventsvc import queries
from eventsvc.config import site_timezone
from eventsvc.models import Event
from eventsvc.timezones import abbreviation, now, to_local, zone
from eventsvc.web.embed import listings_for
from eventsvc.web.page_cache import cached_page
from eventsvc.web.public import bp, event_filters

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_FIRST_YEAR, _LAST_YEAR = 1900, 2999


@dataclass
class Entry:
    """An event on one day of the month: what the day shows of its time."""

    event: Event
    when: str


@dataclass
class Day:
    """One cell of the month: its date, whether it is in the month or today, its events."""

    day: date
    in_month: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)


def _today() -> date:
    return now().astimezone(zone(site_timezone())).date()


def _next_midnight() -> datetime:
    """When "today" next changes, as a UTC instant."""
    site_zone = zone(site_timezone())
    tomorrow = datetime.combine(_today() + timedelta(days=1), time(), tzinfo=site_zone)
    return tomorrow.astimezone(UTC)


def _month_arg() -> date:
    """The first day of the ?month=YYYY-MM asked for (this month by default); else a 404."""
    text = request.args.get("month")
    if text is None:
        return _today().replace(day=1)
    found = _MONTH.fullmatch(text)
    if not found:
        abort(404)
    year, month = int(found[1]), int(found[2])
    if not (_FIRST_YEAR <= year <= _LAST_YEAR and 1 <= month <= 12):
        abort(404)
    return date(year, month, 1)


def _shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _days_of(event: Event) -> list[tuple[date, str]]:
    """The days an event covers in its own zone, each with what it shows of the time."""
    if event.all_day:
        first, last, when = event.start_date, event.end_date, gettext("All day")
    else:
        start = to_local(event.starts_at, event.timezone)
        first, last = start.date(), (event.local_end - timedelta(microseconds=1)).date()
        when = f"{start:%H:%M} {abbreviation(start, event.timezone)}"
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(day, when if day == first else "Continues") for day in days]


def month_weeks(first: date, events: list[Event], today: date) -> list[list[Day]]:
    """The month's weeks, Monday first, each day with the events it holds."""
    start = first - timedelta(days=first.weekday())
    following = _shift_month(first, 1)
    end = following + timedelta(days=(7 - following.weekday()) % 7)
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for event in events:
        for day, when in _days_of(event):
            by_day[day].append(Entry(event, when))
    days = [start + timedelta(days=n) for n in range((end - start).days)]
    cells = [Day(day, day.month == first.month, day == today, by_day[day]) for day in days]
    return [cells[n : n + 7] for n in range(0, len(cells), 7)]


@bp.route("/calendar")
def calendar():
    filters = event_filters()
    if request.args.get("view") == "agenda":
        return cached_page(f"calendar:agenda:{filters.key}", lambda: _agenda(filters))
    first = _month_arg()
    key = f"calendar:month:{first:%Y-%m}:{filters.key}"
    return cached_page(key, lambda: _month(filters, first))


def _page(filters: queries.EventFilters, view: str, **context) -> str:
    return render_template(
        "public/calendar.html",
        filters=filters,
        choices=queries.filter_choices(),
        view=view,
        listings=listings_for(filters),
        **context,
    )


def _month(filters: queries.EventFilters, first: date) -> tuple[str, list]:
    # The grid's days from the months around, and a day more each side: an event's own zone
    # can put it on a day that UTC does not.
    start = datetime.combine(first - timedelta(days=7), time(), tzinfo=UTC)
    end = datetime.combine(_shift_month(first, 1) + timedelta(days=8), time(), tzinfo=UTC)
    events = queries.events_during(filters, start, end)
    page = _page(
        filters,
        "month",
        month=first,
        previous_month=_shift_month(first, -1),
        next_month=_shift_month(first, 1),
        weeks=month_weeks(first, events, _today()),
    )
    return page, [_next_midnight()]


def _agenda(filters: queries.EventFilters) -> tuple[str, list]:
    events = queries.upcoming_events(filters)
    by_day: dict[date, list[Event]] = defaultdict(list)
    for event in events:
        by_day[event.start_date if event.all_day else event.local_start.date()].append(event)
    page = _page(filters, "agenda", agenda=list(by_day.items()))
    return page, [event.ends_at for event in events]


@bp.route("/calendar/feeds")
def calendar_feeds():
    """Every feed that has events, each with its subscribe menu."""
    return cached_page("calendar:feeds", _feed_list)


def _feed_list() -> tuple[str, list]:
    page = render_template("public/calendar_feeds.html", **queries.feeds_with_events(now()))
    return page, []
