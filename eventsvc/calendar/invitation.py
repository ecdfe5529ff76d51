"""Email invitations (iTIP): METHOD:REQUEST for a registrant, METHOD:CANCEL to remove it."""

from icalendar import Calendar, vCalAddress, vText

from eventsvc.calendar.events import private_vevent
from eventsvc.timezones import now

PRODID = "-//eventsvc//invitation//EN"


def build_invitation(event, registration, method: str, organizer: str, base_url: str) -> bytes:
    """Build the invitation a registrant's email carries (objects in, bytes out)."""
    vevent = private_vevent(event, base_url, with_join_link=method == "REQUEST")
    if method == "CANCEL":
        vevent["STATUS"] = "CANCELLED"
        vevent["SEQUENCE"] = event.sequence + 1
    vevent.pop("DTSTAMP")
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
