"""Figures for staff: each event's registrations by state, by day, by answer and by
attendance, and the dashboard's events. Reads only; nothing here names a person."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.inputs import COUNTRIES
from eventsvc.models import Event, Question, Registration
from eventsvc.models.registrations import ACTIVE_STATES
from eventsvc.timezones import now, to_local

UPCOMING_SHOWN = 20
RECENT_DAYS = 90
RECENT_SHOWN = 10
LONGEST_CHART_DAYS = 366
CHOSEN_TYPES = ("single_choice", "multiple_choice", "checkbox", "country")


@dataclass
class EventFigures:
    """One event's registrations: by state, and by attendance (of active registrations)."""

    event: Event
    states: dict[str, int] = field(default_factory=dict)
    attended: int = 0
    absent: int = 0

    @property
    def registered(self) -> int:
        return self.states.get("confirmed", 0)

    @property
    def waitlisted(self) -> int:
        return self.states.get("waitlisted", 0)

    @property
    def pending(self) -> int:
        return self.states.get("pending", 0)


@dataclass
class AnswerCounts:
    """How often each answer to one choice question was given, most frequent first."""

    question: Question
    counts: list[tuple[str, int]]
    answered: int


def _figures(events: list[Event]) -> list[EventFigures]:
    """Each event's counts, in two queries whatever the number of events."""
    figures = {event.id: EventFigures(event) for event in events}
    ids = list(figures)
    by_state = select(Registration.event_id, Registration.state, func.count())
    for event_id, state, count in db.session.execute(
        by_state.where(Registration.event_id.in_(ids)).group_by(
            Registration.event_id, Registration.state
        )
    ):
        figures[event_id].states[state] = count
    by_attendance = select(Registration.event_id, Registration.attended, func.count()).where(
        Registration.event_id.in_(ids),
        Registration.state.in_(ACTIVE_STATES),
        Registration.attended.is_not(None),
    )
    for event_id, attended, count in db.session.execute(
        by_attendance.group_by(Registration.event_id, Registration.attended)
    ):
        setattr(figures[event_id], "attended" if attended else "absent", count)
    return list(figures.values())


def upcoming_events() -> list[EventFigures]:
    """The events not yet over (drafts too), soonest first, with their registrations."""
    statement = select(Event).where(Event.ends_at > now()).order_by(Event.starts_at, Event.id)
    return _figures(list(db.session.scalars(statement.limit(UPCOMING_SHOWN))))


def recent_events() -> list[EventFigures]:
    """Events of the last 90 days, latest first: who registered, who came, who did not."""
    moment = now()
    statement = (
        select(Event)
        .where(Event.ends_at <= moment, Event.ends_at > moment - timedelta(days=RECENT_DAYS))
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )
    return _figures(list(db.session.scalars(statement.limit(RECENT_SHOWN))))


def event_figures(event: Event) -> EventFigures:
    """One event's counts by state and by attendance."""
    return _figures([event])[0]


def registrations_per_day(event: Event, zone_name: str) -> list[tuple[date, int]]:
    """New registrations on each day (in `zone_name`) from the first to the last, with the
    days between at 0; at most a year, up to the last registration."""
    created = db.session.scalars(
        select(Registration.created_at).where(Registration.event_id == event.id)
    ).all()
    days = Counter(to_local(moment, zone_name).date() for moment in created)
    if not days:
        return []
    last = max(days)
    first = max(min(days), last - timedelta(days=LONGEST_CHART_DAYS - 1))
    span = (last - first).days + 1
    return [(first + timedelta(days=n), days[first + timedelta(days=n)]) for n in range(span)]


def _answer_texts(question: Question, answer) -> list[str]:
    if question.type == "checkbox":
        return ["Yes" if answer else "No"]
    if question.type == "country":
        return [COUNTRIES.get(answer, answer)] if answer else []
    if isinstance(answer, list):
        return answer
    return [answer] if answer else []


def answer_counts(event: Event) -> list[AnswerCounts]:
    """For each choice question (choices, checkbox, country), the active registrations'
    answers counted; choices nobody gave are listed at 0."""
    questions = db.session.scalars(
        select(Question)
        .where(Question.event_id == event.id, Question.type.in_(CHOSEN_TYPES))
        .where(Question.removed_at.is_(None))
        .order_by(Question.position, Question.id)
    ).all()
    answers = db.session.scalars(
        select(Registration.answers).where(
            Registration.event_id == event.id, Registration.state.in_(ACTIVE_STATES)
        )
    ).all()
    return [_counted(question, answers) for question in questions]


def _counted(question: Question, answers: list[dict]) -> AnswerCounts:
    key = str(question.id)
    given = [a[key] for a in answers if key in a and a[key] not in ("", [], None)]
    counts = Counter(text for answer in given for text in _answer_texts(question, answer))
    for choice in question.choices:
        counts.setdefault(choice, 0)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))
    return AnswerCounts(question, ordered, len(given))
