"""Calendar feeds, one event's .ics, and the news Atom feed.

Feeds follow ICAL-INTEROP items 18-21: text/calendar with a filename, a strong ETag from
the feed's membership and versions, Last-Modified, 304 on either validator, GET and HEAD
only, 404 (never an empty 200) for an unknown feed, 410 for an event taken down, and no
compression.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, abort, current_app, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from eventsvc import queries
from eventsvc.calendar import feeds, links, personal, subscribe
from eventsvc.calendar.events import public_entry
from eventsvc.extensions import db
from eventsvc.languages import current_language, prefixed, site_languages
from eventsvc.models import Event, NewsItem
from eventsvc.security import token_page
from eventsvc.services import attendees
from eventsvc.services.registration import find_by_token
from eventsvc.timezones import now
from eventsvc.translated import excerpt_in, text_in
from eventsvc.web.page_cache import Built, cached

bp = Blueprint("feeds", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
ATOM_NS = "http://www.w3.org/2005/Atom"
XHTML_NS = "http://www.w3.org/1999/xhtml"
NEWS_IN_ATOM = 50
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("", ATOM_NS)
ET.register_namespace("html", XHTML_NS)


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
    download: bool


def calendar_response(find_feed: Callable[[], queries.Feed | None]) -> Response:
    """Answer for one feed: 304 when the client's copy is current, else its bytes.

    The feed is built once per content version and kept (web/page_cache.py): a feed
    shows nothing that depends on who asks.
    """
    copy = cached(f"feed:{request.path}", lambda: _feed_copy(_found(find_feed())))
    if _not_modified(copy.etag, copy.last_modified):
        return _validated(Response(status=304), copy.etag, copy.last_modified)
    response = Response(copy.body, content_type=CALENDAR_TYPE)
    disposition = "attachment" if copy.download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{copy.filename}"'
    return _validated(response, copy.etag, copy.last_modified)


def _feed_copy(feed: queries.Feed) -> Built:
    site_name, base_url = _settings()
    moment, language, languages = now(), current_language(), site_languages()
    rows = queries.feed_rows(feed, moment, language)
    stale = feeds.stale_ids(rows, base_url, languages)
    built = queries.events_for_entries(stale) if stale else []
    rebuilt = {event.id: public_entry(event, base_url, language) for event in built}
    header = feeds.feed_header(feed.name, feed.description, site_name, feed.download)
    body = feeds.feed_bytes(header, rows, rebuilt)
    etag = feeds.feed_etag(header, rows, base_url, language, languages)
    last_change = queries.feed_last_change(moment)
    copy = FeedCopy(body, etag, last_change, feed.filename, feed.download)
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
    """One published event, as a download; 410 once it is taken down."""
    return calendar_response(lambda: _event_feed(slug))


def _event_feed(slug: str) -> queries.Feed:
    feed = queries.event_feed(slug)
    if feed is None and queries.event_gone(slug):
        abort(410)
    return feed


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
    language = current_language()
    return _private_calendar(
        personal.personal_calendar(events, site_name, base_url, language),
        personal.personal_tag(events, site_name, base_url, language),
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
    event, base_url = registration.event, current_app.config["BASE_URL"]
    language = current_language()
    return _private_calendar(
        personal.registration_download(event, base_url, language),
        personal.download_tag(event, base_url, language),
        f"{event.slug}.ics",
        "attachment",
    )


def feed_url(endpoint: str, **values) -> str:
    """A feed's https:// address under BASE_URL (for Google Calendar's 'From URL')."""
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def _text(parent, tag: str, text: str, **attributes) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attributes)
    element.text = text
    return element


def _stamp(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def _xhtml(parent, tag: str, text: str | None = None, **attributes) -> ET.Element:
    """An XHTML element inside the feed: readers skip it, browsers show it as a page."""
    element = ET.SubElement(parent, f"{{{XHTML_NS}}}{tag}", attributes)
    element.text = text
    return element


def _atom_entry(feed: ET.Element, item: NewsItem, base_url: str, language: str) -> None:
    url = base_url + prefixed(f"/news/{item.slug}", language)
    title, summary = text_in(item, "title", language), excerpt_in(item, language)
    entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
    entry.set(XML_LANG, title.lang)
    # One item in every language: the same id, so readers see one item, not two.
    _text(entry, "id", f"{base_url}/news/{item.slug}")
    _text(entry, "title", title)
    _text(entry, "published", _stamp(item.published_at))
    _text(entry, "updated", _stamp(max(item.published_at, item.updated_at)))
    _text(entry, "link", None, rel="alternate", type="text/html", href=url)
    _text(entry, "category", None, term=item.label, label=item.label_name)
    summary_element = _text(entry, "summary", summary)
    if summary.lang != title.lang:
        summary_element.set(XML_LANG, summary.lang)
    _xhtml(entry, "a", gettext("Read it on our site"), href=url)


def _about(feed: ET.Element, site_name: str, home: str) -> None:
    """What a browser shows above the items: what this page is and how to follow it."""
    _xhtml(feed, "meta", name="viewport", content="width=device-width, initial-scale=1")
    about = _xhtml(feed, "div", **{"class": "about"})
    lead = gettext("This is the news feed of %(site)s.", site=site_name)
    _xhtml(about, "p", lead, **{"class": "lead"})
    _xhtml(
        about,
        "p",
        gettext(
            "To follow our news, copy this page’s address into a feed reader: it shows you "
            "each new item as it is published."
        ),
    )
    _xhtml(_xhtml(about, "p"), "a", gettext("Read the news on our site"), href=home)


def atom_document(
    items: list[NewsItem], site_name: str, base_url: str, language: str = "en"
) -> bytes:
    """The Atom feed (RFC 4287) of these news items, newest first, readable in a browser,
    in a language: items in it where they have a translation, else as written."""
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    feed.set(XML_LANG, language)
    home, address = base_url + prefixed("/", language), base_url + prefixed("/news.atom", language)
    _about(feed, site_name, home)
    _text(feed, "id", address)
    _text(feed, "title", gettext("%(site)s — News", site=site_name))
    newest = max((max(i.published_at, i.updated_at) for i in items), default=None)
    _text(feed, "updated", _stamp(newest or queries.NEVER))
    _text(feed, "link", None, rel="alternate", type="text/html", href=home)
    _text(feed, "link", None, rel="self", type="application/atom+xml", href=address)
    _text(_text(feed, "author", None), "name", site_name)
    for item in items:
        _atom_entry(feed, item, base_url, language)
    stylesheet = f'<?xml-stylesheet type="text/css" href="{base_url}/static/atom.css"?>\n'
    body = ET.tostring(feed, encoding="unicode")
    return f"<?xml version='1.0' encoding='utf-8'?>\n{stylesheet}{body}".encode()


def _atom_type() -> str:
    """Atom for feed readers; XML for a browser, which then shows the feed as a page."""
    preferred = request.accept_mimetypes.best_match(["application/atom+xml", "text/html"])
    return XML_TYPE if preferred == "text/html" else ATOM_TYPE


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
    body = atom_document(items, site_name, base_url, current_language())
    response = Response(body, content_type=_atom_type())
    response.vary.add("Accept")
    response.add_etag()
    return response.make_conditional(request)


def subscribe_links(event: Event) -> list[dict]:
    """Feeds a reader of this event may follow: its series and its hosts' and co-hosts'."""
    found = []
    if event.series:
        url = feed_url("feeds.series_calendar", slug=event.series.slug)
        found.append({"label": gettext("the series %(name)s", name=event.series.name), "url": url})
    for credit in event.credits:
        if credit.role in queries.HOST_ROLES and credit.organization is not None:
            url = feed_url("feeds.organization_calendar", slug=credit.organization.slug)
            label = gettext("events with %(name)s", name=credit.organization.name)
            found.append({"label": label, "url": url})
    return found


@bp.app_template_global()
def google_calendar_url(event: Event) -> str:
    """Template global: the event's 'add to Google Calendar' link."""
    return links.google_calendar_url(event, current_app.config["BASE_URL"], current_language())


@bp.app_template_global()
def outlook_calendar_url(event: Event) -> str:
    """Template global: the event's 'add to Outlook.com' link."""
    return links.outlook_calendar_url(event, current_app.config["BASE_URL"], current_language())


@bp.app_template_global()
def office_calendar_url(event: Event) -> str:
    """Template global: the event's 'add to Microsoft 365' link."""
    return links.office_calendar_url(event, current_app.config["BASE_URL"], current_language())


bp.add_app_template_global(feed_url)
bp.add_app_template_global(subscribe.subscribe_links, "subscription_links")
bp.add_app_template_global(subscribe_links, "calendar_subscriptions")
bp.add_app_template_filter(links.webcal_url, "webcal")
