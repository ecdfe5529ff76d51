"""The audit log (admins only): who changed what and when, newest first."""

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models.audit import ACTIONS, AuditEntry
from eventsvc.services.audit import track_actor
from eventsvc.web.admin import bp, no_store, requires

ENTRIES_PER_PAGE = 50

track_actor(bp, lambda: current_user.email)


def _entries(action: str | None):
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    return db.paginate(query, per_page=ENTRIES_PER_PAGE, max_per_page=ENTRIES_PER_PAGE)


@bp.route("/audit")
@requires("audit")
@no_store
def audit_log():
    action = request.args.get("action", "")
    action = action if action in ACTIONS else None
    return render_template(
        "admin/audit/list.html", page=_entries(action), action=action, actions=ACTIONS
    )
