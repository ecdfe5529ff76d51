"""Registration pages: the form, the outcome, and the private manage page.

Routes attach to the public blueprint: these pages are for attendees.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from eventsvc import queries
from eventsvc.extensions import csrf, limiter
from eventsvc.forms.registration import registration_form
from eventsvc.services import registration as service
from eventsvc.services.answers import labelled_answers
from eventsvc.services.attendees import reset_feed_token, set_reminders_opt_out
from eventsvc.services.audit import track_actor
from eventsvc.web.public import bp

_NEW_STATE_MESSAGES = {
    "confirmed": "You are registered. We have emailed you the details and a calendar invitation.",
    "waitlisted": "The event is full: you are on the waiting list. We have emailed you.",
    "pending": "Thank you. The organisers approve registrations for this event; we have "
    "emailed you and will write again when they decide.",
}


track_actor(bp, lambda: "registrant")


def _registerable_event(slug: str):
    event = queries.published_event(slug, details=False)
    if event is None:
        abort(404)
    return event


def _registration(token: str):
    found = service.find_by_token(token)
    if found is None:
        abort(404)
    return found


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def form_for(event, **kwargs):
    """The registration form the event page shows (the register view keeps its questions)."""
    return registration_form(event, service.active_questions(event), **kwargs)


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
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
        abort(400)
    try:
        outcome = service.register(
            event,
            form.name.data,
            form.email.data,
            form.answers(),
            form.consent.data,
            form.timezone.data,
            questions,
        )
    except service.RegistrationError as error:
        if error.code != "invalid":
            return render_template("registration/register.html", event=event, refusal=error), 409
        form.take_errors(error.fields)
        return render_template("registration/register.html", event=event, form=form), 400
    if outcome.registration is None or outcome.state == "unverified":
        return render_template("registration/sent.html", event=event, outcome=outcome)
    flash(_NEW_STATE_MESSAGES[outcome.state])
    return redirect(url_for("public.manage_registration", token=outcome.manage_token))


@bp.route("/registrations/<token>")
def manage_registration(token: str):
    registration = _registration(token)
    return render_template(
        "registration/manage.html",
        registration=registration,
        event=registration.event,
        answered=labelled_answers(registration),
    )


@bp.route("/registrations/<token>/cancel", methods=["GET", "POST"])
def cancel_registration(token: str):
    registration = _registration(token)
    if request.method == "POST":
        service.cancel_registration(registration)
        flash(
            "Your registration is cancelled. We have emailed you a cancellation for your calendar."
        )
        return redirect(url_for("public.manage_registration", token=token))
    return render_template(
        "registration/cancel.html", registration=registration, event=registration.event
    )


@bp.route("/registrations/<token>/confirm", methods=["GET", "POST"])
def confirm_registration(token: str):
    registration = _registration(token)
    if request.method == "POST":
        try:
            registration = service.confirm_email(registration)
        except service.RegistrationError as error:
            return render_template(
                "registration/register.html", event=registration.event, refusal=error
            ), 409
        flash(_NEW_STATE_MESSAGES.get(registration.state, "Your email address is confirmed."))
        return redirect(url_for("public.manage_registration", token=token))
    return render_template(
        "registration/confirm.html", registration=registration, event=registration.event
    )


@bp.route("/registrations/<token>/unsubscribe", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: the mail client posts without a form
def unsubscribe(token: str):
    registration = _registration(token)
    if request.method == "POST":
        set_reminders_opt_out(registration, True)
        return render_template("registration/unsubscribed.html", registration=registration)
    return render_template("registration/unsubscribe.html", registration=registration)


@bp.route("/registrations/<token>/feed", methods=["POST"])
def reset_feed(token: str):
    registration = _registration(token)
    reset_feed_token(registration)
    flash("Your personal calendar feed has a new address; the old one no longer works.")
    return redirect(url_for("public.manage_registration", token=token))
