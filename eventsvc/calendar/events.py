"""One event as a VEVENT: the public feed entry, or a registrant's copy with the join link.

Pure: an event, the site's base URL and a language in, an icalendar component (or its
bytes) out. An entry in another language than English has the event's translated title
and summary where it has them, and every fixed word in that language; its UID is the same.
Times are UTC (…Z) and all-day events are dates with an exclusive end, which every
client reads the same way (ICAL-INTEROP items 7-10). No ORGANIZER: feeds must not
invite RSVP mail (item 14); invitations add their own.
"""

from datetime import timedelta

from flask_babel import force_locale, gettext, lazy_gettext
from icalendar import Event as VEvent
from icalendar import vText
from markupsafe import Markup, escape

from eventsvc.languages import SOURCE, prefixed
from eventsvc.models import Event
from eventsvc.text import join_names, one_line
from eventsvc.timezones import as_utc, describe
from eventsvc.translated import text_in

STATUS_VALUES = {
    "scheduled": "CONFIRMED",
    "rescheduled": "CONFIRMED",
    "postponed": "TENTATIVE",
    "cancelled": "CANCELLED",
}
# Some clients ignore STATUS, so the title itself says what happened (item 13).
SUMMARY_PREFIXES = {
    "cancelled": lazy_gettext("Cancelled: %(title)s"),
    "postponed": lazy_gettext("Postponed: %(title)s"),
}


def page_url(event: Event, base_url: str, language: str = SOURCE) -> str:
    """The public page of an event (DESIGN §7), in a language."""
    return base_url + prefixed(f"/events/{event.slug}", language)


def summary_line(event: Event, language: str = SOURCE) -> str:
    """The entry's title, prefixed when the event is cancelled or postponed."""
    title = text_in(event, "title", language)
    prefix = SUMMARY_PREFIXES.get(event.status)
    return str(prefix) % {"title": title} if prefix else title


def _credit_parts(event: Event, name_of) -> list[str]:
    """['Co-hosted by A and B', 'moderated by C'], each name rendered by `name_of`."""
    parts = []
    for index, (phrase, credits) in enumerate(event.credit_groups):
        lead = phrase if index == 0 else phrase[0].lower() + phrase[1:]
        parts.append(f"{lead} {join_names([str(name_of(credit)) for credit in credits])}")
    return parts


def credits_sentence(event: Event) -> str:
    """Credits as one sentence: 'Co-hosted by A and B, moderated by C.' ('' if none)."""
    parts = _credit_parts(event, lambda credit: credit.name)
    return ", ".join(parts) + "." if parts else ""


def status_line(event: Event) -> str:
    """What happened to the event, with the staff's reason ('' when on as planned)."""
    reason = f" {event.status_reason.strip()}" if event.status_reason.strip() else ""
    if event.status == "cancelled":
        return gettext("This event is cancelled.") + reason
    if event.status == "postponed":
        return gettext("This event is postponed; a new date will follow.") + reason
    if event.status == "rescheduled" and event.previous_starts_at:
        was = describe(event.previous_starts_at, event.timezone)
        return gettext("This event was rescheduled; it was to start %(was)s.", was=was) + reason
    return ""


def time_line(event: Event) -> str:
    """The start in the event's own zone with its offset, for readers in other zones."""
    if event.all_day:
        return ""
    return gettext("Starts %(when)s.", when=describe(event.starts_at, event.timezone))


def location_value(event: Event, join_url: str | None) -> str:
    """Venue and address, or 'Online'; the join link itself for a registrant's copy."""
    if not join_url or event.kind == "in_person":
        return event.location_text
    if event.kind == "webinar":
        return join_url
    place = ", ".join(part for part in (event.venue, event.address) if part)
    if not place:
        return join_url
    return gettext("%(place)s and online: %(link)s", place=place, link=join_url)


def description_text(
    event: Event, base_url: str, join_url: str | None = None, language: str = SOURCE
) -> str:
    """The plain DESCRIPTION: summary, status, time, credits, join and recording links, page."""
    summary = text_in(event, "summary", language).strip()
    lines = [summary, status_line(event), time_line(event), credits_sentence(event)]
    if join_url:
        lines.append(gettext("Join online: %(link)s", link=join_url))
    for recording in event.recordings:
        lines.append(gettext("Recording: %(link)s", link=recording.url))
    lines.append(gettext("Event page: %(link)s", link=page_url(event, base_url, language)))
    return "\n\n".join(line for line in lines if line)


def _link(url: str | None, text: str) -> Markup:
    """An HTML link, or the text alone when the address is not a web link."""
    if url and url.lower().startswith(("https://", "http://")):
        return Markup('<a href="{}">{}</a>').format(url, text)
    return escape(text)


def _credits_html(event: Event) -> Markup:
    """The credits sentence with a link on each name that has a web address."""
    parts = _credit_parts(event, lambda credit: _link(credit.credited.url, credit.name))
    # The role phrases are fixed text and every name was escaped by _link.
    return Markup(", ".join(parts) + ".") if parts else Markup("")  # noqa: S704


def description_html(
    event: Event, base_url: str, join_url: str | None = None, language: str = SOURCE
) -> str:
    """The same description as HTML, for clients that read X-ALT-DESC."""
    summary = text_in(event, "summary", language).strip()
    paragraphs = [escape(summary), escape(status_line(event))]
    paragraphs += [escape(time_line(event)), _credits_html(event)]
    if join_url:
        # Formatting an escaped Markup escapes the values, and the link is Markup already.
        joining = escape(gettext("Join online: %(link)s"))
        paragraphs.append(joining % {"link": _link(join_url, join_url)})
    for recording in event.recordings:
        title = recording.title or gettext("Watch the recording")
        paragraphs.append(_link(recording.url, title))
    paragraphs.append(_link(page_url(event, base_url, language), gettext("Event page")))
    return "".join(Markup("<p>{}</p>").format(p) for p in paragraphs if p)


def category_values(event: Event) -> list[str]:
    """The tag names in a fixed order, a tag with commas split in its parts.

    Sorted here because a new event's tags are in the order staff gave them until it is
    loaded again. Parsers disagree on an escaped comma inside CATEGORIES (allenporter's
    ical splits there anyway), so no value carries one.
    """
    parts = {part.strip() for tag in event.tags for part in tag.name.split(",")}
    return sorted((part for part in parts if part), key=lambda name: (name.casefold(), name))


def _add_times(component: VEvent, event: Event) -> None:
    if event.all_day:
        component.add("dtstart", event.start_date)
        component.add("dtend", event.end_date + timedelta(days=1))
    else:
        component.add("dtstart", as_utc(event.starts_at))
        component.add("dtend", as_utc(event.ends_at))


def vevent(
    event: Event, base_url: str, join_url: str | None = None, language: str = SOURCE
) -> VEvent:
    """Build the event's VEVENT in a language; a `join_url` goes into URL, LOCATION and
    DESCRIPTION."""
    with force_locale(language):
        return _vevent(event, base_url, join_url, language)


def _vevent(event: Event, base_url: str, join_url: str | None, language: str) -> VEvent:
    component = VEvent()
    component.add("uid", event.uid)
    component.add("sequence", event.sequence)
    changed = as_utc(event.calendar_changed_at)
    component.add("dtstamp", changed)
    component.add("last-modified", changed)
    _add_times(component, event)
    component.add("summary", vText(summary_line(event, language)))
    component.add("description", vText(description_text(event, base_url, join_url, language)))
    component.add(
        "x-alt-desc",
        vText(description_html(event, base_url, join_url, language)),
        parameters={"FMTTYPE": "text/html"},
    )
    # A URI may hold no line break: stored values written before that was checked keep one.
    component.add("url", one_line(join_url or page_url(event, base_url, language)))
    if location := location_value(event, join_url):
        component.add("location", vText(location))
    if categories := category_values(event):
        component.add("categories", categories)
    component.add("status", STATUS_VALUES[event.status])
    return component


def public_vevent(event: Event, base_url: str, language: str = SOURCE) -> VEvent:
    """The entry public feeds carry: never a join link."""
    return vevent(event, base_url, language=language)


def private_vevent(
    event: Event, base_url: str, with_join_link: bool = True, language: str = SOURCE
) -> VEvent:
    """A registrant's copy: the join link in URL, LOCATION and DESCRIPTION (item 17)."""
    return vevent(event, base_url, event.join_url if with_join_link else None, language)


def public_entry(event: Event, base_url: str, language: str = SOURCE) -> bytes:
    """The public entry's bytes, as stored with the event and concatenated into feeds."""
    return public_vevent(event, base_url, language).to_ical()


def private_entry(event: Event, base_url: str, language: str = SOURCE) -> bytes:
    """A registrant's entry's bytes, for the personal feed."""
    return private_vevent(event, base_url, language=language).to_ical()
