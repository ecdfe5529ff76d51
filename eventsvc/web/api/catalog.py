"""News, and the organisations, series and tags that published events use."""

from eventsvc import queries
from eventsvc.extensions import db
from eventsvc.web.api import bp, spec
from eventsvc.web.api.auth import public
from eventsvc.web.api.errors import not_found
from eventsvc.web.api.events import OPTIONAL_TOKEN
from eventsvc.web.api.http import not_modified, page, statuses, window
from eventsvc.web.api.schemas import (
    NewsOut,
    NewsPage,
    OrganizationPage,
    PageQuery,
    SeriesPage,
    TagPage,
)
from eventsvc.web.api.shapes import news_json, organization_json, series_json, tag_json


def _listing(model, errors=(401,)):
    return spec.validate(
        resp=statuses(*errors, HTTP_200=model, HTTP_304=not_modified()),
        tags=["news and catalogue"],
        security=OPTIONAL_TOKEN,
    )


def _page_of_choices(kind: str, query: PageQuery, shape) -> dict:
    offset, limit = window(query)
    return page(queries.filter_choices()[kind][offset : offset + limit], query, shape)


@bp.get("/news")
@public
@_listing(NewsPage)
def list_news(query: PageQuery):
    """List published news items, newest first, with the published events they link."""
    offset, limit = window(query)
    items = db.session.scalars(queries.news_listing().offset(offset).limit(limit)).all()
    return page(list(items), query, news_json)


@bp.get("/news/<slug>")
@public
@_listing(NewsOut, errors=(401, 404))
def get_news(slug: str):
    """Show one published news item."""
    item = queries.published_news(slug)
    if item is None:
        raise not_found()
    return news_json(item)


@bp.get("/organizations")
@public
@_listing(OrganizationPage)
def list_organizations(query: PageQuery):
    """List the organisations credited on published events, by name, with their feeds."""
    return _page_of_choices("organizations", query, organization_json)


@bp.get("/series")
@public
@_listing(SeriesPage)
def list_series(query: PageQuery):
    """List the series of published events, by name, with their feeds."""
    return _page_of_choices("series", query, series_json)


@bp.get("/tags")
@public
@_listing(TagPage)
def list_tags(query: PageQuery):
    """List the tags of published events, by name, with their feeds."""
    return _page_of_choices("tags", query, tag_json)
