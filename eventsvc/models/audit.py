"""The audit log: one row per staff (or system) action on content or registrations."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from eventsvc.extensions import db
from eventsvc.models.common import UTCDateTime
from eventsvc.timezones import now

ACTIONS = {
    "event.created": "Event created",
    "event.changed": "Event changed",
    "event.published": "Event published",
    "event.unpublished": "Event unpublished",
    "event.cancelled": "Event cancelled",
    "event.postponed": "Event postponed",
    "event.rescheduled": "Event rescheduled",
    "event.deleted": "Event deleted",
    "event.times_rederived": "Event moved by new time-zone rules",
    "event.registrants_not_told": "Change saved without telling registrants",
    "news.created": "News item created",
    "news.changed": "News item changed",
    "news.published": "News item published",
    "news.unpublished": "News item unpublished",
    "news.deleted": "News item deleted",
    "organization.created": "Organisation created",
    "organization.changed": "Organisation changed",
    "organization.deleted": "Organisation deleted",
    "person.created": "Person created",
    "person.changed": "Person changed",
    "person.deleted": "Person deleted",
    "registration.approved": "Registration approved",
    "registration.declined": "Registration declined",
    "registration.cancelled": "Registration cancelled",
    "registration.promoted": "Registration promoted",
    "registration.added": "Registrant added by staff",
    "registration.changed": "Registrant's name or answers changed",
    "registration.checked_in": "Registrant checked in",
    "registration.marked_absent": "Registrant marked absent",
    "registration.check_in_undone": "Check-in undone",
    "registrations.attendance_imported": "Attendance imported",
    "registrations.exported": "Registrants exported (CSV)",
    "registrations.messaged": "Registrants messaged",
    "registrations.purged": "Old registrations purged",
    "person_data.exported": "A person's data exported",
    "person_data.erased": "A person's data erased",
    "outbox.cancelled": "Queued email cancelled",
    "outbox.event_cancelled": "Queued emails of an event cancelled",
    "outbox.sent_now": "Queued emails of an event sent at once",
    "staff.created": "Staff account created",
    "staff.role_changed": "Staff role changed",
    "staff.disabled": "Staff account disabled",
    "staff.enabled": "Staff account enabled",
    "staff.password_reset": "Staff password reset",
}


class AuditEntry(db.Model):
    """Who did what to which item, and when; never a registrant's name, email or answers."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None]
    target_label: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)
