"""The API and the registration form share one service: the same rules hold through both.

Run on SQLite and PostgreSQL, since capacity and duplicates rest on the database.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Registration
from eventsvc.timezones import now
from tests.helpers import Api, assert_error


@pytest.fixture
def both(any_db_app, open_event):
    """(register through the form, register through the API, a fresh open event)."""
    client = any_db_app.test_client()
    api = Api(client)

    def by_form(event, email, consent=True):
        data = {"name": "Ana Pérez", "email": email, "timezone": "Europe/Berlin"}
        if consent:
            data["consent"] = "y"
        return client.post(f"/events/{event.slug}/register", data=data)

    def by_api(event, email, consent=True):
        return api.register(event, email=email, consent=consent)

    return by_form, by_api, open_event


def states(event) -> list[tuple[str, str, int | None]]:
    rows = db.session.execute(
        select(Registration.email, Registration.state, Registration.waitlist_position)
        .where(Registration.event_id == event.id)
        .order_by(Registration.id)
    )
    return [tuple(row) for row in rows]


def test_capacity_waitlist_and_duplicates_hold_across_form_and_api(both):
    by_form, by_api, event = both
    full = event(capacity=1)
    received = f"/events/{full.slug}/register/received"
    assert by_form(full, "a@example.org").headers["Location"] == received
    assert by_api(full, "b@example.org").get_json() == {"status": "received"}
    assert by_form(full, "c@example.org").headers["Location"] == received
    assert by_api(full, "A@Example.org").get_json() == {"status": "received"}
    assert by_form(full, "b@example.org").headers["Location"] == received
    assert states(full) == [
        ("a@example.org", "confirmed", None),
        ("b@example.org", "waitlisted", 1),
        ("c@example.org", "waitlisted", 2),
    ]


def test_closed_events_and_missing_consent_are_refused_by_both(both):
    by_form, by_api, event = both
    closed = event(closes_at=now() - timedelta(minutes=5))
    assert by_form(closed, "a@example.org").status_code == 409
    assert_error(by_api(closed, "a@example.org"), 409, "registration_closed")
    consenting = event()
    page = by_form(consenting, "a@example.org", consent=False)
    assert page.status_code == 400
    body = assert_error(
        by_api(consenting, "a@example.org", consent=False), 422, "invalid", "consent"
    )
    assert body["fields"]["consent"][0] in page.get_data(as_text=True)
    assert states(closed) == [] and states(consenting) == []


def test_confirm_email_first_answers_alike_and_registers_once(both):
    by_form, by_api, event = both
    careful = event(confirm_email=True)
    received = f"/events/{careful.slug}/register/received"
    assert by_form(careful, "a@example.org").headers["Location"] == received
    assert by_api(careful, "a@example.org").status_code == 202
    assert by_api(careful, "b@example.org").get_json() == {"status": "received"}
    assert by_form(careful, "b@example.org").headers["Location"] == received
    assert states(careful) == [
        ("a@example.org", "unverified", None),
        ("b@example.org", "unverified", None),
    ]
