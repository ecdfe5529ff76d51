"""API errors: always JSON {"error": code, "message": text, "fields": {name: [messages]}}."""

from flask import Blueprint, Response, jsonify
from werkzeug.exceptions import HTTPException

from eventsvc.extensions import db

# (code, message) for each HTTP error the API can answer with.
HTTP_ERRORS = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "Send a valid API token: Authorization: Bearer <token>."),
    403: ("forbidden", "This token cannot do this."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not take that method."),
    413: ("too_large", "The body is larger than the API accepts."),
    429: ("rate_limited", "Too many requests came from your network. Wait a minute."),
    500: ("server_error", "The service hit an error; it has been logged."),
}
# Headers an error keeps, such as Allow on a 405 or Retry-After on a 429.
_KEPT_HEADERS = {"allow", "retry-after", "www-authenticate"}


class ApiError(Exception):
    """An error answer: its status, code, message and the fields at fault."""

    def __init__(self, status: int, code: str, message: str, fields=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields: dict[str, list[str]] = fields or {}
        self.headers: dict[str, str] = headers or {}


def invalid(fields: dict[str, list[str]], message: str = "Some fields need attention.") -> ApiError:
    """A 422 naming each field at fault."""
    return ApiError(422, "invalid", message, fields)


def not_found() -> ApiError:
    """A 404 in the API's shape."""
    return ApiError(404, *HTTP_ERRORS[404])


def error_response(error: ApiError) -> Response:
    """The JSON answer for an ApiError."""
    body = {"error": error.code, "message": error.message, "fields": error.fields}
    response = jsonify(body)
    response.status_code = error.status
    response.headers.update(error.headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def http_error(error: HTTPException) -> Response:
    """Any HTTP error raised inside the API, answered in the API's shape."""
    status = error.code or 500
    code, message = HTTP_ERRORS.get(status, ("error", "The request failed."))
    if status >= 500:
        db.session.rollback()  # a failed request may leave the session unusable
    kept = {k: v for k, v in error.get_headers() if k.lower() in _KEPT_HEADERS}
    return error_response(ApiError(status, code, message, headers=kept))


def _field_name(location: tuple) -> str:
    return ".".join(str(part) for part in location) or "body"


def request_invalid(request, response, validation_error, instance, model_adapter) -> None:
    """Spectree's hook after validating a request: turn its errors into a 422 of ours."""
    if validation_error is None:
        return
    fields: dict[str, list[str]] = {}
    for problem in validation_error.errors():
        message = problem["msg"].removeprefix("Value error, ")
        fields.setdefault(_field_name(problem["loc"]), []).append(message)
    raise invalid(fields)


def register(bp: Blueprint) -> None:
    """Answer every error of the API's routes in JSON."""
    bp.register_error_handler(ApiError, error_response)
    for status in HTTP_ERRORS:
        bp.register_error_handler(status, http_error)
