"""The app as it runs in production: gunicorn processes, the CLI, and forms over real HTTP.

Shared by the concurrency, scale and fault tests and by benchmarks/load.py; nothing here
imports pytest, so the benchmark can use it as well.
"""

import os
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import select

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.models import Event, OutboxMessage, Registration
from tests.helpers import BIN, CSRF_TOKEN, REPO, free_port

SECRET_KEY = "live-test-secret"


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> object:
    """Poll `condition` until it returns something true; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.05)


def service_environment(database_url: str, folder: Path, **settings: str) -> dict[str, str]:
    """The environment of a gunicorn or `eventsvc` process on this database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("EVENTSVC_")}
    env.update(
        EVENTSVC_DATABASE_URL=database_url,
        EVENTSVC_INSTANCE_PATH=str(folder / "instance"),
        EVENTSVC_SECRET_KEY=SECRET_KEY,
        EVENTSVC_RATELIMIT_ENABLED="0",
        **{f"EVENTSVC_{name}": value for name, value in settings.items()},
    )
    return env


class LiveServer:
    """gunicorn with the committed gunicorn.conf.py on a free port of 127.0.0.1.

    Tests keep the default --preload: the app is imported once and forked, so workers
    start in a fraction of the time.
    """

    def __init__(
        self,
        database_url: str,
        folder: Path,
        workers: int = 2,
        options: tuple[str, ...] = ("--preload",),
        **settings: str,
    ):
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"gunicorn-{self.port}.log"
        self.env = service_environment(database_url, folder, BASE_URL=self.base, **settings)
        self.workers, self.options = workers, options
        self.process: subprocess.Popen | None = None

    def launch(self) -> None:
        """Start gunicorn without waiting for it."""
        command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", *self.options]
        command += ["-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", "wsgi:app"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=log
            )

    def wait_ready(self) -> None:
        """Wait until every worker is up and the site answers."""
        try:
            wait_until(self._ready, 60, f"gunicorn on port {self.port}")
        except TimeoutError:
            self.stop()
            raise

    def start(self) -> "LiveServer":
        """Start gunicorn and wait until it answers."""
        self.launch()
        self.wait_ready()
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {self.log_tail()}")
        if len(self.worker_pids()) < self.workers:
            return False
        try:
            urllib.request.urlopen(self.base + "/healthz", timeout=5).close()
        except OSError:
            return False
        return True

    def worker_pids(self) -> list[int]:
        """The process ids of the gunicorn workers (the master's children)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except FileNotFoundError:
            return []

    def log_tail(self, size: int = 3000) -> str:
        """The end of gunicorn's log, for failure messages."""
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), killing what does not stop in time."""
        self.ask_to_stop()
        self.wait_stopped()

    def ask_to_stop(self) -> None:
        """Send SIGTERM: gunicorn finishes the requests in flight and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def wait_stopped(self) -> None:
        """Wait for the exit that ask_to_stop asked for; kill it if it takes too long."""
        if self.process is None:
            return
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


@contextmanager
def serving(*servers: LiveServer) -> Iterator[tuple[LiveServer, ...]]:
    """Start several servers side by side; stop them all at the end."""
    try:
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.ask_to_stop()
        for server in servers:
            server.wait_stopped()


def run_cli(database_url: str, folder: Path, *args: str, timeout: float = 60, **settings: str):
    """Run `eventsvc ARGS…` in its own process; returns the completed process."""
    return subprocess.run(
        [str(BIN / "eventsvc"), *args],
        cwd=REPO,
        env=service_environment(database_url, folder, **settings),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


@contextmanager
def database_app(database_url: str, folder: Path) -> Iterator:
    """The app on this database, in an app context, for setting up and checking data."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": SECRET_KEY,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class RegistrationForm:
    """One browser's visit to a registration form: GET for the CSRF token, then POST."""

    def __init__(self, base: str, slug: str):
        self.url = f"{base}/events/{slug}/register"
        cookies = urllib.request.HTTPCookieProcessor(CookieJar())
        self.opener = urllib.request.build_opener(cookies, _NoRedirect())
        page = self.opener.open(self.url, timeout=60).read().decode()
        self.token = CSRF_TOKEN.search(page).group(1)

    def submit(self, email: str, name: str = "Load Test") -> int:
        """POST the form; returns the HTTP status (303 to the "check your inbox" page)."""
        body = urllib.parse.urlencode(
            {"csrf_token": self.token, "name": name, "email": email, "consent": "y"}
        ).encode()
        try:
            with self.opener.open(self.url, data=body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code


def register_at_once(bases: list[str], slug: str, emails: list[str]) -> list[int]:
    """Open one form per email (spread over `bases`), then submit them all at the same moment."""
    barrier = threading.Barrier(len(emails))
    results: list[int] = []

    def visit(base: str, email: str) -> None:
        form = RegistrationForm(base, slug)
        barrier.wait(timeout=120)
        results.append(form.submit(email))

    threads = [
        threading.Thread(target=visit, args=(bases[i % len(bases)], email))
        for i, email in enumerate(emails)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def seat_snapshot(slug: str) -> tuple[list[tuple[str, int | None]], tuple[int, int]]:
    """(state, waitlist position) of each registration, and the event's two counters."""
    db.session.rollback()
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    rows = db.session.execute(
        select(Registration.state, Registration.waitlist_position)
        .where(Registration.event_id == event.id)
        .order_by(Registration.id)
    ).all()
    return [tuple(row) for row in rows], (event.seats_taken, event.waitlist_length)


def assert_counters_match_rows(slug: str, capacity: int) -> list[tuple[str, int | None]]:
    """Seats and waitlist as the counters say, the rows agree, positions run 1..N."""
    rows, (seats_taken, waitlist_length) = seat_snapshot(slug)
    states = [state for state, _ in rows]
    positions = sorted(position for state, position in rows if state == "waitlisted")
    assert states.count("confirmed") + states.count("pending") == seats_taken <= capacity
    assert positions == list(range(1, waitlist_length + 1))
    return rows


def outbox_message_ids() -> list[str]:
    """Every Message-ID in the outbox, in order."""
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage.message_id).order_by(OutboxMessage.id)))
