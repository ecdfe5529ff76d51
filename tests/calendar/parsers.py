"""Read calendar bytes with every parser ICAL-INTEROP names, in one comparable shape.

Each reader returns {uid: (start, end)} per calendar: UTC instants as '…Z' strings, dates
of all-day events as 'YYYY-MM-DD'. A reader fails the test on anything its parser
rejects, on a component with errors, or on a floating (zone-less) time.
"""

import json
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import recurring_ical_events
import vobject
import x_wr_timezone
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

JS_DIR = Path(__file__).resolve().parent.parent / "js"
EVERYTHING = (date(1900, 1, 1), date(2200, 1, 1))


def instant(value: date | datetime) -> str:
    """A parsed DTSTART or DTEND as one comparable string."""
    if isinstance(value, datetime):
        assert value.tzinfo is not None, f"floating time {value}"
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def _icalendar_times(events) -> dict[str, tuple[str, str]]:
    return {str(e["UID"]): (instant(e["DTSTART"].dt), instant(e["DTEND"].dt)) for e in events}


def read_icalendar(data: bytes) -> dict[str, tuple[str, str]]:
    """python icalendar; no component may carry parse errors."""
    calendar = Calendar.from_ical(data)
    errors = [(c.name, c.errors) for c in calendar.walk() if c.errors]
    assert not errors, errors
    return _icalendar_times(calendar.walk("VEVENT"))


def read_vobject(data: bytes) -> dict[str, tuple[str, str]]:
    """vobject, validating every component."""
    calendar = vobject.readOne(data.decode("utf-8"), validate=True)
    return {
        event.uid.value: (instant(event.dtstart.value), instant(event.dtend.value))
        for event in calendar.contents.get("vevent", [])
    }


def read_ical(data: bytes) -> dict[str, tuple[str, str]]:
    """allenporter's ical, the strictest of them."""
    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return {event.uid: (instant(event.dtstart), instant(event.dtend)) for event in calendar.events}


def read_recurring(data: bytes) -> dict[str, tuple[str, str]]:
    """recurring-ical-events, expanding over two centuries."""
    calendar = Calendar.from_ical(data)
    return _icalendar_times(recurring_ical_events.of(calendar).between(*EVERYTHING))


def read_x_wr_timezone(data: bytes) -> dict[str, tuple[str, str]]:
    """x-wr-timezone's standardised calendar, which must keep every instant."""
    return _icalendar_times(x_wr_timezone.to_standard(Calendar.from_ical(data)).walk("VEVENT"))


PYTHON_READERS = {
    "icalendar": read_icalendar,
    "vobject": read_vobject,
    "ical": read_ical,
    "recurring-ical-events": read_recurring,
    "x-wr-timezone": read_x_wr_timezone,
}


def read_ical_js(calendars: list[bytes]) -> list[list[dict]]:
    """Mozilla's ical.js under node (tests/js/check_ical.mjs): every event's fields."""
    assert (JS_DIR / "node_modules" / "ical.js").is_dir(), "run `cd tests/js && npm ci`"
    texts = json.dumps([data.decode("utf-8") for data in calendars])
    result = subprocess.run(
        ["node", "check_ical.mjs"],
        cwd=JS_DIR,
        input=texts,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def read_everywhere(calendars: list[bytes]) -> dict[str, list[dict[str, tuple[str, str]]]]:
    """{parser name: [per calendar {uid: (start, end)}]} for all six parsers."""
    found = {name: [read(data) for data in calendars] for name, read in PYTHON_READERS.items()}
    found["ical.js"] = [
        {event["uid"]: (event["start"], event["end"]) for event in events}
        for events in read_ical_js(calendars)
    ]
    return found
