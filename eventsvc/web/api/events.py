"""Events: the public listing and pages, and staff changes with a write token."""

from flask import current_app, url_for
from sqlalchemy import select

from eventsvc import queries
from eventsvc.extensions import db
from eventsvc.inputs import EventChanges
from eventsvc.models import Event
from eventsvc.services.events import (
    EventError,
    add_recording,
    cancel_event,
    delete_event,
    postpone_event,
    reschedule_event,
    save_event,
    schedule_of,
)
from eventsvc.services.registration import RegistrationError
from eventsvc.web.api import bp, spec
from eventsvc.web.api.auth import caller, public, staff
from eventsvc.web.api.errors import ApiError, invalid, not_found
from eventsvc.web.api.http import not_modified, page, statuses, window
from eventsvc.web.api.schemas import (
    EventChange,
    EventCreate,
    EventOut,
    EventPage,
    EventQuery,
    ReasonIn,
    RecordingIn,
    RescheduleIn,
)
from eventsvc.web.api.shapes import event_json
from eventsvc.web.api.writes import event_changes, new_event_changes, requested_schedule

WRITE = {"bearer": []}
# A public operation takes a token too: staff see drafts with one.
OPTIONAL_TOKEN = [{}, {"bearer": []}]


def find_event(slug: str, drafts: bool) -> Event:
    """The event with this slug (published only unless `drafts`), else a 404."""
    if drafts:
        event = db.session.scalar(select(Event).where(Event.slug == slug))
    else:
        event = queries.published_event(slug)
    if event is None:
        raise not_found()
    return event


def _saved(event: Event | None, changes: EventChanges) -> Event:
    """Save the event in one transaction; a question the event does not ask is a 422, and
    unpublishing an event its registrants still hold is a 409, as on the admin pages."""
    try:
        return save_event(event, changes).event
    except RegistrationError as error:
        raise invalid(error.fields, error.message) from error
    except EventError as error:
        raise ApiError(409, error.code, error.message) from error


def _event_answer(event: Event, status: int = 200):
    return event_json(event), status


@bp.get("/events")
@public
@spec.validate(
    resp=statuses(401, HTTP_200=EventPage, HTTP_304=not_modified()),
    tags=["events"],
    security=OPTIONAL_TOKEN,
)
def list_events(query: EventQuery):
    """List published events.

    By default those not yet ended, soonest first; `from` and `to` (UTC dates, inclusive)
    list those starting on those days instead.
    """
    filters = queries.EventFilters(query.series, query.tag, query.organization)
    statement = queries.listed_events(filters, query.status, query.starts_from, query.starts_to)
    offset, limit = window(query)
    events = db.session.scalars(statement.offset(offset).limit(limit)).all()
    return page(list(events), query, event_json)


@bp.get("/events/<slug>")
@public
@spec.validate(
    resp=statuses(401, 404, HTTP_200=EventOut, HTTP_304=not_modified()),
    tags=["events"],
    security=OPTIONAL_TOKEN,
)
def get_event(slug: str):
    """Show one event; drafts only to staff. Never its join link or internal note."""
    return _event_answer(find_event(slug, drafts=caller() is not None))


@bp.post("/events")
@staff("write")
@spec.validate(resp=statuses(401, 403, 413, HTTP_201=EventOut), tags=["events"], security=WRITE)
def create_event(json: EventCreate):
    """Create an event, a draft unless it is published at once.

    Times are wall-clock times in `timezone`: `local_start` with `local_end` or
    `duration_minutes` (elapsed), or `all_day` with `start_date` and `end_date`.
    Unknown series, tags and credited names are created.
    """
    event = _saved(None, new_event_changes(json))
    location = current_app.config["BASE_URL"] + url_for(".get_event", slug=event.slug)
    return event_json(event), 201, {"Location": location}


@bp.patch("/events/<slug>")
@staff("write")
@spec.validate(
    resp=statuses(401, 403, 404, 409, 413, HTTP_200=EventOut), tags=["events"], security=WRITE
)
def change_event(slug: str, json: EventChange):
    """Change any fields of an event; a new time zone alone keeps the wall-clock times.

    `questions`, when given, become the event's questions: those named by `id` are kept
    and changed, the others are removed (their answers stay in exports). `publish: false`
    on an event whose registrants still expect it is refused (409 `event_has_registrants`):
    cancel it first, which tells them.
    """
    event = find_event(slug, drafts=True)
    return _event_answer(_saved(event, event_changes(event, json)))


@bp.delete("/events/<slug>")
@staff("write", action="delete")
@spec.validate(resp=statuses(401, 403, 404, 409, HTTP_204=None), tags=["events"], security=WRITE)
def delete_draft(slug: str):
    """Delete a draft (admins only); a published event is cancelled instead.

    409 while it is published (`event_published`), while its cancellation still shows in
    calendar feeds (`event_in_feeds`), or while registrants expect it
    (`event_has_registrants`).
    """
    event = find_event(slug, drafts=True)
    try:
        delete_event(event)
    except EventError as error:
        raise ApiError(409, error.code, error.message) from error
    return "", 204


@bp.post("/events/<slug>/cancel")
@staff("write")
@spec.validate(
    resp=statuses(401, 403, 404, 413, HTTP_200=EventOut), tags=["events"], security=WRITE
)
def cancel(slug: str, json: ReasonIn):
    """Cancel an event with a reason; registrants are emailed and calendars updated."""
    return _event_answer(cancel_event(find_event(slug, drafts=True), json.reason))


@bp.post("/events/<slug>/postpone")
@staff("write")
@spec.validate(
    resp=statuses(401, 403, 404, 413, HTTP_200=EventOut), tags=["events"], security=WRITE
)
def postpone(slug: str, json: ReasonIn):
    """Postpone an event until a new time is known; registrants are emailed."""
    return _event_answer(postpone_event(find_event(slug, drafts=True), json.reason))


@bp.post("/events/<slug>/reschedule")
@staff("write")
@spec.validate(
    resp=statuses(401, 403, 404, 413, HTTP_200=EventOut), tags=["events"], security=WRITE
)
def reschedule(slug: str, json: RescheduleIn):
    """Move an event to new local times in its zone; registrants get the new time.

    A new `local_start` alone (or with the `local_end` the event has) keeps its duration.
    """
    event = find_event(slug, drafts=True)
    schedule = requested_schedule(json, event.timezone, current=schedule_of(event))
    return _event_answer(reschedule_event(event, schedule, json.reason))


@bp.post("/events/<slug>/recordings")
@staff("write")
@spec.validate(
    resp=statuses(401, 403, 404, 409, 413, HTTP_201=EventOut), tags=["events"], security=WRITE
)
def post_recording(slug: str, json: RecordingIn):
    """Post a recording once the event has started (409 `event_not_started` before);
    the page, the calendar entry and registrants hear of it."""
    event = find_event(slug, drafts=True)
    try:
        add_recording(event, json.url, json.title)
    except EventError as error:
        raise ApiError(409, error.code, error.message) from error
    return _event_answer(event, 201)
