"""Checking registration answers against an event's questions."""

from flask_babel import gettext
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import (
    CHOICE_TYPES,
    COUNTRIES,
    LONG_ANSWER_LIMIT,
    SHORT_ANSWER_LIMIT,
    single_line_error,
)
from eventsvc.models import Question, Registration
from eventsvc.translated import choices_in, country_names, text_in

Answer = str | list[str] | bool


def field_key(question: Question) -> str:
    """The name errors use for a question's answer: answers.<id>."""
    return f"answers.{question.id}"


def _text(question: Question, value, limit: int) -> tuple[Answer | None, str | None]:
    if value is None:
        value = ""
    if not isinstance(value, str):
        return None, gettext("Answer with text")
    if question.type != "long_text" and single_line_error(value):
        return None, single_line_error(value)
    value = value.strip()
    if len(value) > limit:
        return None, gettext("Keep this under %(count)s characters", count=limit)
    return value, None


def _single(question: Question, value) -> tuple[Answer | None, str | None]:
    if value in (None, ""):
        return "", None
    if not isinstance(value, str) or value not in question.choices:
        return None, gettext("Choose one of the options")
    return value, None


def _multiple(question: Question, value) -> tuple[Answer | None, str | None]:
    if value in (None, ""):
        return [], None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(v in question.choices for v in value):
        return None, gettext("Choose from the options")
    return [choice for choice in question.choices if choice in value], None


def _checkbox(question: Question, value) -> tuple[Answer | None, str | None]:
    if value in (None, "", False, "false", "n", "no", "off"):
        return False, None
    if value in (True, "true", "y", "yes", "on", "1"):
        return True, None
    return None, gettext("Tick the box or leave it empty")


def _country(question: Question, value) -> tuple[Answer | None, str | None]:
    if value in (None, ""):
        return "", None
    if not isinstance(value, str) or value.upper() not in COUNTRIES:
        return None, gettext("Choose a country from the list")
    return value.upper(), None


_CHECKS = {
    "short_text": lambda q, v: _text(q, v, SHORT_ANSWER_LIMIT),
    "organization": lambda q, v: _text(q, v, SHORT_ANSWER_LIMIT),
    "long_text": lambda q, v: _text(q, v, LONG_ANSWER_LIMIT),
    "single_choice": _single,
    "multiple_choice": _multiple,
    "checkbox": _checkbox,
    "country": _country,
}


def _is_empty(answer: Answer) -> bool:
    return answer in ("", [], False)


def clean_answers(questions: list[Question], raw: dict) -> tuple[dict, dict[str, list[str]]]:
    """Return (answers by question id, errors by field key) for submitted raw answers."""
    if not isinstance(raw, dict):
        return {}, {"answers": [gettext("Send the answers as an object keyed by question id")]}
    known = {str(question.id): question for question in questions}
    errors: dict[str, list[str]] = {}
    forged = [key for key in raw if str(key) not in known]
    if forged:
        errors["answers"] = [gettext("Some answers are for questions this event does not ask")]
    answers: dict[str, Answer] = {}
    for key, question in known.items():
        answer, error = _CHECKS[question.type](question, raw.get(key, raw.get(question.id)))
        if error is None and question.required and _is_empty(answer):
            error = gettext("This answer is required")
        if error is None and isinstance(answer, str) and "\x00" in answer:
            error = gettext("Remove the invisible NUL character")
        if error:
            errors[field_key(question)] = [error]
        else:
            answers[key] = answer
    return answers, errors


def answer_text(question: Question, answer: Answer | None, language: str = "en") -> str:
    """An answer as people read it, in `language`: 'yes'/'no', choices joined, country names."""
    if isinstance(answer, bool):
        return gettext("yes") if answer else gettext("no")
    if question.type in CHOICE_TYPES:
        labels = dict(choices_in(question, language))
        chosen = answer if isinstance(answer, list) else [answer] if answer else []
        return "; ".join(labels.get(choice, choice) for choice in chosen)
    if isinstance(answer, list):
        return "; ".join(answer)
    if question.type == "country" and answer:
        return country_names(language).get(answer, COUNTRIES.get(answer, answer))
    return answer or ""


def labelled_answers(registration: Registration, language: str = "en") -> list[tuple[str, str]]:
    """A registration's answers with their questions' labels, in the form's order, in
    `language` where the questions are translated."""
    questions = db.session.scalars(
        select(Question)
        .where(Question.event_id == registration.event_id)
        .order_by(Question.position, Question.id)
    )
    return [
        (
            text_in(question, "label", language),
            answer_text(question, registration.answers[str(question.id)], language),
        )
        for question in questions
        if str(question.id) in registration.answers
    ]
