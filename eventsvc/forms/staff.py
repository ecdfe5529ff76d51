"""Forms for managing staff accounts."""

from wtforms import EmailField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Email, Length

from eventsvc.forms import BaseForm, stripped
from eventsvc.inputs import STAFF_ROLES

ROLE_CHOICES = [SelectChoice(role, role.capitalize()) for role in STAFF_ROLES]


class NewStaffForm(BaseForm):
    """A new account: its address and role; the password is generated."""

    email = EmailField(
        "Email",
        filters=[stripped],
        validators=[
            DataRequired("Enter the email address"),
            Length(max=320),
            Email("Enter an email address like name@example.org"),
        ],
    )
    role = SelectField(
        "Role",
        choices=ROLE_CHOICES,
        default="editor",
        description="Editors manage content; admins also manage staff accounts.",
    )


class StaffRoleForm(BaseForm):
    """An account's role, one form per account on the staff page."""

    role = SelectField("Role", choices=ROLE_CHOICES)
