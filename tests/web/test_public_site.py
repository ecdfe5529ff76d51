"""Site-wide public pages: layout, search, sitemap, robots, uploads, errors and safety."""

import re

import pytest
from flask import abort

from eventsvc.forms import FORM_EXPIRED
from eventsvc.services.events import add_recording
from tests.helpers import in_days, json_ld, page_text

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SECRET_JOIN_URL = "https://zoom.example.org/j/98765?pwd=do-not-share"
SECRET_NOTE = "Speaker fee agreed privately"


def _public_pages(event, item) -> list[str]:
    return [
        "/",
        f"/news/{item.slug}",
        "/events",
        f"/events/{event.slug}",
        "/search?q=rights",
        "/sitemap.xml",
    ]


# Layout


def test_pages_share_a_layout_with_skip_link_landmarks_and_navigation(client):
    response = client.get("/events")

    assert '<a class="skip-link" href="#main">Skip to content</a>' in response.text
    assert '<main id="main"' in response.text
    assert '<nav class="site-nav" aria-label="Main">' in response.text
    for link in ('href="/">News', 'href="/events" aria-current="page">Events', 'href="/search">'):
        assert link in response.text
    assert '<a href="/login">Staff sign in</a>' in response.text
    assert 'href="/admin/"' not in response.text


def test_signed_in_staff_see_an_admin_link(client, login):
    login()

    response = client.get("/")

    assert '<a href="/admin/">Admin</a>' in response.text
    assert "Staff sign in" not in response.text


# Search


def test_search_finds_news_and_events_by_every_word_on_both_databases(
    any_db_app, make_event, make_news
):
    client = any_db_app.test_client()
    make_event(title="Beyond Business as Usual", body="Workers and COMMUNITIES speak.")
    make_news(title="Families endorse a letter", excerpt="Police violence and communities.")
    make_news(title="Cluster munitions", body="Ten years of the convention.")
    make_event(title="Draft about communities and workers", publish=False)
    make_news(title="Embargoed communities workers", published_at=in_days(1))

    both = page_text(client.get("/search?q=communities").text)
    every_word = page_text(client.get("/search?q=workers+Communities").text)

    assert "Beyond Business as Usual" in both and "Families endorse a letter" in both
    assert "Cluster munitions" not in both
    assert "Draft about" not in both and "Embargoed" not in both
    assert "Beyond Business as Usual" in every_word
    assert "Families endorse a letter" not in every_word
    assert "1 result for" in every_word


def test_search_lists_the_type_and_date_of_each_result(client, make_event, make_news):
    event = make_event(title="Bolivia webinar")
    make_news(title="Bolivia statement")

    response = client.get("/search?q=bolivia")

    text = page_text(response.text)
    assert "Event · Webinar Bolivia webinar" in text
    assert "News Bolivia statement" in text
    assert f'<a href="/events/{event.slug}">Bolivia webinar</a>' in response.text
    assert event.local_start.strftime("%H:%M") in text


def test_search_treats_wildcards_as_plain_text(client, make_news):
    make_news(title="Rates rose by 100% this year")
    make_news(title="Rates rose by 100 this year")

    text = page_text(client.get("/search?q=100%25").text)

    assert "1 result for" in text


def test_empty_search_shows_only_the_form(client, make_news):
    make_news(title="Anything")

    response = client.get("/search?q=+")

    assert '<label for="search-q">' in response.text
    assert '<input type="search" id="search-q" name="q"' in response.text
    assert "result" not in page_text(response.text)


# Sitemap, robots, health and uploads


def test_sitemap_lists_published_pages_with_absolute_urls(client, app, make_event, make_news):
    app.config["BASE_URL"] = "https://events.example.org"
    event = make_event(title="Public event")
    draft = make_event(title="Draft event", publish=False)
    item = make_news(title="Public news")
    hidden = make_news(title="Hidden news", published_at=None)

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert f"<loc>https://events.example.org/events/{event.slug}</loc><lastmod>" in response.text
    assert f"<loc>https://events.example.org/news/{item.slug}</loc><lastmod>" in response.text
    assert "<loc>https://events.example.org/</loc>" in response.text
    assert draft.slug not in response.text and hidden.slug not in response.text
    assert re.search(r"<lastmod>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</lastmod>", response.text)


def test_robots_keeps_crawlers_out_of_private_areas_and_names_the_sitemap(client, app):
    app.config["BASE_URL"] = "https://events.example.org"

    response = client.get("/robots.txt")

    assert response.mimetype == "text/plain"
    lines = response.text.splitlines()
    assert "Disallow: /admin" in lines
    assert "Disallow: /registrations/" in lines
    assert "Sitemap: https://events.example.org/sitemap.xml" in lines


def test_health_check_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_uploaded_files_are_served_by_simple_name(client, app, tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    (folder / "a1b2c3.png").write_bytes(b"\x89PNG\r\n\x1a\nrest")
    (tmp_path / "secret.txt").write_text("private")

    with client.get("/uploads/a1b2c3.png") as response:
        assert response.status_code == 200
        assert response.data.startswith(b"\x89PNG")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    for name in ("missing.png", "..%2Fsecret.txt", ".hidden", "..", "a%20b.png"):
        assert client.get(f"/uploads/{name}").status_code == 404, name


# Error pages


@pytest.fixture
def failing_routes(app):
    """Routes that fail with a given status, as a view would."""

    def fail(code: int):
        if code == 500:
            raise RuntimeError("broken view")
        abort(code)

    app.add_url_rule("/test-failure/<int:code>", view_func=fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False


@pytest.mark.parametrize(
    ("code", "title"),
    [
        (400, "Bad request"),
        (404, "Page not found"),
        (405, "Method not allowed"),
        (413, "Too large"),
        (429, "Too many requests"),
        (500, "Something went wrong"),
    ],
)
def test_error_pages_use_the_site_layout(client, failing_routes, code, title):
    response = client.get(f"/test-failure/{code}")

    assert response.status_code == code
    assert f"<h1>{title}</h1>" in response.text
    assert '<nav class="site-nav" aria-label="Main">' in response.text
    assert "<footer" in response.text
    assert "Traceback" not in response.text and "broken view" not in response.text


def test_unknown_address_is_a_page_in_the_layout(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text


def test_wrong_method_keeps_the_allow_header(client):
    response = client.post("/events")

    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "<h1>Method not allowed</h1>" in response.text


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_form_without_its_csrf_token_gets_an_explained_400(client):
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})

    assert response.status_code == 400
    assert FORM_EXPIRED in page_text(response.text)
    assert 'value="a@example.org"' in response.text  # what was typed is kept


# Safety


def test_script_payloads_in_every_field_come_out_inert(client, make_event, make_news):
    event = make_event(
        title=f"Title {XSS}",
        summary=f"Summary {XSS}",
        body=f"Body {XSS}\n\n[link](javascript:alert(1))",
        kind="hybrid",
        venue=f"Venue {XSS}",
        address=f"Address {XSS}",
        series=f"Series {XSS}",
        tags=[f"Tag {XSS}"],
        image_url="https://cdn.example.org/panel.jpg",
        image_alt='Alt " onload="alert(1)',
        credits=[
            ("co_host", "organization", f"Org {XSS}", "javascript:alert(1)"),
            ("moderator", "person", f"Person {XSS}", "https://ok.example.org"),
        ],
        starts_at=in_days(3),
    )
    add_recording(event, "javascript:alert(1)", f"Recording {XSS}")
    item = make_news(
        title=f"News {XSS}", excerpt=f"Excerpt {XSS}", body=f"Body {XSS}", events=[event]
    )

    for path in [*_public_pages(event, item), "/search?q=alert"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<script>alert" not in response.text, path
        assert "<img src=x" not in response.text, path
        assert 'onload="alert' not in response.text, path
        assert '="javascript:' not in response.text, path
    assert json_ld(client.get(f"/events/{event.slug}").text)["name"] == f"Title {XSS}"


def test_join_links_and_internal_notes_never_reach_a_public_page(client, make_event, make_news):
    event = make_event(
        title="Human rights webinar",
        body="About rights.",
        join_url=SECRET_JOIN_URL,
        internal_note=SECRET_NOTE,
        starts_at=in_days(3),
    )
    item = make_news(title="Rights webinar announced", events=[event])

    pages = [*_public_pages(event, item), "/search?q=privately", "/search?q=zoom"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "zoom.example.org" not in response.text, path
        assert "do-not-share" not in response.text, path
        assert SECRET_NOTE not in response.text, path
    assert "0 results" in page_text(client.get("/search?q=privately").text)
