"""Template filters and globals: how instants, credits and text appear on pages."""

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask, current_app, url_for
from markupsafe import Markup

from eventsvc import timezones
from eventsvc.text import (
    excerpt_of,
    highlight,
    join_names,
    passage,
    plain_text,
    render_markdown,
    trim_words,
    words_of,
)


def iso_utc(instant: datetime) -> str:
    """An instant as ISO 8601 UTC with Z, for <time datetime> and JSON-LD."""
    return timezones.as_utc(instant).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_local(instant: datetime, zone_name: str) -> str:
    """An instant as ISO 8601 with the zone's offset, e.g. 2026-07-30T10:00:00-04:00."""
    return timezones.to_local(instant, zone_name).isoformat()


def event_when(event) -> str:
    """The event's time in its own zone, with abbreviation and offset."""
    if event.all_day:
        first, last = event.start_date, event.end_date
        if first == last:
            return f"{first:%A} {first.day} {first:%B %Y} (all day)"
        return f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y} (all day)"
    start, end = event.local_start, event.local_end
    until = (
        f"{end:%H:%M}"
        if start.date() == end.date()
        else timezones.describe(event.ends_at, event.timezone)
    )
    return f"{timezones.describe(event.starts_at, event.timezone)} – {until}"


def http_url(url: str | None) -> str | None:
    """The URL when it is a web or mail link, else None (no javascript: or data: links)."""
    if url and urlsplit(url.strip()).scheme.lower() in {"http", "https", "mailto"}:
        return url.strip()
    return None


def image_src(path: str | None, url: str | None) -> str | None:
    """Where an image is served from: the uploaded file, else its external web address."""
    if path:
        return url_for("public.upload", name=path)
    return http_url(url)


def absolute_url(url: str | None) -> str | None:
    """A site-relative URL made absolute with BASE_URL; other URLs unchanged."""
    if url and url.startswith("/"):
        return current_app.config["BASE_URL"] + url
    return url


_SCHEMA = "https://schema.org/"
_EVENT_STATUS = {
    "scheduled": "EventScheduled",
    "postponed": "EventPostponed",
    "rescheduled": "EventRescheduled",
    "cancelled": "EventCancelled",
}
_ATTENDANCE_MODE = {
    "webinar": "OnlineEventAttendanceMode",
    "in_person": "OfflineEventAttendanceMode",
    "hybrid": "MixedEventAttendanceMode",
}
_ORGANIZER_ROLES = ("host", "co_host", "organizer")
_PERFORMER_ROLES = ("moderator", "speaker", "panelist", "live_illustrator")


def _party(credit) -> dict:
    party = {"@type": "Organization" if credit.kind == "organization" else "Person"}
    party["name"] = credit.name
    if url := http_url(credit.credited.url):
        party["url"] = url
    return party


def _parties(event, roles: tuple[str, ...]) -> list[dict]:
    return [_party(credit) for role in roles for credit in event.credits if credit.role == role]


def _locations(event, page_url: str) -> list[dict]:
    places = []
    if event.kind != "webinar":
        place = {"@type": "Place", "name": event.venue or event.address or "To be announced"}
        if event.address:
            place["address"] = event.address
        places.append(place)
    if event.is_online:
        # The page, never the join link: that is for registrants only.
        places.append({"@type": "VirtualLocation", "url": page_url})
    return places


def _schema_times(event) -> tuple[str, str]:
    if event.all_day:
        return event.start_date.isoformat(), event.end_date.isoformat()
    return iso_local(event.starts_at, event.timezone), iso_local(event.ends_at, event.timezone)


def event_json_ld(event, page_url: str) -> dict:
    """The event as schema.org Event data for its page."""
    start, end = _schema_times(event)
    locations = _locations(event, page_url)
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": page_url,
        "startDate": start,
        "endDate": end,
        "eventStatus": _SCHEMA + _EVENT_STATUS[event.status],
        "eventAttendanceMode": _SCHEMA + _ATTENDANCE_MODE[event.kind],
        "location": locations[0] if len(locations) == 1 else locations,
        "organizer": _parties(event, _ORGANIZER_ROLES),
        "performer": _parties(event, _PERFORMER_ROLES),
        "image": absolute_url(image_src(event.image_path, event.image_url)),
        "description": excerpt_of(event.summary, event.body),
    }
    if event.status == "rescheduled" and event.previous_starts_at:
        data["previousStartDate"] = iso_local(event.previous_starts_at, event.timezone)
    return {key: value for key, value in data.items() if value}


def search_excerpt(written: str, body: str, matches: Callable[[str], bool]) -> Markup:
    """A search result's excerpt, from where the search words are, with them marked."""
    written = (written or "").strip()
    body_text = None if written else plain_text(body)  # rendered once: it is the slow part
    excerpt = written or trim_words(body_text)
    if not any(map(matches, words_of(excerpt))):
        excerpt = passage(body_text or plain_text(body), matches) or excerpt
    return highlight(excerpt, matches)


def news_date(instant: datetime | None) -> str:
    """A publication date such as '19 August 2026'."""
    if instant is None:
        return "Draft"
    return f"{instant.day} {instant:%B %Y}"


def register(app: Flask) -> None:
    """Make the filters and globals available to every template."""
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(iso_utc)
    app.add_template_filter(iso_local)
    app.add_template_filter(event_when)
    app.add_template_filter(news_date)
    app.add_template_filter(join_names)
    app.add_template_filter(http_url)
    app.add_template_global(image_src)
    app.add_template_global(absolute_url)
    app.add_template_global(event_json_ld)
    app.add_template_filter(timezones.describe, "describe_time")
    app.add_template_global(excerpt_of)
    app.add_template_global(search_excerpt)
    app.add_template_filter(highlight)
    app.add_template_global(timezones.zone_label)

    @app.context_processor
    def site() -> dict:
        return {"site_name": current_app.config["SITE_NAME"]}
