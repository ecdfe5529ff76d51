"""Migrations build the models' schema on empty SQLite and PostgreSQL databases, and undo it."""

import logging
from dataclasses import replace

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from eventsvc import create_app
from eventsvc.calendar.entry import shown_fields
from eventsvc.extensions import bind_migrations, db
from eventsvc.models import Event, Registration, StaffUser
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


def test_email_keys_are_recomputed_merged_mailboxes_split_and_doubles_joined(
    empty_app, open_event, sign_up, make_staff
):
    upgrade()
    webinar, clinic = open_event(title="Webinar"), open_event(title="Clinic", capacity=5)
    victim = sign_up(webinar, "alice@strasse.org").registration
    attacker = sign_up(clinic, "alice@straße.org").registration
    ana = sign_up(clinic, "ana@bücher.de").registration
    double = sign_up(clinic, "bo@example.org").registration
    make_staff("josé@bücher.de")
    ids = victim.id, attacker.id, ana.id, double.id
    merged = victim.attendee.feed_token
    db.session.remove()
    downgrade(revision="b7c41e9d2a10")
    with db.engine.begin() as old:  # as the case-folding key left them
        old.execute(text("DELETE FROM attendees WHERE email LIKE '%xn--%' OR email LIKE 'bo@%'"))
        old.execute(
            text(
                "UPDATE registrations SET email_key = 'alice@strasse.org', attendee_id ="
                " (SELECT id FROM attendees WHERE email = 'alice@strasse.org') WHERE id = :id"
            ),
            {"id": attacker.id},
        )
        old.execute(
            text("UPDATE registrations SET email_key = 'ana@bücher.de' WHERE id = :id"),
            {"id": ana.id},
        )
        old.execute(
            text(
                "UPDATE registrations SET email = 'Ana@xn--bcher-kva.de',"
                " email_key = 'ana@xn--bcher-kva.de', attendee_id = NULL WHERE id = :id"
            ),
            {"id": double.id},
        )
        old.execute(text("UPDATE staff_users SET email = 'josé@bücher.de'"))

    upgrade()

    victim, attacker, ana, double = (db.session.get(Registration, id_) for id_ in ids)
    assert attacker.email_key == "alice@xn--strae-oqa.org"
    assert victim.attendee_id != attacker.attendee_id
    tokens = {victim.attendee.feed_token, attacker.attendee.feed_token}
    assert merged not in tokens and len(tokens) == 2
    feeds = empty_app.test_client()
    assert feeds.get(f"/calendar/personal/{merged}.ics").status_code == 410
    for token in tokens:
        assert feeds.get(f"/calendar/personal/{token}.ics").status_code == 200
    assert (ana.state, double.state) == ("confirmed", "cancelled")
    assert double.email_key == ana.email_key == "ana@xn--bcher-kva.de"
    assert ana.event.seats_taken == 2  # the attacker's seat and Ana's
    assert db.session.scalar(select(StaffUser.email)) == "josé@xn--bcher-kva.de"
