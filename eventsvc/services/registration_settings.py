"""How an event takes registrations: its settings and its questions.

Saving settings, or the whole list of questions, is part of saving the event
(services/events.py `save_event`); adding, changing, moving or removing one question
from its admin page is a write of its own.
"""

from flask_babel import gettext
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import CHOICE_TYPES, QuestionFields, RegistrationSettings
from eventsvc.models import Event, Question
from eventsvc.services import audit
from eventsvc.services.locking import write_transaction
from eventsvc.services.registration import RegistrationError, active_questions
from eventsvc.timezones import now
from eventsvc.translated import QUESTION_FIELDS, cleaned_translations


def apply_registration_settings(event: Event, settings: RegistrationSettings) -> None:
    """Set an event's registration settings; a new consent text (in any language) gets a
    new version."""
    consent = settings.consent_text.strip()
    translations = _with_consents(event, settings.consent_translations)
    changed = consent != event.consent_text.strip() or _consents(translations) != _consents(
        event.translations
    )
    if event.consent_text and changed:
        event.consent_version += 1  # the first text is version 1; each change is new
    event.consent_text, event.translations = consent, translations
    event.registration_enabled = settings.enabled
    event.registration_opens_at = settings.opens_at
    event.registration_closes_at = settings.closes_at
    event.waitlist_enabled = settings.waitlist
    event.approval_required = settings.approval
    event.confirm_email = settings.confirm_email
    event.privacy_url = settings.privacy_url
    event.updated_at = now()
    audit.record("event.changed", event, "registration settings")


def _consents(translations: dict | None) -> dict[str, str]:
    return {
        code: values["consent_text"]
        for code, values in (translations or {}).items()
        if values.get("consent_text")
    }


def _with_consents(event: Event, given: dict[str, str]) -> dict:
    """The event's translations with these consent texts, its other texts kept."""
    wanted = {code: {"consent_text": text} for code, text in (given or {}).items()}
    consents = cleaned_translations(wanted, ("consent_text",), own=event.language)
    merged = {}
    for code in {*(event.translations or {}), *consents}:
        kept = {
            name: value
            for name, value in (event.translations or {}).get(code, {}).items()
            if name != "consent_text"
        }
        merged[code] = kept | consents.get(code, {})
    return {code: values for code, values in sorted(merged.items()) if values}


def settings_of(event: Event) -> RegistrationSettings:
    """An event's registration settings as they stand."""
    return RegistrationSettings(
        enabled=event.registration_enabled,
        opens_at=event.registration_opens_at,
        closes_at=event.registration_closes_at,
        waitlist=event.waitlist_enabled,
        approval=event.approval_required,
        confirm_email=event.confirm_email,
        consent_text=event.consent_text or RegistrationSettings().consent_text,
        privacy_url=event.privacy_url,
        consent_translations=_consents(event.translations),
    )


def _next_position(event_id: int) -> int:
    positions = db.session.scalars(
        select(Question.position).where(Question.event_id == event_id)
    ).all()
    return max(positions, default=-1) + 1


def _clean_choices(values: QuestionFields) -> list[str]:
    if values.type not in CHOICE_TYPES:
        return []
    return [choice.strip() for choice in values.choices if choice.strip()]


def _write_question(question: Question, values: QuestionFields) -> None:
    question.type, question.label = values.type, values.label.strip()
    question.required, question.help_text = values.required, values.help_text.strip()
    question.choices = _clean_choices(values)
    fields = QUESTION_FIELDS if values.type in CHOICE_TYPES else ("label", "help_text")
    question.translations = cleaned_translations(values.translations, fields)


@write_transaction()
def add_question(event: Event, values: QuestionFields) -> Question:
    """Add a question at the end of an event's form."""
    question = Question(event_id=event.id, position=_next_position(event.id))
    _write_question(question, values)
    db.session.add(question)
    audit.record("event.changed", event, f"question added: {question.label}")
    return question


@write_transaction()
def update_question(question: Question, values: QuestionFields) -> Question:
    """Change a question's wording, type, choices or whether it is required."""
    _write_question(question, values)
    audit.record("event.changed", question.event, f"question changed: {question.label}")
    return question


@write_transaction()
def move_question(question: Question, step: int) -> None:
    """Move a question up (-1) or down (+1) among the event's active questions."""
    siblings = active_questions(question.event)
    index = siblings.index(question)
    target = index + step
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for position, item in enumerate(siblings):
            item.position = position


@write_transaction()
def remove_question(question: Question) -> None:
    """Take a question off the form; past answers stay for exports."""
    question.removed_at = now()
    audit.record("event.changed", question.event, f"question removed: {question.label}")


def replace_questions(event: Event, wanted: list[QuestionFields]) -> None:
    """Make the event ask exactly `wanted`, in order: kept by id, added, or removed.

    An id the event does not ask is refused with the field it came in
    (`questions.<index>.id`), before anything changes.
    """
    db.session.flush()  # a new event gets its id
    asked = {question.id: question for question in active_questions(event)}
    unknown = {
        f"questions.{index}.id": [gettext("This event has no question with this id")]
        for index, values in enumerate(wanted)
        if values.id is not None and values.id not in asked
    }
    if unknown:
        raise RegistrationError("invalid", gettext("Some questions need attention."), unknown)
    named = {values.id for values in wanted if values.id is not None}
    for question_id, question in asked.items():
        if question_id not in named:
            remove_question(question)
    for position, values in enumerate(wanted):
        question = asked.get(values.id) if values.id is not None else None
        if question is None:
            question = add_question(event, values)
        else:
            update_question(question, values)
        question.position = position
