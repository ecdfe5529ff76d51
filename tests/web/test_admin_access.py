"""Who may use the admin: signed-in staff only; the navigation; the password pages."""

from tests.helpers import error_of, page_text, signs_in

ADMIN_PAGES = (
    "/admin/", "/admin/events", "/admin/events/new", "/admin/events/1", "/admin/news",
    "/admin/organizations", "/admin/people", "/admin/staff", "/account/password",
)  # fmt: skip


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ADMIN_PAGES:
        response = client.get(url)

        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url


def test_anonymous_posts_change_nothing(client, make_event):
    event = make_event(publish=False)

    response = client.post(f"/admin/events/{event.id}/publish")

    assert response.status_code == 302
    assert event.visibility == "draft"


def test_signing_in_returns_to_the_page_asked_for(client, make_staff):
    user, password = make_staff()

    response = client.post(
        "/login?next=/admin/news", data={"email": user.email, "password": password}
    )

    assert response.headers["Location"] == "/admin/news"


def test_the_admin_navigation_names_every_area_and_signs_out_with_a_post(client, login):
    login("admin")

    markup = client.get("/admin/events").text

    nav = markup.split('<nav class="admin-nav" aria-label="Admin">')[1].split("</nav>")[0]
    assert page_text(nav).startswith(
        "Dashboard Events News Organisations People Outbox Staff Personal data Audit log "
        "API tokens Change password Sign out"
    )
    assert '<a href="/admin/events" aria-current="page">Events</a>' in nav
    assert '<form class="inline-form" method="post" action="/logout">' in nav


def test_sign_out_is_a_post(client, login):
    login()

    assert client.get("/logout").status_code == 405
    client.post("/logout")

    assert client.get("/admin/").status_code == 302


def test_a_wrong_password_is_shown_next_to_the_field(client, make_staff):
    make_staff()

    response = client.post("/login", data={"email": "editor@example.org", "password": "nope"})

    assert response.status_code == 400
    assert error_of(response.text, "password") == "The email or password is not right"
    assert 'value="editor@example.org"' in response.text


def test_change_password_page_shows_errors_next_to_fields(client, login):
    login()

    response = client.post(
        "/account/password",
        data={"current": "wrong", "new": "a long new password", "confirm": "different one!"},
    )

    assert response.status_code == 400
    assert error_of(response.text, "confirm") == "The two passwords differ"
    assert '<label for="current">Current password' in response.text


def test_change_password(client, login):
    login()

    response = client.post(
        "/account/password",
        data={
            "current": "correct horse battery",
            "new": "a long new password",
            "confirm": "a long new password",
        },
        follow_redirects=True,
    )

    assert "Your password is changed" in page_text(response.text)
    assert client.get("/admin/").status_code == 302  # every session ended, this one too
    assert signs_in(client, "editor@example.org", "a long new password")
    assert client.get("/admin/").status_code == 200
