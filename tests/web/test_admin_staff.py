"""Staff accounts in the admin: only admins manage them."""

import re

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import StaffUser
from eventsvc.services.staff import authenticate, find_staff
from tests.helpers import ATTRIBUTE, SCRIPT, error_of, page_text


def shown_password(markup: str) -> str:
    return re.search(r'id="generated-password" type="text" value="([^"]+)"', markup).group(1)


def test_an_admin_adds_an_account_and_sees_its_password_once(client, admin):
    response = client.post("/admin/staff", data={"email": "New@Example.org ", "role": "editor"})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = shown_password(response.text)
    assert authenticate("new@example.org", password).role == "editor"
    assert password not in client.get("/admin/staff").text


def test_an_address_that_has_an_account_or_is_not_an_address_is_refused(client, admin):
    taken = client.post("/admin/staff", data={"email": "ADMIN@example.org", "role": "editor"})
    invalid = client.post("/admin/staff", data={"email": "not an address", "role": "editor"})

    assert taken.status_code == 400
    assert error_of(taken.text, "email") == "ADMIN@example.org already has an account"
    assert error_of(invalid.text, "email") == "Enter an email address like name@example.org"
    assert len(db.session.scalars(select(StaffUser)).all()) == 1


def test_disable_signs_the_account_out_and_enable_lets_it_back(client, admin, make_staff):
    user, password = make_staff("editor@example.org")

    response = client.post(f"/admin/staff/{user.id}/disable", follow_redirects=True)
    assert "editor@example.org is disabled" in page_text(response.text)
    assert authenticate(user.email, password) is None

    client.post(f"/admin/staff/{user.id}/enable")
    assert authenticate(user.email, password) == user


def test_reset_password_shows_a_new_one_and_the_old_one_stops_working(client, admin, make_staff):
    user, old_password = make_staff("editor@example.org")

    response = client.post(f"/admin/staff/{user.id}/reset-password")

    assert response.headers["Cache-Control"] == "no-store"
    new_password = shown_password(response.text)
    assert authenticate(user.email, old_password) is None
    assert authenticate(user.email, new_password) == user


def test_change_role(client, admin, make_staff):
    user, _ = make_staff("editor@example.org")

    client.post(f"/admin/staff/{user.id}/role", data={f"staff{user.id}-role": "admin"})
    assert user.role == "admin"

    client.post(f"/admin/staff/{user.id}/role", data={f"staff{user.id}-role": "owner"})
    assert user.role == "admin"


def test_an_admin_cannot_disable_demote_or_reset_themself(client, admin):
    for action, data in (("disable", {}), ("role", {f"staff{admin.id}-role": "editor"}),
                         ("reset-password", {})):  # fmt: skip
        response = client.post(
            f"/admin/staff/{admin.id}/{action}", data=data, follow_redirects=True
        )
        assert "You cannot" in page_text(response.text)

    user = find_staff("admin@example.org")
    assert (user.active, user.role) == (True, "admin")
    assert client.get("/admin/").status_code == 200


def test_editors_may_not_manage_staff(client, login, make_staff):
    login("editor")
    other, _ = make_staff("other@example.org")
    data = {"email": "x@example.org", "role": "admin", f"staff{other.id}-role": "admin"}

    assert client.get("/admin/staff").status_code == 403
    for url in ("/admin/staff", *(f"/admin/staff/{other.id}/{action}" for action in
                                  ("disable", "enable", "reset-password", "role"))):  # fmt: skip
        assert client.post(url, data=data).status_code == 403, url
    assert find_staff("x@example.org") is None
    assert (other.active, other.role) == (True, "editor")


def test_editors_do_not_see_the_staff_link(client, login):
    login("editor")

    assert 'href="/admin/staff"' not in client.get("/admin/").text


def test_unknown_accounts_are_not_found(client, admin):
    assert client.post("/admin/staff/999/disable").status_code == 404
    assert client.post("/admin/staff/999/reset-password").status_code == 404


def test_script_in_the_email_field_comes_out_escaped(client, admin):
    for payload in (SCRIPT, ATTRIBUTE):
        markup = client.post("/admin/staff", data={"email": payload, "role": "editor"}).text
        assert "<script>alert" not in markup
        assert "<img src=x" not in markup
