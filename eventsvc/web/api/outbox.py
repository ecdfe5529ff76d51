"""An event's emails waiting in the outbox, for staff: what, to how many, when; sending
them at once or cancelling them, as on the event's admin page."""

from eventsvc.models.outbox import KIND_NAMES
from eventsvc.services.outbox import (
    cancel_event_messages,
    send_event_messages_now,
    waiting_messages,
)
from eventsvc.web.api import bp, spec
from eventsvc.web.api.auth import staff
from eventsvc.web.api.events import WRITE, find_event
from eventsvc.web.api.http import statuses
from eventsvc.web.api.registrations import READ
from eventsvc.web.api.schemas import MessagesTaken, WaitingList
from eventsvc.web.presenters import iso_utc

_KINDS = "any(" + ", ".join(KIND_NAMES) + ")"


@bp.get("/events/<slug>/outbox")
@staff("read")
@spec.validate(resp=statuses(401, 404, HTTP_200=WaitingList), tags=["outbox"], security=READ)
def waiting_emails(slug: str):
    """The event's emails waiting to be sent, by kind: how many, and when they are due."""
    waiting = waiting_messages(find_event(slug, drafts=True))
    return {
        "items": [
            {
                "kind": group.kind,
                "name": group.name,
                "count": group.count,
                "first_due": iso_utc(group.first_due),
                "last_due": iso_utc(group.last_due),
            }
            for group in waiting
        ]
    }


@bp.post(f"/events/<slug>/outbox/<{_KINDS}:kind>/send-now")
@staff("write")
@spec.validate(
    resp=statuses(401, 403, 404, HTTP_200=MessagesTaken), tags=["outbox"], security=WRITE
)
def send_emails_now(slug: str, kind: str):
    """Make the event's waiting emails of one kind due at once (an update's quiet period
    ends early); the outbox worker sends them next. Answers how many."""
    return {"count": send_event_messages_now(find_event(slug, drafts=True), kind)}


@bp.post(f"/events/<slug>/outbox/<{_KINDS}:kind>/cancel")
@staff("write")
@spec.validate(
    resp=statuses(401, 403, 404, HTTP_200=MessagesTaken), tags=["outbox"], security=WRITE
)
def cancel_emails(slug: str, kind: str):
    """Cancel the event's waiting emails of one kind: they are never sent, and the audit
    log records it. Answers how many."""
    return {"count": cancel_event_messages(find_event(slug, drafts=True), kind)}
