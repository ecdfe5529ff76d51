"""One-line fields refuse control characters, through forms and the API alike (issue 12).

A title or a join link holding CR/LF once reached the outbox, where no email could be built
from it. Both ways in now share one rule (inputs.single_line_error), judged on the value
as it was sent; web addresses included, before any trimming.
"""

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import SINGLE_LINE_ERROR
from eventsvc.models import Event, NewsItem, Organization, Person, Registration
from tests.helpers import Api, error_of, reloaded, row_count

BREAKS = ("Rights\r\nBcc: everyone@example.org", "Rights\tat work", "Rights\x1b[2J", "A\u2028B")
LINK = "https://meet.example.org/room-42"

EVENT = {
    "title": "Beyond Business as Usual",
    "kind": "webinar",
    "timezone": "America/New_York",
    "start": "2031-07-30T10:00",
    "duration": "90",
    "summary": "A discussion.\r\nOn two lines, which a summary may have.",
    "join_url": LINK,
}
NEWS = {"title": "Clinic news", "language": "en", "label": "news", "body": "Text."}
FORMS = {
    "event title": ("/admin/events/new", EVENT, "title", Event),
    "event venue": ("/admin/events/new", EVENT | {"kind": "in_person"}, "venue", Event),
    "event join link": ("/admin/events/new", EVENT, "join_url", Event),
    "organisation name": ("/admin/organizations/new", {"name": "Fair"}, "name", Organization),
    "person name": ("/admin/people/new", {"name": "Ana Pérez"}, "name", Person),
    "news title": ("/admin/news/new", NEWS, "title", NewsItem),
    "announcement title": ("/admin/events/new", EVENT | {"announce": "y"}, "news_title", NewsItem),
    "credited person's affiliation": (
        "/admin/events/new",
        EVENT | {"credits-0-role": "speaker", "credits-0-kind": "person", "credits-0-name": "Ana"},
        "credits-0-affiliation",
        Person,
    ),
}


@pytest.mark.parametrize("where", list(FORMS))
def test_admin_forms_refuse_control_characters_and_save_nothing(client, editor, where):
    url, data, name, model = FORMS[where]
    for value in BREAKS:
        sent = data | {name: LINK + "\r\n" if name == "join_url" else value}
        response = client.post(url, data=sent)
        assert response.status_code == 400, (where, value)
        assert error_of(response.text, name) == SINGLE_LINE_ERROR, (where, value)
        assert row_count(model) == 0
    assert client.post(url, data=data | {name: data.get(name) or "Hall 2"}).status_code == 302


def test_the_registration_form_and_the_api_refuse_a_name_on_two_lines(client, open_event):
    event = open_event()
    for value in BREAKS:
        form = client.post(
            f"/events/{event.slug}/register",
            data={"name": value, "email": "ana@example.org", "consent": "y"},
        )
        assert form.status_code == 400
        assert error_of(form.text, "name") == SINGLE_LINE_ERROR
        api = Api(client).register(event, name=value)
        assert api.status_code == 422
        assert api.get_json()["fields"]["name"] == [SINGLE_LINE_ERROR]
    assert row_count(Registration) == 0


def test_staff_adding_or_correcting_a_registrant_are_refused_a_name_on_two_lines(
    client, editor, open_event, sign_up
):
    event = open_event()
    ana = sign_up(event, "ana@example.org", name="Ana Pérez").registration
    person = {"email": "bo@example.org", "consent": "y"}
    for value in BREAKS:
        added = client.post(
            f"/admin/events/{event.id}/registrants/new", data=person | {"name": value}
        )
        edited = client.post(
            f"/admin/events/{event.id}/registrants/{ana.id}/edit", data={"name": value}
        )
        for response in (added, edited):
            assert response.status_code == 400, value
            assert error_of(response.text, "name") == SINGLE_LINE_ERROR, value
    assert row_count(Registration) == 1
    assert reloaded(ana).name == "Ana Pérez"


@pytest.fixture
def writer(client, make_staff):
    from eventsvc.services.tokens import issue_token

    user, _password = make_staff("writer@example.org")
    return Api(client, issue_token(user, "tests", "write")[1])


API_EVENT = {
    "title": "Rights at work",
    "kind": "webinar",
    "timezone": "Europe/Berlin",
    "local_start": "2031-06-01T18:00",
    "duration_minutes": 60,
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Rights\r\nat work"),
        ("title", "Rights\tat work"),
        ("join_url", LINK + "\r\n"),
        ("join_url", "\n" + LINK),
        ("series", "Series\nTwo"),
        ("tags", ["Labour", "Due\rdiligence"]),
        ("credits", [{"role": "host", "kind": "person", "name": "Ana\nPérez"}]),
        ("venue", {"name": "Hall\n2", "address": "1 Campus Way"}),
    ],
)
def test_the_api_refuses_control_characters_in_one_line_fields(writer, field, value):
    response = writer.post("/events", API_EVENT | {field: value})
    assert response.status_code == 422, response.get_data(as_text=True)
    messages = [m for named in response.get_json()["fields"].values() for m in named]
    assert SINGLE_LINE_ERROR in messages
    assert row_count(Event) == 0
    assert writer.post("/events", API_EVENT).status_code == 201


def test_multi_line_fields_keep_their_line_breaks(writer):
    summary = "First line.\nSecond line."
    response = writer.post("/events", API_EVENT | {"summary": summary})
    assert response.status_code == 201
    assert db.session.scalar(select(Event.summary)) == summary
