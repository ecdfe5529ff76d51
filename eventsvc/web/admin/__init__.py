"""Staff admin: every route needs a signed-in account; some need an admin."""

from functools import wraps

from flask import Blueprint, abort, make_response, render_template, request
from flask_login import current_user, login_required

from eventsvc.permissions import may

bp = Blueprint("admin", __name__)
bp.add_app_template_global(may)


@bp.before_request
@login_required
def require_staff():
    """Sign-in is required for the whole admin."""


def requires(action: str):
    """Refuse (403) staff whose role may not do `action`, by the one permission table."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not may(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        wrapper.permission = action
        return wrapper

    return decorate


def render_form(template: str, **context):
    """Render a page with a form: 400 when it answers a POST that was not accepted."""
    return render_template(template, **context), 400 if request.method == "POST" else 200


def no_store(view):
    """Keep the wrapped view's response out of every cache: it shows registrant data."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapper


from eventsvc.web.admin import (  # noqa: E402, F401  (routes attach to bp)
    attendance,
    audit,
    dashboard,
    events,
    news,
    organizations,
    outbox,
    people,
    people_data,
    registrations,
    staff,
    tokens,
)
