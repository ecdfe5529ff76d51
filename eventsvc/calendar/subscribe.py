"""Where a calendar app subscribes to a feed: one address in, a link for each app out.

Pure. Apple Calendar and Outlook on Windows or Mac take the webcal:// address; Outlook.com
and Microsoft 365 have pages that add a calendar from the web; Google's `?cid=` shortcut
is unreliable for feeds from other sites (ICAL-INTEROP item 22), so the Google link opens
its "From URL" page, where the reader pastes the address (the page copies it for them).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from eventsvc.calendar.links import webcal_url

GOOGLE_FROM_URL = "https://calendar.google.com/calendar/u/0/r/settings/addbyurl"
OUTLOOK_COM_ADD = "https://outlook.live.com/calendar/0/addfromweb"
MICROSOFT_365_ADD = "https://outlook.office.com/calendar/0/addfromweb"


@dataclass(frozen=True)
class SubscribeLinks:
    """One feed's address and the links that subscribe a calendar app to it."""

    address: str
    webcal: str
    google: str
    outlook_com: str
    microsoft_365: str


def subscribe_links(address: str, name: str) -> SubscribeLinks:
    """The links for the feed at this https:// address, named `name` in the reader's app."""
    query = urlencode({"url": address, "name": name})
    return SubscribeLinks(
        address=address,
        webcal=webcal_url(address),
        google=GOOGLE_FROM_URL,
        outlook_com=f"{OUTLOOK_COM_ADD}?{query}",
        microsoft_365=f"{MICROSOFT_365_ADD}?{query}",
    )
