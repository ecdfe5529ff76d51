"""What staff and the public may send: the shapes, choices and limits that forms, the API's
schemas and the services share.

It imports none of them, so each can import it: a limit or a choice is written here once.
"""

from dataclasses import dataclass, field
from datetime import datetime

import pytz
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from eventsvc.text import has_control_character
from eventsvc.timezones import Schedule

# Events.
KINDS = ("webinar", "in_person", "hybrid")
KIND_LABELS = {"webinar": _l("Webinar"), "in_person": _l("In person"), "hybrid": _l("Hybrid")}
STATUSES = ("scheduled", "postponed", "rescheduled", "cancelled")
VISIBILITIES = ("draft", "published")
ROLES = ("host", "co_host", "moderator", "speaker", "panelist", "live_illustrator", "organizer")
ROLE_LABELS = {
    "host": _l("Host"),
    "co_host": _l("Co-host"),
    "moderator": _l("Moderator"),
    "speaker": _l("Speaker"),
    "panelist": _l("Panelist"),
    "live_illustrator": _l("Live illustrator"),
    "organizer": _l("Organiser"),
}
CREDITED_KINDS = ("organization", "person")
MAX_CAPACITY = 1_000_000  # places an event may offer; more is a typing slip (and overflows)
TITLE_LIMIT = 300
SUMMARY_LIMIT = 2000
REASON_LIMIT = 2000
VENUE_LIMIT = 300
ADDRESS_LIMIT = 500
URL_LIMIT = 1000
PROFILE_URL_LIMIT = 500  # an organisation's or person's web address
NAME_LIMIT = 200  # a person's, organisation's or series' name
AFFILIATION_LIMIT = 300  # a person's role and organisation
TAG_LIMIT = 100
ALT_LIMIT = 300
MAX_CREDITS = 60
MAX_TAGS = 50
SINGLE_LINE_ERROR = _l("Remove line breaks, tabs and other control characters")


def single_line_error(value: object) -> str | None:
    """Why a one-line value (a title, a name, a venue, a web address, a subject) is refused,
    or None: it must hold no line break or other control character.

    Forms and API schemas both check the value as it was sent, before any trimming, so a
    web address is judged on the raw string.
    """
    if isinstance(value, str) and has_control_character(value):
        return str(SINGLE_LINE_ERROR)
    return None


# Registration.
QUESTION_TYPES = (
    "short_text",
    "long_text",
    "single_choice",
    "multiple_choice",
    "checkbox",
    "country",
    "organization",
)
QUESTION_TYPE_LABELS = {
    "short_text": _l("Short text"),
    "long_text": _l("Long text"),
    "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"),
    "checkbox": _l("Checkbox"),
    "country": _l("Country"),
    "organization": _l("Organisation"),
}
CHOICE_TYPES = ("single_choice", "multiple_choice")
QUESTION_LIMIT = 500
HELP_LIMIT = 1000
CHOICE_LIMIT = 300
MAX_CHOICES = 100
MAX_QUESTIONS = 50
CONSENT_LIMIT = 2000
SHORT_ANSWER_LIMIT = 300
LONG_ANSWER_LIMIT = 5000
COUNTRIES = dict(sorted(pytz.country_names.items(), key=lambda item: item[1]))
DEFAULT_CONSENT = (
    "I agree that the organisers store my name, email address and answers to run this "
    "event, and delete them after it."
)
# The default consent in the reader's language, where an event keeps it unchanged.
DEFAULT_CONSENT_SHOWN = _l(
    "I agree that the organisers store my name, email address and answers to run this "
    "event, and delete them after it."
)

# News.
NEWS_LABELS = ("news", "event", "recording")
NEWS_LABEL_NAMES = {
    "news": lazy_pgettext("one news item's label", "News"),
    "event": _l("Event"),
    "recording": _l("Recording"),
}

# Staff and API tokens.
STAFF_ROLES = ("admin", "editor")
MIN_PASSWORD_LENGTH = 10
TOKEN_SCOPES = ("read", "write")
TOKEN_NAME_LIMIT = 100
MAX_TOKEN_DAYS = 3650

# The codes pages and forms show as words: event statuses and visibility, staff roles, email
# states, token scopes and states.
CODE_WORDS = {
    "scheduled": _l("Scheduled"),
    "postponed": _l("Postponed"),
    "rescheduled": _l("Rescheduled"),
    "cancelled": _l("Cancelled"),
    "draft": _l("Draft"),
    "published": _l("Published"),
    "admin": lazy_pgettext("staff role", "Admin"),
    "editor": _l("Editor"),
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "dropped": _l("Dropped"),
    "read": _l("Read"),
    "write": _l("Write"),
    "active": _l("Active"),
    "expired": _l("Expired"),
    "revoked": _l("Revoked"),
}


@dataclass
class CreditInput:
    """One credit as DESIGN §3 shapes it: a role and an organisation or person by name.

    A web address or affiliation given for someone already known replaces theirs; one left
    out keeps theirs.
    """

    role: str
    kind: str
    name: str
    url: str | None = None
    affiliation: str = ""


@dataclass
class EventFields:
    """Everything staff set on an event; its times as the time policy read them."""

    title: str
    kind: str
    schedule: Schedule
    summary: str = ""
    body: str = ""
    venue: str = ""
    address: str = ""
    join_url: str | None = None
    capacity: int | None = None
    series: str | None = None
    tags: list[str] = field(default_factory=list)
    credits: list[CreditInput] = field(default_factory=list)
    image_path: str | None = None
    image_url: str | None = None
    image_alt: str = ""
    internal_note: str = ""
    language: str = "en"
    # By language code: {"es": {"title": …, "summary": …, "body": …}}; what is left out
    # shows the original (eventsvc/translated.py).
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class RegistrationSettings:
    """The registration settings staff choose for one event."""

    enabled: bool = True
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    waitlist: bool = True
    approval: bool = False
    confirm_email: bool = False
    consent_text: str = DEFAULT_CONSENT
    privacy_url: str | None = None
    consent_translations: dict[str, str] = field(default_factory=dict)


@dataclass
class QuestionFields:
    """One question as staff write it; `id` names a question the event asks already."""

    type: str
    label: str
    required: bool = False
    help_text: str = ""
    choices: list[str] = field(default_factory=list)
    id: int | None = None
    # {"es": {"label": …, "help_text": …, "choices": [… in the same order]}}
    translations: dict[str, dict] = field(default_factory=dict)


@dataclass
class NewsFields:
    """Everything staff set on a news item."""

    title: str
    body: str = ""
    excerpt: str = ""
    language: str = "en"
    label: str = "news"
    event_ids: list[int] = field(default_factory=list)
    published_at: datetime | None = None
    # {"es": {"title": …, "body": …, "excerpt": …}}
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class EventChanges:
    """One save of an event: whatever is not None is set, all of it or nothing.

    `questions` is the whole list the event asks afterwards, in order: a question with
    an `id` is kept (and changed), one without is added, and one left out is removed.
    `announcement` is a news item posted with the event and linked to it: an empty title
    or text is made from the event, and it is published with the event unless timed.
    `tell` False saves a change registrants would hear of without telling them: their
    calendars' version moves all the same, and the audit log records the choice.
    """

    fields: EventFields | None = None
    registration: RegistrationSettings | None = None
    questions: list[QuestionFields] | None = None
    publish: bool | None = None
    announcement: NewsFields | None = None
    tell: bool = True


@dataclass
class OrganizationFields:
    """Everything staff set on an organisation; the logo file comes separately."""

    name: str
    url: str | None = None
    description: str = ""
    logo_url: str | None = None
    logo_alt: str = ""
    remove_logo: bool = False


@dataclass
class PersonFields:
    """Everything staff set on a person."""

    name: str
    affiliation: str = ""
    url: str | None = None
