"""The audit log: who changed what and when, written with the change, shown to admins only."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry, Registration
from eventsvc.services import audit, notifications
from eventsvc.services.events import (
    cancel_event,
    delete_event,
    fields_of,
    postpone_event,
    reschedule_event,
    set_visibility,
)
from eventsvc.services.news import NewsFields, delete_news, set_news_published, update_news
from eventsvc.services.organizations import (
    OrganizationFields,
    create_organization,
    delete_organization,
    update_organization,
)
from eventsvc.services.registration import approve_registration
from eventsvc.services.tokens import issue_token
from eventsvc.timezones import Schedule
from tests.helpers import in_days, page_text, save_fields

ADMIN = "admin@example.org"


def entries() -> list[tuple]:
    """Every entry, oldest first, as (actor, action, label, detail)."""
    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [(e.actor, e.action, e.target_label, e.detail) for e in rows]


def actions() -> list[str]:
    return [entry[1] for entry in entries()]


def forget_entries() -> None:
    db.session.execute(db.delete(AuditEntry))
    db.session.commit()


def test_content_changes_name_their_actor_and_target(app, make_event, make_news):
    with audit.acting_as(ADMIN):
        event = make_event(title="Beyond Business as Usual", publish=False)
        save_fields(event, _retitled(event))
        set_visibility(event, True)
        postpone_event(event, "Speaker ill")
        later = Schedule(event.timezone, in_days(20), in_days(20) + timedelta(hours=1))
        reschedule_event(event, later)
        cancel_event(event, "Venue closed")
        set_visibility(event, False)
        event.cancelled_at -= timedelta(days=31)  # gone from calendar feeds by now
        db.session.commit()
        delete_event(event)
        item = make_news(title="Clinic news")
        update_news(item, NewsFields(title="Clinic news, updated"))
        set_news_published(item, False)
        set_news_published(item, True)
        delete_news(item)
        organization = create_organization(OrganizationFields(name="MSI Integrity"))
        update_organization(organization, OrganizationFields(name="MSI Integrity Ltd"))
        delete_organization(organization)

    assert entries() == [
        (ADMIN, "event.created", "Beyond Business as Usual", ""),
        (ADMIN, "event.changed", "Beyond Business (retitled)", ""),
        (ADMIN, "event.published", "Beyond Business (retitled)", ""),
        (ADMIN, "event.postponed", "Beyond Business (retitled)", "Speaker ill"),
        (ADMIN, "event.rescheduled", "Beyond Business (retitled)", ""),
        (ADMIN, "event.cancelled", "Beyond Business (retitled)", "Venue closed"),
        (ADMIN, "event.unpublished", "Beyond Business (retitled)", ""),
        (ADMIN, "event.deleted", "Beyond Business (retitled)", ""),
        (ADMIN, "news.created", "Clinic news", ""),
        (ADMIN, "news.changed", "Clinic news, updated", ""),
        (ADMIN, "news.unpublished", "Clinic news, updated", ""),
        (ADMIN, "news.published", "Clinic news, updated", ""),
        (ADMIN, "news.deleted", "Clinic news, updated", ""),
        (ADMIN, "organization.created", "MSI Integrity", ""),
        (ADMIN, "organization.changed", "MSI Integrity Ltd", ""),
        (ADMIN, "organization.deleted", "MSI Integrity Ltd", ""),
    ]
    assert audit.current_actor() == audit.SYSTEM


def _retitled(event):
    values = fields_of(event)
    values.title = "Beyond Business (retitled)"
    return values


def test_changes_outside_a_staff_request_are_by_system(app, make_event):
    make_event(title="Made by a command")

    assert entries()[0][:2] == ("system", "event.created")


def test_the_entry_is_written_in_the_same_transaction_as_the_change(
    app, open_event, sign_up, monkeypatch
):
    event = open_event(capacity=5, approval=True)
    pending = sign_up(event, "ana@example.org").registration
    forget_entries()

    def mail_down(*args, **kwargs):
        raise RuntimeError("cannot queue the email")

    monkeypatch.setattr(notifications, "state_email", mail_down)
    with pytest.raises(RuntimeError):
        approve_registration(pending)

    assert entries() == []
    assert db.session.get(Registration, pending.id).state == "pending"


def test_admin_pages_record_the_signed_in_account(client, admin, make_event):
    event = make_event(title="Open house", publish=False)
    forget_entries()

    client.post(f"/admin/events/{event.id}/publish")
    client.post(f"/admin/events/{event.id}/postpone", data={"reason": "Storm"})
    client.post(f"/admin/events/{event.id}/cancel", data={"reason": "Still storming"})
    client.post("/admin/people/new", data={"name": "Maya Ortiz", "affiliation": "", "url": ""})
    person_id = db.session.scalar(
        select(AuditEntry.target_id).where(AuditEntry.target_type == "person")
    )
    client.post(
        f"/admin/people/{person_id}/edit",
        data={"name": "Maya Ortiz-Ruiz", "affiliation": "", "url": ""},
    )
    client.post(f"/admin/people/{person_id}/delete")

    assert entries() == [
        (ADMIN, "event.published", "Open house", ""),
        (ADMIN, "event.postponed", "Open house", "Storm"),
        (ADMIN, "event.cancelled", "Open house", "Still storming"),
        (ADMIN, "person.created", "Maya Ortiz", ""),
        (ADMIN, "person.changed", "Maya Ortiz-Ruiz", ""),
        (ADMIN, "person.deleted", "Maya Ortiz-Ruiz", ""),
    ]
    assert audit.current_actor() == audit.SYSTEM


def test_registration_work_and_exports_are_recorded_without_the_person(
    client, admin, open_event, sign_up
):
    event = open_event(title="Amsterdam workshop", capacity=1, approval=True)
    first = sign_up(event, "first@example.org", "Birgit First").registration
    second = sign_up(event, "second@example.org", "Chen Second").registration
    base = f"/admin/events/{event.id}/registrants"
    event.capacity = 2
    db.session.commit()
    forget_entries()

    client.post(f"{base}/{first.id}/approve")
    client.post(f"{base}/{second.id}/promote")
    client.post(f"{base}/{second.id}/decline")
    client.post(f"{base}/{first.id}/cancel")
    assert client.get(f"{base}.csv").status_code == 200
    client.post("/admin/personal-data/export", data={"email": "first@example.org"})
    client.post(
        "/admin/personal-data/erase", data={"email": "second@example.org", "confirmed": "yes"}
    )

    assert [entry[:3] for entry in entries()] == [
        (ADMIN, "registration.approved", f"Registration #{first.id} for “Amsterdam workshop”"),
        (ADMIN, "registration.promoted", f"Registration #{second.id} for “Amsterdam workshop”"),
        (ADMIN, "registration.declined", f"Registration #{second.id} for “Amsterdam workshop”"),
        (ADMIN, "registration.cancelled", f"Registration #{first.id} for “Amsterdam workshop”"),
        (ADMIN, "registrations.exported", "Amsterdam workshop"),
        (ADMIN, "person_data.exported", "1 registration"),
        (ADMIN, "person_data.erased", "1 registration"),
    ]
    written = repr(entries())
    for private in ("first@", "second@", "Birgit", "Chen"):
        assert private not in written


def test_a_registrant_cancelling_is_named_as_such(client, open_event, sign_up):
    event = open_event()
    registration = sign_up(event, "ana@example.org").registration

    client.post(f"/registrations/{registration.manage_token}/cancel")

    assert entries()[-1][:2] == ("registrant", "registration.cancelled")


def test_api_calls_name_the_token_and_its_owner(client, make_staff, open_event, sign_up):
    user, _password = make_staff("editor@example.org")
    token = issue_token(user, "CRM sync", "write")[1]
    event = open_event(title="Open house", approval=True)
    pending = sign_up(event, "ana@example.org").registration

    response = client.post(
        f"/api/v1/registrations/{pending.id}/approve",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200
    assert entries()[-1][:2] == (
        "editor@example.org (API token “CRM sync”)",
        "registration.approved",
    )
    assert audit.current_actor() == audit.SYSTEM


# The page


def table_text(markup: str) -> str:
    """The text of the entries table, with its caption."""
    return page_text(markup.split("<table")[1].split("</table>")[0])


def test_admins_see_the_log_newest_first_and_filter_it(client, admin, make_event):
    event = make_event(title="First event", publish=False)
    set_visibility(event, True)

    page = client.get("/admin/audit")

    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = table_text(page.text)
    assert text.index("Event published") < text.index("Event created")
    assert f'<a href="/admin/events/{event.id}">First event</a>' in page.text
    filtered = table_text(client.get("/admin/audit?action=event.created").text)
    assert "Event created" in filtered and "Event published First event" not in filtered
    assert "1 entry of “Event created”" in filtered
    assert '<a href="/admin/audit" aria-current="page">Audit log</a>' in page.text


def test_the_log_is_paginated(client, admin):
    for number in range(51):
        audit.record("registrations.purged", label=f"purge {number}")
    db.session.commit()

    first = page_text(client.get("/admin/audit").text)
    second = page_text(client.get("/admin/audit?page=2").text)

    assert "purge 50" in first and "purge 2 " in first and "Page 1 of 2" in first
    assert "purge 0" not in first and "purge 0" in second
    assert client.get("/admin/audit?page=9").status_code == 404


def test_editors_are_refused_and_see_no_link(client, login):
    login("editor")

    assert client.get("/admin/audit").status_code == 403
    assert "Audit log" not in client.get("/admin/").text


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/audit")

    assert response.status_code == 302 and "/login" in response.headers["Location"]
