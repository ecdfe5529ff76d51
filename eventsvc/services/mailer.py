"""Sending the outbox over SMTP: claim, send, mark; retries with back-off.

Delivery is exactly once while the process runs normally and across SMTP outages: a
message is marked sent only after the server accepted it, and a failed attempt is
retried later. A crash between acceptance and the commit leaves the message claimed;
after CLAIM_TIMEOUT it is sent again with the same Message-ID (at least once), up to
MAX_ATTEMPTS claims in all.

No one message stops the others: one that cannot be written or built into an email (for
any reason but the mail server) is marked failed at once with its reason, which staff see
in the admin outbox, and the rest go out.
"""

import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from sqlalchemy import or_, select, update

from eventsvc.extensions import db
from eventsvc.models import OutboxMessage
from eventsvc.services.locking import write_transaction
from eventsvc.services.notifications import write_message
from eventsvc.text import one_line
from eventsvc.timezones import now

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=10)
SMTP_TIMEOUT = 20


def backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4 … minutes between attempts, at most an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def build_message(message: OutboxMessage, sender: str) -> EmailMessage:
    """Turn an outbox row into a MIME message: text, HTML and the invitation."""
    email = EmailMessage()
    email["Message-ID"] = message.message_id
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = one_line(message.subject)  # a title stored with a line break
    email["Date"] = format_datetime(message.created_at)
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    if message.calendar:
        email.add_alternative(
            message.calendar.encode(),
            maintype="text",
            subtype="calendar",
            params={"method": message.calendar_method, "charset": "UTF-8"},
        )
    return email


def _smtp_settings(url: str) -> dict:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return {
        "ssl": parts.scheme == "smtps",
        "host": parts.hostname or "localhost",
        "port": parts.port or (465 if parts.scheme == "smtps" else 25),
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "starttls": query.get("starttls", ["0"])[0] in {"1", "true", "yes"},
    }


def _open_smtp(url: str) -> smtplib.SMTP:
    settings = _smtp_settings(url)
    if settings["ssl"]:
        client = smtplib.SMTP_SSL(
            settings["host"],
            settings["port"],
            timeout=SMTP_TIMEOUT,
            context=ssl.create_default_context(),
        )
    else:
        client = smtplib.SMTP(settings["host"], settings["port"], timeout=SMTP_TIMEOUT)
        if settings["starttls"]:
            client.starttls(context=ssl.create_default_context())
    if settings["user"]:
        client.login(settings["user"], settings["password"] or "")
    return client


def _claim(limit: int) -> list[int]:
    """Mark up to `limit` due messages as being sent; return their ids.

    A claim left half-done (its worker died) is taken up again after CLAIM_TIMEOUT; one
    left that way MAX_ATTEMPTS times is marked failed instead, so no message can stop
    every worker that takes it up.
    """
    moment = now()
    due = or_(
        (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= moment),
        (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at <= moment - CLAIM_TIMEOUT),
    )
    query = select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(limit)
    with write_transaction():
        messages = db.session.scalars(query.with_for_update(skip_locked=True)).all()
        for message in messages:
            _take_up(message, moment)
        return [message.id for message in messages if message.status == "sending"]


def _take_up(message: OutboxMessage, moment) -> None:
    """Claim one message, or fail it once claims left half-done reached MAX_ATTEMPTS."""
    if message.status == "sending" and message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        message.last_error = f"Left half-sent {message.attempts} times; not tried again."
        log.warning("outbox: message %d abandoned after %d claims", message.id, message.attempts)
        return
    message.status, message.claimed_at = "sending", moment
    message.attempts += 1


def _finish(message_id: int, error: str | None, final: bool = False) -> None:
    with write_transaction():
        message = db.session.get(OutboxMessage, message_id)
        if error is None:
            message.status, message.sent_at, message.last_error = "sent", now(), ""
        elif final or message.attempts >= MAX_ATTEMPTS:
            message.status, message.last_error = "failed", error
        else:
            message.status, message.last_error = "queued", error
            message.next_attempt_at = now() + backoff(message.attempts)


def send_due(limit: int = 100) -> dict[str, int]:
    """Send every due message once; returns counts of sent and failed attempts."""
    url = current_app.config["SMTP_URL"]
    counts = {"sent": 0, "failed": 0}
    if not url:
        waiting = db.session.scalar(
            select(db.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == "queued")
        )
        log.info("outbox: %d message(s) waiting; EVENTSVC_SMTP_URL is not set", waiting)
        return counts
    # Each is written (or dropped, its reason gone) from the state at its first attempt.
    ids, counts["failed"] = _write_claimed(_claim(limit))
    if not ids:
        return counts
    sender = current_app.config["MAIL_FROM"]
    try:
        client = _open_smtp(url)
    except (OSError, smtplib.SMTPException) as error:
        for message_id in ids:
            _finish(message_id, f"SMTP connection failed: {type(error).__name__}")
        counts["failed"] += len(ids)
        log.warning(
            "outbox: SMTP unreachable (%s); %d message(s) retry later",
            type(error).__name__,
            len(ids),
        )
        return counts
    with client:
        for message_id in ids:
            counts["sent" if _send_one(client, message_id, sender) else "failed"] += 1
    return counts


def _write_claimed(ids: list[int]) -> tuple[list[int], int]:
    """Write the claimed messages: (those to send, how many failed). One dropped (its reason
    gone) is not sent; one that cannot be written fails at once, with why."""
    ready, failed = [], 0
    for message_id in ids:
        try:
            if write_message(message_id):
                ready.append(message_id)
        except Exception as error:  # any error: one message must not stop the others
            _fail(message_id, f"Could not be written: {_described(error)}")
            failed += 1
    return ready, failed


def _described(error: Exception) -> str:
    """An error for staff to read: its type and message, on one line."""
    return one_line(f"{type(error).__name__}: {error}")[:500]


def _fail(message_id: int, reason: str) -> None:
    """Mark a message failed for a reason of its own (not the mail server's); log its id."""
    db.session.rollback()  # whatever the failure left in the session is not to be kept
    _finish(message_id, reason, final=True)
    log.warning("outbox: message %d failed: %s", message_id, reason.partition(":")[0])


def _send_one(client: smtplib.SMTP, message_id: int, sender: str) -> bool:
    message = db.session.get(OutboxMessage, message_id)
    kind = message.kind
    try:
        email = build_message(message, sender)
    except Exception as error:  # any error: one message must not stop the others
        _fail(message_id, f"Could not be built into an email: {_described(error)}")
        return False
    try:
        client.send_message(email)
    except (OSError, smtplib.SMTPException) as error:
        _finish(message_id, f"{type(error).__name__} {getattr(error, 'smtp_code', '')}".strip())
        log.warning("outbox: message %d (%s) not sent: %s", message_id, kind, type(error).__name__)
        return False
    _finish(message_id, None)
    log.info("outbox: message %d (%s) sent", message_id, kind)
    return True


def retry_message(message: OutboxMessage) -> bool:
    """Queue a failed message again, due now, with its attempts reset; False if not failed."""
    message_id = message.id
    with write_transaction():
        retried = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "failed")
            .values(status="queued", attempts=0, next_attempt_at=now(), claimed_at=None)
            .execution_options(synchronize_session=False)
        )
    return retried.rowcount == 1
