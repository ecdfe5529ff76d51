"""API tokens: the `eventsvc staff token` command and the admin page (issue 5)."""

import os
import re
import subprocess

from sqlalchemy import select

from eventsvc.cli import main
from eventsvc.extensions import db
from eventsvc.models import ApiToken
from eventsvc.services.tokens import issue_token
from tests.helpers import EVENTSVC, Api, assert_error

TOKEN = re.compile(r"evs_[A-Za-z0-9_-]{43}")
NEW_EVENT = {
    "title": "Made with a CLI token",
    "kind": "webinar",
    "timezone": "Europe/Berlin",
    "local_start": "2031-06-01T18:00",
    "duration_minutes": 60,
}


def test_the_command_prints_only_the_token_on_stdout_and_it_works(
    app, tmp_path, make_staff, client
):
    make_staff("ana@example.org", "editor")
    env = {
        **os.environ,
        "EVENTSVC_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "EVENTSVC_INSTANCE_PATH": str(tmp_path / "instance"),
        "EVENTSVC_SECRET_KEY": "cli-test",
    }
    command = [
        EVENTSVC,
        "staff",
        "token",
        "Ana@Example.org",
        "--name",
        "Website",
        "--scope",
        "write",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert TOKEN.fullmatch(done.stdout.strip()), done.stdout
    assert done.stdout.count("\n") == 1
    assert "Website" in done.stderr and done.stdout.strip() not in done.stderr
    response = Api(client, done.stdout.strip()).post("/events", NEW_EVENT)
    assert response.status_code == 201


def test_the_command_scope_and_expiry(runner, make_staff):
    make_staff("ana@example.org")
    result = runner.invoke(main, ["staff", "token", "ana@example.org", "--expires", "30"])
    assert result.exit_code == 0, result.stderr
    token = db.session.scalar(select(ApiToken))
    assert token.scope == "read" and token.expires_at is not None
    assert "expires" in result.stderr and TOKEN.fullmatch(result.stdout.strip())


def test_the_command_fails_for_an_unknown_email_with_nothing_on_stdout(runner):
    result = runner.invoke(main, ["staff", "token", "nobody@example.org"])
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "No staff account" in result.stderr


# The admin page --------------------------------------------------------------------------


def test_staff_make_a_token_shown_once_and_it_works(client, login):
    login("editor")
    page = client.get("/admin/tokens")
    assert page.status_code == 200 and "You have no API tokens yet" in page.get_data(as_text=True)
    made = client.post(
        "/admin/tokens", data={"name": "Newsletter", "scope": "write", "expires": ""}
    )
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    value = TOKEN.search(made.get_data(as_text=True)).group(0)
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert "Newsletter" in listing and value not in listing and value[:12] in listing
    assert Api(client, value).post("/events", NEW_EVENT).status_code == 201


def test_an_invalid_token_form_is_400(client, login):
    login("editor")
    assert client.post("/admin/tokens", data={"name": "", "scope": "admin"}).status_code == 400
    assert db.session.scalar(select(ApiToken)) is None


def test_editors_see_and_revoke_only_their_own_admins_see_all(client, login, make_staff):
    other, _ = make_staff("other@example.org")
    theirs, _value = issue_token(other, "Their token", "read")
    me = login("editor")
    mine, value = issue_token(me, "My token", "write")
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert "My token" in listing and "Their token" not in listing
    assert client.post(f"/admin/tokens/{theirs.id}/revoke").status_code == 404
    assert client.post(f"/admin/tokens/{mine.id}/revoke").status_code == 302
    assert_error(Api(client, value).post("/events", NEW_EVENT), 401, "unauthorized")
    assert "Revoked" in client.get("/admin/tokens").get_data(as_text=True)


def test_admins_see_every_token_and_can_revoke_any(client, login, make_staff):
    other, _ = make_staff("other@example.org")
    theirs, _value = issue_token(other, "Their token", "read")
    login("admin")
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert "Their token" in listing and "other@example.org" in listing
    assert client.post(f"/admin/tokens/{theirs.id}/revoke").status_code == 302
    db.session.refresh(theirs)
    assert theirs.revoked_at is not None


def test_the_admin_navigation_links_the_token_page(client, login):
    login("editor")
    assert 'href="/admin/tokens"' in client.get("/admin/").get_data(as_text=True)
