"""The demo site: its content is data (eventsvc/demo.toml), loaded idempotently through
the same operations staff use; and the demo staff login."""

import os
import tomllib
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Literal

from babel.dates import format_skeleton
from flask_babel import force_locale
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import and_, or_, select

from eventsvc.extensions import db
from eventsvc.inputs import (
    CREDITED_KINDS,
    DEFAULT_CONSENT,
    KINDS,
    MAX_CAPACITY,
    NEWS_LABELS,
    QUESTION_TYPES,
    ROLES,
    CreditInput,
    EventChanges,
    EventFields,
    NewsFields,
    QuestionFields,
    RegistrationSettings,
)
from eventsvc.languages import SOURCE
from eventsvc.models import Event, NewsItem, Question
from eventsvc.services.events import add_recording, cancel_event, save_event
from eventsvc.services.news import create_news
from eventsvc.services.registration import active_questions, register
from eventsvc.services.staff import (
    create_staff,
    find_staff,
    password_matches,
    reset_password,
    set_staff_active,
    set_staff_role,
)
from eventsvc.text import slugify
from eventsvc.timezones import TimeInputError, TimesAsked, describe, now, read_schedule

DEMO_FILE = Path(__file__).resolve().parent.parent / "demo.toml"
DEMO_EMAIL = "admin@example.org"
LOGIN_FILE = "demo-login.txt"
NEWS_TIME = time(14, 0)  # UTC, on the day a news item was published
# The demo file's keys for the time policy's field names.
TIME_KEYS = {"zone": "timezone", "start": "at", "duration": "minutes"}
# EventFields the file gives as they are (the schedule and credits are built from it).
EVENT_KEYS = {item.name for item in fields(EventFields)} - {"schedule", "credits"}

Name = Annotated[str, Field(min_length=1)]


class DemoFileError(ValueError):
    """The demo file cannot be loaded; each problem names its entry and key."""

    def __init__(self, path: Path, problems: list[str]):
        super().__init__(f"{path}: " + "; ".join(problems))


class Entry(BaseModel):
    """A table of the demo file: an unknown key or a value of the wrong type is refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


class DemoCredit(Entry):
    """A credit, with a person's affiliation."""

    role: Literal[ROLES]
    kind: Literal[CREDITED_KINDS]
    name: Name
    url: str | None = None
    affiliation: str = ""


class DemoRegistration(Entry):
    """Registration settings; what is left out keeps RegistrationSettings' default."""

    approval: bool = False
    confirm_email: bool = False
    waitlist: bool = True
    consent_text: Name = DEFAULT_CONSENT
    consent_translations: dict[str, Name] = {}


class DemoQuestionText(Entry):
    """A question's words in another language; choices in the order of the original's."""

    label: str = ""
    help_text: str = ""
    choices: list[str] = []


class DemoQuestion(Entry):
    """A registration question."""

    type: Literal[QUESTION_TYPES]
    label: Name
    required: bool = False
    help_text: str = ""
    choices: list[Name] = []
    translations: dict[str, DemoQuestionText] = {}


class DemoRegistrant(Entry):
    """Someone who registers when the event is added."""

    name: Name
    email: Name


class DemoRecording(Entry):
    """A recording posted after the event."""

    url: Name
    title: str = ""


class DemoEventText(Entry):
    """An event's title, summary and body in another language."""

    title: str = ""
    summary: str = ""
    body: str = ""


class DemoEvent(Entry):
    """An event placed relative to today: `days` from today at `at` in its own zone."""

    title: Name
    kind: Literal[KINDS]
    timezone: str
    days: int
    at: time
    minutes: int
    summary: str = ""
    body: str = ""
    venue: str = ""
    address: str = ""
    join_url: str | None = None
    capacity: Annotated[int, Field(ge=1, le=MAX_CAPACITY)] | None = None
    series: str | None = None
    tags: list[Name] = []
    credits: list[DemoCredit] = []
    internal_note: str = ""
    publish: bool = True
    registration: DemoRegistration | None = None
    questions: list[DemoQuestion] = []
    registrants: list[DemoRegistrant] = []
    recording: DemoRecording | None = None
    cancel_reason: str = ""
    translations: dict[str, DemoEventText] = {}

    @model_validator(mode="after")
    def _registration_given(self):
        if (self.questions or self.registrants) and self.registration is None:
            raise PydanticCustomError(
                "no_registration", "questions and registrants need a registration"
            )
        return self


class DemoNewsText(Entry):
    """A news item's title, body and excerpt in another language."""

    title: str = ""
    body: str = ""
    excerpt: str = ""


class DemoNews(Entry):
    """A news item published `days_ago`; {date} and {when} come from its first event."""

    title: Name
    days_ago: int
    body: str
    excerpt: str = ""
    label: Literal[NEWS_LABELS] = "news"
    events: list[str] = []
    language: Name = "en"
    translations: dict[str, DemoNewsText] = {}


class DemoContent(Entry):
    """The whole file: events, then news items, each by its key in the file's order."""

    events: dict[str, DemoEvent]
    news: dict[str, DemoNews]


@dataclass
class DemoResult:
    """What a run of the demo loader did."""

    added: int = 0
    existing: int = 0


def _problem(error: dict) -> str:
    """One of pydantic's errors as `entry.key: what is wrong`."""
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {'unknown key' if error['type'] == 'extra_forbidden' else error['msg']}"


def _unknown_events(content: DemoContent) -> list[str]:
    """A problem for each news item's event key that names no event of the file."""
    return [
        f"news.{key}.events: no event {name!r} in the file"
        for key, item in content.news.items()
        for name in item.events
        if name not in content.events
    ]


def read_demo(path: Path = DEMO_FILE) -> DemoContent:
    """The demo file's content, checked whole; raises DemoFileError naming what is wrong."""
    try:
        content = DemoContent.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as error:
        raise DemoFileError(path, [str(error)]) from error
    except ValidationError as error:
        raise DemoFileError(path, [_problem(e) for e in error.errors()]) from error
    if problems := _unknown_events(content):
        raise DemoFileError(path, problems)
    return content


def _schedule_problems(key: str, error: TimeInputError) -> list[str]:
    return [
        f"events.{key}.{TIME_KEYS.get(name, name)}: {message}"
        for name, messages in error.errors.items()
        for message in messages
    ]


def _event_fields(key: str, spec: DemoEvent, today: date, path: Path) -> EventFields:
    """The event's fields, its times read by the time policy for the day the demo loads."""
    local_start = datetime.combine(today + timedelta(days=spec.days), spec.at)
    asked = TimesAsked(zone=spec.timezone, start=local_start, duration=spec.minutes)
    try:
        schedule = read_schedule(asked)
    except TimeInputError as error:
        raise DemoFileError(path, _schedule_problems(key, error)) from error
    credits = [CreditInput(**c.model_dump()) for c in spec.credits]
    return EventFields(schedule=schedule, credits=credits, **spec.model_dump(include=EVENT_KEYS))


def _changes(spec: DemoEvent, values: EventFields) -> EventChanges:
    """The one save that adds the event: fields, registration, questions, publication."""
    if spec.registration is None:
        return EventChanges(fields=values, publish=spec.publish)
    return EventChanges(
        fields=values,
        registration=RegistrationSettings(**spec.registration.model_dump(exclude_unset=True)),
        questions=[QuestionFields(**question.model_dump()) for question in spec.questions],
        publish=spec.publish,
    )


def _find_event(title: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.slug == slugify(title)))


def _demo_answer(question: Question) -> str:
    """A registrant's answer to a required question: its first choice, or a few words."""
    return question.choices[0] if question.choices else "Human rights law"


def _sign_up(event: Event, spec: DemoEvent) -> None:
    """Register a new demo event's first registrants."""
    questions = active_questions(event)
    for person in spec.registrants:
        answers = {str(q.id): _demo_answer(q) for q in questions if q.required}
        register(event, person.name, person.email, answers, True, event.timezone)


def _finish_event(event: Event, spec: DemoEvent) -> None:
    """Post the recording and cancel, where the file asks and it has not happened yet."""
    if spec.recording and not event.recordings:
        add_recording(event, spec.recording.url, spec.recording.title)
    if spec.cancel_reason and not event.is_cancelled:
        cancel_event(event, spec.cancel_reason)


def _ensure_event(spec: DemoEvent, values: EventFields, result: DemoResult) -> Event:
    event = _find_event(spec.title)
    if event is None:
        event = save_event(None, _changes(spec, values)).event
        _sign_up(event, spec)
        result.added += 1
    else:
        result.existing += 1
    _finish_event(event, spec)
    return event


def _fill(text: str, event: Event | None, language: str = SOURCE) -> str:
    """{date} ("July 30", "30 de julio") and {when} filled in from the event, in `language`."""
    if event is None:
        return text
    with force_locale(language):
        start = event.local_start
        text = text.replace("{date}", format_skeleton("MMMMd", start, locale=language))
        return text.replace("{when}", describe(event.starts_at, event.timezone))


def _news_translations(spec: DemoNews, event: Event | None) -> dict[str, dict[str, str]]:
    """The item's translations, {date} and {when} written in each one's language."""
    return {
        code: {name: _fill(value, event, code) for name, value in text.model_dump().items()}
        for code, text in spec.translations.items()
    }


def _news_exists(title: str, label: str, linked: list[Event]) -> bool:
    """An item with this slug, or one with this label already about the same event."""
    same = NewsItem.slug == slugify(title)
    if linked:
        same = or_(same, and_(NewsItem.label == label, NewsItem.events.any(id=linked[0].id)))
    return db.session.scalar(select(NewsItem.id).where(same).limit(1)) is not None


def _ensure_news(spec: DemoNews, events: dict[str, Event], today: date, result: DemoResult):
    linked = [events[key] for key in spec.events]
    first = linked[0] if linked else None
    title = _fill(spec.title, first)
    if _news_exists(title, spec.label, linked):
        result.existing += 1
        return
    published = datetime.combine(today - timedelta(days=spec.days_ago), NEWS_TIME, UTC)
    values = NewsFields(
        title=title,
        body=_fill(spec.body, first),
        excerpt=spec.excerpt,
        language=spec.language,
        label=spec.label,
        event_ids=[event.id for event in linked],
        published_at=published,
        translations=_news_translations(spec, first),
    )
    create_news(values)
    result.added += 1


def load_demo(today: date | None = None, path: Path = DEMO_FILE) -> DemoResult:
    """Add the file's events and news items that are not there yet; dates follow `today`.

    The whole file is read and checked before anything is written.
    """
    today = today or now().date()
    content = read_demo(path)
    planned = {key: _event_fields(key, spec, today, path) for key, spec in content.events.items()}
    result = DemoResult()
    events = {
        key: _ensure_event(spec, planned[key], result) for key, spec in content.events.items()
    }
    for spec in content.news.values():
        _ensure_news(spec, events, today, result)
    return result


def _saved_password(path: Path) -> str | None:
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if line.startswith("password:"):
            return line.partition(":")[2].strip() or None
    return None


def _save_login(path: Path, password: str) -> None:
    """Write the login file readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(
            "# The demo site's staff login. Keep this file private.\n"
            f"email: {DEMO_EMAIL}\npassword: {password}\n"
        )


def ensure_demo_login(instance_path: str) -> tuple[str, str]:
    """Make sure the demo admin exists and can sign in; return (email, password)."""
    path = Path(instance_path) / LOGIN_FILE
    saved = _saved_password(path)
    user = find_staff(DEMO_EMAIL)
    if user is None:
        user, password = create_staff(DEMO_EMAIL, "admin", saved)
    elif saved is None or not password_matches(user, saved):
        password = reset_password(user)
    else:
        password = saved
    if user.role != "admin":
        set_staff_role(user, "admin")
    if not user.active:
        set_staff_active(user, True)
    _save_login(path, password)
    return DEMO_EMAIL, password
