"""Pages partner sites show in a frame: upcoming events of the site, an organisation, a
series or a topic, and single event or news cards (what /oembed hands to a CMS).

The only pages another site may frame (security.allow_framing). Compact, in the site's
style; every link opens our site in a new tab, so registering never happens inside
someone else's page. Each has a copy-paste snippet (`embed_snippet`).
"""

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from eventsvc import queries
from eventsvc.models import Organization, Series, Tag
from eventsvc.security import allow_framing
from eventsvc.web.page_cache import cached_page

bp = Blueprint("embed", __name__)
bp.after_request(allow_framing)

DEFAULT_LIMIT = 5
MAX_LIMIT = 20
LISTING_HEIGHT = 480
CARD_HEIGHT = {"event": 320, "news": 260}


@dataclass(frozen=True)
class Listing:
    """A listing of events shown on our site, with its feed and its embeddable version."""

    name: str  # as in a sentence: "events with Amnesty", "the series …"
    title: str  # as a heading: "Events with Amnesty"
    page: str
    feed: str
    embed: str


def _absolute(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def site_listing() -> Listing:
    """The site's own listing of upcoming events."""
    return Listing(
        gettext("all events"),
        gettext("Upcoming events"),
        _absolute("public.events"),
        _absolute("feeds.site_calendar"),
        _absolute("embed.site_events"),
    )


_KINDS = {
    # filter name: (model, sentence, heading, feed endpoint, embed endpoint)
    "organization": (
        Organization,
        _l("events with %(name)s"),
        _l("Events with %(name)s"),
        "feeds.organization_calendar",
        "embed.organization_events",
    ),
    "series": (
        Series,
        _l("the series %(name)s"),
        "%(name)s",
        "feeds.series_calendar",
        "embed.series_events",
    ),
    "tag": (
        Tag,
        _l("the topic %(name)s"),
        _l("Events on %(name)s"),
        "feeds.tag_calendar",
        "embed.tag_events",
    ),
}


def listing_of(kind: str, item) -> Listing:
    """The listing of one organisation, series or tag (`kind` as the events filter names it)."""
    _model, sentence, heading, feed, embed = _KINDS[kind]
    return Listing(
        sentence % {"name": item.name},
        heading % {"name": item.name},
        _absolute("public.events", **{kind: item.slug}),
        _absolute(feed, slug=item.slug),
        _absolute(embed, slug=item.slug),
    )


def listings_for(filters: queries.EventFilters) -> list[Listing]:
    """The listings behind a filtered view: the site's, or one per filter chosen."""
    if not filters.active:
        return [site_listing()]
    chosen = (
        ("organization", filters.organization),
        ("series", filters.series),
        ("tag", filters.tag),
    )
    found = [(kind, queries.by_slug(_KINDS[kind][0], slug)) for kind, slug in chosen if slug]
    return [listing_of(kind, item) for kind, item in found if item is not None]


def embed_snippet(url: str, title: str, height: int = LISTING_HEIGHT, width: str = "100%") -> str:
    """The HTML a partner pastes into their page to show one of our embeddable pages."""
    return (
        f'<iframe src="{escape(url)}" title="{escape(title)}" width="{width}" '
        f'height="{height}" style="border:0;max-width:40rem" loading="lazy"></iframe>'
    )


def _limit() -> int:
    """?limit=, from 1 to MAX_LIMIT; anything else is the default."""
    text = request.args.get("limit", "")
    return min(max(int(text), 1), MAX_LIMIT) if text.isdigit() else DEFAULT_LIMIT


def _listing_page(listing: Listing, filters: queries.EventFilters, limit: int):
    events = queries.upcoming_events(filters, limit=limit)
    page = render_template("embed/listing.html", listing=listing, events=events)
    return page, [event.ends_at for event in events]


@bp.route("/events")
def site_events():
    """The site's upcoming events."""
    limit = _limit()
    return cached_page(
        f"embed:site:{limit}",
        lambda: _listing_page(site_listing(), queries.EventFilters(), limit),
    )


def _filtered(kind: str, slug: str):
    limit = _limit()
    model = _KINDS[kind][0]

    def build():
        item = queries.by_slug(model, slug)
        if item is None:
            abort(404)
        filters = queries.EventFilters(**{kind: slug})
        return _listing_page(listing_of(kind, item), filters, limit)

    return cached_page(f"embed:{kind}:{slug}:{limit}", build)


@bp.route("/organizations/<slug>")
def organization_events(slug: str):
    """The upcoming events an organisation is credited on."""
    return _filtered("organization", slug)


@bp.route("/series/<slug>")
def series_events(slug: str):
    """The upcoming events of a series."""
    return _filtered("series", slug)


@bp.route("/tags/<slug>")
def tag_events(slug: str):
    """The upcoming events on a topic."""
    return _filtered("tag", slug)


@bp.route("/events/<slug>")
def event_card(slug: str):
    """One published event as a card."""

    def build():
        event = queries.published_event(slug)
        if event is None:
            abort(404)
        return render_template("embed/event.html", event=event), event.milestones

    return cached_page(f"embed:event:{slug}", build)


@bp.route("/news/<slug>")
def news_card(slug: str):
    """One published news item as a card."""

    def build():
        item = queries.published_news(slug)
        if item is None:
            abort(404)
        return render_template("embed/news.html", item=item), []

    return cached_page(f"embed:news:{slug}", build)


bp.add_app_template_global(embed_snippet)
bp.add_app_template_global(listings_for)
bp.add_app_template_global(listing_of)
