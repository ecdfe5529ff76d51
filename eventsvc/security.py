"""Security headers on every response, and session cookie flags that follow BASE_URL."""

from collections.abc import Iterable
from functools import wraps

from flask import Flask, Response, g, make_response, request

from eventsvc.extensions import csrf

# No inline script or style anywhere: pages load /static files only. JSON-LD data
# blocks are not scripts a browser runs, so they need no exception.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

# Pages and feeds a private token opens (DESIGN §5): the token leaves in no Referer, no
# cache keeps the page, and no search engine lists it.
TOKEN_PAGE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}


def token_page(view):
    """Send the wrapped view's answers with TOKEN_PAGE_HEADERS."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers.update(TOKEN_PAGE_HEADERS)
        return response

    return wrapper


def form_keeps_input(view):
    """Let the view's form check its own CSRF token instead of the site-wide check.

    A token that expired (or is missing) then fails the form's validation like any other
    field: the page comes back with everything typed and a message (forms.BaseForm), not
    a bare error. Only for views that validate their form before they do anything else.
    """
    return csrf.exempt(view)


def allow_frames(origins: Iterable[str]) -> None:
    """Let the page of this response embed frames from these origins, and from no other.

    Only pages that show a video player call it (web/presenters.py `recording_player`).
    """
    g.frame_origins = sorted({*g.get("frame_origins", ()), *origins})


def allowed_frames() -> list[str]:
    """The origins this response's page may embed frames from (none unless allowed)."""
    return list(g.get("frame_origins", ()))


def _policy(ancestors: str = "'none'") -> str:
    """The policy: which sites may frame the page, and the frames the page may embed."""
    framed_by = f"frame-ancestors {ancestors}"
    policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", framed_by)
    frames = allowed_frames()
    return policy + (f"; frame-src {' '.join(frames)}" if frames else "")


def allow_framing(response: Response) -> Response:
    """Let other sites show this response in a frame: for the embeddable pages only."""
    response.headers["Content-Security-Policy"] = _policy(ancestors="*")
    return response


def add_security_headers(response: Response) -> Response:
    """Set the site's security headers, keeping any a view chose itself."""
    response.headers.setdefault("Content-Security-Policy", _policy())
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
        response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def register_security(app: Flask) -> None:
    """Add the headers to every response; cookies are Secure when the site is on HTTPS."""
    on_https = app.config["BASE_URL"].startswith("https://")
    app.config["SESSION_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"] or on_https
    app.after_request(add_security_headers)
