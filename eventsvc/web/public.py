"""Public pages: news, events, search, sitemap, robots, uploads and health."""

import re
from datetime import date
from functools import cache
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_from_directory,
)
from flask_babel import gettext
from sqlalchemy import select

from eventsvc import queries
from eventsvc.extensions import db
from eventsvc.search import word_matcher
from eventsvc.services.registration import refusal as registration_refusal
from eventsvc.web.page_cache import cached_page

bp = Blueprint("public", __name__)

_SIMPLE_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+)?")
_LAST_PAGE = 100_000
_MAX_QUERY = 200
_SEARCH_KINDS = ("all", "news", "event")
_SEARCH_TIMES = ("any", "upcoming", "past", "range")
_FIRST_SEARCH_DAY, _LAST_SEARCH_DAY = date(1900, 1, 1), date(2999, 12, 31)
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


def event_filters() -> queries.EventFilters:
    """The series, tag and organisation (slugs) that the query string narrows events to.

    Parsed values only: a slug that names nothing is a missing page, so no query string
    can have a listing kept under another's key (EventFilters.key).
    """
    filters = queries.EventFilters(_slug_arg("series"), _slug_arg("tag"), _slug_arg("organization"))
    if not queries.filters_exist(filters):
        abort(404)
    return filters


@bp.route("/events")
def events():
    filters, number = event_filters(), _page_number()
    key = f"events:{number}:{filters.key}"
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
    found = queries.published_event(slug)
    if found is None:
        abort(410 if queries.event_gone(slug) else 404)
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
    query, problems = _search_query()
    number = _page_number()
    results = queries.search(query, number) if query.text else None
    if results and results.page.is_beyond_end:
        abort(404)
    return render_template(
        "public/search.html",
        query=query,
        results=results,
        problems=problems,
        matches=word_matcher(query.words),
    )


def _search_query() -> tuple[queries.SearchQuery, list[str]]:
    """The search the query string asks for, and what in it could not be read."""
    args = request.args
    kind = args.get("kind", "all") if args.get("kind") in _SEARCH_KINDS else "all"
    when = args.get("when", "any") if args.get("when") in _SEARCH_TIMES else "any"
    problems: list[str] = []
    first = _search_day("from", gettext("From"), problems)
    last = _search_day("to", gettext("To"), problems)
    if when == "any" and (first or last):
        when = "range"
    text = args.get("q", "").strip()[:_MAX_QUERY]
    return queries.SearchQuery(text, kind, when, first, last), problems


def _search_day(name: str, label: str, problems: list[str]) -> date | None:
    """The date in ?<name>=, or None; a date that cannot be read adds to `problems`."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not _FIRST_SEARCH_DAY <= day <= _LAST_SEARCH_DAY:
        problems.append(gettext("%(label)s: enter a date such as 2026-07-30.", label=label))
        return None
    return day


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


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask here for the icon of a page without one (the news feed, a calendar).

    Answered from memory: browsers often drop this request half-way, which would leave an
    open file behind."""
    response = Response(_favicon(), mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@cache
def _favicon() -> bytes:
    return (Path(current_app.static_folder) / "favicon.ico").read_bytes()


@bp.route("/healthz")
def healthz():
    db.session.execute(select(1))
    return {"status": "ok"}


from eventsvc.web import calendar_pages, oembed  # noqa: E402, F401 - their routes join this blueprint
from eventsvc.web.registration import form_for as registration_form_for  # noqa: E402
