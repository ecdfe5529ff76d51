"""Template filters and globals: how instants, credits and text appear on pages."""

from datetime import datetime

from flask import Flask, current_app

from eventsvc import timezones
from eventsvc.text import excerpt_of, join_names, render_markdown


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
    app.add_template_filter(timezones.describe, "describe_time")
    app.add_template_global(excerpt_of)
    app.add_template_global(timezones.zone_label)

    @app.context_processor
    def site() -> dict:
        return {"site_name": current_app.config["SITE_NAME"]}
