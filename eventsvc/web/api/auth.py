"""Bearer tokens: who calls, and what their token lets them do.

Public operations take an optional token (staff see drafts); a token that is sent must be
valid everywhere. Staff operations need one: 401 without a usable token, 403 when its
scope or its owner's role does not allow the operation.
"""

from functools import wraps

from flask import g, request

from eventsvc.models import ApiToken, StaffUser
from eventsvc.permissions import may
from eventsvc.services.audit import acting_as
from eventsvc.services.tokens import find_usable_token, record_use
from eventsvc.web.api.errors import HTTP_ERRORS, ApiError

_CHALLENGE = 'Bearer realm="eventsvc"'


def _unauthorized(detail: str) -> ApiError:
    code, _message = HTTP_ERRORS[401]
    return ApiError(401, code, detail, headers={"WWW-Authenticate": _CHALLENGE})


def _forbidden(detail: str) -> ApiError:
    return ApiError(403, HTTP_ERRORS[403][0], detail)


def _presented_token() -> ApiToken | None:
    """The token the request carries, None without one; 401 for one that does not work."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise _unauthorized("Send the token as: Authorization: Bearer <token>.")
    token = find_usable_token(value.strip())
    if token is None:
        raise _unauthorized("This token is not valid: it is unknown, expired or revoked.")
    record_use(token)
    return token


def caller() -> StaffUser | None:
    """The staff member whose token the request carries, if any."""
    token = g.get("api_token")
    return token.staff_user if token else None


def public(view):
    """Anyone may call the view; a valid token makes the caller staff."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.api_token = _presented_token()
        return view(*args, **kwargs)

    wrapper.api_access = "public"
    return wrapper


def staff(scope: str = "read", action: str = "change"):
    """Only a token of `scope` ('read' or 'write') whose owner may do `action` (by the one
    permission table) may call the view."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            token = _presented_token()
            if token is None:
                raise _unauthorized("This operation needs a staff token.")
            if scope == "write" and not token.can_write:
                raise _forbidden("This token may only read: make a write token to change things.")
            if not may(token.staff_user, action):
                raise _forbidden("Your role may not do this: ask an admin.")
            g.api_token = token
            with acting_as(f"{token.staff_user.email} (API token “{token.name}”)"):
                return view(*args, **kwargs)

        wrapper.api_access = "staff"
        return wrapper

    return decorate
