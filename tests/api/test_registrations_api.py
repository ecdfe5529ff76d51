"""Registering through the API, and staff handling of registrations (issue 5)."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields
from eventsvc.models import Registration
from eventsvc.services.events import cancel_event, set_visibility
from eventsvc.services.registration_settings import add_question
from eventsvc.timezones import now
from tests.helpers import (
    REGISTRANT,
    assert_error,
    in_days,
    outbox_kinds,
    outbox_messages,
    row_count,
)

# Registering (public) --------------------------------------------------------------------


RECEIVED = (202, {"status": "received"})


def answer(response) -> tuple[int, dict]:
    return response.status_code, response.get_json()


def test_a_new_registration_is_received_and_its_link_goes_by_email_only(api, open_event):
    event = open_event(capacity=10)
    response = api.register(event, timezone="Europe/Berlin")
    assert answer(response) == RECEIVED
    registration = db.session.scalar(select(Registration))
    assert registration.state == "confirmed" and registration.timezone == "Europe/Berlin"
    [email] = outbox_messages("confirmed")
    assert f"/registrations/{registration.manage_token}" in email.body_text
    assert registration.manage_token not in response.get_data(as_text=True)


def test_full_events_waitlist_in_order_and_answer_alike(api, open_event):
    event = open_event(capacity=1)
    answers = [answer(api.register(event, email=f"{who}@example.org")) for who in "abc"]
    assert answers == [RECEIVED] * 3
    rows = db.session.execute(select(Registration.state, Registration.waitlist_position))
    assert sorted(rows, key=str) == [("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]


def test_full_without_a_waitlist_is_409_event_full_for_every_address(api, open_event):
    event = open_event(capacity=1, waitlist=False)
    api.register(event)
    assert_error(api.register(event, email="bo@example.org"), 409, "event_full")
    assert_error(api.register(event), 409, "event_full")  # the one registered, too
    assert outbox_kinds() == ["confirmed"]


def test_approval_events_answer_alike_and_hold_the_registration_for_approval(api, open_event):
    event = open_event(approval=True)
    assert answer(api.register(event)) == RECEIVED
    assert db.session.scalar(select(Registration.state)) == "pending"


def test_an_address_registered_already_gets_the_same_answer_and_its_details_by_email(
    api, open_event
):
    event = open_event()
    first = api.register(event, answers={})
    again = api.register(event, email="  ANA@example.org ")
    assert answer(first) == answer(again) == RECEIVED
    assert row_count(Registration) == 1
    assert outbox_kinds() == ["confirmed", "already_registered"]


def test_confirm_email_first_answers_alike_and_registers_once(api, open_event):
    event = open_event(confirm_email=True)
    first, again = api.register(event), api.register(event)
    assert answer(first) == answer(again) == RECEIVED
    assert db.session.scalar(select(Registration.state)) == "unverified"
    assert row_count(Registration) == 1


def test_a_staff_write_token_gets_the_registration_itself(api, writer, make_token, open_event):
    event = open_event(capacity=1)
    new = writer.register(event)
    assert new.status_code == 201
    assert new.get_json()["state"] == "confirmed"
    again = writer.register(event)
    assert again.status_code == 200 and again.get_json()["id"] == new.get_json()["id"]
    reader = api.as_(make_token("read"))
    assert answer(reader.register(event, email="bo@example.org")) == RECEIVED


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
def test_only_a_json_body_registers(api, open_event, content_type):
    """A page on another site can post text/plain without asking (no CORS preflight)."""
    event = open_event()
    body = json.dumps(REGISTRANT)
    headers = {"Content-Type": content_type} if content_type else {}
    response = api.client.post(
        f"/api/v1/events/{event.slug}/registrations", data=body, headers=headers
    )
    assert_error(response, 415, "unsupported_media_type")
    assert row_count(Registration) == 0


def test_missing_consent_and_bad_answers_are_422_each_named(api, open_event):
    event = open_event()
    question = add_question(event, QuestionFields("single_choice", "Role", True, "", ["A", "B"]))
    response = api.register(event, consent=None, name="", answers={str(question.id): "C"})
    body = assert_error(response, 422, "invalid", "consent", "name", f"answers.{question.id}")
    assert body["fields"]["consent"]
    assert row_count(Registration) == 0


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"consent": "yes"}, "consent"),
        ({"name": 42}, "name"),
        ({"email": ["a@example.org"]}, "email"),
        ({"name": "Ana\x00"}, "name"),
        ({"email": "ana\x00@example.org"}, "email"),
        ({"answers": "all of them"}, "answers"),
        ({"answers": {"999": "x"}}, "answers"),
        ({"extra": True}, "extra"),
    ],
)
def test_nul_characters_and_bad_types_are_422_never_500(api, open_event, fields, named):
    event = open_event()
    assert_error(api.register(event, **fields), 422, "invalid", named)


def test_refusals_are_409_with_their_codes(api, open_event, make_event):
    closed = open_event(closes_at=now() - timedelta(minutes=1), title="Closed")
    not_yet = open_event(opens_at=now() + timedelta(days=1), title="Not yet")
    past = open_event(title="Past")
    past.starts_at, past.ends_at = in_days(-2), in_days(-2) + timedelta(hours=1)
    db.session.commit()
    cancelled = open_event(title="Cancelled")
    cancel_event(cancelled, "Storm")
    no_registration = make_event(title="No registration")
    for event, code in [
        (closed, "registration_closed"),
        (not_yet, "registration_not_open"),
        (past, "event_past"),
        (cancelled, "event_cancelled"),
        (no_registration, "registration_not_open"),
    ]:
        assert_error(api.register(event), 409, code)
    assert row_count(Registration) == 0


def test_drafts_and_unknown_events_take_no_registration(api, open_event):
    event = open_event()
    set_visibility(event, published=False)
    assert_error(api.register(event), 404, "not_found")
    assert_error(api.post("/events/nope/registrations", REGISTRANT), 404, "not_found")


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_REGISTER": "2 per minute"}]
)
def test_registering_is_rate_limited_like_the_form(api, open_event):
    event = open_event()
    api.register(event, email="a@example.org")
    api.register(event, email="b@example.org")
    limited = api.register(event, email="c@example.org")
    assert_error(limited, 429, "rate_limited")
    assert row_count(Registration) == 2


@pytest.mark.parametrize("app_config", [{"CORS_ORIGINS": ["https://clinic.example.edu"]}])
def test_registration_cors_only_for_configured_origins(api, open_event):
    event = open_event()
    path = f"/events/{event.slug}/registrations"
    allowed = {"Origin": "https://clinic.example.edu"}
    preflight = api.client.options(
        f"/api/v1{path}",
        headers=allowed | {"Access-Control-Request-Method": "POST",
                           "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://clinic.example.edu"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    response = api.post(path, REGISTRANT, headers=allowed)
    assert response.headers["Access-Control-Allow-Origin"] == "https://clinic.example.edu"
    assert "Origin" in response.headers["Vary"]
    other = {"Origin": "https://elsewhere.example.com"}
    foreign = api.client.options(
        f"/api/v1{path}", headers=other | {"Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in foreign.headers
    posted = api.post(path, REGISTRANT | {"email": "bo@example.org"}, headers=other)
    assert "Access-Control-Allow-Origin" not in posted.headers


def test_public_gets_are_open_to_any_origin_and_staff_ones_are_not(api, make_event, make_token):
    event = make_event()
    origin = {"Origin": "https://partner.example.net"}
    assert (
        api.get(f"/events/{event.slug}", headers=origin).headers["Access-Control-Allow-Origin"]
        == "*"
    )
    preflight = api.client.options(
        "/api/v1/events", headers=origin | {"Access-Control-Request-Method": "GET"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    staff_get = api.as_(make_token("read")).get(
        f"/events/{event.slug}/registrations", headers=origin
    )
    assert "Access-Control-Allow-Origin" not in staff_get.headers
    write = api.as_(make_token()).post("/events", {}, headers=origin)
    assert "Access-Control-Allow-Origin" not in write.headers


# Staff handling --------------------------------------------------------------------------


@pytest.fixture
def reader(api, make_token):
    return api.as_(make_token("read"))


def test_staff_list_registrations_with_answers_and_filter_by_state(
    reader, api, open_event, sign_up
):
    event = open_event(capacity=1)
    question = add_question(event, QuestionFields("short_text", "Organisation"))
    sign_up(event, "ana@example.org", "Ana", {str(question.id): "Clinic"}, timezone="Europe/Berlin")
    sign_up(event, "bo@example.org", "Bo")
    body = reader.get(f"/events/{event.slug}/registrations").get_json()
    assert [(r["name"], r["state"], r["waitlist_position"]) for r in body["items"]] == [
        ("Ana", "confirmed", None),
        ("Bo", "waitlisted", 1),
    ]
    first = body["items"][0]
    assert set(first) == {
        "id", "name", "email", "state", "waitlist_position", "answers", "timezone", "language",
        "created_at",
    }  # fmt: skip
    assert first["answers"] == {str(question.id): "Clinic"}
    assert first["timezone"] == "Europe/Berlin"
    waitlisted = reader.get(f"/events/{event.slug}/registrations?state=waitlisted").get_json()
    assert [r["name"] for r in waitlisted["items"]] == ["Bo"]
    assert_error(api.get(f"/events/{event.slug}/registrations"), 401, "unauthorized")
    assert_error(reader.get("/events/nope/registrations"), 404, "not_found")
    assert_error(
        reader.get(f"/events/{event.slug}/registrations?state=lost"), 422, "invalid", "state"
    )


def test_registrant_data_never_appears_in_public_answers(api, open_event, make_news, sign_up):
    event = open_event()
    sign_up(event, "secret@example.org", "Secret Person")
    make_news(events=[event])
    for path in ("/events", f"/events/{event.slug}", "/news", "/organizations", "/series", "/tags"):
        text = api.get(path).get_data(as_text=True)
        assert "secret@example.org" not in text and "Secret Person" not in text, path


def test_approve_and_decline_follow_the_admin_rules(writer, open_event, sign_up):
    event = open_event(approval=True)
    ana = sign_up(event, "ana@example.org", "Ana").registration
    bo = sign_up(event, "bo@example.org", "Bo").registration
    approved = writer.post(f"/registrations/{ana.id}/approve")
    assert approved.status_code == 200 and approved.get_json()["state"] == "confirmed"
    assert_error(writer.post(f"/registrations/{ana.id}/approve"), 409, "not_pending")
    declined = writer.post(f"/registrations/{bo.id}/decline")
    assert declined.get_json()["state"] == "declined"
    assert_error(writer.post(f"/registrations/{bo.id}/decline"), 409, "not_active")
    assert "approved" in outbox_kinds() and "declined" in outbox_kinds()


def test_cancel_frees_the_seat_for_the_first_in_line(writer, open_event, sign_up):
    event = open_event(capacity=1)
    ana = sign_up(event, "ana@example.org", "Ana").registration
    bo = sign_up(event, "bo@example.org", "Bo").registration
    assert writer.post(f"/registrations/{ana.id}/cancel").get_json()["state"] == "cancelled"
    db.session.refresh(bo)
    assert bo.state == "confirmed"
    assert_error(writer.post(f"/registrations/{ana.id}/cancel"), 409, "not_active")


def test_promote_needs_a_free_seat_and_a_waitlisted_person(writer, open_event, sign_up):
    event = open_event(capacity=1)
    ana = sign_up(event, "ana@example.org", "Ana").registration
    bo = sign_up(event, "bo@example.org", "Bo").registration
    assert_error(writer.post(f"/registrations/{bo.id}/promote"), 409, "event_full")
    assert_error(writer.post(f"/registrations/{ana.id}/promote"), 409, "not_waitlisted")
    writer.patch(f"/events/{event.slug}", {"capacity": 3})
    db.session.refresh(bo)
    assert bo.state == "confirmed"  # raising the capacity already moved Bo up
    cy = sign_up(event, "cy@example.org", "Cy").registration
    assert writer.post(f"/registrations/{cy.id}/promote").status_code == 409  # confirmed


def test_actions_need_a_write_token_and_an_existing_registration(
    api, reader, writer, open_event, sign_up
):
    event = open_event()
    ana = sign_up(event, "ana@example.org", "Ana").registration
    assert_error(api.post(f"/registrations/{ana.id}/cancel"), 401, "unauthorized")
    assert_error(reader.post(f"/registrations/{ana.id}/cancel"), 403, "forbidden")
    assert_error(writer.post("/registrations/999/cancel"), 404, "not_found")
