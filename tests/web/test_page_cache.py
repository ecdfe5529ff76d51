"""Kept pages and feeds: built once per content version, never stale, never someone else's."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields, RegistrationSettings
from eventsvc.models import Event
from eventsvc.services.changes import current_version
from eventsvc.services.events import fields_of
from eventsvc.services.news import NewsFields, update_news
from eventsvc.services.organizations import OrganizationFields, update_organization
from eventsvc.services.registration_settings import add_question, remove_question
from eventsvc.web import page_cache
from eventsvc.web.page_cache import Kept, PageCache
from tests.helpers import csrf_token, open_registration, page_text, save_fields


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def open_event(open_event):
    """Here one event: published, taking registrations, with a join link."""
    return open_event(title="Remedy in practice", join_url="https://meet.example.org/r-1")


def worker_on(app):
    """Another app on the same database, as a gunicorn worker or another instance runs it.

    Its requests each get their own app context, session and `g`, as in production (the
    `app` fixture keeps one context open for the test's own set-up).
    """
    worker = create_app(dict(app.config))
    yield worker
    with worker.app_context():
        db.session.remove()
        db.engine.dispose()


site = pytest.fixture(worker_on)
other_worker = pytest.fixture(worker_on)


@pytest.fixture
def client(site):
    return site.test_client()


@pytest.fixture
def site_statements(site):
    """The SQL statements the site's requests run."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if statement != "BEGIN":  # SQLite's transactions begin by a statement of their own
            statements.append(statement)

    with site.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    yield statements
    sa_event.remove(engine, "before_cursor_execute", record)


def rename(event: Event, title: str) -> None:
    save_fields(event, replace(fields_of(event), title=title))


def test_an_edit_shows_on_the_next_request(client, open_event, make_news):
    item = make_news(title="Clinic files a submission", events=[open_event])
    pages = (f"/news/{item.slug}", "/events", f"/events/{open_event.slug}")
    for path in pages:
        assert "Remedy in practice" in client.get(path).text
    assert "Clinic files a submission" in client.get("/").text

    rename(open_event, "Remedy, revisited")
    fields = NewsFields(title="Clinic files a second submission", event_ids=[open_event.id])
    update_news(item, replace(fields, published_at=item.published_at))

    for path in pages:
        assert "Remedy, revisited" in page_text(client.get(path).text), path
    assert "Clinic files a second submission" in client.get("/").text


def test_a_change_on_another_worker_shows_here(app, client, other_worker, open_event):
    assert "Remedy in practice" in client.get(f"/events/{open_event.slug}").text

    with other_worker.app_context():
        rename(db.session.get(Event, open_event.id), "Changed elsewhere")

    assert "Changed elsewhere" in client.get(f"/events/{open_event.slug}").text


def test_an_organisation_renamed_shows_on_the_pages_that_credit_it(client, make_event):
    event = make_event(title="Co-hosted talk", credits=[("co_host", "organization", "Rights Lab")])
    partner = event.credits[0].organization
    assert "Rights Lab" in client.get(f"/events/{event.slug}").text

    update_organization(partner, OrganizationFields(name="Rights Laboratory"))

    assert "Rights Laboratory" in client.get(f"/events/{event.slug}").text


def test_a_new_question_and_its_removal_show_on_the_form(client, open_event):
    assert "Your organisation" not in client.get(f"/events/{open_event.slug}").text

    question = add_question(open_event, QuestionFields(type="text", label="Your organisation"))
    assert "Your organisation" in client.get(f"/events/{open_event.slug}").text

    remove_question(question)
    assert "Your organisation" not in client.get(f"/events/{open_event.slug}").text


def test_a_kept_page_costs_one_query_and_a_registration_keeps_it(
    client, open_event, sign_up, site_statements
):
    path = f"/events/{open_event.slug}"
    client.get(path)
    version = current_version()
    site_statements.clear()
    assert "Remedy in practice" in client.get(path).text
    assert len(site_statements) == 1

    sign_up(open_event, "ana@example.org")

    assert current_version() == version  # seat counters show on no public page
    site_statements.clear()
    assert "Remedy in practice" in client.get(path).text
    assert len(site_statements) == 1


def test_each_reader_gets_their_own_working_token(site, open_event):
    first, second = site.test_client(), site.test_client()
    first_page = first.get(f"/events/{open_event.slug}").text
    second_page = second.get(f"/events/{open_event.slug}").text
    first_token, second_token = csrf_token(first_page), csrf_token(second_page)
    assert first_token != second_token
    assert "\x00" not in second_page

    for reader, token, email in (
        (first, first_token, "a@example.org"),
        (second, second_token, "b@example.org"),
    ):
        response = reader.post(
            f"/events/{open_event.slug}/register",
            data={"name": "Reader", "email": email, "consent": "y", "csrf_token": token},
        )
        assert response.status_code == 303, response.text
    crossed = first.post(
        f"/events/{open_event.slug}/register",
        data={"name": "C", "email": "c@example.org", "consent": "y", "csrf_token": second_token},
    )
    assert crossed.status_code == 400


def test_signed_in_staff_and_flashed_messages_are_never_kept(site, client, open_event, login):
    anonymous = site.test_client()
    assert "Staff sign in" in anonymous.get(f"/events/{open_event.slug}").text
    login()

    staff_page = client.get(f"/events/{open_event.slug}").text
    assert "Sign out" in staff_page and "Staff sign in" not in staff_page
    assert "Sign out" not in anonymous.get(f"/events/{open_event.slug}").text

    with anonymous.session_transaction() as session:
        session["_flashes"] = [("message", "You are registered.")]
    assert "You are registered." in anonymous.get(f"/events/{open_event.slug}").text
    assert "You are registered." not in site.test_client().get(f"/events/{open_event.slug}").text


def test_time_alone_changes_a_kept_page(client, make_event, monkeypatch):
    closes = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    event = make_event(title="Closing soon")
    open_registration(event, RegistrationSettings(closes_at=closes))
    assert 'name="email"' in client.get(f"/events/{event.slug}").text

    later = closes + timedelta(seconds=1)
    monkeypatch.setattr(page_cache, "now", lambda: later)
    monkeypatch.setattr("eventsvc.services.registration.now", lambda: later)

    page = client.get(f"/events/{event.slug}").text
    assert 'name="email"' not in page
    assert "Registration has closed." in page


def test_a_scheduled_news_item_appears_at_its_time(client, make_news, monkeypatch):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=20)
    make_news(title="Scheduled statement", published_at=soon)
    assert "Scheduled statement" not in client.get("/").text

    later = soon + timedelta(seconds=1)
    monkeypatch.setattr(page_cache, "now", lambda: later)
    monkeypatch.setattr("eventsvc.queries.now", lambda: later)

    assert "Scheduled statement" in client.get("/").text


def test_a_kept_feed_follows_changes_and_answers_304(client, open_event):
    first = client.get("/calendar.ics")
    etag = first.headers["ETag"]
    assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304

    rename(open_event, "Remedy, rescheduled")

    changed = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert b"Remedy\\, rescheduled" in changed.data


def test_the_cache_drops_the_least_recently_used_beyond_its_budget():
    cache, moment = PageCache(budget=100), datetime(2026, 1, 1, tzinfo=UTC)
    until = moment + timedelta(minutes=1)
    for key in ("a", "b", "c"):
        cache.put(key, Kept(1, until, key, 40))
    assert cache.get("a", 1, moment) is None  # dropped: a, b and c would take 120
    assert cache.get("b", 1, moment) == "b"
    cache.put("d", Kept(1, until, "d", 40))
    assert cache.get("c", 1, moment) is None  # b was used more recently than c
    assert cache.get("b", 1, moment) == "b" and cache.size == 80
    cache.put("huge", Kept(1, until, "huge", 60))
    assert cache.get("huge", 1, moment) is None  # more than half the budget: never kept
    assert cache.get("b", 2, moment) is None  # another version
    assert cache.get("b", 1, until) is None  # its time is over


def test_a_change_shows_on_every_worker_on_either_database(any_db_app, make_event):
    event = make_event(title="Remedy in practice")
    workers = [create_app(dict(any_db_app.config)) for _ in range(2)]
    try:
        for worker in workers:
            assert "Remedy in practice" in worker.test_client().get(f"/events/{event.slug}").text
            assert b"Remedy in practice" in worker.test_client().get("/calendar.ics").data

        rename(event, "Remedy, revisited")

        for worker in workers:
            page = worker.test_client().get(f"/events/{event.slug}").text
            assert "Remedy, revisited" in page_text(page)
            assert b"Remedy\\, revisited" in worker.test_client().get("/calendar.ics").data
    finally:
        for worker in workers:
            with worker.app_context():
                db.session.remove()
                db.engine.dispose()


CRAFTED = (
    "?series=None&tag=None&organization=None",
    "?series=&tag=%20&organization=",
    "?series=no-such-series",
    "?tag=Rights",  # slugs are lower case: this names nothing
    "?organization=fair-chains&organization=none",
    "?page=01&series=",
    "?unknown=1",
)


def test_crafted_query_strings_never_change_the_plain_listing(client, make_event):
    make_event(
        title="Rights at work",
        tags=["Rights"],
        credits=[("co_host", "organization", "Fair Chains")],
    )
    plain = client.get("/events").text
    rename(db.session.scalar(select(Event)), "Rights at work, renamed")  # nothing kept holds
    statuses = {query: client.get(f"/events{query}").status_code for query in CRAFTED}
    assert statuses == {
        "?series=None&tag=None&organization=None": 404,
        "?series=&tag=%20&organization=": 200,
        "?series=no-such-series": 404,
        "?tag=Rights": 404,
        "?organization=fair-chains&organization=none": 200,
        "?page=01&series=": 200,
        "?unknown=1": 200,
    }
    after = client.get("/events").text
    assert "Rights at work, renamed" in after and after != plain
    assert client.get("/events?tag=rights").text.count("Rights at work, renamed") >= 1
