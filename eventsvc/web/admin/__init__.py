"""Staff admin: every route needs a signed-in account; some need an admin."""

from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user, login_required

bp = Blueprint("admin", __name__)


@bp.before_request
@login_required
def require_staff():
    """Sign-in is required for the whole admin."""


def admin_required(view):
    """Refuse editors: only admins may use the wrapped view."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


from eventsvc.web.admin import dashboard  # noqa: E402, F401  (routes attach to bp)
