"""With CSRF protection on, as in production, admin forms need their token."""

import re

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_a_form_without_its_token_is_refused(client, editor, make_event):
    event = make_event(publish=False)

    refused = client.post(f"/admin/events/{event.id}/publish")
    forged = client.post(f"/admin/events/{event.id}/publish", data={"csrf_token": "forged"})

    assert refused.status_code == 400
    assert forged.status_code == 400
    assert "The form expired or was sent from elsewhere" in refused.text
    assert event.visibility == "draft"


def test_the_event_form_without_its_token_saves_nothing(client, editor):
    response = client.post(
        "/admin/events/new",
        data={"title": "Forged", "timezone": "UTC", "start": "2026-07-30T10:00", "duration": "60"},
    )

    assert response.status_code == 400
    assert db.session.scalars(select(Event)).all() == []


def test_the_buttons_on_a_page_carry_a_working_token(client, editor, make_event):
    event = make_event(publish=False)
    page = client.get(f"/admin/events/{event.id}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    response = client.post(f"/admin/events/{event.id}/publish", data={"csrf_token": token})

    assert response.status_code == 302
    assert event.visibility == "published"


def test_the_registrants_search_is_posted_with_the_pages_token(client, editor, make_event):
    event = make_event()
    url = f"/admin/events/{event.id}/registrants"
    page = client.get(url).text
    search_form = re.search(r'<form class="filters" method="post".*?</form>', page, re.S).group(0)
    token = re.search(r'name="csrf_token" value="([^"]+)"', search_form).group(1)

    refused = client.post(url, data={"q": "diallo"})
    searched = client.post(url, data={"q": "diallo", "csrf_token": token})

    assert refused.status_code == 400
    assert searched.status_code == 200
    assert 'value="diallo"' in searched.text
