"""Email invitations (iTIP): METHOD:REQUEST for a registrant, METHOD:CANCEL to remove it."""

from datetime import timedelta

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from eventsvc.timezones import now

PRODID = "-//eventsvc//invitation//EN"


def _vevent(event, base_url: str, with_join_link: bool) -> VEvent:
    page = f"{base_url}/events/{event.slug}"
    join = event.join_url if with_join_link and event.is_online else None
    vevent = VEvent()
    vevent.add("UID", event.uid)
    vevent.add("SEQUENCE", event.sequence)
    if event.all_day:
        vevent.add("DTSTART", event.start_date)
        vevent.add("DTEND", event.end_date + timedelta(days=1))
    else:
        vevent.add("DTSTART", event.starts_at)
        vevent.add("DTEND", event.ends_at)
    vevent.add("SUMMARY", event.title)
    lines = [event.summary, f"Join: {join}" if join else "", page]
    vevent.add("DESCRIPTION", "\n\n".join(line for line in lines if line))
    vevent.add("LOCATION", join or event.location_text or "Online")
    vevent.add("URL", join or page)
    vevent.add("STATUS", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    return vevent


def build_invitation(event, registration, method: str, organizer: str, base_url: str) -> bytes:
    """Build the invitation a registrant's email carries (objects in, bytes out)."""
    vevent = _vevent(event, base_url, with_join_link=method == "REQUEST")
    if method == "CANCEL":
        vevent["STATUS"] = "CANCELLED"
        vevent["SEQUENCE"] = event.sequence + 1
    vevent.add("DTSTAMP", now())
    organizer_address = vCalAddress(f"mailto:{organizer}")
    organizer_address.params["CN"] = vText(base_url.split("//")[-1])
    vevent.add("ORGANIZER", organizer_address)
    attendee = vCalAddress(f"mailto:{registration.email}")
    attendee.params["CN"] = vText(registration.name)
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["PARTSTAT"] = "ACCEPTED" if method == "REQUEST" else "DECLINED"
    attendee.params["RSVP"] = "FALSE"
    vevent.add("ATTENDEE", attendee)
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("METHOD", method)
    calendar.add_component(vevent)
    return calendar.to_ical()
