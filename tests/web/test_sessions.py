"""Staff sessions end when they should, and forms outlive their CSRF token kindly (issue 12)."""

import time
from io import BytesIO
from pathlib import Path

import pytest

from eventsvc import create_app
from eventsvc.forms import FORM_EXPIRED
from eventsvc.models import Event, Registration
from tests.helpers import PNG, csrf_token, dispose, error_of, page_text, row_count, signs_in


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def site(app):
    """The app as a worker serves it: each request with its own app context and `g` (the
    CSRF token is kept in `g`; the `app` fixture keeps one context open for set-up)."""
    worker = create_app(dict(app.config))
    yield worker
    dispose(worker)


@pytest.fixture
def client(site):
    return site.test_client()


def signed_in_copy(site, client):
    """Another browser holding a copy of this one's session cookie."""
    other = site.test_client()
    cookie = client.get_cookie("session")
    other.set_cookie(cookie.key, cookie.value)
    return other


def test_signing_out_ends_every_session_of_the_account(site, client, make_staff):
    user, password = make_staff()
    assert signs_in(client, user.email, password)
    copied = signed_in_copy(site, client)
    elsewhere = site.test_client()
    assert signs_in(elsewhere, user.email, password)
    assert copied.get("/admin/").status_code == 200

    token = csrf_token(client.get("/admin/events/new").text)
    client.post("/logout", data={"csrf_token": token})

    for browser in (client, copied, elsewhere):
        response = browser.get("/admin/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_new_password_ends_every_session_and_asks_to_sign_in_again(site, client, make_staff):
    user, password = make_staff()
    assert signs_in(client, user.email, password)
    elsewhere = site.test_client()
    assert signs_in(elsewhere, user.email, password)
    token = csrf_token(client.get("/account/password").text)
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": password,
            "new": "a longer new one",
            "confirm": "a longer new one",
        },
        follow_redirects=True,
    )
    assert "sign in with the new password" in page_text(response.text)
    for browser in (client, elsewhere):
        assert browser.get("/admin/").status_code == 302
    assert signs_in(client, user.email, "a longer new one")


def test_signing_in_renews_the_session_and_the_csrf_token(site, client, make_staff):
    user, password = make_staff()
    before = csrf_token(client.get("/login").text)
    old_cookie = client.get_cookie("session").value
    assert signs_in(client, user.email, password)
    after = csrf_token(client.get("/admin/events/new").text)
    assert client.get_cookie("session").value != old_cookie
    planted = site.test_client()  # a session an attacker made and handed over before sign-in
    planted.set_cookie("session", old_cookie)
    refused = planted.post("/admin/events/new", data={"csrf_token": before, "title": "Planted"})
    assert refused.status_code == 302  # not signed in: that session never became staff
    assert before != after


class TestExpiredForms:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True, "WTF_CSRF_TIME_LIMIT": 1}

    def test_a_registration_sent_late_comes_back_with_what_was_typed(self, client, open_event):
        event = open_event()
        token = csrf_token(client.get(f"/events/{event.slug}/register").text)
        time.sleep(2.1)  # whole seconds: past a 1-second limit
        data = {
            "csrf_token": token,
            "name": "Ana Pérez",
            "email": "ana@example.org",
            "consent": "y",
        }
        response = client.post(f"/events/{event.slug}/register", data=data)
        assert response.status_code == 400
        assert str(FORM_EXPIRED) in page_text(response.text)
        assert 'value="Ana Pérez"' in response.text and 'value="ana@example.org"' in response.text
        assert row_count(Registration) == 0
        fresh = csrf_token(response.text)
        again = client.post(f"/events/{event.slug}/register", data=data | {"csrf_token": fresh})
        assert again.status_code == 303

    def test_an_event_form_sent_late_keeps_everything_typed(self, client, make_staff):
        user, password = make_staff()
        assert signs_in(client, user.email, password)
        token = csrf_token(client.get("/admin/events/new").text)
        time.sleep(2.1)  # whole seconds: past a 1-second limit
        response = client.post(
            "/admin/events/new",
            data={
                "csrf_token": token,
                "title": "Remedy in practice",
                "kind": "webinar",
                "timezone": "Europe/Berlin",
                "start": "2031-07-30T10:00",
                "duration": "90",
                "summary": "Two hours of careful writing.",
            },
        )
        assert response.status_code == 400
        assert str(FORM_EXPIRED) in page_text(response.text)
        assert 'value="Remedy in practice"' in response.text
        assert "Two hours of careful writing." in response.text
        assert error_of(response.text, "title") == ""
        assert row_count(Event) == 0

    def test_an_image_sent_with_a_stale_token_is_not_stored(self, app, client, make_staff):
        user, password = make_staff()
        assert signs_in(client, user.email, password)
        token = csrf_token(client.get("/admin/events/new").text)
        time.sleep(2.1)  # whole seconds: past a 1-second limit
        data = {
            "title": "Remedy in practice",
            "kind": "webinar",
            "timezone": "Europe/Berlin",
            "start": "2031-07-30T10:00",
            "duration": "90",
            "image_alt": "The panel",
        }
        sent = data | {"csrf_token": token, "image": (BytesIO(PNG), "panel.png")}
        response = client.post("/admin/events/new", data=sent)
        assert response.status_code == 400
        assert str(FORM_EXPIRED) in page_text(response.text)
        uploads = Path(app.config["UPLOAD_DIR"])
        assert not uploads.exists() or not any(uploads.iterdir())
        fresh = data | {"csrf_token": csrf_token(response.text), "image": (BytesIO(PNG), "p.png")}
        assert client.post("/admin/events/new", data=fresh).status_code == 302
        assert [path.read_bytes() for path in uploads.iterdir()] == [PNG]

    def test_a_registrant_added_late_by_staff_comes_back_with_what_was_typed(
        self, client, make_staff, open_event
    ):
        event = open_event()
        user, password = make_staff()
        assert signs_in(client, user.email, password)
        url = f"/admin/events/{event.id}/registrants/new"
        token = csrf_token(client.get(url).text)
        time.sleep(2.1)  # whole seconds: past a 1-second limit
        data = {"name": "Bo Chen", "email": "bo@example.org", "consent": "y"}
        response = client.post(url, data=data | {"csrf_token": token})
        assert response.status_code == 400
        assert str(FORM_EXPIRED) in page_text(response.text)
        assert 'value="Bo Chen"' in response.text and 'value="bo@example.org"' in response.text
        assert row_count(Registration) == 0
        fresh = data | {"csrf_token": csrf_token(response.text)}
        again = client.post(url, data=fresh, follow_redirects=True)
        assert "Bo Chen is registered" in page_text(again.text)
