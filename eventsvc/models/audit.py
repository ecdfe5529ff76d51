"""The audit log: one row per staff (or system) action on content or registrations."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from eventsvc.extensions import db
from eventsvc.models.common import UTCDateTime
from eventsvc.timezones import now

ACTIONS = {
    "event.created": _l("Event created"),
    "event.changed": _l("Event changed"),
    "event.published": _l("Event published"),
    "event.unpublished": _l("Event unpublished"),
    "event.cancelled": _l("Event cancelled"),
    "event.postponed": _l("Event postponed"),
    "event.rescheduled": _l("Event rescheduled"),
    "event.deleted": _l("Event deleted"),
    "event.times_rederived": _l("Event moved by new time-zone rules"),
    "event.registrants_not_told": _l("Change saved without telling registrants"),
    "news.created": _l("News item created"),
    "news.changed": _l("News item changed"),
    "news.published": _l("News item published"),
    "news.unpublished": _l("News item unpublished"),
    "news.deleted": _l("News item deleted"),
    "organization.created": _l("Organisation created"),
    "organization.changed": _l("Organisation changed"),
    "organization.deleted": _l("Organisation deleted"),
    "person.created": _l("Person created"),
    "person.changed": _l("Person changed"),
    "person.deleted": _l("Person deleted"),
    "registration.approved": _l("Registration approved"),
    "registration.declined": _l("Registration declined"),
    "registration.cancelled": _l("Registration cancelled"),
    "registration.promoted": _l("Registration promoted"),
    "registration.added": _l("Registrant added by staff"),
    "registration.changed": _l("Registrant's name or answers changed"),
    "registration.checked_in": _l("Registrant checked in"),
    "registration.marked_absent": _l("Registrant marked absent"),
    "registration.check_in_undone": _l("Check-in undone"),
    "registrations.attendance_imported": _l("Attendance imported"),
    "registrations.exported": _l("Registrants exported (CSV)"),
    "registrations.messaged": _l("Registrants messaged"),
    "registrations.purged": _l("Old registrations purged"),
    "person_data.exported": _l("A person's data exported"),
    "person_data.erased": _l("A person's data erased"),
    "outbox.cancelled": _l("Queued email cancelled"),
    "outbox.event_cancelled": _l("Queued emails of an event cancelled"),
    "outbox.sent_now": _l("Queued emails of an event sent at once"),
    "staff.created": _l("Staff account created"),
    "staff.role_changed": _l("Staff role changed"),
    "staff.disabled": _l("Staff account disabled"),
    "staff.enabled": _l("Staff account enabled"),
    "staff.password_reset": _l("Staff password reset"),
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
