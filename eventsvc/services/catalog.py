"""Organisations, people, series and tags: found by name, or created."""

from eventsvc.extensions import db
from eventsvc.models import Organization, Person, Series, Tag
from eventsvc.queries import find_by_name
from eventsvc.services import audit
from eventsvc.services.slugs import unique_slug

_PROFILE_LABELS = {"url": "web address", "affiliation": "affiliation"}


def _keep_given(found: Organization | Person, **given) -> None:
    """Save what was typed for someone already known (never dropped); empty values keep theirs."""
    changed = [name for name, value in given.items() if value and value != getattr(found, name)]
    for name in changed:
        setattr(found, name, given[name])
    if changed:
        kind = "organization" if isinstance(found, Organization) else "person"
        words = " and ".join(_PROFILE_LABELS[name] for name in changed)
        audit.record(f"{kind}.changed", found, f"{words} given in an event's credits")


def find_or_add_organization(name: str, url: str | None = None) -> Organization:
    """Return the organisation called `name` (with `url` saved if given), adding it when new."""
    found = find_by_name(Organization, name)
    if found:
        _keep_given(found, url=url)
        return found
    organization = Organization(name=name.strip(), slug=unique_slug(Organization, name), url=url)
    db.session.add(organization)
    db.session.flush()
    return organization


def find_or_add_person(name: str, url: str | None = None, affiliation: str = "") -> Person:
    """Return the person called `name` (with the values given saved), adding them when new."""
    found = find_by_name(Person, name)
    if found:
        _keep_given(found, url=url, affiliation=affiliation.strip())
        return found
    person = Person(
        name=name.strip(), slug=unique_slug(Person, name), url=url, affiliation=affiliation
    )
    db.session.add(person)
    db.session.flush()
    return person


def find_or_add_series(name: str | None) -> Series | None:
    """Return the series called `name` (added when new), or None for no name."""
    if not name or not name.strip():
        return None
    found = find_by_name(Series, name)
    if found:
        return found
    series = Series(name=name.strip(), slug=unique_slug(Series, name))
    db.session.add(series)
    db.session.flush()
    return series


def find_or_add_tags(names: list[str]) -> list[Tag]:
    """Return the tags with these names, in order and without repeats, adding new ones."""
    tags: list[Tag] = []
    for name in names:
        if not name.strip():
            continue
        tag = find_by_name(Tag, name)
        if tag is None:
            tag = Tag(name=name.strip(), slug=unique_slug(Tag, name))
            db.session.add(tag)
            db.session.flush()
        if tag not in tags:
            tags.append(tag)
    return tags
