"""Tokens on staff operations, and errors in one JSON shape (issue 5)."""

from datetime import timedelta

from eventsvc.extensions import db
from eventsvc.services.staff import set_staff_active
from eventsvc.services.tokens import find_usable_token, issue_token, revoke_token
from eventsvc.timezones import now
from tests.helpers import assert_error

NEW_EVENT = {
    "title": "Token test",
    "kind": "webinar",
    "timezone": "UTC",
    "local_start": "2031-01-10T10:00",
    "duration_minutes": 30,
}


def test_staff_operations_refuse_a_missing_or_malformed_token_with_401(api):
    missing = assert_error(api.post("/events", NEW_EVENT), 401, "unauthorized")
    assert missing["message"]
    response = api.post("/events", NEW_EVENT)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer evs_not-a-token", "Token abc"):
        assert_error(
            api.post("/events", NEW_EVENT, headers={"Authorization": header}), 401, "unauthorized"
        )


def test_expired_revoked_and_disabled_tokens_are_401(api, make_staff, app):
    user, _ = make_staff("ana@example.org")
    expired, expired_value = issue_token(user, "old", "write", 1)
    expired.expires_at = now() - timedelta(seconds=1)
    db.session.commit()
    revoked, revoked_value = issue_token(user, "gone", "write")
    revoke_token(revoked)
    for value in (expired_value, revoked_value):
        assert_error(api.as_(value).post("/events", NEW_EVENT), 401, "unauthorized")
    _token, working = issue_token(user, "ok", "write")
    assert api.as_(working).post("/events", NEW_EVENT).status_code == 201
    set_staff_active(user, False)
    assert_error(api.as_(working).post("/events", NEW_EVENT), 401, "unauthorized")


def test_a_bad_token_is_401_even_on_public_operations(api, make_event):
    event = make_event()
    assert api.get(f"/events/{event.slug}").status_code == 200
    bad = {"Authorization": "Bearer evs_forged"}
    assert_error(api.get(f"/events/{event.slug}", headers=bad), 401, "unauthorized")


def test_a_read_token_may_read_but_not_write(api, make_token, make_event):
    event = make_event()
    reader = api.as_(make_token("read"))
    assert reader.get(f"/events/{event.slug}/registrations").status_code == 200
    assert_error(reader.post("/events", NEW_EVENT), 403, "forbidden")
    assert_error(reader.patch(f"/events/{event.slug}", {"title": "x"}), 403, "forbidden")
    assert_error(reader.post(f"/events/{event.slug}/cancel", {"reason": "x"}), 403, "forbidden")


def test_using_a_token_records_when_and_only_its_hash_is_stored(api, make_staff):
    user, _ = make_staff("ana@example.org")
    token, value = issue_token(user, "site", "read")
    assert value not in (token.token_hash, token.prefix) and token.token_hash != value
    assert token.last_used_at is None
    api.as_(value).get("/events/none/registrations")
    assert find_usable_token(value).last_used_at is not None


def test_malformed_json_is_400_and_forms_are_refused(writer):
    form = writer.client.post(
        "/api/v1/events",
        data="title=x",
        headers={
            "Authorization": f"Bearer {writer.token}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert_error(form, 415, "unsupported_media_type")
    for body, content_type in [
        ("{not json", "application/json"),
        ("[" * 100_000, "application/json"),
        ('{"title": "half a pair \\ud800"}', "application/json"),
    ]:
        response = writer.client.post(
            "/api/v1/events",
            data=body,
            headers={"Authorization": f"Bearer {writer.token}", "Content-Type": content_type},
        )
        assert_error(response, 400, "malformed_json")


def test_an_oversized_body_is_413_in_json(writer):
    huge = NEW_EVENT | {"description": "x" * (1024 * 1024 + 1)}
    assert_error(writer.post("/events", huge), 413, "too_large")


def test_unknown_addresses_and_methods_answer_json_404_and_405(api, client):
    assert_error(api.get("/no-such-thing"), 404, "not_found")
    assert_error(client.get("/api/v1"), 404, "not_found")
    not_allowed = assert_error(api.send("PUT", "/events"), 405, "method_not_allowed")
    assert not_allowed["fields"] == {}
    assert "GET" in api.send("PUT", "/events").headers["Allow"]
    assert_error(api.get("/events?tag=\x00"), 400, "bad_request")


def test_the_html_site_keeps_its_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_the_api_needs_no_csrf_token(app_config, writer):
    writer.client.application.config["WTF_CSRF_ENABLED"] = True
    assert writer.post("/events", NEW_EVENT).status_code == 201
