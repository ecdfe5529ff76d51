"""Admin pages for organisations: list, add, edit with a logo, delete."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.forms.organizations import OrganizationForm, organization_form_data
from eventsvc.models import Organization
from eventsvc.security import form_keeps_input
from eventsvc.services.organizations import (
    CatalogError,
    create_organization,
    delete_organization,
    update_organization,
)
from eventsvc.services.uploads import UploadError
from eventsvc.web.admin import bp, render_form, requires


def _organization_or_404(organization_id: int) -> Organization:
    return db.get_or_404(Organization, organization_id)


def _save(form: OrganizationForm, organization: Organization | None) -> Organization | None:
    """Save through the service; a refused name or logo becomes an error on its field."""
    logo = form.logo.data or None
    try:
        if organization is None:
            return create_organization(form.to_fields(), logo)
        return update_organization(organization, form.to_fields(), logo)
    except CatalogError as error:
        form.name.errors.append(str(error))
    except UploadError as error:
        form.logo.errors.append(str(error))
    return None


@bp.route("/organizations")
def organizations_list():
    organizations = db.session.scalars(select(Organization).order_by(Organization.name))
    return render_template("admin/organizations/list.html", organizations=organizations)


@bp.route("/organizations/new", methods=["GET", "POST"])
@form_keeps_input
def organizations_new():
    form = OrganizationForm()
    if form.validate_on_submit() and (organization := _save(form, None)):
        flash(gettext("Added “%(name)s”.", name=organization.name))
        return redirect(url_for(".organizations_list"))
    return render_form("admin/organizations/form.html", form=form, organization=None)


@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
@form_keeps_input
def organizations_edit(organization_id: int):
    organization = _organization_or_404(organization_id)
    form = OrganizationForm(
        data=organization_form_data(organization), stored_logo=organization.logo_path
    )
    if form.validate_on_submit() and _save(form, organization):
        flash(gettext("Saved “%(name)s”.", name=organization.name))
        return redirect(url_for(".organizations_list"))
    return render_form("admin/organizations/form.html", form=form, organization=organization)


@bp.route("/organizations/<int:organization_id>/delete", methods=["GET", "POST"])
@requires("delete")
def organizations_delete(organization_id: int):
    organization = _organization_or_404(organization_id)
    if request.method == "POST":
        try:
            delete_organization(organization)
        except CatalogError as error:
            flash(str(error), "error")
            return redirect(url_for(".organizations_edit", organization_id=organization.id))
        flash(gettext("Deleted “%(name)s”.", name=organization.name))
        return redirect(url_for(".organizations_list"))
    return render_template(
        "admin/confirm_delete.html",
        question=gettext("Delete the organisation “%(name)s”?", name=organization.name),
        action=url_for(".organizations_delete", organization_id=organization.id),
        back=url_for(".organizations_edit", organization_id=organization.id),
    )
