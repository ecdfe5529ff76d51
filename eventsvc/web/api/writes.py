"""Event requests turned into one save of the events service (services/events.py).

Times go through the time policy (timezones.read_schedule); anything wrong is a 422
naming the request's field, and the save that follows is all or nothing.
"""

from dataclasses import replace
from datetime import datetime

from eventsvc.inputs import (
    CreditInput,
    EventChanges,
    EventFields,
    QuestionFields,
    RegistrationSettings,
)
from eventsvc.models import Event
from eventsvc.services.events import fields_of, schedule_of
from eventsvc.services.registration_settings import settings_of
from eventsvc.timezones import Schedule, TimeInputError, TimesAsked, read_schedule
from eventsvc.web.api.errors import invalid
from eventsvc.web.api.schemas import EventChange, EventCreate, QuestionIn, TimesIn

# Request fields that are EventFields attributes, by their API names.
_PLAIN_FIELDS = {
    "title": "title",
    "kind": "kind",
    "summary": "summary",
    "description": "body",
    "join_url": "join_url",
    "capacity": "capacity",
    "series": "series",
    "tags": "tags",
    "internal_note": "internal_note",
    "language": "language",
}
# The API's names for an event's translated words, and the event's own names for them.
_TEXT_NAMES = {"title": "title", "summary": "summary", "description": "body"}
_NULLABLE = {"venue", "join_url", "capacity", "series"}
_TIME_FIELDS = {"timezone", "all_day", "local_start", "local_end", "duration_minutes"}
_TIME_FIELDS |= {"start_date", "end_date"}
# The time policy's names for the request's fields.
_API_NAMES = {
    "zone": "timezone",
    "start": "local_start",
    "start_offset": "local_start",
    "end": "local_end",
    "end_offset": "local_end",
    "duration": "duration_minutes",
    "first_day": "start_date",
    "last_day": "end_date",
}


def _wall_clock(moment: datetime | None) -> tuple[datetime | None, object]:
    """A requested time as a naive wall-clock time and the offset sent with it, if any."""
    if moment is None:
        return None, None
    return moment.replace(tzinfo=None), moment.utcoffset()


def requested_schedule(
    payload: TimesIn, zone: str | None, all_day: bool = False, current: Schedule | None = None
) -> Schedule:
    """The schedule a request's times ask for, or a 422 naming the field at fault."""
    start, start_offset = _wall_clock(payload.local_start)
    end, end_offset = _wall_clock(payload.local_end)
    asked = TimesAsked(
        zone=zone,
        all_day=all_day,
        start=start,
        start_offset=start_offset,
        end=end,
        end_offset=end_offset,
        duration=payload.duration_minutes,
        first_day=getattr(payload, "start_date", None),
        last_day=getattr(payload, "end_date", None),
    )
    try:
        return read_schedule(asked, current)
    except TimeInputError as error:
        fields = {_API_NAMES[name]: messages for name, messages in error.errors.items()}
        raise invalid(fields) from error


def _refuse_nulls(payload: EventChange) -> None:
    nulls = [
        name
        for name in payload.model_fields_set
        if getattr(payload, name) is None and name not in _NULLABLE
    ]
    if nulls:
        raise invalid({name: ["Give a value, not null"] for name in nulls})


def _fill(values: EventFields, payload: EventChange) -> EventFields:
    given = payload.model_fields_set
    for name, attribute in _PLAIN_FIELDS.items():
        if name in given:
            setattr(values, attribute, getattr(payload, name))
    if "venue" in given:
        venue = payload.venue
        values.venue, values.address = (venue.name, venue.address) if venue else ("", "")
    if "credits" in given:
        values.credits = [CreditInput(c.role, c.kind, c.name, c.url) for c in payload.credits]
    if "translations" in given:
        values.translations = {
            code: {ours: getattr(text, theirs) for theirs, ours in _TEXT_NAMES.items()}
            for code, text in payload.translations.items()
        }
    return values


def _registration(payload: EventChange, event: Event | None) -> RegistrationSettings | None:
    """The registration settings asked for, with the consent texts of `translations`."""
    consents = _consents(payload)
    if payload.registration is None and consents is None:
        return None
    base = settings_of(event) if event else RegistrationSettings()
    asked = payload.registration
    settings = replace(base, **asked.model_dump(include=asked.model_fields_set)) if asked else base
    if consents is not None:
        settings = replace(settings, consent_translations=consents)
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        raise invalid({"registration.closes_at": ["Registration must close after it opens"]})
    return settings


def _consents(payload: EventChange) -> dict[str, str] | None:
    if "translations" not in payload.model_fields_set:
        return None
    return {code: text.consent_text for code, text in payload.translations.items()}


def _questions(payload: EventChange) -> list[QuestionFields] | None:
    if payload.questions is None:
        return None
    return [_question_fields(question) for question in payload.questions]


def _question_fields(question: QuestionIn) -> QuestionFields:
    return QuestionFields(
        type=question.type,
        label=question.label,
        required=question.required,
        help_text=question.help_text,
        choices=list(question.choices),
        id=question.id,
        translations={code: text.model_dump() for code, text in question.translations.items()},
    )


def new_event_changes(payload: EventCreate) -> EventChanges:
    """A new event's request as one save; raises a 422 ApiError for anything wrong."""
    _refuse_nulls(payload)
    schedule = requested_schedule(payload, payload.timezone, bool(payload.all_day))
    values = EventFields(title=payload.title, kind=payload.kind, schedule=schedule)
    return EventChanges(
        fields=_fill(values, payload),
        registration=_registration(payload, None),
        questions=_questions(payload),
        publish=bool(payload.publish),
    )


def event_changes(event: Event, payload: EventChange) -> EventChanges:
    """A change of an event as one save; raises a 422 ApiError for anything wrong."""
    _refuse_nulls(payload)
    given = payload.model_fields_set
    values = None
    if given & (set(_PLAIN_FIELDS) | _TIME_FIELDS | {"venue", "credits", "translations"}):
        all_day = payload.all_day if "all_day" in given else event.all_day
        schedule = requested_schedule(payload, payload.timezone, all_day, schedule_of(event))
        values = replace(_fill(fields_of(event), payload), schedule=schedule)
    return EventChanges(
        fields=values,
        registration=_registration(payload, event),
        questions=_questions(payload),
        publish=payload.publish,
    )
