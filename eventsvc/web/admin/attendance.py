"""Admin pages for attendance: the check-in list at the door, and importing a report."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from eventsvc.forms.registration_admin import AttendanceReportForm, CheckInSearchForm
from eventsvc.services.attendance import (
    MAX_REPORT_BYTES,
    AttendanceFileError,
    attendance_counts,
    import_attendance,
    read_report,
    set_attended,
)
from eventsvc.services.registrants import registrants
from eventsvc.web.admin import bp, no_store, render_form
from eventsvc.web.admin.registrations import event_or_404, registration_or_404

_MARKS = {"yes": True, "no": False, "unknown": None}
_DONE = {
    True: _l("%(name)s is checked in."),
    False: _l("%(name)s is marked absent."),
    None: _l("%(name)s is no longer checked in."),
}


@bp.route("/events/<int:event_id>/check-in", methods=["GET", "POST"])
@no_store
def events_check_in(event_id: int):
    """Everyone registered, by name, each with one button to check them in or undo it.

    The search is posted, like the registrants page's, so names stay out of URLs.
    """
    event = event_or_404(event_id)
    search = CheckInSearchForm(request.form if request.method == "POST" else None)
    words = search.q.data if search.validate() else ""
    people = [r for r in registrants(event, search=words or "") if r.is_active]
    people.sort(key=lambda registration: registration.name.casefold())
    return render_template(
        "admin/attendance/check_in.html",
        event=event,
        search=search,
        people=people,
        counts=attendance_counts(event),
    )


@bp.route("/events/<int:event_id>/check-in/<int:registration_id>", methods=["POST"])
@no_store
def events_check_in_mark(event_id: int, registration_id: int):
    """Check one person in (or undo it); the list's script asks for JSON and stays put."""
    event = event_or_404(event_id)
    registration = registration_or_404(event, registration_id)
    mark = request.form.get("attended", "")
    if mark not in _MARKS:
        abort(400)
    set_attended(registration, _MARKS[mark])
    message = _DONE[_MARKS[mark]] % {"name": registration.name}
    if request.accept_mimetypes.best == "application/json":
        counts = attendance_counts(event)
        counted = gettext(
            "%(checked)s of %(total)s", checked=counts[True], total=sum(counts.values())
        )
        said = gettext("%(counted)s checked in.", counted=counted)
        return jsonify(
            attended=registration.attended,
            message=message,
            counted=counted,
            status=f"{message} {said}",
        )
    flash(message)
    anchor = f"registrant-{registration.id}"
    return redirect(url_for(".events_check_in", event_id=event.id, _anchor=anchor))


@bp.route("/events/<int:event_id>/attendance", methods=["GET", "POST"])
@no_store
def events_attendance_import(event_id: int):
    """Import a webinar platform's attendance report; unmatched rows are shown, not logged."""
    event = event_or_404(event_id)
    form = AttendanceReportForm()
    result = None
    if form.validate_on_submit():
        try:
            rows = read_report(form.report.data.read(MAX_REPORT_BYTES + 1))
        except AttendanceFileError as error:
            form.report.errors.append(str(error))
        else:
            result = import_attendance(event, rows, form.others_absent.data)
    page = "admin/attendance/import.html"
    context = {"event": event, "form": form, "result": result}
    if result is not None:
        return render_template(page, counts=attendance_counts(event), **context)
    return render_form(page, counts=attendance_counts(event), **context)
