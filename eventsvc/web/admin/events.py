"""Admin pages for events: list, edit, preview, publish, status changes and recordings."""

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.forms.events import (
    EventFilterForm,
    EventForm,
    RecordingForm,
    RescheduleForm,
    StatusReasonForm,
    credit_names,
    event_form_data,
)
from eventsvc.inputs import ROLE_LABELS, STATUSES, VISIBILITIES, EventChanges
from eventsvc.models import Event, Recording
from eventsvc.search import matching_ids
from eventsvc.security import form_keeps_input
from eventsvc.services.events import (
    EventError,
    add_recording,
    cancel_event,
    delete_event,
    deletion_refusal,
    duplicate_event,
    postpone_event,
    remove_recording,
    reschedule_event,
    save_event,
    set_visibility,
    update_recording,
)
from eventsvc.services.notifications import pending_updates
from eventsvc.services.uploads import UploadError, store_uploaded_image
from eventsvc.web.admin import bp, render_form, requires

EVENTS_PER_PAGE = 50


def _event_or_404(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def _recording_or_404(event: Event, recording_id: int) -> Recording:
    recording = db.session.get(Recording, recording_id)
    if recording is None or recording.event_id != event.id:
        abort(404)
    return recording


def _listing(filters: EventFilterForm, search: str):
    statement = select(Event).order_by(Event.starts_at.desc(), Event.id.desc())
    if search:
        statement = statement.where(Event.id.in_(matching_ids("event", search)))
    if filters.status.data in STATUSES:
        statement = statement.where(Event.status == filters.status.data)
    if filters.visibility.data in VISIBILITIES:
        statement = statement.where(Event.visibility == filters.visibility.data)
    return db.paginate(statement, per_page=EVENTS_PER_PAGE, max_per_page=EVENTS_PER_PAGE)


@bp.route("/events")
def events_list():
    filters = EventFilterForm(request.args)
    # A search longer than the field allows is not run: the field says why.
    search = filters.q.data if filters.validate() else ""
    return render_template(
        "admin/events/list.html",
        filters=filters,
        page=_listing(filters, search or ""),
        args=request.args,
    )


def _form_page(form: EventForm, event: Event | None = None, status: int | None = None):
    context = {"form": form, "event": event, "credit_names": credit_names()}
    if status is not None:
        return render_template("admin/events/form.html", **context), status
    return render_form("admin/events/form.html", **context)


def _saved_fields(form: EventForm):
    """The form's fields with a newly uploaded image stored; None when the upload is refused."""
    try:
        uploaded = store_uploaded_image(form.image.data) if form.image.data else None
    except UploadError as error:
        form.image.errors.append(str(error))
        return None
    return form.to_fields(uploaded)


@bp.route("/events/new", methods=["GET", "POST"])
@form_keeps_input
def events_new():
    form = EventForm()
    if form.rearrange_credits(request.form.get("credit_action")):
        return _form_page(form, status=200)
    if form.validate_on_submit() and (fields := _saved_fields(form)):
        event = save_event(None, EventChanges(fields=fields))
        flash(f"Saved “{event.title}” as a draft.")
        return redirect(url_for(".events_show", event_id=event.id))
    return _form_page(form)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@form_keeps_input
def events_edit(event_id: int):
    event = _event_or_404(event_id)
    form = EventForm(data=event_form_data(event), stored_image=event.image_path)
    if form.rearrange_credits(request.form.get("credit_action")):
        return _form_page(form, event, status=200)
    if form.validate_on_submit() and (fields := _saved_fields(form)):
        save_event(event, EventChanges(fields=fields))
        flash(f"Saved “{event.title}”.")
        return redirect(url_for(".events_show", event_id=event.id))
    return _form_page(form, event)


def _show_page(event: Event, recording_form: RecordingForm):
    return render_form(
        "admin/events/show.html",
        event=event,
        recording_form=recording_form,
        role_labels=ROLE_LABELS,
        pending_updates=pending_updates(event),
    )


@bp.route("/events/<int:event_id>")
def events_show(event_id: int):
    return _show_page(_event_or_404(event_id), RecordingForm())


@bp.route("/events/<int:event_id>/preview")
def events_preview(event_id: int):
    return render_template("public/event.html", event=_event_or_404(event_id), preview=True)


@bp.route("/events/<int:event_id>/duplicate", methods=["POST"])
def events_duplicate(event_id: int):
    copy = duplicate_event(_event_or_404(event_id))
    flash(f"Made a draft copy: “{copy.title}”. Change its times before publishing it.")
    return redirect(url_for(".events_edit", event_id=copy.id))


@bp.route("/events/<int:event_id>/publish", methods=["POST"])
def events_publish(event_id: int):
    event = set_visibility(_event_or_404(event_id), published=True)
    flash(f"“{event.title}” is published.")
    return redirect(url_for(".events_show", event_id=event.id))


@bp.route("/events/<int:event_id>/unpublish", methods=["POST"])
def events_unpublish(event_id: int):
    event = _event_or_404(event_id)
    try:
        set_visibility(event, published=False)
    except EventError as error:
        flash(error.message, "error")
    else:
        flash(f"“{event.title}” is a draft again: the public no longer sees it.")
    return redirect(url_for(".events_show", event_id=event.id))


_STATUS_ACTIONS = {
    "cancel": (cancel_event, "Cancel the event", "“{}” is cancelled."),
    "postpone": (postpone_event, "Postpone the event", "“{}” is postponed."),
}


def _change_status(event_id: int, action: str):
    event = _event_or_404(event_id)
    change, heading, message = _STATUS_ACTIONS[action]
    form = StatusReasonForm()
    if form.validate_on_submit():
        change(event, form.reason.data)
        flash(message.format(event.title))
        return redirect(url_for(".events_show", event_id=event.id))
    return render_form(
        "admin/events/status.html", form=form, event=event, action=action, heading=heading
    )


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
def events_cancel(event_id: int):
    return _change_status(event_id, "cancel")


@bp.route("/events/<int:event_id>/postpone", methods=["GET", "POST"])
def events_postpone(event_id: int):
    return _change_status(event_id, "postpone")


@bp.route("/events/<int:event_id>/reschedule", methods=["GET", "POST"])
def events_reschedule(event_id: int):
    event = _event_or_404(event_id)
    form = RescheduleForm(zone_name=event.timezone)
    if form.validate_on_submit():
        reschedule_event(event, form.schedule, reason=form.reason.data)
        flash(f"“{event.title}” is rescheduled; its page shows the previous time struck through.")
        return redirect(url_for(".events_show", event_id=event.id))
    return render_form("admin/events/reschedule.html", form=form, event=event)


@bp.route("/events/<int:event_id>/delete", methods=["GET", "POST"])
@requires("delete")
def events_delete(event_id: int):
    event = _event_or_404(event_id)
    if problem := deletion_refusal(event):
        flash(problem.message, "error")
        return redirect(url_for(".events_show", event_id=event.id))
    if request.method == "POST":
        delete_event(event)
        flash(f"Deleted the draft “{event.title}”.")
        return redirect(url_for(".events_list"))
    return render_template(
        "admin/confirm_delete.html",
        thing=f"the draft event “{event.title}”",
        action=url_for(".events_delete", event_id=event.id),
        back=url_for(".events_show", event_id=event.id),
    )


@bp.route("/events/<int:event_id>/recordings", methods=["POST"])
def events_add_recording(event_id: int):
    event = _event_or_404(event_id)
    form = RecordingForm()
    if form.validate_on_submit():
        add_recording(event, form.url.data, form.title.data)
        flash("The recording is posted on the event page and in calendars.")
        return redirect(url_for(".events_show", event_id=event.id))
    return _show_page(event, form)


@bp.route("/events/<int:event_id>/recordings/<int:recording_id>", methods=["GET", "POST"])
def events_edit_recording(event_id: int, recording_id: int):
    event = _event_or_404(event_id)
    recording = _recording_or_404(event, recording_id)
    form = RecordingForm(obj=recording)
    if form.validate_on_submit():
        update_recording(recording, form.url.data, form.title.data)
        flash("The recording is updated.")
        return redirect(url_for(".events_show", event_id=event.id))
    return render_form("admin/events/recording.html", form=form, event=event, recording=recording)


@bp.route("/events/<int:event_id>/recordings/<int:recording_id>/remove", methods=["POST"])
def events_remove_recording(event_id: int, recording_id: int):
    event = _event_or_404(event_id)
    remove_recording(_recording_or_404(event, recording_id))
    flash("The recording is removed.")
    return redirect(url_for(".events_show", event_id=event.id))
