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


def test_a_news_item_links_events_and_is_published_at_its_utc_time(client, editor, make_event):
    first, second = make_event(title="First"), make_event(title="Second")
    data = news_data(published_at="2026-05-01T09:30")
    data["events"] = [str(second.id), str(first.id)]

    client.post("/admin/news/new", data=data)

    item = only(NewsItem)
    assert item.published_at == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    assert {event.title for event in item.events} == {"First", "Second"}
    values = form_values(client.get(f"/admin/news/{item.id}/edit").text)
    assert values["published_at"] == "2026-05-01T09:30"


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
    assert error_of(response.text, "language") == "Use a language code such as en, es or pt-BR"
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
