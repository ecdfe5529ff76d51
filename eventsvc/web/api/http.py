"""What every API request and answer goes through: the JSON body, caching and CORS."""

import json

from flask import Response, current_app, request, url_for
from spectree import Response as Statuses
from werkzeug.exceptions import BadRequest, HTTPException

from eventsvc.web.api import bp
from eventsvc.web.api.errors import ApiError
from eventsvc.web.api.schemas import ErrorOut, PageQuery

BODY_LIMIT = 1024 * 1024
_STATUS_MEANINGS = {
    304: "Not modified: the copy whose ETag was sent in If-None-Match is current.",
    400: "Malformed JSON, or a NUL character in the address.",
    401: "A token is needed, or the one sent is unknown, expired or revoked.",
    403: "The token's scope or its owner's role does not allow this.",
    404: "No such item (drafts are found with a staff token only).",
    409: "The item's state does not allow this; the error code names the conflict.",
    413: "The body is larger than 1 MiB.",
    415: "The body is not sent as application/json.",
    422: "Invalid fields, each named with its messages.",
    429: "Too many registrations from one network: wait a minute.",
}
_PREFLIGHT_MAX_AGE = "600"


def statuses(*errors: int, **successes) -> Statuses:
    """The statuses an operation answers with: its successes, and errors as ErrorOut."""
    codes = {f"HTTP_{code}": (ErrorOut, _STATUS_MEANINGS[code]) for code in (400, 422, *errors)}
    return Statuses(**successes, **codes)


def not_modified() -> tuple:
    """The 304 a public GET may answer with."""
    return (None, _STATUS_MEANINGS[304])


def page(items: list, query: PageQuery, shape) -> dict:
    """A page of `items` (one more than a page when another follows) in the listing shape."""
    more = len(items) > query.per_page
    following = None
    if more:
        args = request.args.to_dict(flat=False) | {"page": query.page + 1}
        path = url_for(request.endpoint, **(request.view_args or {}), **args)
        following = current_app.config["BASE_URL"] + path
    return {"items": [shape(item) for item in items[: query.per_page]], "next": following}


def window(query: PageQuery) -> tuple[int, int]:
    """(offset, limit) that fetch a page and tell whether another follows."""
    return (query.page - 1) * query.per_page, query.per_page + 1


@bp.before_request
def read_json_body() -> None:
    """Read the body as JSON once: 415 when it is sent as another type, 400 when not JSON.

    Only `application/json` is read, so a browser on another site cannot send a body
    without the CORS preflight (a `text/plain` form post is refused).
    """
    request.max_content_length = BODY_LIMIT
    if request.method not in ("POST", "PATCH", "PUT"):
        return
    body = request.get_data(cache=True)
    if (body or request.mimetype) and not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    if not body:
        return
    try:
        body = request.get_json()
    except (BadRequest, RecursionError) as error:
        raise ApiError(400, "malformed_json", "The body is not valid JSON.") from error
    try:
        # JSON may escape half a surrogate pair ("\ud800"): no database can store that text.
        json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError as error:
        raise ApiError(400, "malformed_json", "The body holds text that is not Unicode.") from error


def _access(endpoint: str | None) -> str | None:
    """'public' or 'staff', as the view's decorator in auth.py marks it."""
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "api_access", None)


def _endpoint_for(method: str) -> str | None:
    """The endpoint this address has for `method` (a preflight asks about another method)."""
    if method == request.method:
        return request.endpoint
    try:
        endpoint, _args = current_app.url_map.bind_to_environ(request.environ).match(method=method)
    except HTTPException:
        return None
    return endpoint


def _cors(response: Response) -> None:
    """Public GETs for any origin; registering only from EVENTSVC_CORS_ORIGINS."""
    origin = request.headers.get("Origin")
    if not origin:
        return
    preflight = request.method == "OPTIONS"
    method = (
        request.headers.get("Access-Control-Request-Method", "") if preflight else request.method
    )
    endpoint = _endpoint_for(method)
    if method in ("GET", "HEAD") and _access(endpoint) == "public":
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag"
        allowed_headers = "If-None-Match"
    elif endpoint == "api.register" and method == "POST":
        response.vary.add("Origin")
        if origin not in current_app.config["CORS_ORIGINS"]:
            return
        response.headers["Access-Control-Allow-Origin"] = origin
        allowed_headers = "Content-Type"
    else:
        return
    if preflight:
        response.headers["Access-Control-Allow-Methods"] = method
        response.headers["Access-Control-Allow-Headers"] = allowed_headers
        response.headers["Access-Control-Max-Age"] = _PREFLIGHT_MAX_AGE


def _cache(response: Response) -> Response:
    """Public GETs get an ETag and a 304 on If-None-Match; staff answers are never stored."""
    if _access(request.endpoint) == "staff" or request.headers.get("Authorization"):
        response.headers["Cache-Control"] = "private, no-store"
        return response
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.add_etag()
        response.headers["Cache-Control"] = "no-cache"
        return response.make_conditional(request)
    return response


@bp.after_request
def finish(response: Response) -> Response:
    """Add CORS headers, validators and cache rules to every API answer."""
    _cors(response)
    return _cache(response)
