"""Six parsers read our feeds alike and as meant: icalendar, vobject, ical, recurring-ical-events,
x-wr-timezone and Mozilla's ical.js (Thunderbird) under node."""

import re
from datetime import timedelta

import vobject
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event
from eventsvc.services.demo import load_demo
from tests.calendar.parsers import read_everywhere, read_ical_js
from tests.helpers import MANY_SCRIPTS, TRICKY_SUMMARY, TRICKY_TEXT, entries, utc_text


def _by_title(hard_events, title):
    return next(expected for expected in hard_events if expected.summary == title)


def test_every_parser_reads_every_instant_as_meant(client, hard_events):
    paths = ["/calendar.ics", *(f"/events/{e.slug}.ics" for e in hard_events)]
    calendars = [client.get(path).data for path in paths]
    meant = {e.uid: (e.start, e.end) for e in hard_events}

    read = read_everywhere(calendars)

    assert len(read) == 6
    for parser, found in read.items():
        assert found[0] == meant, parser
        for expected, single in zip(hard_events, found[1:], strict=True):
            assert single == {expected.uid: (expected.start, expected.end)}, parser


def test_the_jump_itself_is_one_hour_of_elapsed_time_everywhere(client, hard_events):
    calendars = [client.get("/calendar.ics").data]
    across = [e for e in hard_events if e.summary.startswith("Across change")]
    assert len(across) == 6

    for parser, (found,) in read_everywhere(calendars).items():
        for expected in across:
            start, end = found[expected.uid]
            assert (start, end) == (expected.start, expected.end), parser
            assert start[:13] != end[:13], "the hour around the change is kept whole"


def test_text_with_commas_semicolons_backslashes_and_newlines_survives(client, hard_events):
    data = client.get("/calendar.ics").data
    tricky = _by_title(hard_events, TRICKY_TEXT)
    node = {event["uid"]: event for event in read_ical_js([data])[0]}[tricky.uid]
    strict = {e.uid: e for e in IcsCalendarStream.calendar_from_ics(data.decode()).events}
    lenient = {e.uid.value: e for e in vobject.readOne(data.decode()).vevent_list}
    python = entries(data)[tricky.uid]

    assert node["summary"] == strict[tricky.uid].summary == TRICKY_TEXT
    assert str(python["SUMMARY"]) == lenient[tricky.uid].summary.value == TRICKY_TEXT
    for description in (
        node["description"],
        strict[tricky.uid].description,
        str(python["DESCRIPTION"]),
        lenient[tricky.uid].description.value,
    ):
        assert description.startswith(TRICKY_SUMMARY + "\n\n")
        assert "Co-hosted by Clinic, Inc.; and \\ partners." in description
    wanted = ["Accountability; remedy", "Business", "human rights"]
    assert node["categories"] == strict[tricky.uid].categories == wanted


def test_long_lines_of_many_scripts_and_emoji_come_back_whole(client, hard_events):
    data = client.get("/calendar.ics").data
    title = (MANY_SCRIPTS * 3).strip()
    expected = _by_title(hard_events, title)
    node = {event["uid"]: event for event in read_ical_js([data])[0]}[expected.uid]
    strict = {e.uid: e for e in IcsCalendarStream.calendar_from_ics(data.decode()).events}

    assert node["summary"] == strict[expected.uid].summary == title
    assert node["description"].startswith((MANY_SCRIPTS * 12).strip())
    assert node["location"] == strict[expected.uid].location
    assert node["location"].startswith((MANY_SCRIPTS * 2).strip())


def test_status_and_sequence_read_alike(client, hard_events):
    data = client.get("/calendar.ics").data
    node = {event["uid"]: event for event in read_ical_js([data])[0]}
    strict = {e.uid: e for e in IcsCalendarStream.calendar_from_ics(data.decode()).events}

    for expected in hard_events:
        assert node[expected.uid]["status"] == expected.status
        assert strict[expected.uid].status.value == expected.status
        assert node[expected.uid]["summary"] == expected.summary
    cancelled = [e for e in hard_events if e.status == "CANCELLED"]
    assert [node[e.uid]["sequence"] for e in cancelled] == [1]


def _meant_times(event: Event) -> tuple[str, str]:
    if event.all_day:
        return event.start_date.isoformat(), (event.end_date + timedelta(days=1)).isoformat()
    return utc_text(event.starts_at), utc_text(event.ends_at)


def test_every_feed_of_the_demo_reads_alike_in_every_parser(client):
    load_demo()
    page = client.get("/calendar/feeds").text
    paths = sorted(set(re.findall(r'value="http://localhost(/calendar[^"]*\.ics)"', page)))
    published = db.session.scalars(select(Event).where(Event.visibility == "published")).all()
    paths += [f"/events/{event.slug}.ics" for event in published]
    responses = [client.get(path) for path in paths]
    assert [r.status_code for r in responses] == [200] * len(paths)
    meant = {event.uid: _meant_times(event) for event in published}

    read = read_everywhere([response.data for response in responses])

    assert len(paths) > len(published) + 3
    for parser, calendars in read.items():
        assert calendars == read["icalendar"], parser
        for path, found in zip(paths, calendars, strict=True):
            assert found, f"{path} lists no event"
            assert found == {uid: meant[uid] for uid in found}, (parser, path)
