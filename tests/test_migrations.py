"""Migrations build the models' schema on empty SQLite and PostgreSQL databases, and undo it."""

import logging
from dataclasses import replace
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from eventsvc import create_app
from eventsvc.calendar.entry import shown_fields
from eventsvc.extensions import bind_migrations, db
from eventsvc.models import Event
from eventsvc.services.changes import current_version
from eventsvc.services.events import add_recording, fields_of, postpone_event
from eventsvc.services.mailer import send_due
from eventsvc.timezones import now
from tests.helpers import app_settings, save_fields


@pytest.fixture
def logging_kept():
    """Alembic's env.py applies alembic.ini's logging; put the test run's logging back after."""
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    disabled = {name: logger.disabled for name, logger in _loggers()}
    yield
    root.setLevel(level)
    root.handlers[:] = handlers
    for name, logger in _loggers():
        logger.disabled = disabled.get(name, False)


def _loggers():
    return [
        (name, logger)
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    ]


@pytest.fixture
def empty_app(database_url, tmp_path, logging_kept):
    """The app on an empty database that no test fixture has created tables in."""
    app = create_app(app_settings(tmp_path, database_url))
    bind_migrations(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def differences() -> list:
    """What Alembic's autogenerate would still add to the migrations for the models."""
    configure = {"compare_type": True, "compare_server_default": True}
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=configure)
        return compare_metadata(context, db.metadata)


def test_upgrade_builds_every_table_of_the_models(empty_app):
    assert table_names() == set()
    upgrade()
    assert table_names() == set(db.metadata.tables) | {"alembic_version"}


def test_the_migrations_and_the_models_agree(empty_app):
    upgrade()
    assert differences() == []


def test_downgrade_to_base_and_upgrade_again(empty_app):
    upgrade()
    downgrade(revision="base")
    assert table_names() == {"alembic_version"}
    upgrade()
    assert table_names() == set(db.metadata.tables) | {"alembic_version"}
    assert differences() == []


def test_an_email_queued_before_the_outbox_change_is_sent_after_it(empty_app, smtp_server):
    upgrade(revision="5036050274bb")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO outbox_messages (message_id, kind, to_address, subject, body_text,"
                " body_html, status, attempts, next_attempt_at, last_error, created_at,"
                " updated_at) VALUES ('<old@example.org>', 'staff_message', 'ana@example.org',"
                " 'Room change', 'We moved.', '', 'queued', 0, :moment, '', :moment, :moment)"
            ),
            {"moment": now()},
        )
    upgrade()

    assert current_version() == 0
    current_app.config["SMTP_URL"] = smtp_server.url
    assert send_due() == {"sent": 1, "failed": 0}
    [received] = smtp_server.received
    assert (received["Subject"], received.get_content().strip()) == ("Room change", "We moved.")


def test_the_shown_values_are_filled_for_events_made_before_they_were_kept(empty_app, make_event):
    upgrade()
    event = make_event(
        credits=[("co_host", "organization", "Fair Chains", "https://fair.example.org")],
        tags=["Labour", "Due diligence"],
        series="Rethinking MSIs",
        venue="Hall 2",
        starts_at=now() - timedelta(days=2),
    )
    add_recording(event, "https://video.example.org/1", "Watch")
    postpone_event(event, "Speaker ill")
    event_id, shown, sequence = event.id, event.calendar_fields, event.sequence
    db.session.remove()  # its read transaction would hold PostgreSQL's ALTER TABLE back
    downgrade(revision="8d2137d65aeb")

    upgrade()

    db.session.expunge_all()
    event = db.session.get(Event, event_id)
    assert event.calendar_fields == shown == shown_fields(event)
    save_fields(event, fields_of(event))
    assert db.session.get(Event, event_id).sequence == sequence
    save_fields(event, replace(fields_of(event), venue="Hall 3"))
    assert db.session.get(Event, event_id).sequence == sequence + 1
