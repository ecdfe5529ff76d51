"""The admin home page."""

from flask import render_template
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Event, NewsItem
from eventsvc.web.admin import bp


@bp.route("/")
def dashboard():
    counts = {
        "events": db.session.scalar(select(func.count(Event.id))),
        "news": db.session.scalar(select(func.count(NewsItem.id))),
    }
    return render_template("admin/dashboard.html", counts=counts)
