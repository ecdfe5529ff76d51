"""Admin pages for an event's registration: settings, questions, registrants, messages."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from werkzeug.utils import secure_filename

from eventsvc.extensions import db
from eventsvc.forms.registration import StaffRegistrationForm, answer_data, registration_form
from eventsvc.forms.registration_admin import (
    MessageForm,
    QuestionForm,
    RegistrantFilterForm,
    RegistrationSettingsForm,
    question_form_data,
    settings_form_data,
)
from eventsvc.inputs import EventChanges
from eventsvc.models import Event, Question, Registration
from eventsvc.models.registrations import STATES
from eventsvc.security import form_keeps_input
from eventsvc.services.answers import labelled_answers
from eventsvc.services.attendance import attendance_counts
from eventsvc.services.events import save_event
from eventsvc.services.registrants import (
    message_registrants,
    registrants,
    registrants_csv,
    state_counts,
)
from eventsvc.services.registration import (
    RegistrationError,
    active_questions,
    add_registrant,
    approve_registration,
    cancel_registration,
    change_registrant,
    decline_registration,
    promote_registration,
    resend_details,
)
from eventsvc.services.registration_settings import (
    add_question,
    move_question,
    remove_question,
    update_question,
)
from eventsvc.web.admin import bp, no_store, render_form
from eventsvc.web.presenters import left_waiting_list

_ACTIONS = {
    "approve": (
        approve_registration,
        _l("Approved: the person is emailed a calendar invitation."),
    ),
    "decline": (
        decline_registration,
        _l("Declined: the person is emailed and the event leaves their calendar."),
    ),
    "promote": (
        promote_registration,
        _l("Moved from the waiting list to a seat: they are emailed."),
    ),
    "resend": (resend_details, _l("The registration details are sent again.")),
}


def event_or_404(event_id: int) -> Event:
    """The event of an address, or a 404."""
    return db.get_or_404(Event, event_id)


def _question_or_404(event: Event, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != event.id or question.removed_at:
        abort(404)
    return question


def registration_or_404(event: Event, registration_id: int) -> Registration:
    """The event's registration of an address, or a 404 (another event's is not found)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


@bp.route("/events/<int:event_id>/registration", methods=["GET", "POST"])
@form_keeps_input
def events_registration(event_id: int):
    event = event_or_404(event_id)
    form = RegistrationSettingsForm(data=settings_form_data(event), zone_name=event.timezone)
    if form.validate_on_submit():
        saved = save_event(event, EventChanges(registration=form.to_settings()))
        flash(gettext("The registration settings are saved.") + left_waiting_list(saved.promoted))
        return redirect(url_for(".events_registration", event_id=event.id))
    return render_form("admin/registrations/settings.html", form=form, event=event)


def _questions_page(event: Event, form: QuestionForm):
    return render_form(
        "admin/registrations/questions.html",
        event=event,
        form=form,
        questions=active_questions(event),
    )


@bp.route("/events/<int:event_id>/questions")
def events_questions(event_id: int):
    return _questions_page(event_or_404(event_id), QuestionForm(formdata=None))


@bp.route("/events/<int:event_id>/questions", methods=["POST"])
def events_question_add(event_id: int):
    event = event_or_404(event_id)
    form = QuestionForm()
    if form.validate_on_submit():
        add_question(event, form.to_fields())
        flash(gettext("The question is added at the end of the form."))
        return redirect(url_for(".events_questions", event_id=event.id))
    return _questions_page(event, form)


@bp.route("/events/<int:event_id>/questions/<int:question_id>", methods=["GET", "POST"])
def events_question_edit(event_id: int, question_id: int):
    event = event_or_404(event_id)
    question = _question_or_404(event, question_id)
    form = QuestionForm(data=question_form_data(question))
    if form.validate_on_submit():
        update_question(question, form.to_fields())
        flash(gettext("The question is saved."))
        return redirect(url_for(".events_questions", event_id=event.id))
    return render_form(
        "admin/registrations/question.html", form=form, event=event, question=question
    )


@bp.route("/events/<int:event_id>/questions/<int:question_id>/move", methods=["POST"])
def events_question_move(event_id: int, question_id: int):
    event = event_or_404(event_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    move_question(_question_or_404(event, question_id), step)
    return redirect(url_for(".events_questions", event_id=event.id))


@bp.route("/events/<int:event_id>/questions/<int:question_id>/remove", methods=["POST"])
def events_question_remove(event_id: int, question_id: int):
    event = event_or_404(event_id)
    remove_question(_question_or_404(event, question_id))
    flash(gettext("The question is removed from the form; past answers stay in the export."))
    return redirect(url_for(".events_questions", event_id=event.id))


@bp.route("/events/<int:event_id>/registrants", methods=["GET", "POST"])
@no_store
def events_registrants(event_id: int):
    """The registrants, filtered by state (in the link) and searched (in a POST).

    Search words are often a person's name or address: posted, they stay out of URLs,
    browser history and the access logs of any proxy in front of the site.
    """
    event = event_or_404(event_id)
    if request.method == "POST":
        filters = RegistrantFilterForm(request.form)
    else:
        filters = RegistrantFilterForm(state=request.args.get("state", ""))
    search = filters.q.data if filters.validate() else ""
    return render_template(
        "admin/registrations/registrants.html",
        event=event,
        filters=filters,
        counts=state_counts(event),
        attendance=attendance_counts(event),
        registrations=registrants(event, filters.chosen_state(), search or ""),
    )


@bp.route("/events/<int:event_id>/registrants.csv")
@no_store
def events_registrants_csv(event_id: int):
    event = event_or_404(event_id)
    filename = secure_filename(f"registrants-{event.slug}.csv") or "registrants.csv"
    # The byte order mark makes spreadsheet apps read the file as UTF-8.
    body = "\ufeff" + registrants_csv(event)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return body, 200, {"Content-Type": "text/csv; charset=utf-8", **headers}


@bp.route("/events/<int:event_id>/registrants/<int:registration_id>")
@no_store
def events_registrant(event_id: int, registration_id: int):
    event = event_or_404(event_id)
    registration = registration_or_404(event, registration_id)
    return render_template(
        "admin/registrations/registrant.html",
        event=event,
        registration=registration,
        answers=labelled_answers(registration),
    )


def _back(event: Event, registration: Registration):
    """Where an action returns: the registration's page, or the list with its state filter."""
    back = request.args.get("back", "")
    if back == "detail":
        return redirect(
            url_for(".events_registrant", event_id=event.id, registration_id=registration.id)
        )
    state = back if back in STATES else None
    return redirect(url_for(".events_registrants", event_id=event.id, state=state))


_ACTION_NAMES = "any(" + ", ".join(_ACTIONS) + ")"


@bp.route(
    f"/events/<int:event_id>/registrants/<int:registration_id>/<{_ACTION_NAMES}:action>",
    methods=["POST"],
)
def events_registrant_action(event_id: int, registration_id: int, action: str):
    event = event_or_404(event_id)
    registration = registration_or_404(event, registration_id)
    change, message = _ACTIONS[action]
    try:
        change(registration)
    except RegistrationError as error:
        flash(error.message, "error")
    else:
        flash(str(message))
    return _back(event, registration)


@bp.route(
    "/events/<int:event_id>/registrants/<int:registration_id>/cancel", methods=["GET", "POST"]
)
@no_store
def events_registrant_cancel(event_id: int, registration_id: int):
    event = event_or_404(event_id)
    registration = registration_or_404(event, registration_id)
    if not registration.is_active:
        flash(gettext("This registration is not active: there is nothing to cancel."), "error")
        return _back(event, registration)
    if request.method == "POST":
        cancel_registration(registration)
        flash(gettext("Cancelled: the person is emailed and the event leaves their calendar."))
        return _back(event, registration)
    return render_template(
        "admin/registrations/cancel.html",
        event=event,
        registration=registration,
        back=request.args.get("back", ""),
    )


@bp.route("/events/<int:event_id>/message", methods=["GET", "POST"])
@form_keeps_input
def events_message(event_id: int):
    event = event_or_404(event_id)
    counts = state_counts(event)
    form = MessageForm(counts=counts)
    if form.validate_on_submit():
        queued = message_registrants(event, form.states.data, form.subject.data, form.body.data)
        flash(
            ngettext(
                "%(num)d message queued in the outbox.",
                "%(num)d messages queued in the outbox.",
                queued,
            )
        )
        return redirect(url_for(".events_registrants", event_id=event.id))
    return render_form("admin/registrations/message.html", form=form, event=event, counts=counts)


_ADDED = {
    "confirmed": _l("%(name)s is registered and is emailed a confirmation with the invitation."),
    "waitlisted": _l("The event is full: %(name)s is on the waiting list, and is emailed."),
    "pending": _l("%(name)s is registered and awaits approval (a seat is held); they are emailed."),
    "unverified": _l("%(name)s is emailed a link to confirm their address: until then, no seat."),
}


def _for_staff(form, event: Event):
    """The public registration form, worded for staff who fill it in for someone."""
    form.name.label.text = gettext("Their name")
    form.email.label.text = gettext("Their email address")
    consent = event.consent_text or gettext("the use of their details")
    form.consent.label.text = gettext("They agreed to: %(consent)s", consent=consent)
    return form


def _registrant_form_page(event: Event, form, registration: Registration | None = None):
    return render_form(
        "admin/registrations/registrant_form.html",
        event=event,
        form=form,
        registration=registration,
    )


@bp.route("/events/<int:event_id>/registrants/new", methods=["GET", "POST"])
@no_store
@form_keeps_input
def events_registrant_new(event_id: int):
    """Staff register someone by hand, by the rules of the public form (seats, emails)."""
    event = event_or_404(event_id)
    questions = active_questions(event)
    form = _for_staff(registration_form(event, questions, StaffRegistrationForm), event)
    if form.validate_on_submit():
        try:
            outcome = add_registrant(
                event,
                form.name.data,
                form.email.data,
                form.answers(),
                form.consent.data,
                form.language.data,
            )
        except RegistrationError as error:
            fields = error.fields or {"email": [error.message]}
            if "consent" in fields:
                fields["consent"] = [gettext("Tick this once the person has agreed to it")]
            form.take_errors(fields)
        else:
            flash(_ADDED[outcome.state] % {"name": form.name.data})
            return redirect(url_for(".events_registrants", event_id=event.id))
    return _registrant_form_page(event, form)


@bp.route("/events/<int:event_id>/registrants/<int:registration_id>/edit", methods=["GET", "POST"])
@no_store
@form_keeps_input
def events_registrant_edit(event_id: int, registration_id: int):
    """Staff correct a registrant's name and answers; the address stays theirs."""
    event = event_or_404(event_id)
    registration = registration_or_404(event, registration_id)
    form = registration_form(event, active_questions(event), data=answer_data(registration))
    form = _for_staff(form, event)
    if form.validate_on_submit():
        try:
            change_registrant(registration, form.name.data, form.answers())
        except RegistrationError as error:
            form.take_errors(error.fields)
        else:
            flash(gettext("Saved the name and answers of %(name)s.", name=registration.name))
            return redirect(
                url_for(".events_registrant", event_id=event.id, registration_id=registration.id)
            )
    return _registrant_form_page(event, form, registration)
