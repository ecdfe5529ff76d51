"""Links that add one event to a calendar, and the webcal:// form of a feed's address.

Pure: an event, the site's base URL and the reader's language in, URLs out. Times are UTC
(…Z), all-day events are dates with an exclusive end, and no link carries the join link
(ICAL-INTEROP 17, 22).
"""

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from eventsvc.calendar.events import credits_sentence, location_value, page_url
from eventsvc.models import Event
from eventsvc.text import trim_words
from eventsvc.timezones import as_utc
from eventsvc.translated import text_in

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
# Outlook.com (personal accounts) and Microsoft 365 (work and school accounts).
OUTLOOK_COMPOSE = "https://outlook.live.com/calendar/0/deeplink/compose"
OFFICE_COMPOSE = "https://outlook.office.com/calendar/0/deeplink/compose"


def webcal_url(url: str) -> str:
    """The feed address for Apple Calendar and Outlook desktop: https:// becomes webcal://."""
    return "webcal://" + url.split("://", 1)[-1]


def details_text(event: Event, base_url: str, language: str = "en") -> str:
    """A short plain description for add-to-calendar links: summary, credits, the page."""
    summary = trim_words(text_in(event, "summary", language))
    parts = [summary, credits_sentence(event), page_url(event, base_url, language)]
    return "\n\n".join(part for part in parts if part)


def _span(event: Event) -> tuple[date | datetime, date | datetime]:
    """Start and exclusive end: dates for all-day events, UTC instants otherwise."""
    if event.all_day:
        return event.start_date, event.end_date + timedelta(days=1)
    return as_utc(event.starts_at), as_utc(event.ends_at)


def google_calendar_url(event: Event, base_url: str, language: str = "en") -> str:
    """Google Calendar's 'create event' form, filled in."""
    start, end = _span(event)
    form = "%Y%m%d" if event.all_day else "%Y%m%dT%H%M%SZ"
    query = {
        "action": "TEMPLATE",
        "text": text_in(event, "title", language),
        "dates": f"{start:{form}}/{end:{form}}",
        "details": details_text(event, base_url, language),
        "location": location_value(event, None),
    }
    return f"{GOOGLE_TEMPLATE}?{urlencode(query)}"


def outlook_calendar_url(
    event: Event, base_url: str, language: str = "en", compose: str = OUTLOOK_COMPOSE
) -> str:
    """Outlook on the web's 'new event' form, filled in: Outlook.com's, or `compose`'s."""
    start, end = _span(event)
    form = "%Y-%m-%d" if event.all_day else "%Y-%m-%dT%H:%M:%SZ"
    query = {
        "subject": text_in(event, "title", language),
        "startdt": f"{start:{form}}",
        "enddt": f"{end:{form}}",
        "body": details_text(event, base_url, language),
        "location": location_value(event, None),
    }
    if event.all_day:
        query["allday"] = "true"
    return f"{compose}?{urlencode(query)}"


def office_calendar_url(event: Event, base_url: str, language: str = "en") -> str:
    """Microsoft 365's 'new event' form, filled in."""
    return outlook_calendar_url(event, base_url, language, OFFICE_COMPOSE)
