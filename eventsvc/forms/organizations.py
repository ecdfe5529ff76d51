"""The organisation and person forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, Optional

from eventsvc.forms import BaseForm, check_image_fields, stripped, unix_newlines, web_address
from eventsvc.inputs import OrganizationFields, PersonFields
from eventsvc.models import Organization, Person


def _web_address_field(label: str, description: str = "") -> URLField:
    return URLField(
        label,
        filters=[stripped],
        validators=[Optional(), Length(max=500), web_address],
        description=description,
    )


class OrganizationForm(BaseForm):
    """An organisation's name, link, description and logo."""

    name = StringField(
        _l("Name"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter a name")), Length(max=200)],
    )
    url = _web_address_field(_l("Web address"))
    description = TextAreaField(_l("Description"), filters=[unix_newlines, stripped])
    logo = FileField(_l("Logo"), description=_l("PNG, JPEG, GIF or WebP, up to 2 MB."))
    logo_url = _web_address_field(_l("Or the logo's web address"))
    logo_alt = StringField(
        _l("Logo description (alt text)"),
        filters=[stripped],
        validators=[Length(max=300)],
        description=_l("Required with a logo, usually the organisation's name."),
    )
    remove_logo = BooleanField(_l("Remove the uploaded logo"))

    def __init__(self, *args, stored_logo: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_logo = stored_logo

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        kept = bool(self.stored_logo) and not self.remove_logo.data and not self.logo_url.data
        uploaded = bool(self.logo.data)
        return check_image_fields(uploaded, self.logo_url, self.logo_alt, kept) and valid

    def to_fields(self) -> OrganizationFields:
        """The validated form as the service's fields (the logo file travels separately)."""
        return OrganizationFields(
            name=self.name.data,
            url=self.url.data or None,
            description=self.description.data,
            logo_url=self.logo_url.data or None,
            logo_alt=self.logo_alt.data,
            remove_logo=self.remove_logo.data,
        )


def organization_form_data(organization: Organization) -> dict:
    """An organisation as the form's initial values."""
    return {
        "name": organization.name,
        "url": organization.url,
        "description": organization.description,
        "logo_url": organization.logo_url,
        "logo_alt": organization.logo_alt,
    }


class PersonForm(BaseForm):
    """A person's name, affiliation and link."""

    name = StringField(
        _l("Name"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter a name")), Length(max=200)],
    )
    affiliation = StringField(
        _l("Affiliation"),
        filters=[stripped],
        validators=[Length(max=300)],
        description=_l("Optional, such as their organisation and role."),
    )
    url = _web_address_field(_l("Web address"))

    def to_fields(self) -> PersonFields:
        """The validated form as the service's fields."""
        return PersonFields(
            name=self.name.data, affiliation=self.affiliation.data, url=self.url.data or None
        )


def person_form_data(person: Person) -> dict:
    """A person as the form's initial values."""
    return {"name": person.name, "affiliation": person.affiliation, "url": person.url}
