"""Faults: SMTP down, the database gone for a moment, a process killed mid-registration."""

import json
import os
import select as select_module
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections import Counter
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
from sqlalchemy import select, update

from eventsvc.extensions import db
from eventsvc.models import Attendee, Event, OutboxMessage, Registration
from eventsvc.services.registration import register
from eventsvc.timezones import now
from tests.helpers import in_days
from tests.live import (
    REPO,
    LiveServer,
    RegistrationForm,
    assert_counters_match_rows,
    database_app,
    run_cli,
    service_environment,
    wait_until,
)


def _event(slug: str) -> Event:
    db.session.rollback()
    return db.session.scalar(select(Event).where(Event.slug == slug))


def _outbox() -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_registrations_while_smtp_is_down_are_delivered_once_when_it_is_back(
    postgres_url, tmp_path, smtp_server, open_event
):
    smtp_server.stop()
    with database_app(postgres_url, tmp_path):
        db.create_all()
        slug = open_event(
            title="Webinar during a mail outage", starts_at=in_days(5), capacity=3
        ).slug
        for i in range(5):
            outcome = register(_event(slug), f"Person {i}", f"p{i}@example.org", {}, True)
            assert outcome.state == ("confirmed" if i < 3 else "waitlisted")
        worker = ("outbox", "worker", "--rounds", "1", "--interval", "0")
        run_cli(postgres_url, tmp_path, *worker, SMTP_URL=smtp_server.url)
        assert [(m.status, m.attempts) for m in _outbox()] == [("queued", 1)] * 5
        assert smtp_server.received == []

        smtp_server.start()
        # The back-off's minute passes.
        db.session.execute(update(OutboxMessage).values(next_attempt_at=now()))
        db.session.commit()
        worker = ("outbox", "worker", "--rounds", "2", "--interval", "0.1")
        run_cli(postgres_url, tmp_path, *worker, SMTP_URL=smtp_server.url)
        messages = _outbox()
        assert [(m.status, m.attempts) for m in messages] == [("sent", 2)] * 5
    received = Counter(message["Message-ID"] for message in smtp_server.received)
    assert received == Counter(m.message_id for m in messages)


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


@contextmanager
def _database_unreachable(admin_uri: str, name: str):
    """Drop every connection to database `name` and refuse new ones, until the block ends."""
    with psycopg.connect(admin_uri, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        try:
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def _get(url: str, data: bytes | None = None, headers=None):
    """(status, headers, body) of a request, whatever its status."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read().decode()


def _lock_waiters(admin_uri: str, name: str) -> int:
    """How many connections to database `name` wait for a lock."""
    with psycopg.connect(admin_uri, autocommit=True) as admin:
        return admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            [name],
        ).fetchone()[0]


def _lock_event_row(database_url: str, slug: str) -> psycopg.Connection:
    """Hold the event's row lock in an open transaction: registrations wait half-way."""
    locker = psycopg.connect(database_url.replace("+psycopg", ""))
    locker.execute("SELECT 1 FROM events WHERE slug = %s FOR UPDATE", [slug])
    return locker


def _assert_unavailable(base: str, slug: str) -> None:
    status, headers, body = _get(f"{base}/events/{slug}")
    assert (status, headers["Content-Type"]) == (503, "text/html; charset=utf-8")
    assert "Temporarily unavailable" in body and int(headers["Retry-After"]) > 0
    api = f"{base}/api/v1/events/{slug}/registrations"
    payload = json.dumps({"name": "Ana", "email": "api@example.org", "consent": True}).encode()
    status, headers, body = _get(api, payload, {"Content-Type": "application/json"})
    assert (status, headers["Content-Type"]) == (503, "application/json")
    assert json.loads(body)["error"] == "unavailable" and int(headers["Retry-After"]) > 0


def test_database_outage_answers_503_writes_nothing_and_recovers_without_restart(
    postgres_server, postgres_url, tmp_path, open_event
):
    admin_uri, name = postgres_server.get_uri(), _database_name(postgres_url)
    with database_app(postgres_url, tmp_path):
        db.create_all()
        slug = open_event(
            title="Webinar during a database outage", starts_at=in_days(5), capacity=5
        ).slug
    with LiveServer(postgres_url, tmp_path, workers=2) as live:
        forms = [RegistrationForm(live.base, slug) for _ in range(3)]
        assert forms[0].submit("before@example.org") == 303
        # A registration stops half-way, its attendee row written, waiting for the event row.
        locker = _lock_event_row(postgres_url, slug)
        cut_off: list[int] = []
        submit = threading.Thread(target=lambda: cut_off.append(forms[1].submit("cut@example.org")))
        submit.start()
        wait_until(lambda: _lock_waiters(admin_uri, name), 30, "the registration to block")
        with _database_unreachable(admin_uri, name):
            submit.join(timeout=30)
            assert cut_off == [503]
            for _ in range(3):  # on either worker
                _assert_unavailable(live.base, slug)
            assert forms[2].submit("during@example.org") == 503
        locker.close()
        for _ in range(4):
            assert _get(f"{live.base}/events/{slug}")[0] == 200
        assert forms[2].submit("after@example.org") == 303
    with database_app(postgres_url, tmp_path):
        rows = assert_counters_match_rows(slug, capacity=5)
        assert rows == [("confirmed", None)] * 2
        emails = set(db.session.scalars(select(Registration.email)))
        assert emails == {"before@example.org", "after@example.org"}
        assert set(db.session.scalars(select(Attendee.email))) == emails
        assert len(_outbox()) == 2


# Registers in its own process, stopping inside the transaction (seat taken, rows
# written, nothing committed) until it is killed.
_STALLED_REGISTRATION = """
import sys, time
from sqlalchemy import select
from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.models import Event
from eventsvc.services import notifications, registration

def stall(*args, **kwargs):
    print("inside the transaction", flush=True)
    time.sleep(120)

notifications.state_email = stall
with create_app().app_context():
    event = db.session.scalar(select(Event).where(Event.slug == sys.argv[1]))
    registration.register(event, "Stalled", "stalled@example.org", {}, True)
"""


def test_a_process_killed_inside_a_registration_leaves_no_partial_registration(
    database_url, tmp_path, open_event
):
    with database_app(database_url, tmp_path):
        db.create_all()
        slug = open_event(title="Webinar with two seats", starts_at=in_days(5), capacity=2).slug
        register(_event(slug), "First", "first@example.org", {}, True)
    with subprocess.Popen(
        [sys.executable, "-c", _STALLED_REGISTRATION, slug],
        cwd=REPO,
        env=service_environment(database_url, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            ready, _, _ = select_module.select([process.stdout], [], [], 60)
            assert ready and process.stdout.readline().strip() == "inside the transaction"
        finally:
            process.kill()
    with database_app(database_url, tmp_path):
        assert assert_counters_match_rows(slug, capacity=2) == [("confirmed", None)]
        assert _event(slug).seats_taken == 1
        # The lock died with the process and the seat is still free.
        assert register(_event(slug), "Next", "next@example.org", {}, True).state == "confirmed"
        assert assert_counters_match_rows(slug, capacity=2) == [("confirmed", None)] * 2
        emails = set(db.session.scalars(select(Attendee.email)))
        assert emails == {"first@example.org", "next@example.org"}
        assert len(_outbox()) == 2


def _submit_in_background(form: RegistrationForm, email: str, outcomes: dict) -> threading.Thread:
    """Submit in a thread; `outcomes[email]` becomes the status, or "connection lost"."""

    def submit():
        try:
            outcomes[email] = form.submit(email)
        except OSError:  # the worker died with the request
            outcomes[email] = "connection lost"

    thread = threading.Thread(target=submit)
    thread.start()
    return thread


def test_a_gunicorn_worker_killed_inside_a_registration_leaves_counters_right(
    postgres_server, postgres_url, tmp_path, open_event
):
    admin_uri, name = postgres_server.get_uri(), _database_name(postgres_url)
    with database_app(postgres_url, tmp_path):
        db.create_all()
        slug = open_event(title="Webinar with three seats", starts_at=in_days(5), capacity=3).slug
    with LiveServer(postgres_url, tmp_path, workers=2) as live:
        forms = [RegistrationForm(live.base, slug) for _ in range(3)]
        locker = _lock_event_row(postgres_url, slug)
        outcomes: dict = {}
        threads = [
            _submit_in_background(form, f"p{i}@example.org", outcomes)
            for i, form in enumerate(forms[:2])
        ]
        # Both workers are inside a registration transaction, waiting for the event row.
        wait_until(lambda: _lock_waiters(admin_uri, name) == 2, 30, "two blocked registrations")
        victim, survivor = live.worker_pids()
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: victim not in live.worker_pids(), 30, "the worker to die")
        locker.close()
        for thread in threads:
            thread.join(timeout=60)
        assert Counter(outcomes.values()) == {303: 1, "connection lost": 1}
        wait_until(lambda: len(live.worker_pids()) == 2, 30, "gunicorn to replace the worker")
        assert forms[2].submit("later@example.org") == 303
        assert survivor in live.worker_pids()
    with database_app(postgres_url, tmp_path):
        rows = assert_counters_match_rows(slug, capacity=3)
        assert rows == [("confirmed", None)] * 2
        emails = set(db.session.scalars(select(Registration.email)))
        registered = {email for email, outcome in outcomes.items() if outcome == 303}
        assert emails == registered | {"later@example.org"}
        assert set(db.session.scalars(select(Attendee.email))) == emails
        assert len(_outbox()) == 2
