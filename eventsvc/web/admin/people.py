"""Admin pages for people: list, add, edit, delete."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.forms.organizations import PersonForm, person_form_data
from eventsvc.models import Person
from eventsvc.security import form_keeps_input
from eventsvc.services.organizations import (
    CatalogError,
    create_person,
    delete_person,
    update_person,
)
from eventsvc.web.admin import bp, render_form, requires


def _person_or_404(person_id: int) -> Person:
    return db.get_or_404(Person, person_id)


def _save(form: PersonForm, person: Person | None) -> Person | None:
    """Save through the service; a name already taken becomes an error on the name."""
    try:
        if person is None:
            return create_person(form.to_fields())
        return update_person(person, form.to_fields())
    except CatalogError as error:
        form.name.errors.append(str(error))
    return None


@bp.route("/people")
def people_list():
    people = db.session.scalars(select(Person).order_by(Person.name))
    return render_template("admin/people/list.html", people=people)


@bp.route("/people/new", methods=["GET", "POST"])
@form_keeps_input
def people_new():
    form = PersonForm()
    if form.validate_on_submit() and (person := _save(form, None)):
        flash(gettext("Added “%(name)s”.", name=person.name))
        return redirect(url_for(".people_list"))
    return render_form("admin/people/form.html", form=form, person=None)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@form_keeps_input
def people_edit(person_id: int):
    person = _person_or_404(person_id)
    form = PersonForm(data=person_form_data(person))
    if form.validate_on_submit() and _save(form, person):
        flash(gettext("Saved “%(name)s”.", name=person.name))
        return redirect(url_for(".people_list"))
    return render_form("admin/people/form.html", form=form, person=person)


@bp.route("/people/<int:person_id>/delete", methods=["GET", "POST"])
@requires("delete")
def people_delete(person_id: int):
    person = _person_or_404(person_id)
    if request.method == "POST":
        try:
            delete_person(person)
        except CatalogError as error:
            flash(str(error), "error")
            return redirect(url_for(".people_edit", person_id=person.id))
        flash(gettext("Deleted “%(name)s”.", name=person.name))
        return redirect(url_for(".people_list"))
    return render_template(
        "admin/confirm_delete.html",
        question=gettext("Delete “%(name)s”?", name=person.name),
        action=url_for(".people_delete", person_id=person.id),
        back=url_for(".people_edit", person_id=person.id),
    )
