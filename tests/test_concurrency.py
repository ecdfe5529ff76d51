"""Capacity under concurrency: the real app under gunicorn with 4 workers (DESIGN §5)."""

import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import select

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.models import Event, Registration
from eventsvc.services.events import EventFields, create_event
from eventsvc.services.registration_settings import (
    RegistrationSettings,
    update_registration_settings,
)
from tests.conftest import free_port, in_days

REPO = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'load.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def event_slug(database_url, tmp_path):
    """An event with 10 seats and a waitlist, in a database the server will share."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(tmp_path / "instance")}
    )
    with app.app_context():
        db.create_all()
        start = in_days(5)
        event = create_event(
            EventFields(
                title="Crowded webinar",
                kind="webinar",
                timezone="Europe/London",
                starts_at=start,
                ends_at=in_days(5, hour=16),
                capacity=10,
            ),
            publish=True,
        )
        update_registration_settings(event, RegistrationSettings())
        slug = event.slug
        db.session.remove()
        db.engine.dispose()
    return slug


@pytest.fixture
def server(database_url, event_slug, tmp_path):
    """gunicorn with 4 workers on a free port, sharing the test's database."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    log_file = log.open("wb")
    env = {
        **os.environ,
        "EVENTSVC_DATABASE_URL": database_url,
        "EVENTSVC_INSTANCE_PATH": str(tmp_path / "instance"),
        "EVENTSVC_SECRET_KEY": "load-test-secret",
        "EVENTSVC_RATELIMIT_ENABLED": "0",
        "EVENTSVC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [GUNICORN, "-c", "gunicorn.conf.py", "-w", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                log_file.close()
                raise RuntimeError(log.read_text()[-2000:]) from None
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=15)
    log_file.close()


def _submit(base: str, slug: str, email: str, barrier: threading.Barrier, results: list):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    url = f"{base}/events/{slug}/register"
    page = opener.open(url, timeout=30).read().decode()
    token = _TOKEN.search(page).group(1)
    body = urllib.parse.urlencode(
        {"csrf_token": token, "name": "Load Test", "email": email, "consent": "y"}
    ).encode()
    barrier.wait(timeout=60)
    try:
        response = opener.open(url, data=body, timeout=60)
        results.append(response.status)
    except urllib.error.HTTPError as error:
        results.append(error.code)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _run_all(base: str, slug: str, emails: list[str]) -> list[int]:
    barrier = threading.Barrier(len(emails))
    results: list[int] = []
    threads = [
        threading.Thread(target=_submit, args=(base, slug, email, barrier, results))
        for email in emails
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _rows(database_url: str, tmp_path: Path, slug: str):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(tmp_path / "instance")}
    )
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        rows = db.session.execute(
            select(Registration.state, Registration.waitlist_position).where(
                Registration.event_id == event.id
            )
        ).all()
        counters = (event.seats_taken, event.waitlist_length)
        db.session.remove()
        db.engine.dispose()
    return rows, counters


def test_sixty_concurrent_registrations_for_ten_seats(server, database_url, event_slug, tmp_path):
    results = _run_all(server, event_slug, [f"person{i}@example.org" for i in range(60)])
    assert sorted(results) == [302] * 60
    rows, counters = _rows(database_url, tmp_path, event_slug)
    states = [state for state, _ in rows]
    assert states.count("confirmed") == 10
    assert states.count("waitlisted") == 50
    assert sorted(position for state, position in rows if state == "waitlisted") == list(
        range(1, 51)
    )
    assert counters == (10, 50)


def test_one_address_submitted_twenty_times_at_once_registers_once(
    server, database_url, event_slug, tmp_path
):
    spellings = ["ana@example.org", "ANA@example.org", " Ana@Example.org ", "ana@EXAMPLE.ORG"]
    results = _run_all(server, event_slug, [spellings[i % 4] for i in range(20)])
    assert results.count(302) == 1
    assert results.count(200) == 19  # "already registered" page
    rows, counters = _rows(database_url, tmp_path, event_slug)
    assert rows == [("confirmed", None)]
    assert counters == (1, 0)
