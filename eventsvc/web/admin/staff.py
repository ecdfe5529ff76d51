"""Admin pages for staff accounts (admins only): add, disable, reset passwords, roles."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.forms.staff import NewStaffForm, StaffRoleForm
from eventsvc.models import StaffUser
from eventsvc.services.staff import (
    StaffError,
    create_staff,
    reset_password,
    set_staff_active,
    set_staff_role,
)
from eventsvc.web.admin import bp, requires


def _account_or_404(user_id: int) -> StaffUser:
    return db.get_or_404(StaffUser, user_id)


def _role_form(user: StaffUser) -> StaffRoleForm:
    """The role form of one account; its prefix keeps ids unique on the page."""
    return StaffRoleForm(prefix=f"staff{user.id}", data={"role": user.role})


def _staff_page(form: NewStaffForm, status: int = 200):
    accounts = db.session.scalars(select(StaffUser).order_by(StaffUser.email)).all()
    role_forms = {user.id: _role_form(user) for user in accounts}
    page = render_template(
        "admin/staff/list.html", form=form, accounts=accounts, role_forms=role_forms
    )
    return page, status


def _password_page(user: StaffUser, password: str, heading: str):
    """Show a generated password once; the page must not be kept by any cache."""
    page = render_template(
        "admin/staff/password.html", account=user, password=password, heading=heading
    )
    return page, 200, {"Cache-Control": "no-store"}


# Why staff cannot do this to their own account here, by what they tried.
_OWN_ACCOUNT = {
    "disable": _l("You cannot disable your own account here; ask another admin."),
    "reset": _l("You cannot reset the password of your own account here; ask another admin."),
    "role": _l("You cannot change the role of your own account here; ask another admin."),
}
_NOW_ROLE = {
    "admin": _l("%(email)s is now an admin."),
    "editor": _l("%(email)s is now an editor."),
}


def _refuse_own_account(user: StaffUser, what: str):
    if user.id == current_user.id:
        flash(str(_OWN_ACCOUNT[what]), "error")
        return redirect(url_for(".staff_list"))
    return None


@bp.route("/staff")
@requires("manage_staff")
def staff_list():
    return _staff_page(NewStaffForm(formdata=None))


@bp.route("/staff", methods=["POST"])
@requires("manage_staff")
def staff_create():
    form = NewStaffForm()
    if form.validate_on_submit():
        try:
            user, password = create_staff(form.email.data, form.role.data)
        except StaffError as error:
            form.email.errors.append(str(error))
        else:
            return _password_page(
                user, password, gettext("Account created for %(email)s", email=user.email)
            )
    return _staff_page(form, status=400)


@bp.route("/staff/<int:user_id>/disable", methods=["POST"])
@requires("manage_staff")
def staff_disable(user_id: int):
    user = _account_or_404(user_id)
    if refused := _refuse_own_account(user, "disable"):
        return refused
    set_staff_active(user, active=False)
    flash(gettext("%(email)s is disabled and signed out everywhere.", email=user.email))
    return redirect(url_for(".staff_list"))


@bp.route("/staff/<int:user_id>/enable", methods=["POST"])
@requires("manage_staff")
def staff_enable(user_id: int):
    user = _account_or_404(user_id)
    set_staff_active(user, active=True)
    flash(gettext("%(email)s can sign in again.", email=user.email))
    return redirect(url_for(".staff_list"))


@bp.route("/staff/<int:user_id>/reset-password", methods=["POST"])
@requires("manage_staff")
def staff_reset_password(user_id: int):
    user = _account_or_404(user_id)
    if refused := _refuse_own_account(user, "reset"):
        return refused
    password = reset_password(user)
    return _password_page(user, password, gettext("New password for %(email)s", email=user.email))


@bp.route("/staff/<int:user_id>/role", methods=["POST"])
@requires("manage_staff")
def staff_role(user_id: int):
    user = _account_or_404(user_id)
    if refused := _refuse_own_account(user, "role"):
        return refused
    form = StaffRoleForm(prefix=f"staff{user.id}")
    if not form.validate_on_submit():
        flash(gettext("Choose admin or editor."), "error")
        return redirect(url_for(".staff_list"))
    set_staff_role(user, form.role.data)
    flash(_NOW_ROLE[form.role.data] % {"email": user.email})
    return redirect(url_for(".staff_list"))
