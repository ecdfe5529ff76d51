"""The bytes of a feed and of each entry (ICAL-INTEROP items 1-17)."""

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar, vDuration, vText
from sqlalchemy import select

from eventsvc import create_app
from eventsvc.calendar import events as calendar_events
from eventsvc.calendar import stored
from eventsvc.calendar.events import private_entry, public_vevent
from eventsvc.calendar.vcalendar import PRODID, REFRESH
from eventsvc.extensions import db
from eventsvc.models import Event
from eventsvc.services.changes import store_stale_entries
from eventsvc.services.events import add_recording, postpone_event
from tests.helpers import entries


def lines_of(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def unfolded(data: bytes) -> str:
    return data.decode().replace("\r\n ", "")


def alt_desc(entry) -> str:
    """X-ALT-DESC as a client reads it (python icalendar leaves an X- value escaped)."""
    return str(entry["X-ALT-DESC"]).replace("\\;", ";").replace("\\,", ",")


def test_lines_end_in_crlf_fold_at_75_octets_and_never_split_a_character(client, hard_events):
    data = client.get("/calendar.ics").data

    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = lines_of(data)
    assert all(lines), "no blank line, and none at the end"
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # a split character would not decode
    assert sum(line.startswith(b" ") for line in lines) > 20, "the hard events need folding"


def test_one_version_and_our_prodid_and_no_method_or_organizer(client, hard_events):
    text = unfolded(client.get("/calendar.ics").data)

    assert re.findall(r"^VERSION:.*$", text, re.M) == ["VERSION:2.0\r"]
    assert re.findall(r"^PRODID:.*$", text, re.M) == [f"PRODID:{PRODID}\r"]
    assert PRODID.startswith("-//eventsvc//") and PRODID.endswith("//EN")
    assert not re.search(r"^(METHOD|ORGANIZER|ATTENDEE)[;:]", text, re.M)


def test_calendar_properties_name_the_feed_and_ask_for_hourly_refresh(client, make_event):
    make_event(series="Rethinking MSIs")
    calendar = Calendar.from_ical(client.get("/calendar/series/rethinking-msis.ics").data)
    raw = client.get("/calendar/series/rethinking-msis.ics").data.decode()

    assert str(calendar["NAME"]) == "Human Rights Clinic — Rethinking MSIs"
    assert str(calendar["X-WR-CALNAME"]) == "Human Rights Clinic — Rethinking MSIs"
    assert str(calendar["X-WR-CALDESC"]) == "Events in the series Rethinking MSIs."
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in raw
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in raw
    assert calendar["REFRESH-INTERVAL"].dt == REFRESH


def test_timed_entries_are_utc_and_stamped_with_the_calendar_change(client, hard_events):
    text = unfolded(client.get("/calendar.ics").data)
    stored = {e.uid: e for e in db.session.query(Event)}

    for line in re.findall(r"^(?:DTSTART|DTEND|DTSTAMP|LAST-MODIFIED)[;:].*$", text, re.M):
        assert line.rstrip("\r").endswith("Z") or ";VALUE=DATE:" in line, line
    assert "TZID" not in text
    for uid, entry in entries(client.get("/calendar.ics").data).items():
        changed = stored[uid].calendar_changed_at.replace(microsecond=0)
        assert entry["DTSTAMP"].dt == entry["LAST-MODIFIED"].dt == changed
        assert int(entry["SEQUENCE"]) == stored[uid].sequence
        start, end = entry["DTSTART"].dt, entry["DTEND"].dt
        assert type(start) is type(end)
        assert end > start


def test_a_single_event_download_is_an_event_to_import_not_a_calendar(client, make_event):
    event = make_event(title="Rights at work")
    response = client.get(f"/events/{event.slug}.ics")

    calendar = Calendar.from_ical(response.data)
    assert response.headers["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [event.uid]
    for name in ("NAME", "X-WR-CALNAME", "X-WR-CALDESC", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
        assert name not in calendar, name
    assert (str(calendar["VERSION"]), str(calendar["PRODID"])) == ("2.0", PRODID)


def test_an_all_day_event_is_dates_with_an_exclusive_end(client, make_event):
    first = date.today() + timedelta(days=30)
    event = make_event(
        title="Summit",
        all_day=True,
        start_date=first,
        end_date=first + timedelta(days=2),
        kind="in_person",
    )
    raw = unfolded(client.get(f"/events/{event.slug}.ics").data)

    assert f"DTSTART;VALUE=DATE:{first:%Y%m%d}\r" in raw
    assert f"DTEND;VALUE=DATE:{first + timedelta(days=3):%Y%m%d}\r" in raw


def test_the_entry_shows_summary_credits_recording_page_and_html(client, make_event):
    event = make_event(
        title="Beyond business as usual",
        summary="How partnerships can be held to account.",
        tags=["Accountability", "Business and human rights"],
        credits=[
            ("co_host", "organization", "MSI Integrity", "https://msi.example"),
            ("co_host", "organization", "Fair Chains Foundation"),
            ("moderator", "person", "Amina Diallo"),
            ("live_illustrator", "person", "Tomás Ruiz"),
        ],
    )
    add_recording(event, "https://video.example/watch?v=42", "Watch the discussion")
    entry = entries(client.get("/calendar.ics").data)[event.uid]
    description = str(entry["DESCRIPTION"])
    page = f"http://localhost/events/{event.slug}"

    assert description.startswith("How partnerships can be held to account.\n\n")
    assert (
        "Co-hosted by MSI Integrity and Fair Chains Foundation, moderated by Amina Diallo, "
        "live illustration by Tomás Ruiz." in description
    )
    assert "Recording: https://video.example/watch?v=42" in description
    assert description.endswith(f"Event page: {page}")
    assert "<" not in description
    html = entry["X-ALT-DESC"]
    assert html.params["FMTTYPE"] == "text/html"
    assert '<a href="https://msi.example">MSI Integrity</a>' in alt_desc(entry)
    assert '<a href="https://video.example/watch?v=42">Watch the discussion</a>' in alt_desc(entry)
    assert str(entry["URL"]) == page
    assert str(entry["LOCATION"]) == "Online"
    assert entry["CATEGORIES"].cats == ["Accountability", "Business and human rights"]
    assert str(entry["STATUS"]) == "CONFIRMED"


def test_html_in_titles_and_summaries_is_escaped_in_the_html_description(client, make_event):
    event = make_event(title="<script>alert(1)</script>", summary="<b>bold</b> & more")
    html = alt_desc(entries(client.get("/calendar.ics").data)[event.uid])

    assert "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html


def test_a_postponed_event_is_tentative_and_says_so(client, make_event):
    event = make_event(
        title="Field visit", kind="in_person", venue="Town hall", address="Main St 1"
    )
    postpone_event(event, "Flooding on the roads.")
    entry = entries(client.get("/calendar.ics").data)[event.uid]

    assert str(entry["STATUS"]) == "TENTATIVE"
    assert str(entry["SUMMARY"]) == "Postponed: Field visit"
    assert "Flooding on the roads." in str(entry["DESCRIPTION"])
    assert str(entry["LOCATION"]) == "Town hall, Main St 1"


def test_a_registrants_entry_repeats_the_join_link_in_url_location_and_description(app, make_event):
    join = "https://zoom.example/j/9?pwd=x"
    event = make_event(join_url=join)

    entry = Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\n" + private_entry(event, "https://ex.org") + b"END:VCALENDAR\r\n"
    ).walk("VEVENT")[0]

    assert str(entry["URL"]) == join
    assert str(entry["LOCATION"]) == join
    assert f"Join online: {join}" in str(entry["DESCRIPTION"])
    assert str(entry["UID"]) == event.uid


def test_the_feed_is_byte_for_byte_a_fresh_icalendar_build(client, hard_events):
    data = client.get("/calendar.ics").data
    calendar = Calendar.from_ical(data)
    fresh = Calendar()
    for name, value in calendar.property_items(recursive=False)[1:-1]:
        fresh.add(name, value)
    members = {e.uid: e for e in db.session.query(Event)}
    for entry in calendar.walk("VEVENT"):
        fresh.add_component(public_vevent(members[str(entry["UID"])], "http://localhost"))

    assert fresh.to_ical() == data


@pytest.fixture
def second_instance(app, tmp_path):
    """Another app on the same database, as a second server would run."""
    other = create_app(dict(app.config))
    yield other
    with other.app_context():
        db.engine.dispose()


def test_two_instances_serve_the_same_bytes_and_etag(app, client, hard_events, second_instance):
    first = client.get("/calendar.ics")
    with second_instance.app_context():
        second = second_instance.test_client().get("/calendar.ics")

    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


def test_a_new_base_url_rebuilds_the_stored_entries_and_the_etag(app, client, make_event):
    event = make_event(title="Moved site")
    before = client.get("/calendar.ics")

    app.config["BASE_URL"] = "https://events.example.org"
    after = client.get("/calendar.ics")

    assert after.headers["ETag"] != before.headers["ETag"]
    assert "https://events.example.org/events/moved-site" in unfolded(after.data)
    assert "http://localhost" not in unfolded(after.data)
    store_stale_entries()  # the outbox worker does this when it starts
    db.session.expire_all()
    assert b"https://events.example.org" in db.session.get(Event, event.id).calendar_entry


def test_a_feed_is_byte_for_byte_the_calendar_icalendar_builds_whole(client, hard_events):
    """Entries are stored and concatenated; icalendar would write the same calendar."""
    data = client.get("/calendar.ics").data
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    title = "Human Rights Clinic — All events"
    calendar.add("name", vText(title))
    calendar.add("x-wr-calname", vText(title))
    description = "Webinars and events of Human Rights Clinic, from six months ago onwards."
    calendar.add("x-wr-caldesc", vText(description))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    listed = db.session.scalars(
        select(Event).where(Event.visibility == "published").order_by(Event.starts_at, Event.id)
    )
    for event in listed:
        calendar.add_component(public_vevent(event, "http://localhost"))
    assert data == calendar.to_ical()


def test_the_entry_format_moves_with_the_bytes_the_builders_write(monkeypatch):
    """No version to bump by hand: changed builders make every stored entry stale."""
    built = stored.entry_format()
    try:
        stored.entry_format.cache_clear()
        assert stored.entry_format() == built  # the same builders, the same format
        stored.entry_format.cache_clear()
        monkeypatch.setitem(calendar_events.STATUS_VALUES, "rescheduled", "TENTATIVE")
        assert stored.entry_format() != built
    finally:
        stored.entry_format.cache_clear()
