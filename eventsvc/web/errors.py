"""Error pages in the site's layout."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    413: "Too large",
    429: "Too many requests",
    500: "Something went wrong",
}


def _page(status: int, message: str = ""):
    return render_template(
        "error.html", status=status, title=_TITLES.get(status, "Error"), message=message
    ), status


def register(app: Flask) -> None:
    """Render every HTTP error with the site's error page."""
    for status in _TITLES:
        app.register_error_handler(status, lambda error, status=status: _page(status))

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return _page(
            400, "The form expired or was sent from elsewhere. Go back, reload and try again."
        )
