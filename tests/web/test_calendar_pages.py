"""/calendar: the month grid and the agenda, their filters and subscribe menus, kept pages."""

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from eventsvc.services.events import fields_of
from eventsvc.timezones import day_bounds, to_utc
from tests.helpers import in_days, page_text, save_fields

MONTH = "2031-07"


def at(text: str, zone: str = "America/New_York") -> datetime:
    """A wall-clock time in a zone as a UTC instant."""
    return to_utc(datetime.fromisoformat(text), zone)


def day_cell(page: str, day: date) -> str:
    """The grid cell of one day: from its date to the next cell."""
    start = page.index(f'<time datetime="{day.isoformat()}">')
    end = page.find("<td", start)
    return page[start : end if end != -1 else None]


@pytest.fixture
def july(make_event):
    """Events of July 2031 in three zones, one across three days, and one in August."""
    return {
        "la_paz": make_event(
            title="Late evening in La Paz",
            timezone="America/La_Paz",
            starts_at=at("2031-07-14T23:30", "America/La_Paz"),
            ends_at=at("2031-07-14T23:55", "America/La_Paz"),
        ),
        "sydney": make_event(
            title="Morning in Sydney",
            timezone="Australia/Sydney",
            starts_at=at("2031-07-15T09:00", "Australia/Sydney"),
        ),
        "forum": make_event(
            title="Three-day forum",
            all_day=True,
            start_date=date(2031, 7, 29),
            end_date=date(2031, 7, 31),
            starts_at=day_bounds(date(2031, 7, 29), date(2031, 7, 31), "America/New_York")[0],
            ends_at=day_bounds(date(2031, 7, 29), date(2031, 7, 31), "America/New_York")[1],
            series="Rethinking MSIs",
        ),
        "august": make_event(title="In August", starts_at=at("2031-08-12T10:00")),
        "draft": make_event(title="A draft", starts_at=at("2031-07-20T10:00"), publish=False),
    }


def test_the_month_puts_each_event_on_its_own_days_in_its_own_zone(client, july):
    page = client.get(f"/calendar?month={MONTH}").text

    assert '<h2 id="month-title">July 2031</h2>' in page
    late = day_cell(page, date(2031, 7, 14))
    assert "Late evening in La Paz" in late and "23:30" in late
    assert "Late evening" not in day_cell(page, date(2031, 7, 15))
    morning = day_cell(page, date(2031, 7, 15))
    assert "Morning in Sydney" in morning and "09:00 AEST" in morning
    for day, when in ((29, "All day"), (30, "Continues"), (31, "Continues")):
        cell = day_cell(page, date(2031, 7, day))
        assert "Three-day forum" in cell and when in cell, day
    assert "In August" not in page and "A draft" not in page
    assert f'href="/events/{july["sydney"].slug}"' in morning


def test_the_month_links_its_neighbours_and_names_its_weekdays(client, july):
    page = client.get(f"/calendar?month={MONTH}").text

    assert 'rel="prev" href="/calendar?month=2031-06#month"' in page
    assert 'rel="next" href="/calendar?month=2031-08#month"' in page
    assert '<abbr title="Monday">Mon</abbr>' in page
    # The grid starts on the Monday before 1 July 2031 (a Tuesday).
    assert page.index('datetime="2031-06-30"') < page.index('datetime="2031-07-01"')
    december = client.get("/calendar?month=2031-12").text
    assert 'rel="next" href="/calendar?month=2032-01#month"' in december


def test_a_month_that_does_not_exist_is_not_found(client):
    for month in ("2031-13", "2031-00", "31-07", "2031-7", "abcd-ef", "0999-01", "3000-01"):
        assert client.get(f"/calendar?month={month}").status_code == 404, month


def test_today_is_marked_in_the_month_shown_by_default(app, client):
    today = datetime.now(UTC).astimezone(ZoneInfo(app.config["TIMEZONE"])).date()

    page = client.get("/calendar").text

    assert f'<h2 id="month-title">{today:%B %Y}</h2>' in page
    assert re.search(r'<td class="in-month[^"]*" aria-current="date">', page)
    assert "Today" in day_cell(page, today)


def test_filters_narrow_the_month_and_offer_that_feed(client, july):
    page = client.get(f"/calendar?month={MONTH}&series=rethinking-msis").text

    assert "Three-day forum" in page and "Morning in Sydney" not in page
    assert "Subscribe to the series Rethinking MSIs" in page
    assert 'href="webcal://localhost/calendar/series/rethinking-msis.ics"' in page
    assert '<option value="rethinking-msis" selected>' in page
    assert '<input type="hidden" name="month" value="2031-07">' in page
    assert 'href="/calendar?month=2031-08&amp;series=rethinking-msis#month"' in page


def test_without_filters_the_calendar_offers_every_event_and_says_what_subscribing_means(
    client, july
):
    page = client.get(f"/calendar?month={MONTH}").text

    assert "Subscribe to all events" in page
    assert 'href="webcal://localhost/calendar.ics"' in page
    assert "keeps them up to date" in page_text(page)
    assert 'href="/calendar/feeds"' in page


def test_the_agenda_lists_what_is_coming_by_day(client, make_event):
    soon = make_event(title="Soon", starts_at=in_days(2))
    later = make_event(title="Later", starts_at=in_days(9))
    make_event(title="Over", starts_at=in_days(-3))

    page = client.get("/calendar?view=agenda").text

    text = page_text(page)
    assert text.index("Soon") < text.index("Later") and "Over" not in text
    day = soon.local_start.date()
    assert f'<h3 class="agenda-day"><time datetime="{day.isoformat()}">' in page
    assert f'<h4><a href="/events/{later.slug}">Later</a></h4>' in page
    assert 'aria-current="page">Coming up</a>' in page


def test_kept_calendar_pages_are_keyed_by_what_they_show(app, client, july):
    cache = app.extensions["page_cache"]

    first = client.get(f"/calendar?month={MONTH}").text
    client.get(f"/calendar?month={MONTH}&utm_source=newsletter&page=7")
    client.get(f"/calendar?view=agenda&month={MONTH}")
    client.get("/calendar?view=agenda")

    calendar_keys = [key for key in cache._kept if key.startswith("calendar:")]
    assert len(calendar_keys) == 2
    save_fields(
        july["sydney"], replace(fields_of(july["sydney"]), title="Morning in Sydney, moved")
    )
    assert "Morning in Sydney, moved" in client.get(f"/calendar?month={MONTH}").text
    assert "Morning in Sydney, moved" not in first


def test_the_month_view_is_a_table_a_screen_reader_can_walk(client, july):
    page = client.get(f"/calendar?month={MONTH}").text

    assert '<table class="month-grid">' in page
    assert re.search(r"<caption[^>]*>Events in July 2031, by day", page)
    assert page.count('<th scope="col">') == 7
    assert '<span class="day-long">Tuesday </span>15<span class="day-long"> July</span>' in page


def test_events_starting_before_the_month_show_on_its_first_days(client, make_event):
    make_event(
        title="Long retreat",
        all_day=True,
        start_date=date(2031, 6, 29),
        end_date=date(2031, 7, 2),
        starts_at=day_bounds(date(2031, 6, 29), date(2031, 7, 2), "America/New_York")[0],
        ends_at=day_bounds(date(2031, 6, 29), date(2031, 7, 2), "America/New_York")[1],
    )

    page = client.get(f"/calendar?month={MONTH}").text

    assert "Long retreat" in day_cell(page, date(2031, 7, 2))
    assert "Continues" in day_cell(page, date(2031, 7, 1))
