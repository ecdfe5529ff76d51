"""The admin's news pages: write, link to events, publish, unpublish and delete."""

from datetime import UTC, datetime

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import NewsItem
from tests.helpers import ATTRIBUTE, SCRIPT, error_of, form_values, only, page_text


def news_data(**overrides) -> dict:
    data = {
        "title": "July 30 Virtual Event: Beyond Business as Usual",
        "label": "event",
        "language": "en",
        "excerpt": "",
        "body": "Join us for a conversation about accountable governance.",
        "published_at": "",
    }
    data.update(overrides)
    return data


def test_a_news_item_without_a_date_is_a_draft(client, editor):
    response = client.post("/admin/news/new", data=news_data())

    assert response.status_code == 302
    item = only(NewsItem)
    assert item.published_at is None
    assert item.label == "event"
    listing = page_text(client.get("/admin/news").text)
    assert "July 30 Virtual Event: Beyond Business as Usual Event Draft" in listing
    assert client.get(f"/news/{item.slug}").status_code == 404


def test_a_news_item_links_events_and_is_published_at_a_time_in_the_site_zone(
    client, editor, make_event
):
    first, second = make_event(title="First"), make_event(title="Second")
    data = news_data(published_at="2026-05-01T09:30")
    data["events"] = [str(second.id), str(first.id)]

    client.post("/admin/news/new", data=data)

    item = only(NewsItem)
    assert item.published_at == datetime(2026, 5, 1, 13, 30, tzinfo=UTC)  # 09:30 EDT
    assert {event.title for event in item.events} == {"First", "Second"}
    page = client.get(f"/admin/news/{item.id}/edit").text
    assert form_values(page)["published_at"] == "2026-05-01T09:30"
    assert "Publication time (America/New_York)" in page_text(page)
    assert "Fri 1 May 2026, 09:30 EDT" in page_text(client.get("/admin/news").text)


def test_linked_events_are_offered_with_their_whole_title_and_date(client, editor, make_event):
    event = make_event(
        title="The Struggle for Human Rights in Bolivia During the Áñez Government",
        starts_at=datetime(2026, 8, 20, 18, tzinfo=UTC),
    )

    page = client.get("/admin/news/new").text

    assert (
        f'<option value="{event.id}">The Struggle for Human Rights in Bolivia During the '
        "Áñez Government — Thu 20 Aug 2026</option>"
    ) in page
    assert "data-picker" in page and "picker.js" in page


def test_a_scheduled_item_is_marked_and_hidden_from_the_public_until_its_time(
    client, editor, make_news
):
    item = make_news(title="Coming soon", published_at=datetime(2031, 1, 1, 17, tzinfo=UTC))

    listing = page_text(client.get("/admin/news").text)
    public = [
        client.get("/"),
        client.get(f"/news/{item.slug}"),
        client.get("/search?q=Coming"),
        client.get("/news.atom"),
        client.get("/sitemap.xml"),
        client.get("/api/v1/news"),
        client.get(f"/api/v1/news/{item.slug}"),
    ]

    assert "Coming soon News Scheduled for Wed 1 Jan 2031, 12:00 EST" in listing
    assert public[1].status_code == 404 and public[6].status_code == 404
    for response in public:
        assert "Coming soon" not in response.get_data(as_text=True), response.request.path


def test_edit_keeps_the_slug_and_changes_the_text(client, editor, make_news):
    item = make_news(title="Original title")
    slug = item.slug

    values = form_values(client.get(f"/admin/news/{item.id}/edit").text)
    client.post(
        f"/admin/news/{item.id}/edit", data=values | {"title": "New title", "excerpt": "Short."}
    )

    assert (item.title, item.excerpt, item.slug) == ("New title", "Short.", slug)


def test_publish_and_unpublish(client, editor, make_news):
    item = make_news(published_at=None)

    client.post(f"/admin/news/{item.id}/publish")
    assert item.published_at is not None
    assert client.get(f"/news/{item.slug}").status_code == 200

    response = client.post(f"/admin/news/{item.id}/unpublish", follow_redirects=True)
    assert item.published_at is None
    assert "is a draft again" in page_text(response.text)


def test_delete_asks_first_then_deletes(client, admin, make_news):
    item = make_news(title="Old item")

    assert "Delete the news item “Old item”?" in page_text(
        client.get(f"/admin/news/{item.id}/delete").text
    )
    assert only(NewsItem) == item
    client.post(f"/admin/news/{item.id}/delete")

    assert db.session.scalars(select(NewsItem)).all() == []


def test_missing_title_and_bad_language_are_shown_and_the_text_kept(client, editor):
    response = client.post(
        "/admin/news/new", data=news_data(title="", language="english!", body="Keep this text")
    )

    assert response.status_code == 400
    assert error_of(response.text, "title") == "Enter a title"
    assert error_of(response.text, "language") == (
        "Use language codes such as en, es or pt-BR, separated by commas"
    )
    assert form_values(response.text)["body"] == "Keep this text"
    assert db.session.scalars(select(NewsItem)).all() == []


def test_an_unknown_event_cannot_be_linked(client, editor):
    data = news_data()
    data["events"] = ["999"]

    response = client.post("/admin/news/new", data=data)

    assert response.status_code == 400
    assert error_of(response.text, "events") == "Choose events from the list"


def test_unknown_news_items_are_not_found(client, admin):
    assert client.get("/admin/news/999/edit").status_code == 404
    assert client.post("/admin/news/999/publish").status_code == 404
    assert client.post("/admin/news/999/delete").status_code == 404


def test_script_in_every_text_field_comes_out_escaped(client, editor, make_event):
    make_event(title=SCRIPT)
    data = news_data(title=SCRIPT, excerpt=ATTRIBUTE, body=SCRIPT + ATTRIBUTE, language="en")
    client.post("/admin/news/new", data=data)
    item = only(NewsItem)

    for url in ("/admin/news", f"/admin/news/{item.id}/edit", f"/admin/news/{item.id}/delete"):
        markup = client.get(url).text
        assert "<script>alert" not in markup, url
        assert "<img src=x" not in markup, url


def test_save_and_publish_now_publishes_an_undated_item_at_once(client, editor):
    response = client.post(
        "/admin/news/new", data=news_data(title="Clinic urges review", publish="yes")
    )

    item = only(NewsItem)
    assert response.status_code == 302
    assert item.published_at is not None and not item.is_scheduled
    assert client.get(f"/news/{item.slug}").status_code == 200
