"""WTForms, one module per area, all on one CSRF-enabled base form."""

from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, PasswordField
from wtforms.fields import FieldList, FormField
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import Input

from eventsvc.inputs import single_line_error
from eventsvc.languages import site_languages
from eventsvc.timezones import TimeInputError, read_moment

# How a datetime-local input sends a wall-clock time.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _text_fields(fields):
    """Yield every field holding text, looking inside field lists and sub-forms."""
    for field in fields:
        if isinstance(field, FieldList | FormField):
            yield from _text_fields(field)
        elif isinstance(field.data, str):
            yield field


# What arrives where a browser sent bytes that are not UTF-8 (decoded as U+FFFD).
_UNREADABLE = "\ufffd"
FORM_EXPIRED = _l(
    "Nothing was saved: this page was open too long, so its security check ran out. "
    "Everything you typed is kept below: check it and send the form again."
)


def _text_problem(field) -> str | None:
    """Why a text field's value is refused: a NUL, unreadable bytes, or (in a one-line
    input) a control character in what was sent."""
    if "\x00" in field.data:
        return gettext("Remove the invisible NUL character")
    if _UNREADABLE in field.data:
        return gettext("This text has characters we cannot read")
    if isinstance(field.widget, Input) and not isinstance(field, PasswordField):
        return single_line_error(field.raw_data[0] if field.raw_data else field.data)
    return None


class BaseForm(FlaskForm):
    """Every form: CSRF-protected, refusing NUL characters, text that was not UTF-8, and
    control characters in one-line inputs."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.meta.csrf and self.csrf_token.errors:
            self.csrf_token.errors = [str(FORM_EXPIRED)]
        for field in _text_fields(self):
            problem = _text_problem(field)
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid

    def token_holds(self) -> bool:
        """Whether the form came with a good CSRF token (always, where CSRF is off): asked
        before a view keeps anything sent with it, such as an uploaded file."""
        return not self.meta.csrf or self.csrf_token.validate(self)


def stripped(value):
    """Filter: trim the spaces around a text; other values pass unchanged."""
    return value.strip() if isinstance(value, str) else value


def unix_newlines(value):
    """Filter: browsers send CRLF from a textarea; store plain newlines."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def web_address(form, field) -> None:
    """Validator: an empty value, or an http(s) address with a host."""
    if not field.data:
        return
    message = gettext("Enter a web address starting with https:// or http://")
    try:
        parts = urlsplit(field.data)
    except ValueError as error:
        raise ValidationError(message) from error
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname or " " in field.data:
        raise ValidationError(message)


def check_image_fields(uploaded: bool, url, alt, kept: bool) -> bool:
    """Put errors on an image's fields: an upload or a web address, not both; alt text with any.

    `uploaded` tells whether a file is chosen, `kept` whether an image stored earlier stays.
    """
    valid = True
    if uploaded and url.data:
        url.errors.append(gettext("Upload an image or give its web address, not both"))
        valid = False
    if (uploaded or url.data or kept) and not alt.data:
        alt.errors.append(gettext("Describe the image for people who cannot see it"))
        valid = False
    return valid


def local_time_field(label: str, description: str = "") -> DateTimeLocalField:
    """An optional wall-clock date and time, as a datetime-local input sends it."""
    return DateTimeLocalField(
        label,
        format=LOCAL_FORMATS,
        validators=[Optional()],
        description=description,
        invalid_value_message=_l("Enter a date and a time"),
    )


def label_zone(field, zone_name: str, label: str, help: str) -> None:
    """Name, in a wall-clock time field's label and help, the zone it is read in."""
    field.label.text = f"{label} ({zone_name})"
    field.description = gettext("Wall-clock time in %(zone)s.", zone=zone_name) + f" {help}"


class TranslationsMixin:
    """A form whose texts have a translation in each other site language, edited beside
    them: its `translations` field lists one sub-form per language (TextsForm subclasses
    with a hidden `language`), one row each whether or not it holds text yet."""

    def add_language_rows(self) -> None:
        """Give each site language but English its row, where the form came without one."""
        present = {row.form.language.data for row in self.translations}
        for code in site_languages()[1:]:
            if code not in present:
                self.translations.append_entry({"language": code})

    def translated_texts(self) -> dict[str, dict]:
        """The rows' texts by language, for the site's languages only."""
        found = {}
        for row in self.translations:
            code = row.form.language.data
            if code in site_languages():
                found[code] = {name: row.form[name].data or "" for name in row.form.texts}
        return found


def translation_rows(translations: dict | None, names) -> list[dict]:
    """A translations field's initial rows: one per site language but English."""
    translations = translations or {}
    return [
        {"language": code, **{name: (translations.get(code) or {}).get(name, "") for name in names}}
        for code in site_languages()[1:]
    ]


def read_local_time(form, field, zone_name: str) -> tuple[datetime | None, bool]:
    """The field's wall-clock time in `zone_name` as an instant (None when empty), and whether
    it could be read; when not, the time policy's error is shown on the field."""
    try:
        return read_moment(field.data, zone_name, field.name), True
    except TimeInputError as error:
        show_time_errors(form, error)
        return None, False


def show_time_errors(form, error: TimeInputError, names: dict[str, str] | None = None) -> None:
    """Put the time policy's errors on the form's fields; `names` maps policy names to them."""
    for name, messages in error.errors.items():
        field = form[(names or {}).get(name, name)]
        field.errors = [*field.errors, *messages]


__all__ = [
    "LOCAL_FORMATS",
    "BaseForm",
    "ValidationError",
    "check_image_fields",
    "label_zone",
    "local_time_field",
    "read_local_time",
    "show_time_errors",
    "stripped",
    "unix_newlines",
    "web_address",
]
