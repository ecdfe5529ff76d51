"""503 while the database cannot be reached: the request fails whole, the next one retries.

A failed statement rolls its transaction back (the database does so for a connection it
lost), so no half-written rows remain. The engine checks each pooled connection before
use (pool_pre_ping, set in register_extensions), so requests after an outage get fresh
connections and the service recovers without a restart.
"""

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from eventsvc.extensions import db
from eventsvc.web.api import PREFIX as API_PREFIX
from eventsvc.web.api.errors import ApiError, error_response

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10
TITLE = _l("Temporarily unavailable")
MESSAGE = _l("The site cannot reach its database just now. Please try again in a minute.")


def _is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def _discard_session() -> None:
    """Roll back and drop the session's connection, which may be dead."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.invalidate()


def database_unavailable(error: DBAPIError):
    """Answer 503 with Retry-After: an error page, or JSON for the API."""
    if not isinstance(error, OperationalError | InterfaceError) and not (
        error.connection_invalidated
    ):
        raise error  # a failed statement, not a lost database: the usual 500 handling
    _discard_session()
    log.warning("database unreachable: %s", type(error.orig).__name__)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if _is_api_request():
        return error_response(ApiError(503, "unavailable", str(MESSAGE), headers=headers))
    page = render_template("error.html", status=503, title=TITLE, message=MESSAGE)
    return page, 503, headers


def register(app: Flask) -> None:
    """Answer lost-database errors (and DBAPI disconnects) with 503 instead of 500."""
    app.register_error_handler(DBAPIError, database_unavailable)
