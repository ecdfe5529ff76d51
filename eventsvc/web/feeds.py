"""Calendar feeds, the page that explains them, one event's .ics, and the news Atom feed.

Feeds follow ICAL-INTEROP items 18-21: text/calendar with a filename, a strong ETag from
the feed's membership and versions, Last-Modified, 304 on either validator, GET and HEAD
only, 404 (never an empty 200) for an unknown feed, and no compression.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from sqlalchemy import func, select

from eventsvc import queries
from eventsvc.calendar import feeds, links, personal
from eventsvc.calendar.events import public_entry
from eventsvc.extensions import db
from eventsvc.models import Credit, Event, NewsItem, Organization, Series, Tag, event_tags
from eventsvc.security import token_page
from eventsvc.services import attendees
from eventsvc.services.registration import find_by_token
from eventsvc.text import excerpt_of
from eventsvc.timezones import now
from eventsvc.web.page_cache import Built, cached

bp = Blueprint("feeds", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
ATOM_NS = "http://www.w3.org/2005/Atom"
NEWS_IN_ATOM = 50
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("", ATOM_NS)


def _settings() -> tuple[str, str]:
    return current_app.config["SITE_NAME"], current_app.config["BASE_URL"]


def _not_modified(etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110: If-None-Match decides when sent; If-Modified-Since only otherwise."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return bool(since and last_modified and last_modified.replace(microsecond=0) <= since)


@dataclass(frozen=True)
class FeedCopy:
    """A feed as built at one content version: its bytes and validators."""

    body: bytes
    etag: str
    last_modified: datetime
    filename: str


def calendar_response(
    find_feed: Callable[[], queries.Feed | None], attachment: bool = False
) -> Response:
    """Answer for one feed: 304 when the client's copy is current, else its bytes.

    The feed is built once per content version and kept (web/page_cache.py): a feed
    shows nothing that depends on who asks.
    """
    copy = cached(f"feed:{request.path}", lambda: _feed_copy(_found(find_feed())))
    if _not_modified(copy.etag, copy.last_modified):
        return _validated(Response(status=304), copy.etag, copy.last_modified)
    response = Response(copy.body, content_type=CALENDAR_TYPE)
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{copy.filename}"'
    return _validated(response, copy.etag, copy.last_modified)


def _feed_copy(feed: queries.Feed) -> Built:
    site_name, base_url = _settings()
    moment = now()
    rows = queries.feed_rows(feed, moment)
    stale = feeds.stale_ids(rows, base_url)
    built = queries.events_for_entries(stale) if stale else []
    rebuilt = {event.id: public_entry(event, base_url) for event in built}
    header = feeds.feed_header(feed.name, feed.description, site_name)
    body = feeds.feed_bytes(header, rows, rebuilt)
    etag = feeds.feed_etag(header, rows, base_url)
    copy = FeedCopy(body, etag, queries.feed_last_change(moment), feed.filename)
    return copy, len(body), queries.leaving_times(feed, rows)


def _validated(response: Response, etag: str, last_modified: datetime | None) -> Response:
    """Add the validators, and ask caches to revalidate: a 304 is cheap."""
    response.set_etag(etag)
    if last_modified:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = "no-cache"
    return response


def _found(feed: queries.Feed | None) -> queries.Feed:
    if feed is None:
        abort(404)
    return feed


@bp.route("/calendar.ics")
def site_calendar():
    """Every listed event."""
    return calendar_response(lambda: queries.site_feed(current_app.config["SITE_NAME"]))


@bp.route("/calendar/series/<slug>.ics")
def series_calendar(slug: str):
    """The listed events of one series."""
    return calendar_response(lambda: queries.series_feed(slug))


@bp.route("/calendar/tags/<slug>.ics")
def tag_calendar(slug: str):
    """The listed events with one tag."""
    return calendar_response(lambda: queries.tag_feed(slug))


@bp.route("/calendar/organizations/<slug>.ics")
def organization_calendar(slug: str):
    """The listed events an organisation hosts or co-hosts."""
    return calendar_response(lambda: queries.organization_feed(slug))


@bp.route("/events/<slug>.ics")
def event_calendar(slug: str):
    """One published event, as a download."""
    return calendar_response(lambda: queries.event_feed(slug), attachment=True)


def _private_calendar(body: bytes, etag: str, filename: str, disposition: str) -> Response:
    """A calendar only its owner's token reaches (the view sends it as a token page)."""
    if request.if_none_match and request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(body, content_type=CALENDAR_TYPE)
        response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.set_etag(etag)
    return response


@bp.route("/calendar/personal/<token>.ics")
@token_page
def personal_calendar(token: str):
    attendee = attendees.find_by_feed_token(token)
    if attendee is None:
        abort(410 if attendees.feed_token_retired(token) else 404)
    events = attendees.confirmed_events(attendee, queries.listed(now()))
    site_name, base_url = _settings()
    return _private_calendar(
        personal.personal_calendar(events, site_name, base_url),
        personal.personal_tag(events, site_name, base_url),
        "my-events.ics",
        "inline",
    )


@bp.route("/registrations/<token>.ics")
@token_page
def registration_ics(token: str):
    registration = find_by_token(token)
    if registration is not None and registration.is_erased:
        abort(410)
    if registration is None or registration.state != "confirmed":
        abort(404)
    events = [registration.event]
    site_name, base_url = _settings()
    return _private_calendar(
        personal.personal_calendar(events, site_name, base_url),
        personal.personal_tag(events, site_name, base_url),
        f"{registration.event.slug}.ics",
        "attachment",
    )


def feed_url(endpoint: str, **values) -> str:
    """A feed's https:// address under BASE_URL (for Google Calendar's 'From URL')."""
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def _with_counts(model, *joins, moment: datetime, where=()) -> list:
    """Rows of `model` that have listed events, each with how many, by name."""
    query = select(model, func.count(func.distinct(Event.id))).select_from(model)
    for target, condition in joins:
        query = query.join(target, condition)
    query = query.where(queries.listed(moment), *where).group_by(model.id).order_by(model.name)
    return db.session.execute(query).all()


def _subscriptions(moment: datetime) -> dict[str, list]:
    """Every series, topic and organisation feed that has events, with event counts."""
    tagged = (event_tags, event_tags.c.tag_id == Tag.id), (Event, Event.id == event_tags.c.event_id)
    hosted = (
        (Credit, Credit.organization_id == Organization.id),
        (Event, Event.id == Credit.event_id),
    )
    return {
        "series": _with_counts(Series, (Event, Event.series_id == Series.id), moment=moment),
        "tags": _with_counts(Tag, *tagged, moment=moment),
        "organizations": _with_counts(
            Organization, *hosted, moment=moment, where=[Credit.role.in_(queries.HOST_ROLES)]
        ),
    }


@bp.route("/calendar")
def calendar_page():
    """How to subscribe, and every feed that has events."""
    moment = now()
    total = db.session.scalar(select(func.count(Event.id)).where(queries.listed(moment)))
    return render_template("public/calendar.html", total=total, **_subscriptions(moment))


def _text(parent, tag: str, text: str, **attributes) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attributes)
    element.text = text
    return element


def _stamp(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def _atom_entry(feed: ET.Element, item: NewsItem, base_url: str) -> None:
    url = f"{base_url}/news/{item.slug}"
    entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
    entry.set(XML_LANG, item.language)
    _text(entry, "id", url)
    _text(entry, "title", item.title)
    _text(entry, "published", _stamp(item.published_at))
    _text(entry, "updated", _stamp(max(item.published_at, item.updated_at)))
    _text(entry, "link", None, rel="alternate", type="text/html", href=url)
    _text(entry, "category", None, term=item.label, label=item.label_name)
    _text(entry, "summary", excerpt_of(item.excerpt, item.body))


def atom_document(items: list[NewsItem], site_name: str, base_url: str) -> bytes:
    """The Atom feed (RFC 4287) of these news items, newest first."""
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _text(feed, "id", f"{base_url}/news.atom")
    _text(feed, "title", f"{site_name} — News")
    newest = max((max(i.published_at, i.updated_at) for i in items), default=None)
    _text(feed, "updated", _stamp(newest or queries.NEVER))
    _text(feed, "link", None, rel="alternate", type="text/html", href=f"{base_url}/")
    _text(feed, "link", None, rel="self", type="application/atom+xml", href=f"{base_url}/news.atom")
    _text(_text(feed, "author", None), "name", site_name)
    for item in items:
        _atom_entry(feed, item, base_url)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@bp.route("/news.atom")
def news_atom():
    """The latest published news items as Atom."""
    site_name, base_url = _settings()
    items = db.session.scalars(
        select(NewsItem)
        .where(NewsItem.published_at <= now())
        .order_by(NewsItem.published_at.desc(), NewsItem.id.desc())
        .limit(NEWS_IN_ATOM)
    ).all()
    response = Response(atom_document(items, site_name, base_url), content_type=ATOM_TYPE)
    response.add_etag()
    return response.make_conditional(request)


def subscribe_links(event: Event) -> list[dict]:
    """Feeds a reader of this event may follow: its series and its hosts' and co-hosts'."""
    found = []
    if event.series:
        url = feed_url("feeds.series_calendar", slug=event.series.slug)
        found.append({"label": f"the series {event.series.name}", "url": url})
    for credit in event.credits:
        if credit.role in queries.HOST_ROLES and credit.organization is not None:
            url = feed_url("feeds.organization_calendar", slug=credit.organization.slug)
            found.append({"label": f"events with {credit.organization.name}", "url": url})
    return found


@bp.app_template_global()
def google_calendar_url(event: Event) -> str:
    """Template global: the event's 'add to Google Calendar' link."""
    return links.google_calendar_url(event, current_app.config["BASE_URL"])


@bp.app_template_global()
def outlook_calendar_url(event: Event) -> str:
    """Template global: the event's 'add to Outlook' link."""
    return links.outlook_calendar_url(event, current_app.config["BASE_URL"])


bp.add_app_template_global(feed_url)
bp.add_app_template_global(subscribe_links, "calendar_subscriptions")
bp.add_app_template_filter(links.webcal_url, "webcal")
