"""Event requests turned into the event and registration services' arguments and calls.

Everything is checked before the first write, so a 422 leaves the event as it was.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from eventsvc.models import Event, Question
from eventsvc.services.events import (
    CreditInput,
    EventFields,
    create_event,
    fields_of,
    set_visibility,
    update_event,
)
from eventsvc.services.registration import active_questions
from eventsvc.services.registration_settings import (
    DEFAULT_CONSENT,
    QuestionFields,
    RegistrationSettings,
    add_question,
    remove_question,
    update_question,
    update_registration_settings,
)
from eventsvc.timezones import LocalTimeError, check_duration, day_bounds, end_after, to_utc
from eventsvc.web.api.errors import invalid
from eventsvc.web.api.schemas import EventChange, EventCreate, QuestionIn, TimesIn

# Request fields that are EventFields attributes, by their API names.
_PLAIN_FIELDS = {
    "title": "title",
    "kind": "kind",
    "timezone": "timezone",
    "summary": "summary",
    "description": "body",
    "join_url": "join_url",
    "capacity": "capacity",
    "series": "series",
    "tags": "tags",
    "internal_note": "internal_note",
}
_NULLABLE = {"venue", "join_url", "capacity", "series"}
_TIME_FIELDS = {"local_start", "local_end", "duration_minutes"}
_DAY_FIELDS = {"start_date", "end_date"}


@dataclass
class Times:
    """An event's instants, and its days when it is an all-day event."""

    starts_at: datetime
    ends_at: datetime
    all_day: bool = False
    start_date: date | None = None
    end_date: date | None = None


@dataclass
class Plan:
    """Everything a request will change, checked and ready for the services."""

    values: EventFields | None
    settings: RegistrationSettings | None = None
    questions: list[QuestionIn] | None = None
    publish: bool | None = None
    kept_questions: dict[int, Question] = field(default_factory=dict)


def _attempt(field_name: str, compute):
    try:
        return compute()
    except LocalTimeError as error:
        raise invalid({field_name: [str(error)]}) from error


def _instant(local: datetime, zone_name: str, field_name: str) -> datetime:
    """A wall-clock time in a zone as UTC; an offset given with it picks the occurrence."""
    offset = local.utcoffset() if local.tzinfo else None
    return _attempt(field_name, lambda: to_utc(local.replace(tzinfo=None), zone_name, offset))


def requested_times(payload: TimesIn, zone_name: str, current: Times | None = None) -> Times:
    """The instants a local start with an end or a duration asks for.

    What is left out comes from `current`: the start stays, and so does the duration.
    """
    if payload.local_end is not None and payload.duration_minutes is not None:
        raise invalid({"duration_minutes": ["Give local_end or duration_minutes, not both"]})
    if payload.local_start is None and current is None:
        raise invalid({"local_start": ["Give the local time it starts"]})
    start = (
        _instant(payload.local_start, zone_name, "local_start")
        if payload.local_start
        else current.starts_at
    )
    if payload.duration_minutes is not None:
        end = _attempt("duration_minutes", lambda: end_after(start, payload.duration_minutes))
    elif payload.local_end is not None:
        end = _instant(payload.local_end, zone_name, "local_end")
        _attempt("local_end", lambda: check_duration(start, end))
    elif current is not None:
        end = start + (current.ends_at - current.starts_at)
    else:
        raise invalid({"local_end": ["Give local_end or duration_minutes"]})
    return Times(start, end)


def _days(first: date | None, last: date | None, zone_name: str) -> Times:
    if first is None:
        raise invalid({"start_date": ["Give the first day of the all-day event"]})
    last = last or first
    starts_at, ends_at = _attempt("end_date", lambda: day_bounds(first, last, zone_name))
    return Times(starts_at, ends_at, True, first, last)


def _refuse_mixed(all_day: bool, given: set[str]) -> None:
    if all_day and given & _TIME_FIELDS:
        name = sorted(given & _TIME_FIELDS)[0]
        raise invalid({name: ["An all-day event takes start_date and end_date, not times"]})
    if not all_day and given & _DAY_FIELDS:
        name = sorted(given & _DAY_FIELDS)[0]
        raise invalid({name: ["Only all-day events take dates; give local_start instead"]})


def _new_times(payload: EventCreate) -> Times:
    all_day = bool(payload.all_day)
    _refuse_mixed(all_day, payload.model_fields_set)
    if all_day:
        return _days(payload.start_date, payload.end_date, payload.timezone)
    return requested_times(payload, payload.timezone)


def _kept_wall_clock(event: Event, zone_name: str) -> Times:
    """The event's wall-clock times, read in another zone (a change of zone keeps them)."""
    starts_at = _instant(event.local_start.replace(tzinfo=None), zone_name, "timezone")
    ends_at = _instant(event.local_end.replace(tzinfo=None), zone_name, "timezone")
    _attempt("timezone", lambda: check_duration(starts_at, ends_at))
    return Times(starts_at, ends_at)


def _changed_days(event: Event, payload: EventChange, zone_name: str) -> Times:
    if not event.all_day:
        return _days(payload.start_date, payload.end_date, zone_name)
    first = payload.start_date or event.start_date
    last = payload.end_date or first + (event.end_date - event.start_date)
    return _days(first, last, zone_name)


def _changed_times(event: Event, payload: EventChange, zone_name: str) -> Times:
    given = payload.model_fields_set
    all_day = payload.all_day if "all_day" in given else event.all_day
    _refuse_mixed(all_day, given)
    if all_day:
        return _changed_days(event, payload, zone_name)
    current = None if event.all_day else Times(event.starts_at, event.ends_at)
    if given & _TIME_FIELDS or current is None:
        return requested_times(payload, zone_name, current)
    if zone_name != event.timezone:
        return _kept_wall_clock(event, zone_name)
    return current


def _refuse_nulls(payload: EventChange) -> None:
    nulls = [
        name
        for name in payload.model_fields_set
        if getattr(payload, name) is None and name not in _NULLABLE
    ]
    if nulls:
        raise invalid({name: ["Give a value, not null"] for name in nulls})


def _fill(values: EventFields, payload: EventChange, times: Times) -> EventFields:
    given = payload.model_fields_set
    for name, attribute in _PLAIN_FIELDS.items():
        if name in given:
            setattr(values, attribute, getattr(payload, name))
    if "venue" in given:
        venue = payload.venue
        values.venue, values.address = (venue.name, venue.address) if venue else ("", "")
    if "credits" in given:
        values.credits = [CreditInput(c.role, c.kind, c.name, c.url) for c in payload.credits]
    values.starts_at, values.ends_at = times.starts_at, times.ends_at
    values.all_day, values.start_date, values.end_date = (
        times.all_day,
        times.start_date,
        times.end_date,
    )
    return values


def current_settings(event: Event) -> RegistrationSettings:
    """An event's registration settings as the settings service takes them."""
    return RegistrationSettings(
        enabled=event.registration_enabled,
        opens_at=event.registration_opens_at,
        closes_at=event.registration_closes_at,
        waitlist=event.waitlist_enabled,
        approval=event.approval_required,
        confirm_email=event.confirm_email,
        consent_text=event.consent_text or DEFAULT_CONSENT,
        privacy_url=event.privacy_url,
    )


def _settings(payload: EventChange, base: RegistrationSettings) -> RegistrationSettings | None:
    if payload.registration is None:
        return None
    asked = payload.registration
    settings = replace(base, **asked.model_dump(include=asked.model_fields_set))
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        raise invalid({"registration.closes_at": ["Registration must close after it opens"]})
    return settings


def _kept_questions(event: Event | None, questions: list[QuestionIn] | None) -> dict:
    """The event's questions that the request names by id; an unknown id is a 422."""
    if not questions:
        return {}
    existing = {question.id: question for question in active_questions(event)} if event else {}
    unknown = {
        f"questions.{index}.id": ["This event has no question with this id"]
        for index, question in enumerate(questions)
        if question.id is not None and question.id not in existing
    }
    if unknown:
        raise invalid(unknown)
    return existing


def plan_new_event(payload: EventCreate) -> Plan:
    """Check a new event's request; raises a 422 ApiError for anything wrong."""
    _refuse_nulls(payload)
    times = _new_times(payload)
    values = EventFields(
        title=payload.title,
        kind=payload.kind,
        timezone=payload.timezone,
        starts_at=times.starts_at,
        ends_at=times.ends_at,
    )
    _kept_questions(None, payload.questions)
    return Plan(
        values=_fill(values, payload, times),
        settings=_settings(payload, RegistrationSettings()),
        questions=payload.questions,
        publish=payload.publish,
    )


def plan_change(event: Event, payload: EventChange) -> Plan:
    """Check a change of an event; raises a 422 ApiError for anything wrong."""
    _refuse_nulls(payload)
    given = payload.model_fields_set
    touches_event = given & (set(_PLAIN_FIELDS) | {"venue", "credits", "all_day"})
    values = None
    if touches_event or given & (_TIME_FIELDS | _DAY_FIELDS):
        zone_name = payload.timezone or event.timezone
        values = _fill(fields_of(event), payload, _changed_times(event, payload, zone_name))
    return Plan(
        values=values,
        settings=_settings(payload, current_settings(event)),
        questions=payload.questions,
        publish=payload.publish,
        kept_questions=_kept_questions(event, payload.questions),
    )


def _question_fields(question: QuestionIn) -> QuestionFields:
    return QuestionFields(
        type=question.type,
        label=question.label,
        required=question.required,
        help_text=question.help_text,
        choices=list(question.choices),
    )


def _replace_questions(event: Event, plan: Plan) -> None:
    """Make the event ask exactly the planned questions, keeping those named by id."""
    named = {question.id for question in plan.questions if question.id is not None}
    for question_id, question in plan.kept_questions.items():
        if question_id not in named:
            remove_question(question)
    for asked in plan.questions:
        if asked.id is None:
            add_question(event, _question_fields(asked))
        else:
            update_question(plan.kept_questions[asked.id], _question_fields(asked))


def carry_out(plan: Plan, event: Event | None = None) -> Event:
    """Make the planned changes through the services; a new event when `event` is None."""
    if event is None:
        event = create_event(plan.values, publish=bool(plan.publish))
    elif plan.values is not None:
        event = update_event(event, plan.values)
    if plan.settings is not None:
        event = update_registration_settings(event, plan.settings)
    if plan.questions is not None:
        _replace_questions(event, plan)
    if plan.publish is not None and plan.publish != event.is_published:
        event = set_visibility(event, plan.publish)
    return event
