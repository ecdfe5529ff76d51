"""Template filters and globals: how instants, credits and text appear on pages."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from babel.dates import format_date, format_skeleton
from flask import Flask, current_app, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from eventsvc import timezones, translated
from eventsvc.config import site_timezone
from eventsvc.inputs import CODE_WORDS
from eventsvc.languages import current_language
from eventsvc.security import allow_frames
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
        return timezones.describe_days(event.start_date, event.end_date)
    return timezones.describe_period(event.starts_at, event.ends_at, event.timezone)


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


@dataclass(frozen=True)
class Player:
    """A video host's player for a recording, loaded only when the reader asks for it."""

    host: str  # as readers know it: "YouTube"
    origin: str  # where its frame comes from, which the page's policy allows
    src: str


YOUTUBE = "https://www.youtube-nocookie.com"
VIMEO = "https://player.vimeo.com"
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_HOSTS = {"youtube.com", "m.youtube.com", "youtube-nocookie.com", "music.youtube.com"}
_YOUTUBE_PATHS = ("embed", "live", "shorts", "v")
_VIMEO_PATH = re.compile(r"/(?:video/|channels/[^/]+/|groups/[^/]+/videos/)?(\d+)(?:/([0-9a-f]+))?")


def _youtube_id(host: str, path: str, query: str) -> str | None:
    if host == "youtu.be":
        found = path.strip("/")
    elif host in _YOUTUBE_HOSTS and path == "/watch":
        found = parse_qs(query).get("v", [""])[0]
    elif host in _YOUTUBE_HOSTS and path.strip("/").split("/")[0] in _YOUTUBE_PATHS:
        found = path.strip("/").split("/")[-1]
    else:
        return None
    return found if _YOUTUBE_ID.fullmatch(found) else None


def _vimeo_src(host: str, path: str) -> str | None:
    if host not in {"vimeo.com", "player.vimeo.com"}:
        return None
    found = _VIMEO_PATH.fullmatch(path.rstrip("/"))
    if not found:
        return None
    number, unlisted = found.groups()
    return f"{VIMEO}/video/{number}?autoplay=1&dnt=1" + (f"&h={unlisted}" if unlisted else "")


def video_player(url: str | None) -> Player | None:
    """The YouTube (privacy-enhanced) or Vimeo (do-not-track) player of a video's address."""
    if not http_url(url):
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    if video := _youtube_id(host, parts.path, parts.query):
        return Player("YouTube", YOUTUBE, f"{YOUTUBE}/embed/{video}?autoplay=1&rel=0")
    if src := _vimeo_src(host, parts.path):
        return Player("Vimeo", VIMEO, src)
    return None


def recording_player(url: str | None) -> Player | None:
    """A recording's player, if its host has one; the page's policy then allows its frame."""
    player = video_player(url)
    if player:
        allow_frames([player.origin])
    return player


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
        place = {
            "@type": "Place",
            "name": event.venue or event.address or gettext("To be announced"),
        }
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


def site_time(instant: datetime, short: bool = False) -> str:
    """An instant in the site's zone with its abbreviation, as admin pages show times."""
    describe = timezones.describe_short if short else timezones.describe
    return describe(instant, site_timezone())


def left_waiting_list(names: list[str]) -> str:
    """What a saved message adds about people who left the waiting list for a seat."""
    if not names:
        return ""
    if len(names) == 1:
        return " " + gettext(
            "%(name)s left the waiting list: they have a seat now and are emailed.", name=names[0]
        )
    return " " + gettext(
        "%(names)s left the waiting list: each has a seat now and is emailed.",
        names=join_names(names),
    )


def news_date(instant: datetime | None) -> str:
    """A publication date such as '19 August 2026'."""
    if instant is None:
        return gettext("Draft")
    return timezones.day_text(instant)


def tr(item, field: str) -> translated.Text:
    """Template global: an item's field in the reader's language, or its original."""
    return translated.text_in(item, field, current_language())


def lang_attribute(text) -> Markup:
    """Template filter: ` lang="…"` for a text in another language than the page's."""
    lang = getattr(text, "lang", None)
    if not lang or lang == current_language():
        return Markup("")
    return Markup(' lang="{}"').format(lang)


def excerpt_for(item) -> translated.Text:
    """Template global: a news item's excerpt in the reader's language."""
    return translated.excerpt_in(item, current_language())


def summary_for(event) -> translated.Text:
    """Template global: an event's summary (or opening words) in the reader's language."""
    return translated.summary_in(event, current_language())


def choices_for(question) -> list[tuple[str, str]]:
    """Template global: a question's choices as (value, label in the reader's language)."""
    return translated.choices_in(question, current_language())


def month_name(day, with_year: bool = True) -> str:
    """Template filter: a month in the reader's language: 'January 2027', 'Enero de 2027'."""
    language = current_language()
    if with_year:
        words = format_skeleton("yMMMM", day, locale=language)
        return words[:1].upper() + words[1:]
    return format_date(day, "LLLL", locale=language)


def weekday_name(day, short: bool = False) -> str:
    """Template filter: a day's weekday in the reader's language: 'Thursday', 'jue'."""
    return format_date(day, "EEE" if short else "EEEE", locale=current_language())


def code_word(code: str | None) -> str:
    """Template filter: a status, visibility, role or email state as a word."""
    return str(CODE_WORDS.get(code, (code or "").replace("_", " ").capitalize()))


# What the page scripts (static/*.js) say, read through static/words.js from the page's
# <body data-script-words>; %(name)s is filled in by the script.
SCRIPT_WORDS = {
    "copied": _l("Copied."),
    "copiedButton": _l("Copied"),
    "copyFailed": _l("Copying did not work: select the text and copy it by hand."),
    "copyByHand": _l("Copy the address below, then paste it there."),
    "checkedIn": _l("✓ Checked in"),
    "absent": _l("Did not attend"),
    "undo": _l("Undo"),
    "checkIn": _l("Check in"),
    "checkInOf": _l("check-in of %(name)s"),
    "notSaved": _l("Not saved: check the connection and try again."),
    "creditAdded": _l("Credit %(number)s added."),
    "creditRemoved": _l("Credit %(number)s removed."),
    "creditMoved": _l("Credit moved to position %(number)s."),
    "chosen": _l("Chosen"),
    "remove": _l("Remove"),
    "chosenItem": _l("Chosen: %(name)s."),
    "removedItem": _l("Removed %(name)s."),
    "oneMatch": _l("%(number)s event matches."),
    "manyMatch": _l("%(number)s events match."),
    "filterOperations": _l("Filter operations"),
    "operationsShown": _l("%(shown)s of %(total)s operations"),
}


def script_words() -> dict[str, str]:
    """Template global: the page scripts' words in the reader's language."""
    return {key: str(text) for key, text in SCRIPT_WORDS.items()}


def register(app: Flask) -> None:
    """Make the filters and globals available to every template."""
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(iso_utc)
    app.add_template_filter(iso_local)
    app.add_template_filter(event_when)
    app.add_template_filter(news_date)
    app.add_template_filter(site_time)
    app.add_template_filter(join_names)
    app.add_template_filter(http_url)
    app.add_template_global(image_src)
    app.add_template_global(recording_player)
    app.add_template_global(absolute_url)
    app.add_template_global(event_json_ld)
    app.add_template_filter(timezones.describe, "describe_time")
    app.add_template_global(excerpt_of)
    app.add_template_global(search_excerpt)
    app.add_template_filter(highlight)
    app.add_template_global(timezones.zone_label)
    app.add_template_global(tr)
    app.add_template_global(script_words)
    app.add_template_filter(month_name)
    app.add_template_filter(weekday_name)
    app.add_template_filter(timezones.long_day)
    app.add_template_filter(timezones.short_day)
    app.add_template_filter(code_word, "word")
    app.add_template_filter(lang_attribute, "lang")
    app.add_template_filter(translated.language_parts)
    app.add_template_global(excerpt_for)
    app.add_template_global(summary_for)
    app.add_template_global(choices_for)

    @app.context_processor
    def site() -> dict:
        return {
            "site_name": current_app.config["SITE_NAME"],
            "site_zone": site_timezone(),
        }
