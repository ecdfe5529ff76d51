"""Admin pages for the outbox: every email, its delivery state, a retry for failed ones,
and cancelling what is still queued (one message, or all of one event's)."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Event, OutboxMessage
from eventsvc.models.outbox import KIND_NAMES, NEVER_SENT, OUTBOX_STATES
from eventsvc.services.mailer import retry_message
from eventsvc.services.notifications import NotSent, preview
from eventsvc.services.outbox import (
    cancel_event_messages,
    cancel_message,
    send_event_messages_now,
)
from eventsvc.web.admin import bp, no_store

MESSAGES_PER_PAGE = 50


def _listing(status: str | None, event: Event | None):
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        statement = statement.where(OutboxMessage.status == status)
    if event:
        statement = statement.where(OutboxMessage.event_id == event.id)
    return db.paginate(statement, per_page=MESSAGES_PER_PAGE, max_per_page=MESSAGES_PER_PAGE)


def _status_counts(event: Event | None) -> dict[str, int]:
    statement = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if event:
        statement = statement.where(OutboxMessage.event_id == event.id)
    return dict(db.session.execute(statement).all())


def _event_arg() -> Event | None:
    """The event named by ?event=, or None for every message."""
    value = request.args.get("event", "")
    if not value:
        return None
    if not value.isdigit():
        abort(404)
    return db.get_or_404(Event, int(value))


def _events_of(messages: list[OutboxMessage]) -> dict[int, Event]:
    """The events a page of messages is about, by id, read at once."""
    ids = {message.event_id for message in messages if message.event_id}
    return {event.id: event for event in db.session.scalars(select(Event).where(Event.id.in_(ids)))}


@bp.route("/outbox")
@no_store
def outbox_list():
    status = request.args.get("status", "")
    status = status if status in OUTBOX_STATES else None
    event = _event_arg()
    page = _listing(status, event)
    return render_template(
        "admin/outbox/list.html",
        page=page,
        events=_events_of(page.items),
        kind_names=KIND_NAMES,
        status=status,
        event=event,
        statuses=OUTBOX_STATES,
        counts=_status_counts(event),
        smtp_configured=bool(current_app.config["SMTP_URL"]),
    )


@bp.route("/outbox/<int:message_id>")
@no_store
def outbox_show(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    shown, not_sent = message, message.last_error if message.status == "dropped" else ""
    if not (message.is_written or message.status in NEVER_SENT):
        # A message not yet sent is written when it is: show what it would say now.
        try:
            shown = preview(message)
        except NotSent as reason:
            shown, not_sent = None, str(reason)
    return render_template(
        "admin/outbox/message.html",
        message=message,
        kind_name=KIND_NAMES.get(message.kind, message.kind),
        shown=shown,
        not_sent=not_sent,
    )


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
def outbox_retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if retry_message(message):
        flash(gettext("The message is queued again and goes out with the next send."))
    else:
        flash(gettext("Only a failed message can be retried."), "error")
    return redirect(url_for(".outbox_show", message_id=message_id))


def _back_to_list():
    """Back to the list the button was pressed on, keeping its filters."""
    kept = {
        name: request.args[name] for name in ("status", "event", "page") if request.args.get(name)
    }
    return redirect(url_for(".outbox_list", **kept))


@bp.route("/outbox/<int:message_id>/cancel", methods=["POST"])
def outbox_cancel(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if cancel_message(message):
        flash(gettext("Message #%(number)s is cancelled: it will not be sent.", number=message_id))
    else:
        flash(
            gettext(
                "Only a queued message can be cancelled: this one is already sent or on its way."
            ),
            "error",
        )
    if request.args.get("back") == "list":
        return _back_to_list()
    return redirect(url_for(".outbox_show", message_id=message_id))


@bp.route("/events/<int:event_id>/outbox/cancel", methods=["GET", "POST"])
@no_store
def events_outbox_cancel(event_id: int):
    event = db.get_or_404(Event, event_id)
    if request.method == "POST":
        count = cancel_event_messages(event)
        flash(
            ngettext(
                "%(num)d queued message of “%(title)s” cancelled.",
                "%(num)d queued messages of “%(title)s” cancelled.",
                count,
                title=event.title,
            )
        )
        return redirect(url_for(".outbox_list", event=event.id))
    waiting = db.session.execute(
        select(OutboxMessage.kind, func.count())
        .where(OutboxMessage.event_id == event.id, OutboxMessage.status == "queued")
        .group_by(OutboxMessage.kind)
        .order_by(OutboxMessage.kind)
    ).all()
    return render_template(
        "admin/outbox/cancel_event.html", event=event, waiting=waiting, kind_names=KIND_NAMES
    )


_KINDS = "any(" + ", ".join(KIND_NAMES) + ")"


@bp.route(f"/events/<int:event_id>/outbox/<{_KINDS}:kind>/send-now", methods=["POST"])
def events_outbox_send_now(event_id: int, kind: str):
    event = db.get_or_404(Event, event_id)
    count = send_event_messages_now(event, kind)
    if count:
        flash(
            ngettext(
                "%(num)d email “%(kind)s” goes out with the next send, in seconds.",
                "%(num)d emails “%(kind)s” go out with the next send, in seconds.",
                count,
                kind=KIND_NAMES[kind],
            )
        )
    else:
        flash(gettext("Nothing of that kind is waiting any more: it went out already."), "error")
    return redirect(url_for(".events_show", event_id=event_id, _anchor="emails"))


@bp.route(f"/events/<int:event_id>/outbox/<{_KINDS}:kind>/cancel", methods=["POST"])
def events_outbox_cancel_kind(event_id: int, kind: str):
    event = db.get_or_404(Event, event_id)
    count = cancel_event_messages(event, kind)
    if count:
        flash(
            ngettext(
                "%(num)d email “%(kind)s” cancelled: it will not be sent.",
                "%(num)d emails “%(kind)s” cancelled: they will not be sent.",
                count,
                kind=KIND_NAMES[kind],
            )
        )
    else:
        flash(gettext("Nothing of that kind is waiting any more: it went out already."), "error")
    return redirect(url_for(".events_show", event_id=event_id, _anchor="emails"))
