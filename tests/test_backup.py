"""Export and import: the whole database as JSON, and the same bytes back on either database."""

import base64
import io
import json
import os
import stat
from contextlib import contextmanager
from datetime import datetime, time, timedelta

import pytest
from flask import current_app
from sqlalchemy import create_engine, func, select, text

from eventsvc import create_app
from eventsvc.cli import main
from eventsvc.extensions import db
from eventsvc.models import Event, OutboxMessage, Registration
from eventsvc.services.attendees import reset_feed_token
from eventsvc.services.backup import BackupError, data_tables, import_document, write_export
from eventsvc.services.changes import current_version
from eventsvc.services.demo import ensure_demo_login, load_demo
from eventsvc.services.events import delete_event, set_visibility
from eventsvc.services.staff import find_staff
from eventsvc.services.tokens import issue_token
from eventsvc.timezones import to_utc
from tests.helpers import (
    app_settings,
    dispose,
    in_days,
    new_app,
    row_counts,
    signs_in,
    written_messages,
)


def exported() -> bytes:
    out = io.BytesIO()
    write_export(out)
    return out.getvalue()


def fill_every_table(make_event) -> str:
    """Give every table rows (demo, login, API token, retired feed token, all-day event,
    emails written, a deleted event's address)."""
    load_demo()
    written_messages(select(OutboxMessage))
    withdrawn = make_event(title="Withdrawn briefing")
    set_visibility(withdrawn, False)
    delete_event(withdrawn)
    email, password = ensure_demo_login(current_app.instance_path)
    issue_token(find_staff(email), "Newsletter sync", "read", 30)
    reset_feed_token(db.session.scalars(select(Registration)).first())
    first_day = in_days(30).date()
    make_event(
        title="Open day",
        kind="in_person",
        timezone="Europe/Berlin",
        all_day=True,
        start_date=first_day,
        end_date=first_day + timedelta(days=1),
        starts_at=to_utc(datetime.combine(first_day, time()), "Europe/Berlin"),
        ends_at=to_utc(datetime.combine(first_day, time(23, 59)), "Europe/Berlin"),
    )
    return password


@pytest.fixture
def database(tmp_path, request):
    """Factory: database(kind) gives the URL of an empty database, SQLite or PostgreSQL.

    Each SQLite database is a new file; PostgreSQL reuses the test's database, emptied.
    """
    files = iter(range(1, 100))

    def fresh(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'backup-{next(files)}.db'}"
        url = request.getfixturevalue("postgres_url")
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return url

    return fresh


@contextmanager
def app_on(url: str, tmp_path):
    """The app on `url` with every table created, inside an app context."""
    app = new_app(tmp_path, url)
    with app.app_context():
        yield app
    dispose(app)


def works_after_import(app, open_event, sign_up, password: str) -> None:
    """A new event, a registration and its email get fresh ids; the demo login signs in."""
    highest = {
        model: db.session.scalar(select(func.max(model.id)))
        for model in (Event, Registration, OutboxMessage)
    }
    event = open_event(title="Planned after the restore")
    outcome = sign_up(event, "noor@example.org", "Noor")
    assert event.id > highest[Event]
    assert outcome.registration.id > highest[Registration]
    assert db.session.scalar(select(func.max(OutboxMessage.id))) > highest[OutboxMessage]
    assert signs_in(app.test_client(), "admin@example.org", password)


CHAINS = {
    "sqlite-sqlite": ["sqlite", "sqlite"],
    "postgresql-postgresql": ["postgresql", "postgresql"],
    "sqlite-postgresql-sqlite": ["sqlite", "postgresql", "sqlite"],
    "postgresql-sqlite-postgresql": ["postgresql", "sqlite", "postgresql"],
}


@pytest.mark.parametrize("chain", CHAINS.values(), ids=CHAINS.keys())
def test_export_import_export_gives_the_same_bytes(
    chain, database, tmp_path, make_event, open_event, sign_up
):
    with app_on(database(chain[0]), tmp_path):
        password = fill_every_table(make_event)
        counts = row_counts(data_tables())
        first = exported()
    assert [name for name, count in counts.items() if count == 0] == []
    for kind in chain[1:]:
        with app_on(database(kind), tmp_path) as app:
            version = current_version()
            assert import_document(json.loads(first)) == counts
            assert current_version() > version  # pages kept before the import are stale
            assert row_counts(data_tables()) == counts
            assert exported() == first
            works_after_import(app, open_event, sign_up, password)


def test_the_export_is_sorted_and_encodes_values_as_json(app, make_event):
    fill_every_table(make_event)
    document = json.loads(exported())
    assert list(document) == ["format", "version", "tables"]
    assert (document["format"], document["version"]) == ("eventsvc-export", 1)
    tables = {entry["name"]: entry["rows"] for entry in document["tables"]}
    assert list(tables) == [table.name for table in data_tables()]
    assert "content_version" not in tables
    for table in data_tables():
        keys = [[row[column.name] for column in table.primary_key] for row in tables[table.name]]
        assert keys == sorted(keys)
        assert all(
            list(row) == sorted(column.name for column in table.columns)
            for row in tables[table.name]
        )
    open_day = next(row for row in tables["events"] if row["slug"] == "open-day")
    assert open_day["start_date"] == in_days(30).date().isoformat()
    assert open_day["starts_at"].endswith("Z") and open_day["all_day"] is True
    assert open_day["registration_enabled"] is False
    entry = base64.b64decode(open_day["calendar_entry"], validate=True)
    assert entry.startswith(b"BEGIN:VEVENT") and b"Open day" in entry
    assert isinstance(tables["registrations"][0]["answers"], dict)
    assert any(row["choices"] for row in tables["questions"])
    assert tables["staff_users"][0]["password_hash"].startswith("$argon2")


def cli_export(runner, *args) -> bytes:
    result = runner.invoke(main, ["export", *args])
    assert result.exit_code == 0, result.output
    assert "Exported" in result.stderr
    return result.stdout_bytes


def test_cli_export_writes_a_file_only_its_owner_reads(runner, make_event, tmp_path):
    make_event()
    path = tmp_path / "backup.json"
    path.write_text("an older backup")
    path.chmod(0o644)
    cli_export(runner, str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cli_export(runner, "-") == path.read_bytes()
    assert [name for name in os.listdir(tmp_path) if name.startswith(".backup")] == []


def test_cli_import_from_a_file_and_from_stdin(runner, make_event, database, tmp_path):
    make_event()
    path = tmp_path / "backup.json"
    cli_export(runner, str(path))
    for source in (str(path), "-"):
        with app_on(database("sqlite"), tmp_path) as app:
            result = app.test_cli_runner().invoke(main, ["import", source], input=path.read_bytes())
            assert result.exit_code == 0, result.output
            assert "Imported" in result.output
            assert exported() == path.read_bytes()


def test_import_refuses_a_database_that_has_rows(runner, make_event, tmp_path):
    make_event()
    path = tmp_path / "backup.json"
    cli_export(runner, str(path))
    result = runner.invoke(main, ["import", str(path)])
    assert result.exit_code != 0
    assert "Error: The database is not empty (" in result.output
    assert "events" in result.output.split("):")[0]
    assert "import only into an empty, migrated database." in result.output
    assert row_counts(data_tables())["events"] == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "Unknown export format version 2: this eventsvc reads version 1."),
        ({"format": "something else"}, "This is not an eventsvc export file."),
        (
            {"tables": [{"name": "events", "rows": []}, {"name": "webhooks", "rows": []}]},
            "Unknown tables in the export file: webhooks.",
        ),
        (
            {
                "tables": [
                    {"name": "tags", "rows": [{"id": 1, "name": "A", "slug": "a", "colour": "red"}]}
                ]
            },
            "Unknown columns in the export file: tags.colour.",
        ),
        (
            {"tables": [{"name": "tags", "rows": [{"id": 1, "name": "A"}]}]},
            "The export file lacks columns this eventsvc needs: tags.slug. An older eventsvc",
        ),
    ],
)
def test_import_refuses_a_file_it_does_not_understand(runner, tmp_path, change, message):
    document = {"format": "eventsvc-export", "version": 1, "tables": []} | change
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(document))
    result = runner.invoke(main, ["import", str(path)])
    assert result.exit_code != 0
    assert f"Error: {message}" in result.output
    assert set(row_counts(data_tables()).values()) == {0}


def test_import_refuses_a_file_that_is_not_json(runner, tmp_path):
    path = tmp_path / "backup.json"
    path.write_bytes(b'{"format": "eventsvc-export", "ver')
    result = runner.invoke(main, ["import", str(path)])
    assert result.exit_code != 0
    assert "The export file is not valid JSON" in result.output


def test_export_and_import_refuse_a_database_without_tables(tmp_path):
    app = create_app(app_settings(tmp_path, f"sqlite:///{tmp_path / 'bare.db'}"))
    path = tmp_path / "backup.json"
    path.write_text(json.dumps({"format": "eventsvc-export", "version": 1, "tables": []}))
    for args in (["export", str(tmp_path / "new.json")], ["import", str(path)]):
        result = app.test_cli_runner().invoke(main, args)
        assert result.exit_code != 0
        assert "The database has no table attendees, " in result.output
        assert "run `eventsvc db upgrade` on it first." in result.output
    assert not (tmp_path / "new.json").exists()
    assert [name for name in os.listdir(tmp_path) if name.startswith(".new.json")] == []
    dispose(app)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_failed_import_writes_nothing(kind, database, tmp_path, make_event, make_news):
    with app_on(database("sqlite"), tmp_path):
        make_news(events=[make_event()])
        document = json.loads(exported())
    rows = {entry["name"]: entry["rows"] for entry in document["tables"]}
    rows["news_events"][0]["event_id"] = 999
    with app_on(database(kind), tmp_path):
        with pytest.raises(BackupError, match="The rows of news_events do not fit"):
            import_document(document)
        assert set(row_counts(data_tables()).values()) == {0}
