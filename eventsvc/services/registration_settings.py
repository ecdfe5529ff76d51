"""How an event takes registrations: its settings and its questions."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event, Question
from eventsvc.services import audit
from eventsvc.services.locking import write_transaction
from eventsvc.services.registration import fill_free_seats
from eventsvc.timezones import now

DEFAULT_CONSENT = (
    "I agree that the organisers store my name, email address and answers to run this "
    "event, and delete them after it."
)


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


@dataclass
class QuestionFields:
    """One question as staff write it."""

    type: str
    label: str
    required: bool = False
    help_text: str = ""
    choices: list[str] = field(default_factory=list)


def update_registration_settings(event: Event, settings: RegistrationSettings) -> Event:
    """Save an event's registration settings; a new consent text gets a new version."""
    event_id = event.id
    with write_transaction():
        event = db.session.get(Event, event_id)
        if event.consent_text and settings.consent_text.strip() != event.consent_text.strip():
            event.consent_version += 1  # the first text is version 1; each change is new
        event.consent_text = settings.consent_text.strip()
        event.registration_enabled = settings.enabled
        event.registration_opens_at = settings.opens_at
        event.registration_closes_at = settings.closes_at
        event.waitlist_enabled = settings.waitlist
        event.approval_required = settings.approval
        event.confirm_email = settings.confirm_email
        event.privacy_url = settings.privacy_url
        event.updated_at = now()
        audit.record("event.changed", event, "registration settings")
        fill_free_seats(event)
    return event


def _next_position(event_id: int) -> int:
    positions = db.session.scalars(
        select(Question.position).where(Question.event_id == event_id)
    ).all()
    return max(positions, default=-1) + 1


def _clean_choices(values: QuestionFields) -> list[str]:
    if values.type not in ("single_choice", "multiple_choice"):
        return []
    return [choice.strip() for choice in values.choices if choice.strip()]


def add_question(event: Event, values: QuestionFields) -> Question:
    """Add a question at the end of an event's form."""
    question = Question(
        event_id=event.id,
        position=_next_position(event.id),
        type=values.type,
        label=values.label.strip(),
        required=values.required,
        help_text=values.help_text.strip(),
        choices=_clean_choices(values),
    )
    db.session.add(question)
    audit.record("event.changed", event, f"question added: {question.label}")
    db.session.commit()
    return question


def update_question(question: Question, values: QuestionFields) -> Question:
    """Change a question's wording, type, choices or whether it is required."""
    question.type, question.label = values.type, values.label.strip()
    question.required, question.help_text = values.required, values.help_text.strip()
    question.choices = _clean_choices(values)
    audit.record("event.changed", question.event, f"question changed: {question.label}")
    db.session.commit()
    return question


def move_question(question: Question, step: int) -> None:
    """Move a question up (-1) or down (+1) among the event's active questions."""
    siblings = list(
        db.session.scalars(
            select(Question)
            .where(Question.event_id == question.event_id, Question.removed_at.is_(None))
            .order_by(Question.position, Question.id)
        )
    )
    index = siblings.index(question)
    target = index + step
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for position, item in enumerate(siblings):
            item.position = position
    db.session.commit()


def remove_question(question: Question) -> None:
    """Take a question off the form; past answers stay for exports."""
    question.removed_at = now()
    audit.record("event.changed", question.event, f"question removed: {question.label}")
    db.session.commit()
