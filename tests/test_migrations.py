"""Migrations build the models' schema on empty SQLite and PostgreSQL databases, and undo it."""

import logging
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from eventsvc import create_app
from eventsvc.calendar.entry import shown_fields
from eventsvc.extensions import bind_migrations, db
from eventsvc.models import Event, InvitationStream, Registration, StaffUser
from eventsvc.models.search import is_search_table
from eventsvc.search import ranked
from eventsvc.services.changes import current_version
from eventsvc.services.events import (
    add_recording,
    fields_of,
    postpone_event,
    refresh_time_zone_rules,
)
from eventsvc.services.mailer import send_due
from eventsvc.services.registration import cancel_registration
from eventsvc.timezones import TZDATA_VERSION, now
from tests.helpers import app_settings, open_registration, outbox_messages, save_fields

OLDER_ZONE_FILES = Path(__file__).resolve().parent / "zoneinfo-2025b"


def include_object(_object, name, type_, _reflected, _compare_to) -> bool:
    """As migrations/env.py: the search index is no model."""
    return not (type_ == "table" and is_search_table(name))


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
    """The tables of the models (the search index's own are compared apart, below)."""
    return {name for name in inspect(db.engine).get_table_names() if not is_search_table(name)}


def differences() -> list:
    """What Alembic's autogenerate would still add to the migrations for the models."""
    configure = {
        "compare_type": True,
        "compare_server_default": True,
        "include_object": include_object,
    }
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


def search_objects() -> set[tuple]:
    """The search index's tables, indexes, triggers and functions, as the database lists them."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.execute(
                text(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master"
                    " WHERE name LIKE '%search%' OR tbl_name LIKE '%search%'"
                )
            )
        else:
            rows = connection.execute(
                text(
                    "SELECT 'table', tablename, indexdef FROM pg_indexes"
                    " WHERE tablename LIKE '%search%'"
                    " UNION ALL SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                    " WHERE tgname LIKE '%search%'"
                    " UNION ALL SELECT 'function', proname, prosrc FROM pg_proc"
                    " WHERE pronamespace = 'public'::regnamespace AND proname LIKE '%search%'"
                    " OR proname LIKE 'eventsvc%'"
                    " UNION ALL SELECT 'configuration', cfgname, '' FROM pg_ts_config"
                    " WHERE cfgname LIKE 'eventsvc%'"
                )
            )
        return {tuple(" ".join(str(value).split()) for value in row) for row in rows}


def test_the_migration_and_create_all_build_the_same_search_index(empty_app):
    upgrade()
    migrated = search_objects()
    downgrade(revision="base")
    assert search_objects() == set()
    db.drop_all()  # the version table stays; create_all() starts from no model tables

    db.create_all()

    assert migrated and search_objects() == migrated


def test_the_search_index_migration_indexes_what_is_there(empty_app):
    upgrade(revision="8d2137d65aeb")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO news_items (slug, title, body, excerpt, language, label,"
                " published_at, created_at, updated_at) VALUES ('old', 'La Clínica y Áñez',"
                " '', '', 'es', 'news', :moment, :moment, :moment)"
            ),
            {"moment": now()},
        )
    upgrade()

    found = db.session.execute(select(ranked("news", ["clinica", "ANEZ"]).c.item_id)).all()
    assert len(found) == 1


@pytest.mark.parametrize(
    ("host_files", "read_as"),
    [(OLDER_ZONE_FILES, (10, "2025b")), (None, (11, TZDATA_VERSION))],
    ids=["host zone files 2025b", "no host zone files"],
)
def test_events_stored_before_keep_the_wall_clock_the_rules_of_then_gave_them(
    empty_app, make_event, sign_up, monkeypatch, tmp_path, host_files, read_as
):
    """The app used to read the host's zone files: 10:00 in Vancouver next January went in
    as 18:00 UTC (2025b). The migration reads it back with those files, and the refresh
    moves it to today's rules, which keep 10:00; a registrant's stream goes on rising."""
    upgrade()
    eighteen = datetime(date.today().year + 1, 1, 15, 18, tzinfo=UTC)
    event = make_event(
        timezone="America/Vancouver", starts_at=eighteen, ends_at=eighteen + timedelta(hours=1)
    )
    open_registration(event)
    registration = sign_up(event, "ana@example.org").registration
    outbox_messages()
    ids = event.id, registration.id
    db.session.remove()  # its read transaction would hold PostgreSQL's ALTER TABLE back
    downgrade(revision="b7c41e9d2a10")
    monkeypatch.setenv("TZDIR", str(host_files or tmp_path))

    upgrade()

    event = db.session.get(Event, ids[0])
    assert (event.local_start.hour, event.tz_version) == read_as
    assert event.starts_at == eighteen
    stream = db.session.scalar(select(InvitationStream))
    last_sent = stream.last_sequence
    assert (last_sent, stream.holds_entry) == (event.sequence + 1, True)
    refresh_time_zone_rules()
    event = db.session.get(Event, ids[0])
    assert event.local_start.hour == read_as[0]
    assert event.starts_at == eighteen - timedelta(hours=11 - read_as[0])
    cancel_registration(db.session.get(type(registration), ids[1]))
    [cancel] = outbox_messages("cancelled")
    assert f"SEQUENCE:{last_sent + 1}\r\n" in cancel.calendar


def test_email_keys_are_recomputed_merged_mailboxes_split_and_doubles_joined(
    empty_app, open_event, sign_up, make_staff
):
    upgrade()
    webinar, clinic = open_event(title="Webinar"), open_event(title="Clinic", capacity=5)
    clinic_id = clinic.id
    victim = sign_up(webinar, "alice@strasse.org").registration
    attacker = sign_up(clinic, "alice@straße.org").registration
    ana = sign_up(clinic, "ana@bücher.de").registration
    double = sign_up(clinic, "bo@example.org").registration
    make_staff("josé@bücher.de")
    ids = victim.id, attacker.id, ana.id, double.id
    merged = victim.attendee.feed_token
    db.session.remove()
    downgrade(revision="3f9c2b7d41e6")
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
        old.execute(text("DELETE FROM invitation_streams"))
        old.execute(
            text(
                "INSERT INTO invitation_streams (event_id, email_key, last_sequence, holds_entry)"
                " VALUES (:clinic, 'alice@strasse.org', 2, true),"
                " (:clinic, 'ana@bücher.de', 3, true), (:clinic, 'ana@xn--bcher-kva.de', 5, false)"
            ),
            {"clinic": clinic_id},
        )

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
    told = db.session.execute(
        select(InvitationStream.email_key, InvitationStream.last_sequence).order_by(
            InvitationStream.email_key
        )
    )
    assert list(told) == [("alice@xn--strae-oqa.org", 2), ("ana@xn--bcher-kva.de", 5)]
