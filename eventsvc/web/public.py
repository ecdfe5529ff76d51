"""Public pages: news, events, search, sitemap and health."""

from flask import Blueprint, render_template
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import NewsItem
from eventsvc.timezones import now

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    items = db.session.scalars(
        select(NewsItem)
        .where(NewsItem.published_at <= now())
        .order_by(NewsItem.published_at.desc())
        .limit(10)
    ).all()
    return render_template("public/index.html", items=items)


@bp.route("/healthz")
def healthz():
    db.session.execute(select(1))
    return {"status": "ok"}
