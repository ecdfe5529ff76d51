"""Creating, editing and deleting the organisations and people that events credit."""

from typing import BinaryIO

from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.inputs import OrganizationFields, PersonFields
from eventsvc.models import Credit, Organization, Person
from eventsvc.queries import find_by_name
from eventsvc.services import audit
from eventsvc.services.locking import write_transaction
from eventsvc.services.slugs import unique_slug
from eventsvc.services.uploads import store_uploaded_image


class CatalogError(ValueError):
    """A change to an organisation or person that cannot be made, with a message for staff."""


def _check_name_free(model, name: str, current=None) -> None:
    found = find_by_name(model, name)
    if found is not None and found is not current:
        raise CatalogError(
            gettext("“%(name)s” already exists; credits find it by its name", name=found.name)
        )


def _credited_count(column, row_id: int) -> int:
    credited = select(func.count(func.distinct(Credit.event_id))).where(column == row_id)
    return db.session.scalar(credited)


def _apply_logo(organization: Organization, values: OrganizationFields, logo) -> None:
    if logo is not None:
        organization.logo_path, organization.logo_url = store_uploaded_image(logo), None
    elif values.logo_url:
        organization.logo_path, organization.logo_url = None, values.logo_url
    else:
        organization.logo_url = None
        if values.remove_logo:
            organization.logo_path = None


def _apply_organization(organization, values: OrganizationFields, logo) -> None:
    _apply_logo(organization, values, logo)
    organization.name, organization.url = values.name.strip(), values.url
    organization.description = values.description
    has_logo = organization.logo_path or organization.logo_url
    organization.logo_alt = values.logo_alt if has_logo else ""


@write_transaction()
def create_organization(values: OrganizationFields, logo: BinaryIO | None = None) -> Organization:
    """Add an organisation; `logo` is an uploaded image file, checked and stored."""
    _check_name_free(Organization, values.name)
    organization = Organization(slug=unique_slug(Organization, values.name))
    _apply_organization(organization, values, logo)
    db.session.add(organization)
    audit.record("organization.created", organization)
    return organization


@write_transaction()
def update_organization(
    organization: Organization, values: OrganizationFields, logo: BinaryIO | None = None
) -> Organization:
    """Change an organisation; events crediting it move their calendar version if shown."""
    _check_name_free(Organization, values.name, organization)
    _apply_organization(organization, values, logo)
    audit.record("organization.changed", organization)
    return organization


def _refuse_if_credited(column, row_id: int, name: str) -> None:
    count = _credited_count(column, row_id)
    if count:
        raise CatalogError(
            ngettext(
                "%(name)s is credited on %(num)d event; remove those credits first",
                "%(name)s is credited on %(num)d events; remove those credits first",
                count,
                name=name,
            )
        )


@write_transaction()
def delete_organization(organization: Organization) -> None:
    """Delete an organisation that no event credits."""
    _refuse_if_credited(Credit.organization_id, organization.id, organization.name)
    audit.record("organization.deleted", organization)
    db.session.delete(organization)


def _apply_person(person: Person, values: PersonFields) -> None:
    person.name, person.url = values.name.strip(), values.url
    person.affiliation = values.affiliation


@write_transaction()
def create_person(values: PersonFields) -> Person:
    """Add a person who can be credited on events."""
    _check_name_free(Person, values.name)
    person = Person(slug=unique_slug(Person, values.name))
    _apply_person(person, values)
    db.session.add(person)
    audit.record("person.created", person)
    return person


@write_transaction()
def update_person(person: Person, values: PersonFields) -> Person:
    """Change a person; events crediting them move their calendar version if shown."""
    _check_name_free(Person, values.name, person)
    _apply_person(person, values)
    audit.record("person.changed", person)
    return person


@write_transaction()
def delete_person(person: Person) -> None:
    """Delete a person whom no event credits."""
    _refuse_if_credited(Credit.person_id, person.id, person.name)
    audit.record("person.deleted", person)
    db.session.delete(person)
