"""A person's data (admins only): find, export and erase every registration of an address.

The address travels only in POST bodies, never in a URL that could be logged.
"""

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from eventsvc.forms.registration_admin import PersonForm
from eventsvc.services.registrants import erase_person, person_export, registrations_of
from eventsvc.web.admin import bp, no_store, render_form, requires


def _lookup_page(form: PersonForm, found=None):
    return render_form("admin/registrations/person_lookup.html", form=form, found=found)


@bp.route("/personal-data")
@requires("personal_data")
def personal_data():
    return _lookup_page(PersonForm(formdata=None))


@bp.route("/personal-data", methods=["POST"])
@requires("personal_data")
@no_store
def personal_data_find():
    form = PersonForm()
    if not form.validate_on_submit():
        return _lookup_page(form)
    found = registrations_of(form.email.data)
    return render_template("admin/registrations/person_lookup.html", form=form, found=found)


@bp.route("/personal-data/export", methods=["POST"])
@requires("personal_data")
@no_store
def personal_data_export():
    form = PersonForm()
    if not form.validate_on_submit():
        return _lookup_page(form)
    body = json.dumps(person_export(form.email.data), ensure_ascii=False, indent=2)
    disposition = 'attachment; filename="registrations-export.json"'
    return body, 200, {"Content-Type": "application/json", "Content-Disposition": disposition}


@bp.route("/personal-data/erase", methods=["POST"])
@requires("personal_data")
@no_store
def personal_data_erase():
    form = PersonForm()
    if not form.validate_on_submit():
        return _lookup_page(form)
    if request.form.get("confirmed") != "yes":
        found = registrations_of(form.email.data)
        return render_template("admin/registrations/person_erase.html", form=form, found=found)
    erased = erase_person(form.email.data)
    flash(ngettext("Erased %(num)d registration.", "Erased %(num)d registrations.", erased))
    return redirect(url_for(".personal_data"))
