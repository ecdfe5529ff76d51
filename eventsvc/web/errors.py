"""Error pages in the site's layout."""

from urllib.parse import unquote_to_bytes

from flask import Flask, Request, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from eventsvc.extensions import db
from eventsvc.web import unavailable
from eventsvc.web.api import PREFIX as API_PREFIX
from eventsvc.web.api.errors import http_error as api_error

_PAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Check the address or form.")),
    403: (_l("Not allowed"), _l("Your account cannot open this page.")),
    404: (
        _l("Page not found"),
        _l("There is no page at this address. It may have moved or ended."),
    ),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    410: (_l("Gone"), _l("What was at this address was taken down, or its private link replaced.")),
    413: (
        _l("Too large"),
        _l("What you sent is larger than the site accepts. Try a smaller file."),
    ),
    429: (_l("Too many requests"), _l("Too many requests came from your network. Wait a minute.")),
    500: (
        _l("Something went wrong"),
        _l("The site hit an error and it has been logged. Please try again later."),
    ),
}
_CSRF_MESSAGE = _l("The form expired or was sent from elsewhere. Go back, reload and try again.")
# Headers an error keeps on its page, such as Allow on a 405 or Retry-After on a 429.
_KEPT_HEADERS = {"allow", "retry-after"}


def _page(error: HTTPException, message: str = ""):
    if request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
        return api_error(error)  # an API address no route matched: JSON, not a page
    status = error.code or 500
    title, explanation = _PAGES.get(status, (_l("Error"), _l("Sorry, this did not work.")))
    headers = [(k, v) for k, v in error.get_headers() if k.lower() in _KEPT_HEADERS]
    body = render_template("error.html", status=status, title=title, message=message or explanation)
    return body, status, headers


def _server_error(error: HTTPException):
    """A failed request may leave the session unusable; start clean for the page."""
    db.session.rollback()
    return _page(error)


def _is_utf8(encoded: bytes) -> bool:
    """Whether URL-encoded bytes spell UTF-8 text once their %XX escapes are decoded."""
    try:
        unquote_to_bytes(encoded).decode()
    except UnicodeDecodeError:
        return False
    return True


def _refuse_malformed_address() -> None:
    """A NUL in the address is malformed input, and PostgreSQL cannot even compare it;
    so is a query string whose bytes are not UTF-8."""
    values = request.args.items(multi=True)
    if "\x00" in request.path or any("\x00" in key + value for key, value in values):
        abort(400)
    if not _is_utf8(request.query_string):
        abort(400)


class FormRequest(Request):
    """A request that refuses a URL-encoded form whose bytes are not UTF-8.

    Werkzeug keeps such bytes as "%FF" text, which no form check can tell apart from
    "%FF" typed on purpose, so the raw body is checked before it is parsed.
    """

    def _load_form_data(self) -> None:
        unparsed = "form" not in self.__dict__
        urlencoded = self.mimetype == "application/x-www-form-urlencoded"
        if unparsed and urlencoded and not _is_utf8(self.get_data(cache=True)):
            abort(400)
        super()._load_form_data()


def register(app: Flask) -> None:
    """Render every HTTP error with the site's error page."""
    for status in _PAGES:
        if status != 500:
            app.register_error_handler(status, _page)
    app.register_error_handler(500, _server_error)
    app.before_request(_refuse_malformed_address)
    app.request_class = FormRequest
    unavailable.register(app)

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return _page(error, _CSRF_MESSAGE)
