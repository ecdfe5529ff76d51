"""Forms for managing staff accounts."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Email, Length

from eventsvc.forms import BaseForm, stripped
from eventsvc.inputs import CODE_WORDS, STAFF_ROLES

ROLE_CHOICES = [SelectChoice(role, CODE_WORDS[role]) for role in STAFF_ROLES]


class NewStaffForm(BaseForm):
    """A new account: its address and role; the password is generated."""

    email = EmailField(
        _l("Email"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Enter the email address")),
            Length(max=320),
            Email(_l("Enter an email address like name@example.org")),
        ],
    )
    role = SelectField(
        _l("Role"),
        choices=ROLE_CHOICES,
        default="editor",
        description=_l("Editors manage content; admins also manage staff accounts."),
    )


class StaffRoleForm(BaseForm):
    """An account's role, one form per account on the staff page."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
