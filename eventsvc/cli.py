"""The `eventsvc` command: Flask's CLI on create_app, with the project's own commands."""

import logging
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.inputs import STAFF_ROLES, TOKEN_SCOPES
from eventsvc.services.backup import BackupError, read_export, save_export, write_export
from eventsvc.services.changes import store_stale_entries
from eventsvc.services.demo import ensure_demo_login, load_demo
from eventsvc.services.events import refresh_time_zone_rules
from eventsvc.services.mailer import send_due
from eventsvc.services.registrants import purge_before
from eventsvc.services.reminders import queue_due_reminders
from eventsvc.services.staff import StaffError, create_staff, find_staff
from eventsvc.services.tokens import TokenError, issue_token
from eventsvc.timezones import TZDATA_VERSION

log = logging.getLogger(__name__)


@click.group(cls=FlaskGroup, create_app=lambda: create_app())
def main() -> None:
    """Manage the eventsvc service."""


@main.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(STAFF_ROLES), default="editor", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def staff_create(email: str, role: str, password_stdin: bool) -> None:
    """Create a staff account; without a TTY or --password-stdin a password is generated."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("No password on standard input")
    elif sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user, password = create_staff(email, role, password)
    except StaffError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role} {user.email}", err=True)
    if not password_stdin and not sys.stdin.isatty():
        click.echo(f"Password: {password}")


@staff.command("token")
@click.argument("email")
@click.option("--name", default="API token", show_default=True, help="What the token is for.")
@click.option("--scope", type=click.Choice(TOKEN_SCOPES), default="read", show_default=True)
@click.option("--expires", "days", type=click.IntRange(min=1), help="Days until it expires.")
def staff_token(email: str, name: str, scope: str, days: int | None) -> None:
    """Make an API token for a staff account; only the token goes to standard output."""
    user = find_staff(email)
    if user is None:
        raise click.ClickException(f"No staff account for {email.strip()}")
    try:
        token, value = issue_token(user, name, scope, days)
    except TokenError as error:
        raise click.ClickException(str(error)) from error
    until = f", expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else ""
    click.echo(f"Created {scope} token “{token.name}” for {user.email}{until}.", err=True)
    click.echo(value)


@main.command("demo")
def demo() -> None:
    """Load the demo content (idempotent) and print the site URL and the staff login."""
    result = load_demo()
    email, password = ensure_demo_login(current_app.instance_path)
    click.echo(f"Demo content: {result.added} items added, {result.existing} already there.")
    click.echo(f"Site:     {current_app.config['BASE_URL']}/")
    click.echo(f"Admin:    {current_app.config['BASE_URL']}/login")
    click.echo(f"Email:    {email}")
    click.echo(f"Password: {password}")


@main.group()
def timezones() -> None:
    """The time-zone database."""


@timezones.command("refresh")
def timezones_refresh() -> None:
    """Derive again the instants of events not yet over that older tz data made.

    Idempotent: run it after upgrading (make serve and the outbox worker run it at start).
    Each moved event gets SEQUENCE + 1, an update to its registrants and an audit entry.
    """
    refreshed = refresh_time_zone_rules()
    moved = [event for event in refreshed if event.moved]
    click.echo(
        f"Time-zone data {TZDATA_VERSION}: {len(refreshed)} event(s) checked, {len(moved)} moved.",
        err=True,
    )
    for event in moved:
        click.echo(f"Moved: {event.title}", err=True)
        for note in event.notes:
            click.echo(f"  {note}", err=True)


@main.group()
def outbox() -> None:
    """The outgoing email queue."""


@outbox.command("send")
def outbox_send() -> None:
    """Send every message that is due, once, and report the counts."""
    if not current_app.config["SMTP_URL"]:
        click.echo("EVENTSVC_SMTP_URL is not set: messages stay in the outbox.", err=True)
    counts = send_due()
    click.echo(f"Sent {counts['sent']}, failed {counts['failed']}.", err=True)


@outbox.command("worker")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--rounds", type=int, default=None, help="Stop after this many rounds.")
def outbox_worker(interval: float, rounds: int | None) -> None:
    """Queue due reminders and send due messages, in a loop.

    It starts by deriving again the instants that older tz data made (`timezones
    refresh`) and storing again the calendar entries that older builders or another base
    URL made, which feeds otherwise rebuild in every answer (services/changes.py).
    """
    refresh_time_zone_rules()
    store_stale_entries()
    done = 0
    while rounds is None or done < rounds:
        _worker_round()
        done += 1
        if rounds is None or done < rounds:
            time.sleep(interval)


def _worker_round() -> None:
    """One round of the worker; an error is logged and the next round goes on."""
    try:
        queue_due_reminders()
        send_due()
    except Exception:  # any error (the database restarting): the worker keeps running
        db.session.rollback()
        log.exception("outbox worker: the round failed; trying again next round")


@main.group()
def registrations() -> None:
    """Registrations."""


@registrations.command("purge")
@click.option("--before", "before", required=True, type=click.DateTime(["%Y-%m-%d"]))
def registrations_purge(before) -> None:
    """Anonymise registrations of events that ended before DATE (counts are kept)."""
    count = purge_before(before.date())
    click.echo(f"Anonymised {count} registration(s) of events that ended before {before:%Y-%m-%d}.")


@main.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def export(file: str) -> None:
    """Write the whole database to FILE as JSON (`-`: standard output).

    The file holds registrants' data and staff password hashes: it is written readable by
    its owner only; keep it as private as the database.
    """
    try:
        counts = write_export(sys.stdout.buffer) if file == "-" else save_export(Path(file))
    except (BackupError, OSError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Exported {sum(counts.values())} rows of {len(counts)} tables.", err=True)


@main.command("import")
@click.argument("file", type=click.File("rb"))
def import_(file) -> None:
    """Load an export FILE (`-`: standard input) into this empty, migrated database."""
    try:
        counts = read_export(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Imported {sum(counts.values())} rows of {len(counts)} tables.", err=True)
