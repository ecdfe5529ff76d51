"""Staff accounts on SQLite and PostgreSQL: creating, signing in, passwords, disabling."""

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import StaffUser
from eventsvc.services.staff import (
    MIN_PASSWORD_LENGTH,
    StaffError,
    authenticate,
    change_password,
    create_staff,
    reset_password,
    set_staff_active,
    set_staff_role,
)
from eventsvc.web.auth import load_user

PASSWORD = "correct horse battery"


def test_an_account_is_found_however_its_address_is_typed(any_db_app):
    user, password = create_staff("  Ana.Perez@Example.ORG ", "editor", PASSWORD)
    assert (user.email, user.role, password) == ("ana.perez@example.org", "editor", PASSWORD)
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("$argon2")
    assert authenticate("ANA.PEREZ@example.org", PASSWORD) == user
    assert user.last_login_at is not None
    set_staff_role(user, "admin")
    db.session.expire_all()
    assert db.session.get(StaffUser, user.id).role == "admin"


def test_a_generated_password_is_long_enough_and_works(any_db_app):
    user, password = create_staff("editor@example.org")
    assert len(password) >= MIN_PASSWORD_LENGTH
    assert authenticate("editor@example.org", password) == user


def test_a_taken_address_or_a_short_password_creates_no_account(any_db_app):
    create_staff("José@Example.org", password=PASSWORD)
    for taken in ("JOSé@EXAMPLE.ORG", " josé@example.ORG"):
        with pytest.raises(StaffError, match="already has an account"):
            create_staff(taken, password=PASSWORD)
    with pytest.raises(StaffError, match=f"at least {MIN_PASSWORD_LENGTH} characters"):
        create_staff("editor@example.org", password="x" * (MIN_PASSWORD_LENGTH - 1))
    # Without the accent it is another address; only ASCII letters fold (DESIGN §3).
    create_staff("jose@example.org", password=PASSWORD)
    create_staff("JOSÉ@example.org", password=PASSWORD)
    assert set(db.session.scalars(select(StaffUser.email))) == {
        "jose@example.org",
        "josé@example.org",
        "josÉ@example.org",
    }


def test_a_wrong_password_an_unknown_address_or_a_disabled_account_cannot_sign_in(any_db_app):
    user, _ = create_staff("editor@example.org", password=PASSWORD)
    assert authenticate("editor@example.org", "correct horse battery!") is None
    assert authenticate("editor@example.org", "") is None
    assert authenticate("nobody@example.org", PASSWORD) is None
    assert user.last_login_at is None
    session_id = user.get_id()
    set_staff_active(user, False)
    assert authenticate("editor@example.org", PASSWORD) is None
    assert load_user(session_id) is None
    set_staff_active(user, True)
    assert authenticate("editor@example.org", PASSWORD) == user
    assert load_user(user.get_id()) == user


def test_changing_ones_password_ends_the_other_sessions(any_db_app):
    user, _ = create_staff("editor@example.org", password=PASSWORD)
    old_session = user.get_id()
    with pytest.raises(StaffError, match="current password is not right"):
        change_password(user, "not my password", "a much longer passphrase")
    with pytest.raises(StaffError, match=f"at least {MIN_PASSWORD_LENGTH} characters"):
        change_password(user, PASSWORD, "short")
    db.session.expire_all()
    assert load_user(old_session) == user
    change_password(user, PASSWORD, "a much longer passphrase")
    assert authenticate("editor@example.org", PASSWORD) is None
    assert authenticate("editor@example.org", "a much longer passphrase") == user
    assert load_user(old_session) is None
    assert load_user(user.get_id()) == user


def test_a_reset_gives_a_new_password_and_ends_every_session(any_db_app):
    user, _ = create_staff("editor@example.org", password=PASSWORD)
    old_session = user.get_id()
    new_password = reset_password(user)
    assert len(new_password) >= MIN_PASSWORD_LENGTH
    assert authenticate("editor@example.org", PASSWORD) is None
    assert authenticate("editor@example.org", new_password) == user
    assert load_user(old_session) is None
