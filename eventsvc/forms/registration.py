"""The registration form, built from an event's questions.

The form collects; the registration service decides (services/answers.py checks every
answer), so the API and the page follow the same rules. Its errors come back here by
field name: `answers.<id>` is the question field `q_<id>`.
"""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from eventsvc.forms import BaseForm, stripped, unix_newlines
from eventsvc.inputs import (
    DEFAULT_CONSENT,
    DEFAULT_CONSENT_SHOWN,
    LONG_ANSWER_LIMIT,
    SHORT_ANSWER_LIMIT,
)
from eventsvc.languages import NAMES, current_language, site_languages
from eventsvc.models import Question
from eventsvc.translated import choices_in, country_names, text_in


class RequiredAnswer:
    """Marks a field as required on the page; the registration service enforces it."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RegistrationForm(BaseForm):
    """Name, email and a honeypot; the event's questions, then consent, are added per event."""

    name = StringField(
        _l("Your name"), validators=[RequiredAnswer(), Length(max=200)], filters=[stripped]
    )
    email = EmailField(
        _l("Email address"), validators=[RequiredAnswer(), Length(max=320)], filters=[stripped]
    )
    # Filled in by the browser's time zone, so emails can show the reader's local time.
    timezone = HiddenField()
    # A field people never see: bots fill it in, and their submissions are dropped.
    website = StringField(_l("Leave this field empty"))

    def answers(self) -> dict:
        """The answers to the event's questions, keyed by question id."""
        return {
            name.removeprefix("q_"): field.data
            for name, field in self._fields.items()
            if name.startswith("q_")
        }

    def question_fields(self) -> list:
        """The question fields in the order the event asks them."""
        return [field for name, field in self._fields.items() if name.startswith("q_")]

    def take_errors(self, errors: dict[str, list[str]]) -> None:
        """Show the registration service's errors next to their fields."""
        for key, messages in errors.items():
            name = "q_" + key.removeprefix("answers.") if key.startswith("answers.") else key
            field = self._fields.get(name)
            if field is None:
                self.form_errors.extend(messages)
            else:
                field.errors = [*field.errors, *messages]


def _question_field(question: Question, language: str):
    """The field of one question, worded in `language` where the question is translated."""
    flags = [RequiredAnswer()] if question.required else []
    label, help_text = (
        text_in(question, "label", language),
        text_in(question, "help_text", language),
    )
    options = {"label": label, "description": help_text}
    choices = [SelectChoice(value, shown) for value, shown in choices_in(question, language)]
    if question.type == "long_text":
        return TextAreaField(
            validators=[*flags, Length(max=LONG_ANSWER_LIMIT)], filters=[unix_newlines], **options
        )
    if question.type == "single_choice":
        return RadioField(choices=choices, validate_choice=False, validators=flags, **options)
    if question.type == "multiple_choice":
        return CheckboxListField(
            choices=choices, validate_choice=False, validators=flags, **options
        )
    if question.type == "checkbox":
        return BooleanField(validators=flags, **options)
    if question.type == "country":
        countries = [SelectChoice("", gettext("Choose a country"))] + [
            SelectChoice(code, name) for code, name in country_names(language).items()
        ]
        return SelectField(choices=countries, validate_choice=False, validators=flags, **options)
    return StringField(
        validators=[*flags, Length(max=SHORT_ANSWER_LIMIT)], filters=[stripped], **options
    )


class StaffRegistrationForm(RegistrationForm):
    """The registration form staff fill in for someone, who may read another language."""

    language = SelectField(
        _l("Their language"),
        choices=lambda: [SelectChoice(code, NAMES[code]) for code in site_languages()],
        default=current_language,
        description=_l("Every email they get is written in it."),
    )


def registration_form(
    event, questions: list[Question], base: type[RegistrationForm] = RegistrationForm, **kwargs
) -> RegistrationForm:
    """Build the form for an event: its questions in order, then the consent box."""

    class EventRegistrationForm(base):
        pass

    language = current_language()
    for question in questions:
        setattr(EventRegistrationForm, f"q_{question.id}", _question_field(question, language))
    # Made after the questions, so fields listed in order (the error summary) end with it.
    EventRegistrationForm.consent = BooleanField(validators=[RequiredAnswer()])
    form = EventRegistrationForm(**kwargs)
    form.consent.label.text = consent_in(event, language)
    form.consent.summary_label = gettext("Consent")  # the whole text would not read as a name
    return form


def consent_in(event, language: str) -> str:
    """The consent sentence a reader of `language` agrees to: the event's own, translated
    where staff translated it; the default one, untranslated by staff, in the reader's language."""
    shown = text_in(event, "consent_text", language)
    if shown.strip() == DEFAULT_CONSENT:
        return str(DEFAULT_CONSENT_SHOWN)
    return shown or gettext("I agree to the use of my details.")


def answer_data(registration) -> dict:
    """A registration's name and answers as the form's initial values, for correcting them."""
    answers = {f"q_{key}": value for key, value in registration.answers.items()}
    return {"name": registration.name, **answers}
