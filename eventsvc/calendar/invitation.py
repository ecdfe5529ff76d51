"""Email invitations (iTIP): METHOD:REQUEST for a registrant, METHOD:CANCEL to remove it."""

from icalendar import Calendar, vCalAddress, vText

from eventsvc.calendar.events import private_vevent
from eventsvc.timezones import now

PRODID = "-//eventsvc//invitation//EN"


def build_invitation(
    event,
    registration,
    method: str,
    sequence: int,
    organizer: tuple[str, str],
    base_url: str,
    language: str = "en",
) -> bytes:
    """Build the invitation a registrant's email carries (objects in, bytes out).

    `sequence` is the SEQUENCE this person's stream gives it (services/notifications.py),
    above any they received before; `organizer` is the site's (name, email address). Its
    words are in `language`, the registrant's.
    """
    joins = method == "REQUEST"
    vevent = private_vevent(event, base_url, with_join_link=joins, language=language)
    if method == "CANCEL":
        vevent["STATUS"] = "CANCELLED"
    for name, value in (("SEQUENCE", sequence), ("DTSTAMP", now())):
        vevent.pop(name)
        vevent.add(name, value)
    name, address = organizer
    organizer_address = vCalAddress(f"mailto:{address}")
    organizer_address.params["CN"] = vText(name)
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
