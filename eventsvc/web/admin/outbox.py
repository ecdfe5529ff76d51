"""Admin pages for the outbox: every email, its delivery state, and a retry for failed ones."""

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import OutboxMessage
from eventsvc.models.outbox import OUTBOX_STATES
from eventsvc.services.mailer import retry_message
from eventsvc.services.notifications import NotSent, preview
from eventsvc.web.admin import bp, no_store

MESSAGES_PER_PAGE = 50


def _listing(status: str | None):
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        statement = statement.where(OutboxMessage.status == status)
    return db.paginate(statement, per_page=MESSAGES_PER_PAGE, max_per_page=MESSAGES_PER_PAGE)


def _status_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return dict(rows.all())


@bp.route("/outbox")
@no_store
def outbox_list():
    status = request.args.get("status", "")
    status = status if status in OUTBOX_STATES else None
    return render_template(
        "admin/outbox/list.html",
        page=_listing(status),
        status=status,
        statuses=OUTBOX_STATES,
        counts=_status_counts(),
        smtp_configured=bool(current_app.config["SMTP_URL"]),
    )


@bp.route("/outbox/<int:message_id>")
@no_store
def outbox_show(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    shown, not_sent = message, message.last_error if message.status == "dropped" else ""
    if not (message.is_written or not_sent):
        # A message not yet sent is written when it is: show what it would say now.
        try:
            shown = preview(message)
        except NotSent as reason:
            shown, not_sent = None, str(reason)
    return render_template(
        "admin/outbox/message.html", message=message, shown=shown, not_sent=not_sent
    )


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
def outbox_retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if retry_message(message):
        flash("The message is queued again and goes out with the next send.")
    else:
        flash("Only a failed message can be retried.", "error")
    return redirect(url_for(".outbox_show", message_id=message_id))
