"""The admin home page, and each event's figures: registrations per day, by state, by answer."""

from flask import render_template

from eventsvc.config import site_timezone
from eventsvc.extensions import db
from eventsvc.models import Event
from eventsvc.models.registrations import STATE_LABELS, STATES
from eventsvc.services.statistics import (
    answer_counts,
    event_figures,
    recent_events,
    registrations_per_day,
    upcoming_events,
)
from eventsvc.web.admin import bp, no_store
from eventsvc.web.charts import bar_chart


@bp.route("/")
def dashboard():
    return render_template(
        "admin/dashboard.html", upcoming=upcoming_events(), recent=recent_events()
    )


@bp.route("/events/<int:event_id>/statistics")
@no_store
def events_statistics(event_id: int):
    event = db.get_or_404(Event, event_id)
    per_day = registrations_per_day(event, site_timezone())
    chart = bar_chart([(f"{day:%a} {day.day} {day:%b %Y}", count) for day, count in per_day])
    return render_template(
        "admin/events/statistics.html",
        event=event,
        figures=event_figures(event),
        per_day=per_day,
        chart=chart,
        answers=answer_counts(event),
        states=[(state, STATE_LABELS[state]) for state in STATES],
    )
