"""What registrants are told, and when: each message decided once, from the state then.

A message is queued in the transaction of the change that causes it, saying whom to tell
and why (its kind and registration). `tell_registrants` is the one place that decides
which registrants hear of a change to an event, and how soon: a cancellation at once,
any other change they were told of as one update per person per quiet period
(EVENTSVC_NOTIFY_DELAY minutes after the last edit; at once when the status changed).

The outbox worker writes a message when it first takes it up (`write_message`): from the
registration, the event and what the person was told before (their InvitationStream)
it decides at once whether its reason still holds (else it is dropped, not sent), the
invitation's method and SEQUENCE, and the words, so all of them agree (DESIGN §5):
- every iTIP message to one address for one event carries a SEQUENCE above all before;
- a CANCEL goes only to an address whose calendar holds the event from a REQUEST;
- an update says what was (as they were told it) and what is now, or is not sent.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from eventsvc.calendar.entry import shown_fields
from eventsvc.calendar.invitation import build_invitation
from eventsvc.extensions import db
from eventsvc.inputs import ROLES
from eventsvc.models import Event, InvitationStream, OutboxMessage, Registration
from eventsvc.models.events import ROLE_PHRASES, place_text
from eventsvc.models.outbox import NEVER_SENT
from eventsvc.models.registrations import ACTIVE_STATES, STATES
from eventsvc.services.changes import calendar_change
from eventsvc.services.locking import write_transaction
from eventsvc.services.outbox import (
    absolute_url,
    cancel_event_messages,
    queue_email,
    written_email,
)
from eventsvc.text import join_names
from eventsvc.timezones import (
    as_utc,
    describe,
    describe_days,
    describe_period,
    describe_span,
    long_day,
    now,
)
from eventsvc.translated import text_in

log = logging.getLogger(__name__)

# Who hears of a change to an event: everyone holding or awaiting a seat.
TOLD_STATES = ("confirmed", "pending", "waitlisted")
# The registration states in which a kind's reason still holds when it is written.
HOLDS_WHILE = {
    "confirmed": {"confirmed"},
    "approved": {"confirmed"},
    "promoted": {"confirmed", "pending"},
    "waitlisted": {"waitlisted"},
    "pending": {"pending"},
    "unverified": {"unverified"},
    "already_registered": set(ACTIVE_STATES),
    "cancelled": {"cancelled"},
    "declined": {"declined"},
    "event_changed": set(TOLD_STATES),
    "event_cancelled": set(TOLD_STATES),
    "recording_posted": {"confirmed"},
    "reminder_24h": {"confirmed"},
    "reminder_1h": {"confirmed"},
    "staff_message": set(STATES),
}
# Kinds that put the event in a confirmed person's calendar, and kinds that take it out.
REQUEST_KINDS = {"confirmed", "promoted", "approved", "event_changed", "recording_posted"}
CANCEL_KINDS = {"cancelled", "declined", "event_cancelled"}
# Kinds about an event that takes place: once it is cancelled, its cancellation tells.
_ABOUT_ANY_EVENT = CANCEL_KINDS | {"staff_message"}
OPT_OUT_KINDS = {"reminder_24h", "reminder_1h", "staff_message"}
# What an update tells, by the entry's values (calendar/entry.py) that show it.
TOLD = {
    "Title": ("title", "translations"),
    "When": ("all_day", "starts_at", "ends_at", "start_date", "end_date", "timezone"),
    "Where": ("kind", "venue", "address"),
    "Join link": ("join_url",),
    "Summary": ("summary", "translations"),
    "Hosts and speakers": ("credits",),
    "Status": ("status", "status_reason"),
}
TOLD_LABELS = {
    "Title": _l("Title"),
    "When": _l("When"),
    "Where": _l("Where"),
    "Join link": _l("Join link"),
    "Summary": _l("Summary"),
    "Hosts and speakers": _l("Hosts and speakers"),
    "Status": _l("Status"),
}
STATUS_WORDS = {
    "scheduled": _l("on as planned"),
    "postponed": _l("postponed"),
    "rescheduled": _l("rescheduled"),
    "cancelled": _l("cancelled"),
}


class NotSent(Exception):
    """A queued message whose reason no longer holds: it is dropped, with this reason."""


def manage_url(registration: Registration) -> str:
    """The private page where a person sees or cancels their registration."""
    return absolute_url(f"/registrations/{registration.manage_token}", registration.language)


def personal_feed_url(registration: Registration) -> str | None:
    """The person's own calendar feed of everything they are confirmed for."""
    if registration.attendee is None:
        return None
    feed = f"/calendar/personal/{registration.attendee.feed_token}.ics"
    return absolute_url(feed, registration.language)


# Queueing


def registration_email(registration: Registration, kind: str, due=None, **details) -> OutboxMessage:
    """Queue one email about a registration; the outbox worker writes it when it sends it.

    `details` are what the email says beyond the registration and its event, as text.
    """
    unsubscribe = manage_url(registration) + "/unsubscribe" if kind in OPT_OUT_KINDS else None
    return queue_email(kind, registration, unsubscribe_url=unsubscribe, details=details, due=due)


def state_email(registration: Registration, kind: str | None = None) -> None:
    """Tell the person the state their registration is now in."""
    registration_email(registration, kind or registration.state)


def resend_details(registration: Registration) -> OutboxMessage:
    """Send the details again: the confirmation link while unverified, else the state."""
    kind = "unverified" if registration.state == "unverified" else "already_registered"
    return registration_email(registration, kind)


def _registrants(event: Event, states) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.state.in_(states))
            .order_by(Registration.id)
        )
    )


def told_changes(before: dict, after: dict) -> list[str]:
    """The labels of what an update tells that differ ('before' may lack newer values)."""
    return [
        label
        for label, names in TOLD.items()
        if any(name in before and before[name] != after[name] for name in names)
    ]


def tell_registrants(event: Event, tell: bool = True) -> list[str]:
    """Queue what a published event's registrants must hear of its change in this transaction.

    The one place that decides: a cancellation goes at once to everyone holding or
    awaiting a seat; a new recording to the confirmed not told of one yet; any other
    change they are told of is one update per person, due EVENTSVC_NOTIFY_DELAY minutes
    after the last edit, or at once when the status changed. Returns what they hear of
    (none: nothing); with `tell` False (staff chose not to tell them) nothing is queued and
    updates still waiting are withdrawn, while the calendar version has moved all the same.
    """
    db.session.flush()
    change = calendar_change(event)
    if change is None or not event.is_published:
        return []
    before, after = change
    if after["status"] == "cancelled":
        if before["status"] == "cancelled":
            return []
        for registration in cancellation_audience(event) if tell else ():
            registration_email(registration, "event_cancelled")
        return ["Cancellation"]
    recorded = len(after["recordings"]) > len(before.get("recordings", after["recordings"]))
    for registration in _not_told_of_a_recording(event) if recorded and tell else ():
        registration_email(registration, "recording_posted")
    heard = told_changes(before, after)
    if heard and tell:
        _queue_update(event, at_once=before["status"] != after["status"])
    elif heard:
        # A waiting update tells all that changed since its person last heard: this too.
        cancel_event_messages(event, "event_changed", unwritten=True)
    return heard + ["Recording"] * recorded


def cancellation_audience(event: Event) -> list[Registration]:
    """Who is emailed when the event is cancelled: everyone holding or awaiting a seat."""
    return _registrants(event, TOLD_STATES) if event.is_published else []


def _not_told_of_a_recording(event: Event) -> list[Registration]:
    """The confirmed registrants with no announcement of a recording of the event on its way
    or sent: each hears of its recordings once."""
    announced = select(OutboxMessage.registration_id).where(
        OutboxMessage.event_id == event.id,
        OutboxMessage.kind == "recording_posted",
        OutboxMessage.status.not_in(NEVER_SENT),
        OutboxMessage.registration_id.is_not(None),  # NOT IN a list with NULL matches nothing
    )
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.state == "confirmed",
                Registration.id.not_in(announced),
            )
            .order_by(Registration.id)
        )
    )


def _queue_update(event: Event, at_once: bool) -> None:
    """One pending update per registrant, due after the quiet period (or now).

    An update still waiting is put off instead of a second one queued: what it says is
    decided when it is written, so it tells every change since the person last heard.
    """
    delay = 0 if at_once else current_app.config["NOTIFY_DELAY"]
    due = now() + timedelta(minutes=delay)
    waiting = set(
        db.session.scalars(
            update(OutboxMessage)
            .where(*_pending_update(event))
            .values(next_attempt_at=due)
            .returning(OutboxMessage.registration_id)
            .execution_options(synchronize_session=False)
        )
    )
    for registration in _registrants(event, TOLD_STATES):
        if registration.id not in waiting:
            registration_email(registration, "event_changed", due=due)


def _pending_update(event: Event) -> tuple:
    return (
        OutboxMessage.event_id == event.id,
        OutboxMessage.kind == "event_changed",
        OutboxMessage.status == "queued",
        OutboxMessage.body_text.is_(None),
    )


def pending_updates(event: Event) -> list[OutboxMessage]:
    """The event's updates waiting for their quiet period to end, one per registrant."""
    return list(
        db.session.scalars(
            select(OutboxMessage).where(*_pending_update(event)).order_by(OutboxMessage.id)
        )
    )


# Writing


@dataclass(frozen=True)
class Letter:
    """A message as written now: its columns, and what its person's stream becomes."""

    columns: dict
    sequence: int | None
    told: dict | None
    holds_entry: bool


def _reason(message: OutboxMessage, registration: Registration | None) -> None:
    """Raise NotSent when the reason the message was queued for no longer holds."""
    if registration is None:
        raise NotSent(_l("Its registration no longer exists."))
    event, kind = registration.event, message.kind
    if registration.state not in HOLDS_WHILE[kind]:
        raise NotSent(
            _l("The registration is now: %(state)s.", state=registration.state_label.lower())
        )
    if event.is_cancelled and kind not in _ABOUT_ANY_EVENT:
        raise NotSent(_l("The event was cancelled meanwhile; its cancellation tells."))
    if kind == "event_cancelled" and not event.is_cancelled:
        raise NotSent(_l("The event is no longer cancelled."))
    if kind in {"cancelled", "declined"} and _registered_again(registration):
        raise NotSent(_l("The address registered for the event again."))
    if kind.startswith("reminder_") and event.starts_at <= now():
        raise NotSent(_l("The event has started."))
    if kind == "recording_posted" and not event.recordings:
        raise NotSent(_l("The recording was removed meanwhile."))


def _registered_again(registration: Registration) -> bool:
    return (
        db.session.scalar(
            select(Registration.id).where(
                Registration.event_id == registration.event_id,
                Registration.email_key == registration.email_key,
                Registration.state.in_(ACTIVE_STATES),
            )
        )
        is not None
    )


def _method(kind: str, registration: Registration, stream: InvitationStream) -> str | None:
    """The invitation a message carries now: REQUEST while confirmed, CANCEL if it has one."""
    if kind in REQUEST_KINDS and registration.state == "confirmed":
        return "REQUEST"
    if kind in CANCEL_KINDS and stream.holds_entry:
        return "CANCEL"
    return None


def _next_sequence(event: Event, stream: InvitationStream) -> int:
    """The event's SEQUENCE, or more: above every one this address received."""
    if stream.last_sequence is None:
        return event.sequence
    return max(event.sequence, stream.last_sequence + 1)


def compose(message: OutboxMessage, stream: InvitationStream) -> Letter:
    """Write a message from its registration, its event and the person's stream as they are.

    Raises NotSent when its reason no longer holds. Changes nothing: `write_message`
    keeps the result, and the admin outbox shows it for a message not yet written.
    """
    registration = _registration(message)
    _reason(message, registration)
    with force_locale(registration.language):
        return _written(message, registration, stream)


def _written(message: OutboxMessage, registration: Registration, stream) -> Letter:
    """The letter, in the language being read: the registrant's."""
    event = registration.event
    shown, context = shown_fields(event), _context(message, registration)
    if message.kind == "event_changed":
        context["changes"] = _changes(stream.told, shown, registration)
    method = _method(message.kind, registration, stream)
    if method is None:
        # Their calendar keeps what the last REQUEST said, if it holds the event.
        told = stream.told if stream.holds_entry else shown
        columns = written_email(message.kind, context, None, None)
        return Letter(columns, None, told, stream.holds_entry)
    sequence = _next_sequence(event, stream)
    organizer = (current_app.config["SITE_NAME"], current_app.config["MAIL_FROM"])
    base_url = current_app.config["BASE_URL"]
    calendar = build_invitation(
        event, registration, method, sequence, organizer, base_url, registration.language
    )
    columns = written_email(message.kind, context, calendar, method)
    return Letter(columns, sequence, shown, method == "REQUEST")


def _registration(message: OutboxMessage) -> Registration | None:
    """The registration a message is about; None once it was erased or purged."""
    if message.registration_id is None:
        return None
    return db.session.get(Registration, message.registration_id)


def _context(message: OutboxMessage, registration: Registration) -> dict:
    event = registration.event
    yours = registration.timezone if registration.timezone != event.timezone else None
    joins = registration.state == "confirmed" and not event.is_cancelled
    return {
        **message.details,
        "event": event,
        "title": text_in(event, "title", registration.language),
        "registration": registration,
        "unsubscribe_url": message.unsubscribe_url,
        "manage_url": manage_url(registration),
        "confirm_url": manage_url(registration) + "/confirm",
        "feed_url": personal_feed_url(registration),
        "event_url": absolute_url(f"/events/{event.slug}", registration.language),
        "when_event": _when_in(event, event.timezone),
        "when_yours": _when_in(event, yours) if yours and not event.all_day else None,
        "join_url": event.join_url if joins else None,
        "recording": event.recordings[-1] if event.recordings else None,
        "changes": [],
    }


def _when_in(event: Event, zone_name: str) -> str:
    """When the event is, from start to end, on the clock of a zone (all day: its days)."""
    if event.all_day:
        return describe_days(event.start_date, event.end_date)
    return describe_period(event.starts_at, event.ends_at, zone_name)


def _stream(registration: Registration) -> InvitationStream:
    """The address's stream for the event, made on first use, locked until the commit."""
    values = {"event_id": registration.event_id, "email_key": registration.email_key}
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(InvitationStream).values(**values, holds_entry=False)
    db.session.execute(insert.on_conflict_do_nothing())
    query = select(InvitationStream).filter_by(**values).with_for_update()
    return db.session.scalars(query).one()


def write_message(message_id: int) -> bool:
    """Write a queued message as things stand now, or drop it; False when it is dropped.

    Decided once, under the write lock with the person's stream locked, and kept for
    every retry: so two messages to one person never share a SEQUENCE, and the later
    one written always says what is.
    """
    with write_transaction():
        message = db.session.get(OutboxMessage, message_id, with_for_update=True)
        if message.is_written or message.status in NEVER_SENT:
            return message.is_written
        registration = _registration(message)
        stream = _stream(registration) if registration is not None else None
        try:
            letter = compose(message, stream)
        except NotSent as reason:
            message.status, message.last_error = "dropped", str(reason)
            log.info("outbox: message %d (%s) dropped: %s", message_id, message.kind, reason)
            return False
        for name, value in letter.columns.items():
            setattr(message, name, value)
        if letter.sequence is not None:
            stream.last_sequence = letter.sequence
        stream.holds_entry, stream.told = letter.holds_entry, letter.told
        return True


def preview(message: OutboxMessage) -> dict:
    """What a message not yet written would say if it were written now (raises NotSent)."""
    registration = _registration(message)
    stream = None
    if registration is not None:
        stream = db.session.scalar(
            select(InvitationStream).filter_by(
                event_id=registration.event_id, email_key=registration.email_key
            )
        )
    return compose(message, stream or InvitationStream(holds_entry=False)).columns


# What an update says


@dataclass(frozen=True)
class Change:
    """One thing an update tells: what it was when the person last heard, and what it is."""

    label: str
    was: str
    now: str
    note: str = ""


def _changes(told: dict | None, shown: dict, registration: Registration) -> list[Change]:
    """What differs between what the person was told and what the entry shows now."""
    if told is None:
        raise NotSent(_l("They were not told of the event yet; their first message tells it all."))
    labels = [
        label
        for label, names in TOLD.items()
        if any(told.get(name, shown[name]) != shown[name] for name in names)
    ]
    if registration.state != "confirmed" and "Join link" in labels:
        labels.remove("Join link")  # only the confirmed were given the link
    language = registration.language
    if "Title" in labels and _title(told, language) == _title(shown, language):
        labels.remove("Title")  # a translation they do not read changed
    if "Summary" in labels and _summary(told, language) == _summary(shown, language):
        labels.remove("Summary")
    if not labels:
        raise NotSent(_l("Nothing they were told has changed since."))
    return [_change(label, {**shown, **told}, shown, language) for label in labels]


def _title(shown: dict, language: str) -> str:
    """The title a reader of `language` was shown (calendar/entry.py keeps translations)."""
    return (shown.get("translations") or {}).get(language, {}).get("title") or shown["title"]


def _summary(shown: dict, language: str) -> str:
    translated = (shown.get("translations") or {}).get(language, {}).get("summary")
    return translated or shown["summary"]


def _change(label: str, was: dict, now_shows: dict, language: str) -> Change:
    name = str(TOLD_LABELS[label])
    if label == "When":
        return Change(name, _when(was), _when(now_shows), _rules_note(was, now_shows))
    if label == "Where":
        return Change(name, _where(was), _where(now_shows))
    if label == "Hosts and speakers":
        return Change(name, _credits(was["credits"]), _credits(now_shows["credits"]))
    if label == "Status":
        return Change(name, _status(was), _status(now_shows))
    if label == "Title":
        return Change(name, _title(was, language), _title(now_shows, language))
    if label == "Summary":
        was_text, now_text = _summary(was, language), _summary(now_shows, language)
    else:
        was_text, now_text = was["join_url"], now_shows["join_url"]
    return Change(name, was_text or gettext("none"), now_text or gettext("none"))


def _when(shown: dict) -> str:
    if shown["all_day"]:
        first, last = date.fromisoformat(shown["start_date"]), date.fromisoformat(shown["end_date"])
        days = long_day(first)
        if last != first:
            days = gettext("%(first)s to %(last)s", first=days, last=long_day(last))
        return gettext("%(days)s (all day, %(zone)s)", days=days, zone=shown["timezone"])
    starts_at = datetime.fromisoformat(shown["starts_at"])
    if not shown.get("local_start"):
        return describe(starts_at, shown["timezone"])
    local_start = datetime.fromisoformat(shown["local_start"])
    local_end = datetime.fromisoformat(shown["local_end"])
    return describe_span(local_start, local_end, starts_at, shown["timezone"])


def _rules_note(was: dict, now_shows: dict) -> str:
    """Why the same wall clock is another moment: the zone's rules changed."""
    same_clock = all(was.get(n) == now_shows[n] for n in ("timezone", "local_start", "local_end"))
    if not same_clock or was["all_day"] or was["starts_at"] == now_shows["starts_at"]:
        return ""
    moved = as_utc(datetime.fromisoformat(now_shows["starts_at"]))
    return gettext(
        "The rules of the %(zone)s time zone changed: the event keeps its local time, which "
        "is now %(time)s UTC.",
        zone=now_shows["timezone"],
        time=moved.strftime("%H:%M"),
    )


def _where(shown: dict) -> str:
    return place_text(shown["kind"], shown["venue"], shown["address"]) or gettext("to be announced")


def _credits(credits: list) -> str:
    names: dict[str, list[str]] = {}
    for role, _kind, name, _url in credits:
        names.setdefault(role, []).append(name)
    groups = [f"{ROLE_PHRASES[role]} {join_names(names[role])}" for role in ROLES if role in names]
    return "; ".join(groups) or gettext("none")


def _status(shown: dict) -> str:
    reason = shown["status_reason"].strip()
    return str(STATUS_WORDS[shown["status"]]) + (f" ({reason})" if reason else "")


# What waiting updates would say


@dataclass(frozen=True)
class PlannedUpdate:
    """Updates that would tell the same if written now: to how many people, and what."""

    people: int
    changes: tuple[Change, ...]


def planned_updates(event: Event) -> list[PlannedUpdate]:
    """What the event's waiting updates would tell if written now, alike ones together.

    Decided by the rules that write them (`compose`): an update that would be dropped
    (nothing the person was told has changed, a waiting person's join link, a first
    message not written yet) is left out.
    """
    shown = shown_fields(event)
    told = dict(
        db.session.execute(
            select(InvitationStream.email_key, InvitationStream.told).where(
                InvitationStream.event_id == event.id
            )
        ).all()
    )
    waiting = db.session.execute(
        select(OutboxMessage, Registration)
        .join(Registration, OutboxMessage.registration_id == Registration.id)
        .where(*_pending_update(event))
        .order_by(OutboxMessage.id)
    )
    groups: dict[tuple[Change, ...], int] = {}
    for message, registration in waiting:
        try:
            _reason(message, registration)
            changes = tuple(_changes(told.get(registration.email_key), shown, registration))
        except NotSent:
            continue
        groups[changes] = groups.get(changes, 0) + 1
    return [PlannedUpdate(people, changes) for changes, people in groups.items()]
