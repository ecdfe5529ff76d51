"""News, organisations, series and tags through the API (issue 5)."""

from datetime import UTC, datetime, timedelta

from tests.helpers import assert_error


def test_news_lists_published_items_newest_first_with_their_published_events(
    api, make_news, make_event
):
    event = make_event(title="Virtual event")
    draft_event = make_event(title="Hidden draft", publish=False)
    make_news(title="Older", published_at=datetime.now(UTC) - timedelta(days=2))
    make_news(title="Newer", body="A **bold** step.", events=[event, draft_event])
    make_news(title="Scheduled later", published_at=datetime.now(UTC) + timedelta(days=1))
    body = api.get("/news").get_json()
    assert [item["title"] for item in body["items"]] == ["Newer", "Older"]
    newer = body["items"][0]
    assert newer["body_html"] == "<p>A <strong>bold</strong> step.</p>\n"
    assert newer["excerpt"] == "A bold step."
    assert [linked["title"] for linked in newer["events"]] == ["Virtual event"]
    assert newer["url"] == f"http://localhost/news/{newer['slug']}"
    assert body["next"] is None


def test_one_news_item_and_404_for_unpublished(api, make_news):
    item = make_news(title="Clinic submission", language="es")
    body = api.get(f"/news/{item.slug}").get_json()
    assert (body["title"], body["language"], body["label"]) == ("Clinic submission", "es", "news")
    later = make_news(title="Embargoed", published_at=datetime.now(UTC) + timedelta(days=1))
    assert_error(api.get(f"/news/{later.slug}"), 404, "not_found")


def test_organizations_series_and_tags_of_published_events_with_their_feeds(api, make_event):
    make_event(
        series="#RethinkingMSIs",
        tags=["Business"],
        credits=[("co_host", "organization", "MSI Integrity", "https://msi.example.org")],
    )
    make_event(
        publish=False, tags=["Secret topic"], credits=[("host", "organization", "Hidden", None)]
    )
    [organization] = api.get("/organizations").get_json()["items"]
    assert (organization["name"], organization["url"]) == (
        "MSI Integrity",
        "https://msi.example.org",
    )
    assert (
        organization["feed"]["ics"] == "http://localhost/calendar/organizations/msi-integrity.ics"
    )
    assert organization["feed"]["webcal"].startswith("webcal://localhost/")
    [series] = api.get("/series").get_json()["items"]
    assert series["name"] == "#RethinkingMSIs"
    tags = api.get("/tags").get_json()["items"]
    assert [tag["name"] for tag in tags] == ["Business"]
    assert tags[0]["feed"]["ics"] == "http://localhost/calendar/tags/business.ics"


def test_catalog_pages(api, make_event):
    make_event(tags=["Alpha", "Beta", "Gamma"])
    first = api.get("/tags?per_page=2").get_json()
    assert [tag["name"] for tag in first["items"]] == ["Alpha", "Beta"]
    second = api.get(first["next"].removeprefix("http://localhost/api/v1")).get_json()
    assert [tag["name"] for tag in second["items"]] == ["Gamma"] and second["next"] is None


def test_the_document_and_its_page(api):
    document = api.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    operations = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, item in document["paths"].items()
        for method in item
    }
    assert operations == {
        ("GET", "/events"), ("POST", "/events"), ("GET", "/events/{slug}"),
        ("PATCH", "/events/{slug}"), ("DELETE", "/events/{slug}"),
        ("POST", "/events/{slug}/cancel"), ("POST", "/events/{slug}/postpone"),
        ("POST", "/events/{slug}/reschedule"), ("POST", "/events/{slug}/recordings"),
        ("POST", "/events/{slug}/registrations"), ("GET", "/events/{slug}/registrations"),
        ("POST", "/registrations/{registration_id}/approve"),
        ("POST", "/registrations/{registration_id}/decline"),
        ("POST", "/registrations/{registration_id}/cancel"),
        ("POST", "/registrations/{registration_id}/promote"),
        ("GET", "/events/{slug}/outbox"), ("POST", "/events/{slug}/outbox/{kind}/send-now"),
        ("POST", "/events/{slug}/outbox/{kind}/cancel"),
        ("GET", "/news"), ("GET", "/news/{slug}"), ("GET", "/organizations"),
        ("GET", "/series"), ("GET", "/tags"),
    }  # fmt: skip
    register = document["paths"]["/api/v1/events/{slug}/registrations"]["post"]["responses"]
    assert {"201", "202", "400", "404", "409", "413", "422", "429"} <= set(register)
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = api.get("/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "POST /api/v1/events/{slug}/registrations" in html
    assert "<script>" not in html and 'src="/static/api-docs.js"' in html
    assert "script-src 'self'" in page.headers.get("Content-Security-Policy", "script-src 'self'")
