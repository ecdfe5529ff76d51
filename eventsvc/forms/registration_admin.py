"""Staff forms for registration: settings, questions, registrants, messages, a person's data."""

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from eventsvc.forms import (
    BaseForm,
    TranslationsMixin,
    local_time_field,
    show_time_errors,
    stripped,
    translation_rows,
    unix_newlines,
    web_address,
)
from eventsvc.forms.registration import CheckboxListField
from eventsvc.inputs import (
    CHOICE_LIMIT,
    CHOICE_TYPES,
    CONSENT_LIMIT,
    DEFAULT_CONSENT,
    HELP_LIMIT,
    MAX_CHOICES,
    QUESTION_LIMIT,
    QUESTION_TYPE_LABELS,
    QUESTION_TYPES,
    URL_LIMIT,
    QuestionFields,
    RegistrationSettings,
)
from eventsvc.models import Event, Question
from eventsvc.models.registrations import STATE_LABELS, STATES
from eventsvc.timezones import TimeInputError, read_window, to_local

TEXT = [unix_newlines, stripped]


class ConsentTexts(Form):
    """The consent text in one other language."""

    texts = ("consent_text",)
    language = HiddenField()
    consent_text = TextAreaField(
        _l("Consent text"), filters=TEXT, validators=[Length(max=CONSENT_LIMIT)]
    )


class QuestionTexts(Form):
    """A question's words in one other language; choices in the same order, one per line."""

    texts = ("label", "help_text", "choices")
    language = HiddenField()
    label = StringField(_l("Question"), filters=[stripped], validators=[Length(max=QUESTION_LIMIT)])
    help_text = TextAreaField(_l("Help text"), filters=TEXT, validators=[Length(max=HELP_LIMIT)])
    choices = TextAreaField(
        _l("Choices"),
        filters=[unix_newlines],
        description=_l("The same choices in the same order, one per line."),
    )


class RegistrationSettingsForm(TranslationsMixin, BaseForm):
    """How one event takes registrations; times are wall-clock times in the event's zone."""

    enabled = BooleanField(_l("Take registrations on the event page"))
    opens = local_time_field(
        _l("Opens"), _l("Leave empty: registration opens when the event is published.")
    )
    closes = local_time_field(
        _l("Closes"), _l("Leave empty: registration closes when the event starts.")
    )
    waitlist = BooleanField(
        _l("Keep a waiting list when the event is full"),
        description=_l("A freed seat goes to the first in line, who is emailed."),
    )
    approval = BooleanField(
        _l("Staff approve each registration"),
        description=_l("Registrations hold a seat while they wait for your decision."),
    )
    confirm_email = BooleanField(
        _l("Confirm email first"),
        description=_l(
            "For sensitive events: every submission is answered “check your inbox”, "
            "and the registration counts only once the emailed link is used."
        ),
    )
    consent_text = TextAreaField(
        _l("Consent text"),
        filters=TEXT,
        validators=[DataRequired(_l("Enter the text people agree to")), Length(max=CONSENT_LIMIT)],
    )
    privacy_url = URLField(
        _l("Privacy policy link"),
        filters=[stripped],
        validators=[Optional(), Length(max=URL_LIMIT), web_address],
        description=_l("Shown beside the consent box."),
    )
    translations = FieldList(FormField(ConsentTexts))

    opens_at: datetime | None = None
    closes_at: datetime | None = None

    def __init__(self, *args, zone_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_language_rows()
        self._zone_name = zone_name

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.opens.errors or self.closes.errors:
            return False
        try:
            window = read_window(self.opens.data, self.closes.data, self._zone_name)
        except TimeInputError as error:
            show_time_errors(self, error)
            return False
        self.opens_at, self.closes_at = window
        return valid

    def to_settings(self) -> RegistrationSettings:
        """The validated form as the service's settings."""
        return RegistrationSettings(
            enabled=self.enabled.data,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            waitlist=self.waitlist.data,
            approval=self.approval.data,
            confirm_email=self.confirm_email.data,
            consent_text=self.consent_text.data,
            privacy_url=self.privacy_url.data or None,
            consent_translations={
                code: text["consent_text"] for code, text in self.translated_texts().items()
            },
        )


def _wall_clock(instant: datetime | None, zone_name: str) -> datetime | None:
    return to_local(instant, zone_name).replace(tzinfo=None) if instant else None


def settings_form_data(event: Event) -> dict:
    """An event's registration settings as the form's initial values."""
    return {
        "enabled": event.registration_enabled,
        "opens": _wall_clock(event.registration_opens_at, event.timezone),
        "closes": _wall_clock(event.registration_closes_at, event.timezone),
        "waitlist": event.waitlist_enabled,
        "approval": event.approval_required,
        "confirm_email": event.confirm_email,
        "consent_text": event.consent_text or DEFAULT_CONSENT,
        "privacy_url": event.privacy_url or "",
        "translations": translation_rows(event.translations, ConsentTexts.texts),
    }


class QuestionForm(TranslationsMixin, BaseForm):
    """One registration question as staff write it, with its translations."""

    type = SelectField(
        _l("Type"),
        choices=[SelectChoice(kind, QUESTION_TYPE_LABELS[kind]) for kind in QUESTION_TYPES],
        default="short_text",
        invalid_choice_message=_l("Choose a type from the list"),
    )
    label = StringField(
        _l("Question"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the question")), Length(max=QUESTION_LIMIT)],
    )
    required = BooleanField(_l("An answer is required"))
    help_text = TextAreaField(
        _l("Help text"),
        filters=TEXT,
        validators=[Length(max=HELP_LIMIT)],
        description=_l("Optional: shown under the question."),
    )
    choices = TextAreaField(
        _l("Choices"),
        filters=[unix_newlines],
        description=_l("For single and multiple choice: one choice per line."),
    )
    translations = FieldList(FormField(QuestionTexts))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_language_rows()

    def choice_lines(self) -> list[str]:
        """The choices typed, one per line, without empty lines."""
        return [line.strip() for line in (self.choices.data or "").split("\n") if line.strip()]

    def validate_choices(self, field) -> None:
        if self.type.data not in CHOICE_TYPES:
            return
        lines = self.choice_lines()
        if len(lines) < 2:
            raise ValidationError(gettext("Give at least two choices, one per line"))
        if len(lines) > MAX_CHOICES:
            raise ValidationError(gettext("Give at most %(max)s choices", max=MAX_CHOICES))
        if any(len(line) > CHOICE_LIMIT for line in lines):
            raise ValidationError(
                gettext("Keep each choice under %(limit)s characters", limit=CHOICE_LIMIT)
            )
        if len(set(lines)) < len(lines):
            raise ValidationError(gettext("Give each choice once"))

    def to_fields(self) -> QuestionFields:
        """The validated form as the service's question fields."""
        return QuestionFields(
            type=self.type.data,
            label=self.label.data,
            required=self.required.data,
            help_text=self.help_text.data or "",
            choices=self.choice_lines(),
            translations={
                code: {**text, "choices": _lines(text["choices"])}
                for code, text in self.translated_texts().items()
            },
        )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


def question_form_data(question: Question) -> dict:
    """A question as the form's initial values."""
    return {
        "type": question.type,
        "label": question.label,
        "required": question.required,
        "help_text": question.help_text,
        "choices": "\n".join(question.choices),
        "translations": [
            {**row, "choices": "\n".join(row["choices"] or [])}
            for row in translation_rows(question.translations, QuestionTexts.texts)
        ],
    }


class RegistrantFilterForm(Form):
    """The registrants page's state filter and search (posted, never in the URL)."""

    state = SelectField(
        _l("State"),
        choices=[SelectChoice("", _l("Every state"))]
        + [SelectChoice(state, STATE_LABELS[state]) for state in STATES],
        default="",
        validate_choice=False,
    )
    q = SearchField(_l("Name or email contains"), filters=[stripped], validators=[Length(max=200)])

    def chosen_state(self) -> str | None:
        """The state to show, or None for every state."""
        return self.state.data if self.state.data in STATES else None


class MessageForm(BaseForm):
    """A message to an event's registrants in the chosen states."""

    states = CheckboxListField(
        _l("Send to"),
        choices=[SelectChoice(state, STATE_LABELS[state]) for state in STATES],
        default=["confirmed"],
        invalid_choice_message=_l("Choose from the listed groups"),
    )
    subject = StringField(
        _l("Subject"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter a subject")), Length(max=200)],
    )
    body = TextAreaField(
        _l("Message"),
        filters=TEXT,
        validators=[DataRequired(_l("Write the message")), Length(max=20000)],
        description=_l("Plain text. Each email adds the event's details and an opt-out link."),
    )

    def __init__(self, *args, counts: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.states.choices = [
            SelectChoice(state, f"{STATE_LABELS[state]} ({counts.get(state, 0)})")
            for state in STATES
        ]

    def validate_states(self, field) -> None:
        if not field.data:
            raise ValidationError(gettext("Choose who receives the message"))


class PersonForm(BaseForm):
    """An email address whose registrations staff look up, export or erase."""

    email = EmailField(
        _l("Email address"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Enter the email address")),
            Length(max=320),
            Email(_l("Enter an email address like name@example.org")),
        ],
    )


class AttendanceReportForm(BaseForm):
    """A webinar platform's attendance report (CSV) to mark who attended."""

    report = FileField(
        _l("Attendance report (CSV)"),
        validators=[FileRequired(_l("Choose the CSV file your webinar platform exported"))],
        description=_l(
            "A CSV file with a column of email addresses, such as Zoom’s participants "
            "or attendee report. Rows are matched to registrations by address."
        ),
    )
    others_absent = BooleanField(
        _l("Everyone confirmed who is not in the report did not attend"),
        default=True,
        description=_l("People already checked in stay checked in."),
    )


class CheckInSearchForm(Form):
    """The check-in list's search by name (posted, so names stay out of URLs)."""

    q = SearchField(_l("Find by name or email"), filters=[stripped], validators=[Length(max=200)])
