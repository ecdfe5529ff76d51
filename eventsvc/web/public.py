"""Public pages: news, events, search, sitemap, robots, uploads and health."""

import re

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from sqlalchemy import select

from eventsvc import queries
from eventsvc.extensions import db
from eventsvc.services.registration import refusal as registration_refusal
from eventsvc.web.page_cache import cached_page

bp = Blueprint("public", __name__)

_SIMPLE_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+)?")
_LAST_PAGE = 100_000
_MAX_QUERY = 200
_MAX_SLUG = 200
_ROBOTS = """User-agent: *
Disallow: /admin
Disallow: /registrations/
Sitemap: {base}/sitemap.xml
"""


def _found(item):
    """The item, or a 404 when there is none."""
    if item is None:
        abort(404)
    return item


def _page_number() -> int:
    """The ?page= number; anything but a whole number from 1 is a missing page."""
    text = request.args.get("page", "1")
    if not text.isdigit() or not 1 <= int(text) <= _LAST_PAGE:
        abort(404)
    return int(text)


def _slug_arg(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value[:_MAX_SLUG] or None


@bp.route("/")
def index():
    number = _page_number()
    return cached_page(f"news-listing:{number}", lambda: _news_listing(number))


def _news_listing(number: int) -> tuple[str, list]:
    page = queries.news_page(number)
    if page.is_beyond_end:
        abort(404)
    events = [event for item in page.items for event in item.events]
    # A scheduled item joins the listing at its time, not when a kept copy runs out.
    instants = [*_milestones(events), queries.next_news_publication()]
    return render_template("public/index.html", page=page), instants


@bp.route("/news/<slug>")
def news(slug: str):
    return cached_page(f"news:{slug}", lambda: _news_item(slug))


def _news_item(slug: str) -> tuple[str, list]:
    item = _found(queries.published_news(slug))
    return render_template("public/news.html", item=item), _milestones(item.events)


def _event_filters() -> queries.EventFilters:
    """The listing's filters as parsed values: a slug that names nothing is a missing page."""
    filters = queries.EventFilters(_slug_arg("series"), _slug_arg("tag"), _slug_arg("organization"))
    if not queries.filters_exist(filters):
        abort(404)
    return filters


@bp.route("/events")
def events():
    filters, number = _event_filters(), _page_number()
    # Kept by the values the page is built from (slugs that exist), never by the query's text.
    key = f"events:{number}:{filters.series or ''}:{filters.tag or ''}:{filters.organization or ''}"
    return cached_page(key, lambda: _event_listing(filters, number))


def _event_listing(filters: queries.EventFilters, number: int) -> tuple[str, list]:
    listing = queries.event_listing(filters, number)
    if listing.past.is_beyond_end:
        abort(404)
    page = render_template("public/events.html", listing=listing, filters=filters)
    return page, _milestones(listing.upcoming)


@bp.route("/events/<slug>")
def event(slug: str):
    return cached_page(f"event:{slug}", lambda: _event_page(slug))


def _event_page(slug: str) -> tuple[str, tuple]:
    found = _found(queries.published_event(slug))
    refusal = registration_refusal(found)
    form = None if refusal else registration_form_for(found)
    page = render_template(
        "public/event.html", event=found, preview=False, registration_form=form, refusal=refusal
    )
    return page, found.milestones


def _milestones(events) -> list:
    return [instant for event in events for instant in event.milestones]


@bp.route("/search")
def search():
    text = request.args.get("q", "").strip()[:_MAX_QUERY]
    return render_template("public/search.html", q=text, hits=queries.search(text))


@bp.route("/sitemap.xml")
def sitemap():
    news_rows, event_rows = queries.sitemap_entries()
    body = render_template("public/sitemap.xml", news_rows=news_rows, event_rows=event_rows)
    return body, {"Content-Type": "application/xml; charset=utf-8"}


@bp.route("/robots.txt")
def robots():
    body = _ROBOTS.format(base=current_app.config["BASE_URL"])
    return body, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/uploads/<name>")
def upload(name: str):
    if not _SIMPLE_FILE_NAME.fullmatch(name):
        abort(404)
    response = send_from_directory(current_app.config["UPLOAD_DIR"], name, max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/healthz")
def healthz():
    db.session.execute(select(1))
    return {"status": "ok"}


from eventsvc.web.registration import form_for as registration_form_for  # noqa: E402
