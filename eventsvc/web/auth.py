"""Staff sign-in, sign-out and password change."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user

from eventsvc.extensions import db, limiter, login_manager
from eventsvc.forms.auth import ChangePasswordForm, LoginForm
from eventsvc.models import StaffUser
from eventsvc.security import form_keeps_input
from eventsvc.services.staff import StaffError, authenticate, change_password, end_sessions

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """Find the signed-in account, refusing sessions older than its last password change."""
    account_id, _, version = user_id.partition(":")
    if not account_id.isdigit():
        return None
    user = db.session.get(StaffUser, int(account_id))
    if user is None or str(user.session_version) != version:
        return None
    return user


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("admin.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@form_keeps_input
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user:
            # A new session for the signed-in account, and with it a new CSRF token.
            session.clear()
            g.pop("csrf_token", None)
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(gettext("The email or password is not right"))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


def _end_every_session(message: str):
    """Sign this account out here and everywhere else; the page says `message`."""
    if current_user.is_authenticated:
        end_sessions(current_user)
    logout_user()
    session.clear()
    flash(message)


@bp.route("/logout", methods=["POST"])
def logout():
    _end_every_session(gettext("You are signed out, on this device and every other."))
    return redirect(url_for("public.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@form_keeps_input
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.new.data)
        except StaffError as error:
            form.current.errors.append(str(error))
        else:
            _end_every_session(
                gettext(
                    "Your password is changed and every session of your account has ended: "
                    "sign in with the new password."
                )
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/password.html", form=form), 200 if not form.errors else 400
