"""The audit log: who did what and when, written in the same transaction as the change.

Services call `record(action, target)` before they commit. Who acts comes from a context
variable, so services never look at the request: the admin (and API) blueprints set it for
each request with `track_actor`; commands and workers act as "system".
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Blueprint

from eventsvc.extensions import db
from eventsvc.models import (
    Event,
    NewsItem,
    Organization,
    OutboxMessage,
    Person,
    Registration,
    StaffUser,
)
from eventsvc.models.audit import ACTIONS, AuditEntry

SYSTEM = "system"
_actor: ContextVar[str] = ContextVar("audit_actor", default=SYSTEM)
_TARGET_TYPES = {
    Event: "event",
    NewsItem: "news",
    Organization: "organization",
    OutboxMessage: "message",
    Person: "person",
    Registration: "registration",
    StaffUser: "staff",
}


def current_actor() -> str:
    """Who the audit log names for changes made now."""
    return _actor.get()


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Name `actor` in the audit log for changes made inside the block."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def track_actor(blueprint: Blueprint, actor_of: Callable[[], str]) -> None:
    """Name `actor_of()` for every request the blueprint handles; forget it afterwards."""

    def start() -> None:
        _actor.set(actor_of())

    def finish(_error) -> None:
        # Threads serve one request after another: the next must not inherit this actor.
        _actor.set(SYSTEM)

    blueprint.before_request(start)
    blueprint.teardown_request(finish)


def _label(target) -> str:
    """How the log names a target; a registration by number, never by its person."""
    if isinstance(target, Registration):
        return f"Registration #{target.id} for “{target.event.title}”"
    if isinstance(target, StaffUser):
        return target.email
    if isinstance(target, OutboxMessage):
        kind = target.kind.replace("_", " ")
        event = db.session.get(Event, target.event_id) if target.event_id else None
        return f"Message #{target.id} ({kind})" + (f" about “{event.title}”" if event else "")
    return getattr(target, "title", None) or getattr(target, "name", "")


def record(action: str, target=None, detail: str = "", label: str = "") -> AuditEntry:
    """Add an entry for `action` on `target` to the session; the caller's commit writes it."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}")
    if target is not None and target.id is None:
        db.session.flush()
    entry = AuditEntry(
        actor=current_actor()[:320],
        action=action,
        target_type=_TARGET_TYPES[type(target)] if target is not None else None,
        target_id=target.id if target is not None else None,
        target_label=(label or (_label(target) if target is not None else ""))[:500],
        detail=detail[:500],
    )
    db.session.add(entry)
    return entry
