"""Staff sign-in, sign-out and password change."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from eventsvc.extensions import db, limiter, login_manager
from eventsvc.forms.auth import ChangePasswordForm, LoginForm
from eventsvc.models import StaffUser
from eventsvc.services.staff import StaffError, authenticate, change_password

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
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("The email or password is not right")
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You are signed out.")
    return redirect(url_for("public.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.new.data)
        except StaffError as error:
            form.current.errors.append(str(error))
        else:
            login_user(current_user._get_current_object())
            flash("Your password is changed.")
            return redirect(url_for("admin.dashboard"))
    return render_template("auth/password.html", form=form), 200 if not form.errors else 400
