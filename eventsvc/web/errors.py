"""Error pages in the site's layout."""

from flask import Flask, abort, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from eventsvc.extensions import db
from eventsvc.web import unavailable
from eventsvc.web.api import PREFIX as API_PREFIX
from eventsvc.web.api.errors import http_error as api_error

_PAGES = {
    400: ("Bad request", "The request could not be understood. Check the address or form."),
    403: ("Not allowed", "Your account cannot open this page."),
    404: ("Page not found", "There is no page at this address. It may have moved or ended."),
    405: ("Method not allowed", "This page cannot be used that way."),
    413: ("Too large", "What you sent is larger than the site accepts. Try a smaller file."),
    429: ("Too many requests", "Too many requests came from your network. Wait a minute."),
    500: (
        "Something went wrong",
        "The site hit an error and it has been logged. Please try again later.",
    ),
}
_CSRF_MESSAGE = "The form expired or was sent from elsewhere. Go back, reload and try again."
# Headers an error keeps on its page, such as Allow on a 405 or Retry-After on a 429.
_KEPT_HEADERS = {"allow", "retry-after"}


def _page(error: HTTPException, message: str = ""):
    if request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
        return api_error(error)  # an API address no route matched: JSON, not a page
    status = error.code or 500
    title, explanation = _PAGES.get(status, ("Error", "Sorry, this did not work."))
    headers = [(k, v) for k, v in error.get_headers() if k.lower() in _KEPT_HEADERS]
    body = render_template("error.html", status=status, title=title, message=message or explanation)
    return body, status, headers


def _server_error(error: HTTPException):
    """A failed request may leave the session unusable; start clean for the page."""
    db.session.rollback()
    return _page(error)


def _refuse_nul_characters() -> None:
    """A NUL in the address is malformed input, and PostgreSQL cannot even compare it."""
    values = request.args.items(multi=True)
    if "\x00" in request.path or any("\x00" in key + value for key, value in values):
        abort(400)


def register(app: Flask) -> None:
    """Render every HTTP error with the site's error page."""
    for status in _PAGES:
        if status != 500:
            app.register_error_handler(status, _page)
    app.register_error_handler(500, _server_error)
    app.before_request(_refuse_nul_characters)
    unavailable.register(app)

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return _page(error, _CSRF_MESSAGE)
