"""The form that makes an API token."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from eventsvc.forms import BaseForm, stripped
from eventsvc.inputs import MAX_TOKEN_DAYS, TOKEN_NAME_LIMIT

SCOPE_CHOICES = [
    SelectChoice("read", _l("Read: list registrations and see drafts")),
    SelectChoice("write", _l("Write: also create and change events and registrations")),
]


class NewTokenForm(BaseForm):
    """A token's name, scope and lifetime; its value is generated and shown once."""

    name = StringField(
        _l("Name"),
        filters=[stripped],
        validators=[DataRequired(_l("Say what the token is for")), Length(max=TOKEN_NAME_LIMIT)],
        description=_l("What uses it, e.g. “Main website” or “Newsletter tool”."),
    )
    scope = SelectField(_l("Scope"), choices=SCOPE_CHOICES, default="read")
    expires = IntegerField(
        _l("Expires after (days)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_TOKEN_DAYS, message=_l("Give 1 to 3650 days")),
        ],
        description=_l("Leave empty for a token that works until it is revoked."),
        invalid_value_message=_l("Give the number of days as a whole number"),
    )
