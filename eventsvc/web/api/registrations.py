"""Registering for an event (public), and staff handling of registrations."""

from flask import current_app, g
from flask_babel import gettext

from eventsvc import queries
from eventsvc.extensions import db, limiter
from eventsvc.languages import current_language, site_languages
from eventsvc.models import Registration
from eventsvc.services import registration as service
from eventsvc.services.registrants import registrants
from eventsvc.web.api import bp, spec
from eventsvc.web.api.auth import public, staff
from eventsvc.web.api.errors import ApiError, invalid, not_found
from eventsvc.web.api.events import OPTIONAL_TOKEN, WRITE, find_event
from eventsvc.web.api.http import page, statuses
from eventsvc.web.api.schemas import (
    Received,
    RegistrationOut,
    RegistrationPage,
    RegistrationQuery,
    RegistrationSubmission,
)
from eventsvc.web.api.shapes import registration_json

READ = {"bearer": []}
LARGEST_ID = 2**31 - 1  # larger numbers are no row's id on any database: 404, not an error


def _conflict(error: service.RegistrationError) -> ApiError:
    """A refusal of the registration service as a 422 (invalid fields) or a 409."""
    if error.code == "invalid":
        return invalid(error.fields, error.message)
    return ApiError(409, error.code, error.message)


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


@bp.post("/events/<slug>/registrations")
@public
@limiter.limit(_register_limit)
@spec.validate(
    resp=statuses(
        401,
        404,
        409,
        413,
        415,
        429,
        HTTP_202=Received,
        HTTP_201=RegistrationOut,
        HTTP_200=RegistrationOut,
    ),
    tags=["registrations"],
    security=OPTIONAL_TOKEN,
)
def register(slug: str, json: RegistrationSubmission):
    """Register someone for a published event, by the same rules as the page's form.

    Every accepted submission answers 202 `{"status": "received"}`, whatever the address's
    history: the address is emailed its new registration (its state, private link and
    invitation), or the details of the one it has already (at most once an hour), and
    nothing else tells them apart. Refusals that depend on the event alone (409: cancelled,
    past, not open, closed, full without a waitlist) and invalid fields (422) come first,
    the same for everyone. `consent` must be true; the body must be `application/json`.

    With a staff `write` token the answer is the registration itself: 201 when it is new,
    200 when the address was registered already.
    """
    event = queries.published_event(slug, details=False)
    if event is None:
        raise not_found()
    language = json.language or current_language()
    if language not in site_languages():
        codes = ", ".join(site_languages())
        raise invalid({"language": [gettext("Use one of: %(codes)s", codes=codes)]})
    try:
        outcome = service.register(
            event,
            json.name,
            json.email,
            json.answers,
            json.consent,
            json.timezone,
            language=language,
        )
    except service.RegistrationError as error:
        raise _conflict(error) from error
    token = g.get("api_token")
    if token is not None and token.can_write:
        return registration_json(outcome.registration), 201 if outcome.created else 200
    return {"status": "received"}, 202


@bp.get("/events/<slug>/registrations")
@staff("read")
@spec.validate(
    resp=statuses(401, 404, HTTP_200=RegistrationPage), tags=["registrations"], security=READ
)
def list_registrations(slug: str, query: RegistrationQuery):
    """List an event's registrations, the waitlisted last in line order; filter by state."""
    found = registrants(find_event(slug, drafts=True), query.state)
    start = (query.page - 1) * query.per_page
    return page(found[start : start + query.per_page + 1], query, registration_json)


def _registration(registration_id: int) -> Registration:
    found = db.session.get(Registration, registration_id)
    if found is None:
        raise not_found()
    return found


def _active(registration: Registration) -> Registration:
    if not registration.is_active:
        raise ApiError(409, "not_active", "This registration is already cancelled or declined.")
    return registration


def _act(change, registration: Registration) -> dict:
    try:
        return registration_json(change(registration))
    except service.RegistrationError as error:
        raise _conflict(error) from error


def _registration_action(view):
    """Route, token and statuses shared by the actions on one registration."""
    action = view.__name__.removesuffix("_registration")
    validated = spec.validate(
        resp=statuses(401, 403, 404, 409, HTTP_200=RegistrationOut),
        tags=["registrations"],
        security=WRITE,
    )(view)
    rule = f"/registrations/<int(max={LARGEST_ID}):registration_id>/{action}"
    return bp.post(rule)(staff("write")(validated))


@_registration_action
def approve_registration(registration_id: int):
    """Approve a registration awaiting approval; the person is emailed an invitation."""
    return _act(service.approve_registration, _registration(registration_id))


@_registration_action
def decline_registration(registration_id: int):
    """Decline a registration; the person is emailed a calendar cancellation."""
    return _act(service.decline_registration, _active(_registration(registration_id)))


@_registration_action
def cancel_registration(registration_id: int):
    """Cancel a registration; its seat goes to the first in line, who is emailed."""
    return _act(service.cancel_registration, _active(_registration(registration_id)))


@_registration_action
def promote_registration(registration_id: int):
    """Move a waitlisted person to a free seat, ahead of the queue; they are emailed."""
    return _act(service.promote_registration, _registration(registration_id))
