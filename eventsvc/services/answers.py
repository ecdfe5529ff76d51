"""Checking registration answers against an event's questions."""

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import (
    COUNTRIES,
    LONG_ANSWER_LIMIT,
    SHORT_ANSWER_LIMIT,
    single_line_error,
)
from eventsvc.models import Question, Registration

Answer = str | list[str] | bool


def field_key(question: Question) -> str:
    """The name errors use for a question's answer: answers.<id>."""
    return f"answers.{question.id}"


def _text(question: Question, value, limit: int) -> tuple[Answer | None, str | None]:
    if value is None:
        value = ""
    if not isinstance(value, str):
        return None, "Answer with text"
    if question.type != "long_text" and single_line_error(value):
        return None, single_line_error(value)
    value = value.strip()
    if len(value) > limit:
        return None, f"Keep this under {limit} characters"
    return value, None


def _single(question: Question, value) -> tuple[Answer | None, str | None]:
    if value in (None, ""):
        return "", None
    if not isinstance(value, str) or value not in question.choices:
        return None, "Choose one of the options"
    return value, None


def _multiple(question: Question, value) -> tuple[Answer | None, str | None]:
    if value in (None, ""):
        return [], None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(v in question.choices for v in value):
        return None, "Choose from the options"
    return [choice for choice in question.choices if choice in value], None


def _checkbox(question: Question, value) -> tuple[Answer | None, str | None]:
    if value in (None, "", False, "false", "n", "no", "off"):
        return False, None
    if value in (True, "true", "y", "yes", "on", "1"):
        return True, None
    return None, "Tick the box or leave it empty"


def _country(question: Question, value) -> tuple[Answer | None, str | None]:
    if value in (None, ""):
        return "", None
    if not isinstance(value, str) or value.upper() not in COUNTRIES:
        return None, "Choose a country from the list"
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
        return {}, {"answers": ["Send the answers as an object keyed by question id"]}
    known = {str(question.id): question for question in questions}
    errors: dict[str, list[str]] = {}
    forged = [key for key in raw if str(key) not in known]
    if forged:
        errors["answers"] = ["Some answers are for questions this event does not ask"]
    answers: dict[str, Answer] = {}
    for key, question in known.items():
        answer, error = _CHECKS[question.type](question, raw.get(key, raw.get(question.id)))
        if error is None and question.required and _is_empty(answer):
            error = "This answer is required"
        if error is None and isinstance(answer, str) and "\x00" in answer:
            error = "Remove the invisible NUL character"
        if error:
            errors[field_key(question)] = [error]
        else:
            answers[key] = answer
    return answers, errors


def answer_text(question: Question, answer: Answer | None) -> str:
    """An answer as people read it: 'yes'/'no', choices joined, country names."""
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, list):
        return "; ".join(answer)
    if question.type == "country" and answer:
        return COUNTRIES.get(answer, answer)
    return answer or ""


def labelled_answers(registration: Registration) -> list[tuple[str, str]]:
    """A registration's answers with their questions' labels, in the form's order."""
    questions = db.session.scalars(
        select(Question)
        .where(Question.event_id == registration.event_id)
        .order_by(Question.position, Question.id)
    )
    return [
        (question.label, answer_text(question, registration.answers[str(question.id)]))
        for question in questions
        if str(question.id) in registration.answers
    ]
