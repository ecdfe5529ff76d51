"""The JSON API under /api/v1: events, registrations, news and the catalogue.

Requests and answers are checked against the pydantic models in schemas.py by spectree,
which also makes the OpenAPI 3.1 document from the same models and the views' docstrings.
"""

from flask import Blueprint
from spectree import SecurityScheme, SecuritySchemeData, SpecTree

from eventsvc.extensions import csrf
from eventsvc.web.api import errors
from eventsvc.web.api.schemas import ErrorOut

PREFIX = "/api/v1"
bp = Blueprint("api", __name__)
csrf.exempt(bp)  # no cookies: a bearer token or nothing
errors.register(bp)

DESCRIPTION = """\
Events, webinars and news of the organisation, and registration for its events.

Staff operations need `Authorization: Bearer <token>`: make one with
`eventsvc staff token EMAIL --scope read|write` or in the admin under API tokens.
A `read` token may call staff GETs, a `write` token may change things.

Listings answer `{"items": [...], "next": absolute URL or null}` (`per_page` up to 200).
Every error answers `{"error": code, "message": text, "fields": {name: [messages]}}`;
besides the statuses each operation lists, any address may answer 405 (with `Allow`)
for a method it does not take, and 404 for a path that does not exist.
Public GETs send an `ETag` and answer 304 to a matching `If-None-Match`.
"""

spec = SpecTree(
    "flask",
    mode="strict",
    title="eventsvc API",
    version="1.0.0",
    description=DESCRIPTION,
    before=errors.request_invalid,
    validation_error_model=ErrorOut,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[
        SecurityScheme(name="bearer", data=SecuritySchemeData(type="http", scheme="bearer"))
    ],
)

from eventsvc.web.api import (  # noqa: E402, F401  (routes attach to bp)
    catalog,
    document,
    events,
    http,
    outbox,
    registrations,
)
