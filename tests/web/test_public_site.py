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
    assert f'<a href="/events/{event.slug}"><mark>Bolivia</mark> webinar</a>' in response.text
    assert event.local_start.strftime("%H:%M") in text


def test_search_ignores_accents_case_and_punctuation_on_both_databases(
    any_db_app, make_event, make_news
):
    client = any_db_app.test_client()
    make_news(title="La Clínica y Áñez", excerpt="Una audiencia pública.")
    make_event(title="Seminario", summary="Sobre derechos humanos en Bolivia.")
    make_news(title="Clinical trials", body="Nothing about Spanish words.")

    def titles(words: str) -> list[str]:
        page = client.get("/search", query_string={"q": words}).text
        return re.findall(r'<h3[^>]*><a href="[^"]+">(.+?)</a></h3>', page)

    assert titles("anez") == ["La Clínica y <mark>Áñez</mark>"]
    assert titles("ÁÑEZ") == titles("anez")
    assert titles("clinica anez") == ["La <mark>Clínica</mark> y <mark>Áñez</mark>"]
    assert sorted(titles("clínica")) == [
        "<mark>Clinical</mark> trials",
        "La <mark>Clínica</mark> y Áñez",
    ]
    assert titles("DERECHOS humanos") == ["Seminario"]
    assert titles("derechos-humanos, ¿bolivia?") == ["Seminario"]
    assert titles("publica") == ["La Clínica y Áñez"]


def test_search_finds_words_that_begin_with_a_longer_search_word(client, make_news):
    make_news(title="Derechos de las mujeres")
    make_news(title="Un derecho")

    assert "2 results" in page_text(client.get("/search?q=derecho").text)
    assert "1 result for" in page_text(client.get("/search?q=derechos").text)
    assert "0 results" in page_text(client.get("/search?q=de+la").text)


def test_search_ranks_a_title_before_a_summary_before_a_body(any_db_app, make_event, make_news):
    client = any_db_app.test_client()
    make_news(title="Annual report", body="Extractive industries in the Andes. " * 20)
    make_event(title="Extractive industries", summary="A webinar.", starts_at=in_days(-30))
    make_news(title="A statement", excerpt="On extractive industries and water.")

    page = client.get("/search?q=extractive+industries").text

    titles = re.findall(r'<h3[^>]*><a href="[^"]+">(.+?)</a></h3>', page)
    assert [re.sub("</?mark>", "", title) for title in titles] == [
        "Extractive industries",
        "A statement",
        "Annual report",
    ]


def test_search_marks_the_words_found_in_a_passage_of_the_body(client, make_news):
    opening = "The clinic welcomes new students this autumn. " * 12
    make_news(title="Term begins", body=f"{opening}\n\nThey will study the Áñez trial in depth.")

    page = client.get("/search?q=anez").text

    assert "…" in page and "the <mark>Áñez</mark> trial" in page


def test_search_filters_by_kind_and_time(client, make_event, make_news):
    make_event(title="Water rights webinar", starts_at=in_days(5))
    make_event(title="Water rights forum", starts_at=in_days(-40))
    make_news(title="Water rights news", published_at=in_days(-2))

    def found(**args) -> set[str]:
        page = client.get("/search", query_string={"q": "water", **args}).text
        return {title.replace("<mark>Water</mark> ", "") for title in _result_titles(page)}

    assert found() == {"rights webinar", "rights forum", "rights news"}
    assert found(kind="news") == {"rights news"}
    assert found(kind="event") == {"rights webinar", "rights forum"}
    assert found(when="upcoming") == {"rights webinar"}
    assert found(when="past") == {"rights forum", "rights news"}
    start = (in_days(-3)).date().isoformat()
    assert found(**{"from": start}) == {"rights webinar", "rights news"}
    assert found(when="range", to=start) == {"rights forum"}


def _result_titles(page: str) -> list[str]:
    return re.findall(r'<h3[^>]*><a href="[^"]+">(.+?)</a></h3>', page)


def test_search_keeps_its_filters_in_the_form_and_across_pages(client, make_news):
    for number in range(25):
        make_news(title=f"Forest item {number}", published_at=in_days(-1 - number))

    first = client.get("/search?q=forest&kind=news&from=2000-01-01")
    second = client.get("/search?q=forest&kind=news&from=2000-01-01&page=2")

    assert "25 results" in page_text(first.text)
    assert len(_result_titles(first.text)) == 20 and len(_result_titles(second.text)) == 5
    assert (
        'href="/search?page=2&amp;q=forest&amp;kind=news&amp;when=range&amp;from=2000-01-01"'
        in (first.text)
    )
    assert '<option value="news" selected>' in first.text
    assert 'value="2000-01-01"' in first.text
    assert client.get("/search?q=forest&page=3").status_code == 404


def test_search_explains_a_date_it_cannot_read(client, make_news):
    make_news(title="Forest item")

    page = page_text(client.get("/search?q=forest&from=30/07/2026").text)

    assert "From: enter a date such as 2026-07-30." in page
    assert "1 result for" in page


def test_search_reads_operators_and_symbols_as_plain_text(client, make_news):
    make_news(title="Rates rose by 100% this year")
    make_news(title="Rates fell")

    for words in ("100%", '"100" OR fell', "100*", "NOT fell (", "rates:rose"):
        response = client.get("/search", query_string={"q": words})
        assert response.status_code == 200, words
    assert "1 result for" in page_text(client.get("/search?q=100%25").text)
    assert "0 results" in page_text(client.get("/search?q=%22100%22+OR+fell").text)
    assert "0 results" in page_text(client.get("/search?q=%25%25").text)


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
    assert str(FORM_EXPIRED) in page_text(response.text)
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
        starts_at=in_days(-3),
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
