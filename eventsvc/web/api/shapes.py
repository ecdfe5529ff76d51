"""Rows into the API's JSON shapes (schemas.py checks each answer against its model)."""

from flask import current_app, url_for

from eventsvc.calendar.events import page_url
from eventsvc.calendar.links import (
    google_calendar_url,
    office_calendar_url,
    outlook_calendar_url,
    webcal_url,
)
from eventsvc.models import Event, NewsItem, Organization, Registration, Series, Tag
from eventsvc.services.registration import active_questions, refusal
from eventsvc.text import excerpt_of, render_markdown
from eventsvc.web.api.auth import caller
from eventsvc.web.feeds import feed_url
from eventsvc.web.presenters import absolute_url, http_url, image_src, iso_local, iso_utc


def _base_url() -> str:
    return current_app.config["BASE_URL"]


def _maybe_utc(instant) -> str | None:
    return iso_utc(instant) if instant else None


def _image(path: str | None, url: str | None, alt: str) -> dict | None:
    source = absolute_url(image_src(path, url))
    return {"url": source, "alt": alt} if source else None


def _registration_info(event: Event) -> dict:
    return {
        "enabled": event.registration_enabled,
        "open": refusal(event) is None,
        "opens_at": _maybe_utc(event.registration_opens),
        "closes_at": _maybe_utc(event.registration_closes),
        "approval": event.approval_required,
        "waitlist": event.waitlist_enabled,
        "confirm_email": event.confirm_email,
        "questions": [
            {
                "id": question.id,
                "type": question.type,
                "label": question.label,
                "required": question.required,
                "help_text": question.help_text,
                "choices": list(question.choices),
                "translations": {
                    code: {
                        "label": text.get("label", ""),
                        "help_text": text.get("help_text", ""),
                        "choices": list(text.get("choices", [])),
                    }
                    for code, text in (question.translations or {}).items()
                },
            }
            for question in active_questions(event)
        ],
    }


def _event_urls(event: Event) -> dict:
    base = _base_url()
    ics = feed_url("feeds.event_calendar", slug=event.slug)
    register = f"{base}{url_for('public.register', slug=event.slug)}"
    return {
        "page": page_url(event, base),
        "ics": ics,
        "webcal": webcal_url(ics),
        "google": google_calendar_url(event, base),
        "outlook": outlook_calendar_url(event, base),
        "office": office_calendar_url(event, base),
        "register": register if event.registration_enabled else None,
    }


def _named(item) -> dict:
    return {"name": item.name, "slug": item.slug}


def event_json(event: Event) -> dict:
    """An event as EventOut: no join link, no internal note, no registrant; seats left for
    staff only."""
    venue = {"name": event.venue, "address": event.address}
    return {
        "slug": event.slug,
        "title": event.title,
        "language": event.language,
        "translations": {
            code: {
                "title": text.get("title", ""),
                "summary": text.get("summary", ""),
                "description_html": str(render_markdown(text.get("body", ""))),
                "consent_text": text.get("consent_text", ""),
            }
            for code, text in (event.translations or {}).items()
        },
        "kind": event.kind,
        "status": event.status,
        "status_reason": event.status_reason,
        "previous_starts_at": _maybe_utc(event.previous_starts_at),
        "visibility": event.visibility,
        "all_day": event.all_day,
        "starts_at": iso_utc(event.starts_at),
        "ends_at": iso_utc(event.ends_at),
        "timezone": event.timezone,
        "local_start": iso_local(event.starts_at, event.timezone),
        "local_end": iso_local(event.ends_at, event.timezone),
        "summary": event.summary,
        "description_html": str(render_markdown(event.body)),
        "credits": [credit.as_dict() for credit in event.credits],
        "series": _named(event.series) if event.series else None,
        "tags": [_named(tag) for tag in event.tags],
        "venue": venue if any(venue.values()) else None,
        "image": _image(event.image_path, event.image_url, event.image_alt),
        "capacity": event.capacity,
        # A live count would tell whoever registers someone whether they were new (§5).
        "seats_left": event.seats_left if caller() is not None else None,
        "registration": _registration_info(event),
        "recordings": [
            {"url": r.url, "title": r.title, "published_at": iso_utc(r.published_at)}
            for r in event.recordings
        ],
        "sequence": event.sequence,
        "calendar_changed_at": iso_utc(event.calendar_changed_at),
        "updated_at": iso_utc(event.updated_at),
        "urls": _event_urls(event),
    }


def news_json(item: NewsItem) -> dict:
    """A published news item as NewsOut, with the published events it links."""
    base = _base_url()
    return {
        "slug": item.slug,
        "title": item.title,
        "label": item.label,
        "language": item.language,
        "translations": {
            code: {
                "title": text.get("title", ""),
                "excerpt": text.get("excerpt", ""),
                "body_html": str(render_markdown(text.get("body", ""))),
            }
            for code, text in (item.translations or {}).items()
        },
        "excerpt": excerpt_of(item.excerpt, item.body),
        "body_html": str(render_markdown(item.body)),
        "published_at": iso_utc(item.published_at),
        "updated_at": iso_utc(item.updated_at),
        "url": f"{base}{url_for('public.news', slug=item.slug)}",
        "events": [
            {
                "slug": event.slug,
                "title": event.title,
                "starts_at": iso_utc(event.starts_at),
                "url": page_url(event, base),
            }
            for event in item.events
            if event.is_published
        ],
    }


def _feed(endpoint: str, slug: str) -> dict:
    ics = feed_url(endpoint, slug=slug)
    return {"ics": ics, "webcal": webcal_url(ics)}


def organization_json(organization: Organization) -> dict:
    """An organisation with its logo and its calendar feed."""
    return {
        "slug": organization.slug,
        "name": organization.name,
        "url": http_url(organization.url),
        "description": organization.description,
        "logo": _image(organization.logo_path, organization.logo_url, organization.logo_alt),
        "feed": _feed("feeds.organization_calendar", organization.slug),
    }


def series_json(series: Series) -> dict:
    """A series with its calendar feed."""
    return {
        "slug": series.slug,
        "name": series.name,
        "description": series.description,
        "feed": _feed("feeds.series_calendar", series.slug),
    }


def tag_json(tag: Tag) -> dict:
    """A tag with its calendar feed."""
    return {"slug": tag.slug, "name": tag.name, "feed": _feed("feeds.tag_calendar", tag.slug)}


def registration_json(registration: Registration) -> dict:
    """A registration as staff see it."""
    return {
        "id": registration.id,
        "name": registration.name,
        "email": registration.email,
        "state": registration.state,
        "waitlist_position": registration.waitlist_position,
        "answers": registration.answers,
        "timezone": registration.timezone,
        "language": registration.language,
        "created_at": iso_utc(registration.created_at),
    }
