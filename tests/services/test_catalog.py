"""Organisations, people, series and tags are found by name, or created once."""

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import CreditInput
from eventsvc.models import AuditEntry, Organization, Person, Series, Tag
from eventsvc.services.catalog import (
    find_or_add_organization,
    find_or_add_person,
    find_or_add_series,
    find_or_add_tags,
)
from tests.helpers import changed_fields, row_count, save_fields


def test_an_organisation_is_found_whatever_the_case_and_spaces(any_db_app):
    added = find_or_add_organization("MSI Integrity", "https://msi.example.org")
    db.session.commit()
    assert find_or_add_organization("  msi INTEGRITY ") is added
    assert (added.name, added.slug, added.url) == (
        "MSI Integrity",
        "msi-integrity",
        "https://msi.example.org",
    )
    assert row_count(Organization) == 1


def test_names_with_accented_capitals_are_found_again(any_db_app):
    added = find_or_add_organization("Équipe Ñandú")
    db.session.commit()
    assert find_or_add_organization("Équipe Ñandú") is added
    assert find_or_add_organization("équipe ñandú") is added
    assert find_or_add_person("Óscar Núñez") is find_or_add_person("óscar núñez")
    db.session.commit()
    assert (row_count(Organization), row_count(Person)) == (1, 1)


def test_a_different_name_with_the_same_slug_gets_its_own_slug(any_db_app):
    first = find_or_add_organization("Human Rights Clinic")
    second = find_or_add_organization("Human-Rights Clinic!")
    db.session.commit()
    assert first is not second
    assert (first.slug, second.slug) == ("human-rights-clinic", "human-rights-clinic-2")


def test_a_person_and_an_organisation_may_share_a_name(any_db_app):
    person = find_or_add_person("Amnesty", affiliation="Independent")
    organization = find_or_add_organization("Amnesty")
    db.session.commit()
    assert (person.slug, organization.slug) == ("amnesty", "amnesty")
    assert person.affiliation == "Independent"
    assert (row_count(Person), row_count(Organization)) == (1, 1)
    assert find_or_add_person("amnesty") is person


def test_tags_keep_their_order_without_repeats_or_blanks(any_db_app):
    tags = find_or_add_tags(["Business", " ", "Human rights", "business", "Governance "])
    db.session.commit()
    assert [tag.name for tag in tags] == ["Business", "Human rights", "Governance"]
    assert [tag.slug for tag in tags] == ["business", "human-rights", "governance"]
    again = find_or_add_tags(["GOVERNANCE", "human rights"])
    assert [tag.id for tag in again] == [tags[2].id, tags[1].id]
    assert row_count(Tag) == 3


def test_a_series_is_found_by_name_and_none_means_no_series(any_db_app):
    series = find_or_add_series("#RethinkingMSIs")
    db.session.commit()
    assert series.slug == "rethinkingmsis"
    assert find_or_add_series(" #rethinkingmsis") is series
    assert find_or_add_series(None) is None
    assert find_or_add_series("   ") is None
    assert row_count(Series) == 1


def test_values_given_for_someone_known_are_saved_and_audited(any_db_app, make_event):
    event = make_event(
        credits=[("co_host", "organization", "JustLabs"), ("moderator", "person", "Krizna Gomez")]
    )
    changed = changed_fields(
        event,
        credits=[
            CreditInput("co_host", "organization", "justlabs", "https://justlabs.example.org"),
            CreditInput("moderator", "person", "Krizna Gomez", None, "Director, JustLabs"),
        ],
    )

    save_fields(event, changed)

    organization, person = (
        db.session.scalar(select(Organization)),
        db.session.scalar(select(Person)),
    )
    assert (organization.url, person.affiliation, person.url) == (
        "https://justlabs.example.org",
        "Director, JustLabs",
        None,
    )
    assert (row_count(Organization), row_count(Person)) == (1, 1)
    details = db.session.execute(
        select(AuditEntry.action, AuditEntry.target_label, AuditEntry.detail).where(
            AuditEntry.action.in_(["organization.changed", "person.changed"])
        )
    ).all()
    assert sorted(details) == [
        ("organization.changed", "JustLabs", "web address given in an event's credits"),
        ("person.changed", "Krizna Gomez", "affiliation given in an event's credits"),
    ]
