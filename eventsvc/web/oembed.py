"""/oembed: what a CMS or social site asks to show a card for a pasted event or news link.

oEmbed 1.0, JSON only (other formats: 501): a "rich" answer whose HTML frames the item's
card from /embed/…; a link that is not one of our published events or news items is a 404.
Routes attach to the public blueprint.
"""

import re
from urllib.parse import urlsplit

from flask import abort, current_app, jsonify, request

from eventsvc import queries
from eventsvc.web.embed import CARD_HEIGHT, embed_snippet
from eventsvc.web.public import bp

DEFAULT_WIDTH = 480
_ITEM_PATH = re.compile(r"/(events|news)/([A-Za-z0-9][A-Za-z0-9_-]*)/?")
_CACHE_SECONDS = 3600


def _size(name: str, default: int) -> int:
    """The default size, or less when ?maxwidth= / ?maxheight= asks for less."""
    text = request.args.get(name, "")
    return min(default, max(int(text), 1)) if text.isdigit() else default


def _item_of(url: str):
    """("event" or "news", the published item) that a link to our site shows; else a 404."""
    parts = urlsplit(url)
    base = urlsplit(current_app.config["BASE_URL"])
    found = _ITEM_PATH.fullmatch(parts.path)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not found:
        abort(404)
    kind, slug = found.groups()
    item = queries.published_event(slug) if kind == "events" else queries.published_news(slug)
    if item is None:
        abort(404)
    return ("event" if kind == "events" else "news"), item


@bp.route("/oembed")
def oembed():
    if request.args.get("format", "json") != "json":
        abort(501)
    kind, item = _item_of(request.args.get("url", ""))
    base_url = current_app.config["BASE_URL"]
    card = f"{base_url}/embed/{'events' if kind == 'event' else 'news'}/{item.slug}"
    width, height = _size("maxwidth", DEFAULT_WIDTH), _size("maxheight", CARD_HEIGHT[kind])
    html = embed_snippet(card, item.title, height, str(width))
    response = jsonify(
        version="1.0",
        type="rich",
        title=item.title,
        provider_name=current_app.config["SITE_NAME"],
        provider_url=f"{base_url}/",
        html=html,
        width=width,
        height=height,
        cache_age=_CACHE_SECONDS,
    )
    response.headers["Cache-Control"] = f"public, max-age={_CACHE_SECONDS}"
    return response
