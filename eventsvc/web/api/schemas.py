"""The API's shapes: the same pydantic models validate requests, check responses and make
the OpenAPI document (DESIGN §3 codes and shapes).

Input models forbid unknown fields and take strict booleans and integers, so a wrong type
is a 422 naming the field; text refuses NUL characters, which PostgreSQL cannot store.
"""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from eventsvc.inputs import (
    ADDRESS_LIMIT,
    CHOICE_LIMIT,
    CONSENT_LIMIT,
    CREDITED_KINDS,
    DEFAULT_CONSENT,
    HELP_LIMIT,
    KINDS,
    MAX_CAPACITY,
    MAX_CHOICES,
    MAX_CREDITS,
    MAX_QUESTIONS,
    MAX_TAGS,
    NAME_LIMIT,
    NEWS_LABELS,
    PROFILE_URL_LIMIT,
    QUESTION_LIMIT,
    QUESTION_TYPES,
    REASON_LIMIT,
    ROLES,
    STATUSES,
    SUMMARY_LIMIT,
    TAG_LIMIT,
    TITLE_LIMIT,
    URL_LIMIT,
    VENUE_LIMIT,
    VISIBILITIES,
    single_line_error,
)
from eventsvc.models.outbox import KIND_NAMES
from eventsvc.models.registrations import STATES
from eventsvc.timezones import MAX_DURATION, LocalTimeError, zone
from eventsvc.translated import LANGUAGE_CODE

LOCAL_TIME_PATTERN = (
    r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?$"
)
_LOCAL_TIME = re.compile(LOCAL_TIME_PATTERN)
MAX_PER_PAGE = 200
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Remove the invisible NUL character")
    return value


def text(max_length: int, min_length: int = 0):
    """A trimmed text of at most `max_length` characters, without NUL characters."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_nul),
    ]


def _one_line(value: object) -> object:
    problem = single_line_error(value)
    if problem:
        raise ValueError(problem)
    return value


def line(max_length: int, min_length: int = 0):
    """A one-line text: as `text`, and no control character in what was sent (untrimmed)."""
    return Annotated[text(max_length, min_length), BeforeValidator(_one_line)]


def _web_address(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname or " " in value:
        raise ValueError("Give a web address starting with https:// or http://")
    return value


def _language_code(value: str) -> str:
    if not isinstance(value, str) or not LANGUAGE_CODE.fullmatch(value):
        raise ValueError("Use a language code such as en, es or pt-BR")
    return value


LanguageCode = Annotated[
    str, PlainValidator(_language_code), WithJsonSchema({"type": "string", "example": "es"})
]


def _zone_name(value: str) -> str:
    try:
        return zone(value).key
    except LocalTimeError as error:
        raise ValueError(str(error)) from error


def _within_years(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"Give a date between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


def _instant(value: datetime) -> datetime:
    try:
        return _within_years(value.astimezone(UTC))
    except OverflowError as error:
        raise ValueError(f"Give a date between the years {FIRST_YEAR} and {LAST_YEAR}") from error


def _wall_clock(value: object) -> datetime:
    message = "Give a local time like 2026-07-30T10:00, optionally with an offset like -04:00"
    if not isinstance(value, str) or not _LOCAL_TIME.fullmatch(value):
        raise ValueError(message)
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{value} is not a real date and time") from error


WebAddress = Annotated[line(URL_LIMIT, 1), AfterValidator(_web_address)]
ProfileAddress = Annotated[line(PROFILE_URL_LIMIT, 1), AfterValidator(_web_address)]
ZoneName = Annotated[
    text(64, 1),
    AfterValidator(_zone_name),
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": 64, "examples": ["Europe/Berlin"]}
    ),
]
LocalTime = Annotated[
    datetime,
    PlainValidator(_wall_clock),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": LOCAL_TIME_PATTERN,
            "description": "Wall-clock time in the event's zone; an offset picks one side "
            "of an ambiguous hour (DESIGN §4).",
            "examples": ["2026-07-30T10:00", "2026-11-01T01:30-05:00"],
        }
    ),
]


def _drop_null(schema: dict) -> None:
    """Document a field that may be left out by its type alone: null is not an answer."""
    options = [option for option in schema.pop("anyOf", []) if option != {"type": "null"}]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options
    schema.pop("default", None)


def omittable(kind):
    """A field that may be left out (it is then None), documented without null."""
    return Annotated[kind | None, Field(json_schema_extra=_drop_null)]


Day = Annotated[date, AfterValidator(_within_years)]
Instant = Annotated[AwareDatetime, AfterValidator(_instant)]
Minutes = Annotated[StrictInt, Field(ge=1, le=int(MAX_DURATION.total_seconds() // 60))]
Capacity = Annotated[StrictInt, Field(ge=1, le=MAX_CAPACITY)]
Answer = str | list[str] | bool


class Input(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    """A response body: exactly the listed fields, so nothing private slips in."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Output):
    """Every error: a code, a sentence, and the fields at fault with their messages."""

    error: str = Field(examples=["invalid"])
    message: str
    fields: dict[str, list[str]] = Field(
        examples=[{"consent": ["Agree to the use of your details"]}]
    )


# Queries ---------------------------------------------------------------------------------


class PageQuery(BaseModel):
    """Which page of a listing, and how long pages are."""

    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1.")
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE, description="Items per page, up to 200.")


Slug = Annotated[text(200), WithJsonSchema({"type": "string", "maxLength": 200})]


class EventQuery(PageQuery):
    """Filters of the events listing; dates are UTC days, inclusive."""

    model_config = ConfigDict(populate_by_name=True)

    status: omittable(Literal[STATUSES]) = Field(None, description="Only events in this state.")
    series: omittable(Slug) = Field(None, description="A series' slug.")
    tag: omittable(Slug) = Field(None, description="A tag's slug.")
    organization: omittable(Slug) = Field(
        None, description="An organisation's slug: the events it is credited on."
    )
    starts_from: omittable(Day) = Field(
        None, alias="from", description="Events starting on this UTC day or later."
    )
    starts_to: omittable(Day) = Field(
        None, alias="to", description="Events starting on this UTC day or earlier."
    )


class RegistrationQuery(PageQuery):
    """The registrations listing's state filter."""

    state: omittable(Literal[STATES]) = Field(None, description="Only registrations in this state.")


# Event input -----------------------------------------------------------------------------


class VenueIn(Input):
    """Where an in-person or hybrid event happens."""

    name: line(VENUE_LIMIT) = ""
    address: line(ADDRESS_LIMIT) = ""


class CreditIn(Input):
    """A credit in DESIGN §3's shape; an unknown name is created."""

    role: Literal[ROLES]
    kind: Literal[CREDITED_KINDS]
    name: line(NAME_LIMIT, 1)
    url: ProfileAddress | None = None


class QuestionTextIn(Input):
    """A question's words in another language; choices in the order of the question's."""

    label: line(QUESTION_LIMIT) = ""
    help_text: text(HELP_LIMIT) = ""
    choices: list[line(CHOICE_LIMIT)] = Field(default_factory=list, max_length=MAX_CHOICES)


class QuestionIn(Input):
    """A registration question; with `id`, the existing question of that id is changed."""

    id: omittable(StrictInt) = None
    type: Literal[QUESTION_TYPES]
    label: line(QUESTION_LIMIT, 1)
    required: StrictBool = False
    help_text: text(HELP_LIMIT) = ""
    choices: list[line(CHOICE_LIMIT, 1)] = Field(default_factory=list, max_length=MAX_CHOICES)
    translations: dict[LanguageCode, QuestionTextIn] = Field(
        default_factory=dict, description='By language code: {"es": {"label": "…"}}.'
    )

    @model_validator(mode="after")
    def _choices_fit_type(self):
        distinct = len(set(self.choices))
        choosing = self.type in ("single_choice", "multiple_choice")
        if choosing and (distinct < 2 or distinct < len(self.choices)):
            raise ValueError("Give at least two different choices")
        return self


class RegistrationIn(Input):
    """How the event takes registrations; times are instants with an offset."""

    enabled: StrictBool = True
    opens_at: Instant | None = None
    closes_at: Instant | None = None
    approval: StrictBool = False
    waitlist: StrictBool = True
    confirm_email: StrictBool = False
    consent_text: text(CONSENT_LIMIT, 1) = DEFAULT_CONSENT
    privacy_url: WebAddress | None = None


class EventTextIn(Input):
    """An event's words in another language; what is left out shows the original."""

    title: line(TITLE_LIMIT) = ""
    summary: text(SUMMARY_LIMIT) = ""
    description: text(100_000) = Field("", description="Markdown.")
    consent_text: text(CONSENT_LIMIT) = ""


class TimesIn(Input):
    """A local start with a local end or an elapsed duration."""

    local_start: omittable(LocalTime) = None
    local_end: omittable(LocalTime) = None
    duration_minutes: omittable(Minutes) = None


class EventChange(TimesIn):
    """Fields of an event to change; those left out stay as they are."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"timezone": "Europe/Berlin"}, {"capacity": 100, "publish": True}]
        }
    )

    title: omittable(line(TITLE_LIMIT, 1)) = None
    kind: omittable(Literal[KINDS]) = None
    timezone: omittable(ZoneName) = Field(
        None, description="Changing only the zone keeps the wall-clock times."
    )
    all_day: omittable(StrictBool) = None
    start_date: omittable(Day) = None
    end_date: omittable(Day) = None
    summary: omittable(text(SUMMARY_LIMIT)) = None
    description: omittable(text(100_000)) = Field(None, description="Markdown.")
    venue: VenueIn | None = None
    join_url: WebAddress | None = Field(None, description="Never shown in any answer.")
    capacity: Capacity | None = Field(None, description="null: no limit.")
    registration: omittable(RegistrationIn) = None
    series: line(NAME_LIMIT) | None = None
    tags: omittable(list[line(TAG_LIMIT, 1)]) = Field(None, max_length=MAX_TAGS)
    credits: omittable(list[CreditIn]) = Field(None, max_length=MAX_CREDITS)
    questions: omittable(list[QuestionIn]) = Field(None, max_length=MAX_QUESTIONS)
    internal_note: omittable(text(10_000)) = Field(
        None, description="For staff; never shown in any answer."
    )
    language: omittable(LanguageCode) = Field(None, description="What it is written in; en.")
    translations: omittable(dict[LanguageCode, EventTextIn]) = Field(
        None,
        description='Its words in other languages, by code: {"es": {"title": "…"}}. Replaces '
        "every translation the event had.",
    )
    publish: omittable(StrictBool) = Field(
        None, description="true publishes the event, false makes it a draft again."
    )


class EventCreate(EventChange):
    """A new event: a title, a kind, a zone and its times; the rest is optional."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Rethinking Multi-Stakeholder Initiatives",
                    "kind": "webinar",
                    "timezone": "America/New_York",
                    "local_start": "2031-07-30T10:00",
                    "duration_minutes": 90,
                    "summary": "A conversation on accountability in business and human rights.",
                    "credits": [
                        {
                            "role": "co_host",
                            "kind": "organization",
                            "name": "MSI Integrity",
                            "url": "https://msi.example.org",
                        },
                        {
                            "role": "moderator",
                            "kind": "person",
                            "name": "Dr. Ana Ruiz",
                            "url": None,
                        },
                    ],
                    "registration": {"enabled": True, "confirm_email": True},
                    "publish": True,
                },
                {
                    "title": "Open house",
                    "kind": "in_person",
                    "timezone": "Europe/Amsterdam",
                    "all_day": True,
                    "start_date": "2031-05-01",
                    "end_date": "2031-05-02",
                    "venue": {"name": "Law School", "address": "1 Campus Way"},
                },
            ]
        }
    )

    title: line(TITLE_LIMIT, 1)
    kind: Literal[KINDS]
    timezone: ZoneName


class ReasonIn(Input):
    """Why an event is cancelled or postponed; shown on its page and in calendars."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "The speaker is ill"}]})

    reason: text(REASON_LIMIT, 1)


class RescheduleIn(TimesIn):
    """New local times in the event's zone, and an optional reason."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "local_start": "2031-08-06T10:00",
                    "local_end": "2031-08-06T11:30",
                    "reason": "A week later",
                }
            ]
        }
    )

    local_start: LocalTime
    reason: text(REASON_LIMIT) = ""


class RecordingIn(Input):
    """A recording posted after the event."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"url": "https://video.example.org/watch/msi", "title": "WATCH: the panel"}
            ]
        }
    )

    url: WebAddress
    title: line(TITLE_LIMIT) = ""


class RegistrationSubmission(Input):
    """A registration; the registration service checks each field as the form does."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Ana Pérez",
                    "email": "ana@example.org",
                    "answers": {},
                    "consent": True,
                    "timezone": "Europe/Madrid",
                }
            ]
        }
    )

    name: str | None = None
    email: str | None = None
    # The registration service checks each answer's type against its question.
    answers: Annotated[
        dict[str, Any],
        WithJsonSchema(
            {
                "type": "object",
                "additionalProperties": {
                    "anyOf": [
                        {"type": "string"},
                        {"type": "array", "items": {"type": "string"}},
                        {"type": "boolean"},
                    ]
                },
            }  # fmt: skip
        ),
    ] = Field(default_factory=dict, description="Answers keyed by question id.")
    consent: StrictBool | None = Field(None, description="Must be true.")
    timezone: str | None = Field(None, description="The registrant's IANA zone, for emails.")
    language: str | None = Field(
        None,
        description="The language of every email they get: one of the site's (en, es); "
        "else the request's Accept-Language.",
    )


# Outputs ---------------------------------------------------------------------------------


class NamedOut(Output):
    """A series or a tag as an event shows it."""

    name: str
    slug: str


class VenueOut(Output):
    name: str
    address: str


class ImageOut(Output):
    url: str
    alt: str


class CreditOut(Output):
    role: Literal[ROLES]
    kind: Literal[CREDITED_KINDS]
    name: str
    url: str | None


class QuestionTextOut(Output):
    label: str
    help_text: str
    choices: list[str]


class QuestionOut(Output):
    id: int
    type: Literal[QUESTION_TYPES]
    label: str
    required: bool
    help_text: str
    choices: list[str]
    translations: dict[str, QuestionTextOut]


class RegistrationInfo(Output):
    """How the event takes registrations; `open` tells whether it accepts them now."""

    enabled: bool
    open: bool
    opens_at: str | None
    closes_at: str | None
    approval: bool
    waitlist: bool
    confirm_email: bool
    questions: list[QuestionOut]


class RecordingOut(Output):
    url: str
    title: str
    published_at: str


class EventUrls(Output):
    page: str
    ics: str
    webcal: str
    google: str
    outlook: str = Field(description="Add to Outlook.com (personal Microsoft accounts).")
    office: str = Field(description="Add to Microsoft 365 (work and school accounts).")
    # "register" would shadow BaseModel.register, hence the alias.
    register_url: str | None = Field(alias="register")


class EventTextOut(Output):
    title: str
    summary: str
    description_html: str
    consent_text: str


class EventOut(Output):
    """An event as anyone may see it: never its join link or internal note."""

    slug: str
    title: str
    language: str
    translations: dict[str, EventTextOut] = Field(
        description="Its words in other languages, by code; an empty one shows the original."
    )
    kind: Literal[KINDS]
    status: Literal[STATUSES]
    status_reason: str
    previous_starts_at: str | None
    visibility: Literal[VISIBILITIES]
    all_day: bool
    starts_at: str
    ends_at: str
    timezone: str
    local_start: str
    local_end: str
    summary: str
    description_html: str
    credits: list[CreditOut]
    series: NamedOut | None
    tags: list[NamedOut]
    venue: VenueOut | None
    image: ImageOut | None
    capacity: int | None
    seats_left: int | None = Field(
        description="Seats free now, for staff tokens; null to the public, since a count "
        "that moves would tell who registered whether an address was new."
    )
    registration: RegistrationInfo
    recordings: list[RecordingOut]
    sequence: int
    calendar_changed_at: str
    updated_at: str
    urls: EventUrls


class LinkedEventOut(Output):
    slug: str
    title: str
    starts_at: str
    url: str


class NewsTextOut(Output):
    title: str
    excerpt: str
    body_html: str


class NewsOut(Output):
    slug: str
    title: str
    label: Literal[NEWS_LABELS]
    language: str = Field(description='One code, or several for a bilingual item: "en, es".')
    translations: dict[str, NewsTextOut]
    excerpt: str
    body_html: str
    published_at: str
    updated_at: str
    url: str
    events: list[LinkedEventOut]


class FeedUrls(Output):
    ics: str
    webcal: str


class OrganizationOut(Output):
    slug: str
    name: str
    url: str | None
    description: str
    logo: ImageOut | None
    feed: FeedUrls


class SeriesOut(Output):
    slug: str
    name: str
    description: str
    feed: FeedUrls


class TagOut(Output):
    slug: str
    name: str
    feed: FeedUrls


class RegistrationOut(Output):
    """A registration as staff see it."""

    id: int
    name: str
    email: str
    state: Literal[STATES]
    waitlist_position: int | None
    answers: dict[str, Answer]
    timezone: str | None
    language: str
    created_at: str


class Received(Output):
    """Every accepted submission's answer, whatever the address's history."""

    status: Literal["received"]


class WaitingOut(Output):
    """An event's emails of one kind waiting in the outbox, and when they are due (UTC)."""

    kind: Literal[tuple(KIND_NAMES)]
    name: str = Field(examples=["Update: what changed"])
    count: int
    first_due: str
    last_due: str


class WaitingList(Output):
    """An event's waiting emails by kind, the soonest due first."""

    items: list[WaitingOut]


class MessagesTaken(Output):
    """How many queued emails an action took."""

    count: int


def page_of(item: type[BaseModel], name: str) -> type[BaseModel]:
    """A page model: items and the absolute URL of the next page, or null."""
    return type(
        name,
        (Output,),
        {
            "__annotations__": {"items": list[item], "next": str | None},
            "__doc__": "One page of a listing; `next` is null on the last page.",
        },
    )


EventPage = page_of(EventOut, "EventPage")
NewsPage = page_of(NewsOut, "NewsPage")
OrganizationPage = page_of(OrganizationOut, "OrganizationPage")
SeriesPage = page_of(SeriesOut, "SeriesPage")
TagPage = page_of(TagOut, "TagPage")
RegistrationPage = page_of(RegistrationOut, "RegistrationPage")
