"""Registration pages: the form, the "check your inbox" page, and the pages of a manage link.

Routes attach to the public blueprint: these pages are for attendees. Whatever the address's
history, a submission gets the same answer (DESIGN §5); the pages its email links to are
token pages (security.token_page).
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from eventsvc import queries
from eventsvc.extensions import csrf, limiter
from eventsvc.forms.registration import answer_data, registration_form
from eventsvc.languages import current_language
from eventsvc.security import form_keeps_input, token_page
from eventsvc.services import registration as service
from eventsvc.services.answers import labelled_answers
from eventsvc.services.attendees import reset_feed_token, set_reminders_opt_out
from eventsvc.services.audit import track_actor
from eventsvc.web.public import bp

_CONFIRMED_MESSAGES = {
    "confirmed": _l(
        "Your email address is confirmed: you are registered. We have emailed you a calendar "
        "invitation."
    ),
    "waitlisted": _l(
        "Your email address is confirmed. The event is full: you are on the waiting list."
    ),
    "pending": _l(
        "Your email address is confirmed. The organisers approve registrations for this "
        "event; we will write when they decide."
    ),
}


track_actor(bp, lambda: "registrant")


def _registerable_event(slug: str):
    event = queries.published_event(slug, details=False)
    if event is None:
        abort(404)
    return event


def _registration(token: str):
    """The registration of a manage link: 404 for no such link, 410 once it was erased."""
    found = service.find_by_token(token)
    if found is None:
        abort(404)
    if found.is_erased:
        abort(410)
    return found


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def form_for(event, **kwargs):
    """The registration form the event page shows (the register view keeps its questions)."""
    return registration_form(event, service.active_questions(event), **kwargs)


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@form_keeps_input
@limiter.limit(_register_limit, methods=["POST"])
def register(slug: str):
    event = _registerable_event(slug)
    questions = service.active_questions(event)
    form = registration_form(event, questions)
    refusal = service.refusal(event)
    if refusal:
        return render_template("registration/register.html", event=event, refusal=refusal), (
            409 if request.method == "POST" else 200
        )
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("registration/register.html", event=event, form=form), status
    if form.website.data:
        return _received(event)  # a bot filled the hidden field: the usual answer, nothing kept
    try:
        service.register(
            event,
            form.name.data,
            form.email.data,
            form.answers(),
            form.consent.data,
            form.timezone.data,
            questions,
            language=current_language(),
        )
    except service.RegistrationError as error:
        if error.code != "invalid":
            return render_template("registration/register.html", event=event, refusal=error), 409
        form.take_errors(error.fields)
        return render_template("registration/register.html", event=event, form=form), 400
    return _received(event)


def _received(event):
    """The one answer to an accepted submission: on to "check your inbox"."""
    return redirect(url_for("public.registration_received", slug=event.slug), 303)


@bp.route("/events/<slug>/register/received")
def registration_received(slug: str):
    """What happens next: the same page for every submission, whatever the address."""
    return render_template("registration/received.html", event=_registerable_event(slug))


@bp.route("/registrations/<token>")
@token_page
def manage_registration(token: str):
    registration = _registration(token)
    return render_template(
        "registration/manage.html",
        registration=registration,
        event=registration.event,
        answered=labelled_answers(registration, current_language()),
    )


@bp.route("/registrations/<token>/edit", methods=["GET", "POST"])
@form_keeps_input
@token_page
def correct_registration(token: str):
    """The registrant corrects their name and answers; the event's rules for answers hold."""
    registration = _registration(token)
    event = registration.event
    if not registration.is_active:
        flash(gettext("This registration is no longer active: there is nothing to correct."))
        return redirect(url_for("public.manage_registration", token=token))
    questions = service.active_questions(event)
    form = registration_form(event, questions, data=answer_data(registration))
    if form.validate_on_submit():
        try:
            service.change_registrant(registration, form.name.data, form.answers())
        except service.RegistrationError as error:
            form.take_errors(error.fields)
        else:
            flash(gettext("Your name and answers are saved."))
            return redirect(url_for("public.manage_registration", token=token))
    page = render_template(
        "registration/edit.html", registration=registration, event=event, form=form
    )
    return page, 400 if request.method == "POST" else 200


@bp.route("/registrations/<token>/cancel", methods=["GET", "POST"])
@token_page
def cancel_registration(token: str):
    registration = _registration(token)
    if request.method == "POST":
        service.cancel_registration(registration)
        flash(
            gettext(
                "Your registration is cancelled. We have emailed you a cancellation for your "
                "calendar."
            )
        )
        return redirect(url_for("public.manage_registration", token=token))
    return render_template(
        "registration/cancel.html", registration=registration, event=registration.event
    )


@bp.route("/registrations/<token>/confirm", methods=["GET", "POST"])
@token_page
def confirm_registration(token: str):
    registration = _registration(token)
    if request.method == "POST":
        try:
            registration = service.confirm_email(registration)
        except service.RegistrationError as error:
            return render_template(
                "registration/register.html", event=registration.event, refusal=error
            ), 409
        default = gettext("Your email address is confirmed.")
        flash(str(_CONFIRMED_MESSAGES.get(registration.state, default)))
        return redirect(url_for("public.manage_registration", token=token))
    return render_template(
        "registration/confirm.html", registration=registration, event=registration.event
    )


@bp.route("/registrations/<token>/unsubscribe", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: the mail client posts without a form
@token_page
def unsubscribe(token: str):
    registration = _registration(token)
    if request.method == "POST":
        set_reminders_opt_out(registration, True)
        return render_template("registration/unsubscribed.html", registration=registration)
    return render_template("registration/unsubscribe.html", registration=registration)


@bp.route("/registrations/<token>/feed", methods=["POST"])
@token_page
def reset_feed(token: str):
    registration = _registration(token)
    reset_feed_token(registration)
    flash(gettext("Your personal calendar feed has a new address; the old one no longer works."))
    return redirect(url_for("public.manage_registration", token=token))
