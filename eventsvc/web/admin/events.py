"""Admin pages for events: list, edit, preview, publish, status changes and recordings."""

import hashlib
from dataclasses import replace

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventsvc.config import site_timezone
from eventsvc.extensions import db
from eventsvc.forms.events import (
    EventFilterForm,
    EventForm,
    NewEventForm,
    RecordingForm,
    RescheduleForm,
    StatusReasonForm,
    event_form_data,
    known_names,
)
from eventsvc.inputs import ROLE_LABELS, STATUSES, VISIBILITIES, EventChanges
from eventsvc.models import Event, NewsItem, Recording
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
    preview_postpone,
    preview_reschedule,
    preview_save,
    remove_recording,
    reschedule_event,
    save_event,
    schedule_of,
    set_visibility,
    update_recording,
)
from eventsvc.services.notifications import PlannedUpdate, cancellation_audience, pending_updates
from eventsvc.services.outbox import waiting_messages
from eventsvc.services.uploads import (
    UploadError,
    image_reference,
    referenced_image,
    store_uploaded_image,
)
from eventsvc.timezones import now
from eventsvc.web.admin import bp, render_form, requires
from eventsvc.web.presenters import left_waiting_list, site_time

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


def _form_page(
    form: EventForm, event: Event | None = None, status: int | None = None, telling=None
):
    context = {"form": form, "event": event, "known_names": known_names(), "telling": telling}
    if status is not None:
        return render_template("admin/events/form.html", **context), status
    return render_form("admin/events/form.html", **context)


def _keep_chosen_image(form: EventForm) -> str | None:
    """Store a file chosen now at once, so it outlives errors and credit-row changes, or take
    back the one chosen before; returns why a file is refused, if it is. A form whose CSRF
    token is stale or missing stores nothing (security.form_keeps_input)."""
    if form.image.data and form.token_holds():
        try:
            name = store_uploaded_image(form.image.data)
        except UploadError as error:
            return str(error)
        form.chosen_image.data = image_reference(name)
    form.chosen_upload = referenced_image(form.chosen_image.data)
    return None


def _accepted(form: EventForm) -> bool:
    """Whether the posted form is valid, its chosen image kept either way."""
    refused = _keep_chosen_image(form) if form.is_submitted() else None
    valid = form.validate_on_submit()
    if refused:
        form.image.errors.append(refused)
    return valid and not refused


def _profile_changes(form: EventForm) -> list[str]:
    """What the credits change on organisations and people already known, for the flash."""
    return [change for row in form.credits for change in row.form.profile_changes()]


def _flash_all(messages: list[str]) -> None:
    for message in messages:
        flash(message)


def _publishing() -> bool | None:
    """True when "Save and publish" was pressed, else None (the visibility stays)."""
    return True if request.form.get("publish") == "yes" else None


# What saving a new or draft event says: published or a draft, and its announcement's fate.
_SAVED = {
    ("published", "alone"): _l("Published “%(title)s”."),
    ("draft", "alone"): _l("Saved “%(title)s” as a draft."),
    ("published", "news_waits"): _l(
        "Published “%(title)s”, with its announcement “%(news)s”: both are published when "
        "you publish the event."
    ),
    ("draft", "news_waits"): _l(
        "Saved “%(title)s” as a draft, with its announcement “%(news)s”: both are published "
        "when you publish the event."
    ),
    ("published", "news_later"): _l(
        "Published “%(title)s”; its announcement “%(news)s” is scheduled for %(when)s."
    ),
    ("draft", "news_later"): _l(
        "Saved “%(title)s” as a draft; its announcement “%(news)s” is scheduled for %(when)s."
    ),
    ("published", "news_now"): _l("Published “%(title)s” and its announcement “%(news)s”."),
    ("draft", "news_now"): _l("Saved “%(title)s” as a draft and its announcement “%(news)s”."),
}


def _saved_message(event: Event) -> str:
    announcement = next(iter(_news_about(event)), None)
    names = {"title": event.title, "news": announcement.title if announcement else ""}
    key = "published" if event.is_published else "draft"
    if announcement is None:
        return _SAVED[key, "alone"] % names
    if announcement.published_at is None:
        return _SAVED[key, "news_waits"] % names
    if announcement.published_at > now():
        return _SAVED[key, "news_later"] % {**names, "when": site_time(announcement.published_at)}
    return _SAVED[key, "news_now"] % names


@bp.route("/events/new", methods=["GET", "POST"])
@form_keeps_input
def events_new():
    zone_name = site_timezone()
    form = NewEventForm(data={"timezone": zone_name}, site_zone=zone_name)
    if form.rearrange_credits(request.form.get("credit_action")):
        _keep_chosen_image(form)
        return _form_page(form, status=200)
    if _accepted(form):
        changes = _profile_changes(form)
        new = EventChanges(
            fields=form.to_fields(), publish=_publishing(), announcement=form.to_announcement()
        )
        event = save_event(None, new).event
        flash(_saved_message(event))
        _flash_all(changes)
        return redirect(url_for(".events_show", event_id=event.id))
    return _form_page(form)


def _digest(planned: list[PlannedUpdate]) -> str:
    """A short fingerprint of what registrants would be told, carried by the confirmation."""
    return hashlib.sha256(repr(planned).encode()).hexdigest()[:20]


def _telling_confirmed(planned: list[PlannedUpdate]) -> bool | None:
    """Whether to tell registrants, as staff chose it for exactly this preview.

    True when nobody would be told; None while staff have not seen this preview (the
    form is then shown again with it, everything typed kept).
    """
    if not planned:
        return True
    choice = request.form.get("tell")
    if choice in {"yes", "no"} and request.form.get("told") == _digest(planned):
        return choice == "yes"
    return None


def _when_told(at_once: bool) -> str:
    delay = current_app.config["NOTIFY_DELAY"]
    if at_once or not delay:
        return gettext("at once")
    return gettext("in %(minutes)s minutes, with any later edits", minutes=format(delay, "g"))


def _telling(event: Event, planned: list[PlannedUpdate], at_once: bool) -> dict:
    """What the confirmation step shows: the updates, their fingerprint, when they go, and
    whether an update waits already (not telling withdraws it)."""
    return {
        "planned": planned,
        "digest": _digest(planned),
        "when": _when_told(at_once),
        "waiting": bool(pending_updates(event)),
        "seen_before": "told" in request.form,
    }


def _told_message(planned: list[PlannedUpdate], tell: bool, at_once: bool) -> str:
    """What the saved message adds about registrants' emails."""
    people = sum(update.people for update in planned)
    if not people:
        return ""
    if not tell:
        return " " + gettext(
            "Its registrants are not told, as you chose; the audit log records it."
        )
    return " " + ngettext(
        "%(num)d registrant is told %(when)s, one email each.",
        "%(num)d registrants are told %(when)s, one email each.",
        people,
        when=_when_told(at_once),
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@form_keeps_input
def events_edit(event_id: int):
    event = _event_or_404(event_id)
    form = EventForm(
        data=event_form_data(event), stored_image=event.image_path, current=schedule_of(event)
    )
    if form.rearrange_credits(request.form.get("credit_action")):
        _keep_chosen_image(form)
        return _form_page(form, event, status=200)
    if not _accepted(form):
        return _form_page(form, event)
    changes = EventChanges(fields=form.to_fields(), publish=_publishing())
    planned = preview_save(event, changes)
    tell = _telling_confirmed(planned)
    if tell is None:
        return _form_page(form, event, status=200, telling=_telling(event, planned, at_once=False))
    profile_changes = _profile_changes(form)
    published = event.is_published
    saved = save_event(event, replace(changes, tell=tell))
    done = gettext("Saved “%(title)s”.", title=event.title) if published else _saved_message(event)
    told = _told_message(planned, tell, at_once=False)
    flash(done + told + left_waiting_list(saved.promoted))
    _flash_all(profile_changes)
    return redirect(url_for(".events_show", event_id=event.id))


def _news_about(event: Event) -> list[NewsItem]:
    statement = select(NewsItem).where(NewsItem.events.any(Event.id == event.id))
    return list(db.session.scalars(statement.order_by(NewsItem.id)))


def _show_page(event: Event, recording_form: RecordingForm):
    return render_form(
        "admin/events/show.html",
        event=event,
        recording_form=recording_form,
        role_labels=ROLE_LABELS,
        pending_updates=pending_updates(event),
        waiting=waiting_messages(event),
        news_items=_news_about(event),
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
    flash(
        gettext(
            "Made a draft copy: “%(title)s”. Change its times before publishing it.",
            title=copy.title,
        )
    )
    return redirect(url_for(".events_edit", event_id=copy.id))


@bp.route("/events/<int:event_id>/publish", methods=["POST"])
def events_publish(event_id: int):
    event = set_visibility(_event_or_404(event_id), published=True)
    flash(gettext("“%(title)s” is published.", title=event.title))
    return redirect(url_for(".events_show", event_id=event.id))


@bp.route("/events/<int:event_id>/unpublish", methods=["POST"])
def events_unpublish(event_id: int):
    event = _event_or_404(event_id)
    try:
        set_visibility(event, published=False)
    except EventError as error:
        flash(error.message, "error")
    else:
        flash(
            gettext(
                "“%(title)s” is a draft again: the public no longer sees it.", title=event.title
            )
        )
    return redirect(url_for(".events_show", event_id=event.id))


_STATUS_ACTIONS = {
    "cancel": (cancel_event, _l("Cancel the event"), _l("“%(title)s” is cancelled.")),
    "postpone": (postpone_event, _l("Postpone the event"), _l("“%(title)s” is postponed.")),
}


def _change_status(event_id: int, action: str):
    event = _event_or_404(event_id)
    change, heading, message = _STATUS_ACTIONS[action]
    form = StatusReasonForm()
    if form.validate_on_submit():
        change(event, form.reason.data)
        flash(message % {"title": event.title})
        return redirect(url_for(".events_show", event_id=event.id))
    return render_form(
        "admin/events/status.html",
        form=form,
        event=event,
        action=action,
        heading=heading,
        emailed=_emailed(event, action),
    )


def _emailed(event: Event, action: str) -> int:
    """How many registrants the status change emails at once."""
    if action == "cancel":
        return len(cancellation_audience(event))
    return sum(update.people for update in preview_postpone(event))


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
def events_cancel(event_id: int):
    return _change_status(event_id, "cancel")


@bp.route("/events/<int:event_id>/postpone", methods=["GET", "POST"])
def events_postpone(event_id: int):
    return _change_status(event_id, "postpone")


@bp.route("/events/<int:event_id>/reschedule", methods=["GET", "POST"])
@form_keeps_input
def events_reschedule(event_id: int):
    event = _event_or_404(event_id)
    form = RescheduleForm(zone_name=event.timezone, current=schedule_of(event))
    if not form.validate_on_submit():
        return render_form("admin/events/reschedule.html", form=form, event=event)
    planned = preview_reschedule(event, form.schedule, form.reason.data)
    tell = _telling_confirmed(planned)
    if tell is None:
        telling = _telling(event, planned, at_once=True)
        return render_template(
            "admin/events/reschedule.html", form=form, event=event, telling=telling
        )
    reschedule_event(event, form.schedule, form.reason.data, tell=tell)
    told = _told_message(planned, tell, at_once=True)
    flash(
        gettext(
            "“%(title)s” is rescheduled; its page shows the previous time struck through.",
            title=event.title,
        )
        + told
    )
    return redirect(url_for(".events_show", event_id=event.id))


@bp.route("/events/<int:event_id>/delete", methods=["GET", "POST"])
@requires("delete")
def events_delete(event_id: int):
    event = _event_or_404(event_id)
    if problem := deletion_refusal(event):
        flash(problem.message, "error")
        return redirect(url_for(".events_show", event_id=event.id))
    if request.method == "POST":
        delete_event(event)
        flash(gettext("Deleted the draft “%(title)s”.", title=event.title))
        return redirect(url_for(".events_list"))
    return render_template(
        "admin/confirm_delete.html",
        question=gettext("Delete the draft event “%(title)s”?", title=event.title),
        action=url_for(".events_delete", event_id=event.id),
        back=url_for(".events_show", event_id=event.id),
    )


@bp.route("/events/<int:event_id>/recordings", methods=["POST"])
def events_add_recording(event_id: int):
    event = _event_or_404(event_id)
    form = RecordingForm()
    if form.validate_on_submit():
        try:
            add_recording(event, form.url.data, form.title.data, form.to_news())
        except EventError as error:
            form.url.errors.append(error.message)
        else:
            flash(
                gettext(
                    "The recording is posted on the event page and in calendars and its news "
                    "item is published."
                )
                if form.post_news.data
                else gettext("The recording is posted on the event page and in calendars.")
            )
            return redirect(url_for(".events_show", event_id=event.id))
    return _show_page(event, form)


@bp.route("/events/<int:event_id>/recordings/<int:recording_id>", methods=["GET", "POST"])
def events_edit_recording(event_id: int, recording_id: int):
    event = _event_or_404(event_id)
    recording = _recording_or_404(event, recording_id)
    form = RecordingForm(obj=recording)
    if form.validate_on_submit():
        update_recording(recording, form.url.data, form.title.data)
        flash(gettext("The recording is updated."))
        return redirect(url_for(".events_show", event_id=event.id))
    return render_form("admin/events/recording.html", form=form, event=event, recording=recording)


@bp.route("/events/<int:event_id>/recordings/<int:recording_id>/remove", methods=["POST"])
def events_remove_recording(event_id: int, recording_id: int):
    event = _event_or_404(event_id)
    remove_recording(_recording_or_404(event, recording_id))
    flash(gettext("The recording is removed."))
    return redirect(url_for(".events_show", event_id=event.id))
