"""Site feed speed: stored entries against a fresh python icalendar build per request.

    .venv/bin/python benchmarks/feeds.py [--sizes 100,1000,10000]

For each size, a throwaway SQLite database gets that many published events (credits,
tags, series, some recordings), inserted in bulk. Then, through Flask's test client:

- naive: what a feed costs without stored entries: load the events with everything
  they show and build the whole calendar with python icalendar, every request;
- cold: the first request, when no entry is stored yet and each is built and saved;
- warm: a request served from the stored entries;
- one changed: the request right after one event's sequence moved without its entry
  being rebuilt, so the request itself rebuilds and stores that one entry;
- 304: a request whose If-None-Match carries the current ETag.

Each time is the fastest of several rounds (cold: of one), since other work on a shared
machine only ever adds time. Prints a Markdown table; each ratio is naive time / that
time. It also checks that the stored feed is byte for byte the naive build, so the
speed-up changes no byte.
"""

import argparse
import os
import platform
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Calendar
from sqlalchemy import insert, select, update
from sqlalchemy.orm import selectinload

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsvc import create_app  # noqa: E402
from eventsvc.calendar.events import public_vevent  # noqa: E402
from eventsvc.calendar.feeds import feed_header  # noqa: E402
from eventsvc.extensions import db  # noqa: E402
from eventsvc.models import (  # noqa: E402
    Credit,
    Event,
    Organization,
    Person,
    Recording,
    Series,
    Tag,
    event_tags,
)
from eventsvc.queries import listed, site_feed  # noqa: E402
from eventsvc.timezones import TZDATA_VERSION, to_local  # noqa: E402

BASE_URL = "https://events.example.org"
SUMMARY = (
    "A discussion of how multi-stakeholder initiatives can be held to account, with "
    "partners from civil society, business and academia; questions welcome."
)
ROUNDS = {100: 20, 1_000: 10, 10_000: 4}


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _catalog(rows: int) -> None:
    """Organisations, people, series and tags for the events to credit."""
    for model, count, extra in (
        (Organization, 20, {"url": "https://partner.example"}),
        (Person, 30, {"affiliation": "Universidad de los Andes"}),
        (Series, 10, {"description": "A run of related webinars."}),
    ):
        db.session.execute(
            insert(model),
            [
                {"name": f"{model.__name__} {i}", "slug": f"{model.__tablename__}-{i}", **extra}
                for i in range(1, count + 1)
            ],
        )
    db.session.execute(
        insert(Tag), [{"name": f"Topic {i}", "slug": f"topic-{i}"} for i in range(1, 16)]
    )


def _event_row(number: int, moment: datetime) -> dict:
    start = moment - timedelta(days=170) + timedelta(hours=13 * number)
    zone = ("America/New_York", "Europe/London", "Australia/Sydney")[number % 3]
    return {
        "id": number,
        "uid": f"{uuid.uuid4()}@eventsvc",
        "slug": f"event-{number}",
        "title": f"Webinar {number}: accountability, remedy; and “voice” — ¿qué sigue? 🌍",
        "kind": ("webinar", "in_person", "hybrid")[number % 3],
        "summary": SUMMARY,
        "timezone": zone,
        "starts_at": start,
        "ends_at": start + timedelta(minutes=90),
        "local_start": to_local(start, zone).replace(tzinfo=None),
        "local_end": to_local(start + timedelta(minutes=90), zone).replace(tzinfo=None),
        "tz_version": TZDATA_VERSION,
        "venue": "Faculty of Law, Room 101",
        "address": "1 University Avenue, Bogotá",
        "join_url": f"https://zoom.example/j/{number}",
        "status": "cancelled" if number % 50 == 0 else "scheduled",
        "cancelled_at": moment - timedelta(days=1) if number % 50 == 0 else None,
        "visibility": "published",
        "published_at": moment - timedelta(days=200),
        "series_id": number % 10 + 1 if number % 5 == 0 else None,
        "calendar_changed_at": moment - timedelta(days=1),
    }


def insert_events(count: int) -> None:
    """Insert `count` published events with credits, tags and recordings, in bulk."""
    moment = _now()
    _catalog(count)
    rows = [_event_row(number, moment) for number in range(1, count + 1)]
    db.session.execute(insert(Event), rows)
    credits = []
    for n in range(1, count + 1):
        credits.append(
            {"event_id": n, "position": 0, "role": "co_host", "organization_id": n % 20 + 1}
        )
        credits.append({"event_id": n, "position": 1, "role": "moderator", "person_id": n % 30 + 1})
    db.session.execute(insert(Credit), credits)
    db.session.execute(
        insert(event_tags),
        [{"event_id": n, "tag_id": (n + k) % 15 + 1} for n in range(1, count + 1) for k in (0, 1)]
        if count
        else [],
    )
    past = [row for row in rows if row["ends_at"] < moment]
    db.session.execute(
        insert(Recording),
        [
            {"event_id": row["id"], "url": f"https://video.example/{row['id']}", "title": "Watch"}
            for row in past
        ],
    )
    db.session.commit()


def naive_feed(site_name: str) -> bytes:
    """A feed the plain way: load every event with what it shows, build it all with icalendar."""
    feed = site_feed(site_name)
    events = db.session.scalars(
        select(Event)
        .where(listed(_now()))
        .order_by(Event.starts_at, Event.id)
        .options(
            selectinload(Event.tags),
            selectinload(Event.recordings),
            selectinload(Event.credits),
        )
    ).all()
    header = feed_header(feed.name, feed.description, site_name)
    calendar = Calendar.from_ical(header + b"END:VCALENDAR\r\n")
    for event in events:
        calendar.add_component(public_vevent(event, BASE_URL))
    body = calendar.to_ical()
    db.session.rollback()
    return body


def timed(action, rounds: int) -> float:
    """The fastest of `rounds` calls, in seconds: on a shared machine the others add noise."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(count: int, folder: Path) -> dict:
    """Every timing for one feed size."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / f'feeds-{count}.db'}",
            "BASE_URL": BASE_URL,
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": "benchmark",
            "RATELIMIT_ENABLED": False,
        }
    )
    rounds = ROUNDS.get(count, 3)
    with app.app_context():
        db.create_all()
        insert_events(count)
        client = app.test_client()
        site_name = app.config["SITE_NAME"]

        def get(**headers):
            return client.get("/calendar.ics", headers=headers)

        naive = timed(lambda: naive_feed(site_name), max(2, rounds // 2))
        start = time.perf_counter()
        first = get()
        cold = time.perf_counter() - start
        assert first.data == naive_feed(site_name), "stored feed differs from a fresh build"
        warm = timed(get, rounds)

        def change_one():
            db.session.execute(
                update(Event).where(Event.id == count // 2).values(sequence=Event.sequence + 1)
            )
            db.session.commit()
            start = time.perf_counter()
            get()
            return time.perf_counter() - start

        changed = min(change_one() for _ in range(rounds))
        etag = get().headers["ETag"]
        not_modified = timed(lambda: get(**{"If-None-Match": etag}), rounds * 3)
        assert get(**{"If-None-Match": etag}).status_code == 304
        size = len(first.data)
        db.session.remove()
        db.engine.dispose()
    return {
        "events": count,
        "bytes": size,
        "naive": naive,
        "cold": cold,
        "warm": warm,
        "changed": changed,
        "304": not_modified,
    }


def _cell(seconds: float, naive: float) -> str:
    return f"{seconds * 1000:,.1f} ms ({naive / seconds:,.0f}×)"


def table(results: list[dict]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| events | feed size | naive build | cold | warm | one changed | 304 |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        cells = [_cell(r[key], r["naive"]) for key in ("cold", "warm", "changed", "304")]
        lines.append(
            f"| {r['events']:,} | {r['bytes'] / 1e6:.2f} MB | {r['naive'] * 1000:,.1f} ms | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def machine() -> str:
    """nproc, CPU model, memory and Python version."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split(":", 1)[1].strip()
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    load = Path("/proc/loadavg").read_text().split()[0]
    return (
        f"nproc {os.cpu_count()}, {cpu}, MemTotal {memory}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, load average {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="eventsvc-bench-") as folder:
        results = []
        for count in sizes:
            results.append(measure(count, Path(folder)))
            print(f"measured {count:,} events", file=sys.stderr)
    print(machine())
    print()
    print(table(results))


if __name__ == "__main__":
    main()
