"""Admin pages show every time in the site's zone with its abbreviation, and never "None"."""

import csv
import io
import re
from datetime import datetime

import pytest

from eventsvc import create_app
from eventsvc.config import load_settings
from eventsvc.inputs import OrganizationFields
from eventsvc.services.organizations import create_organization
from eventsvc.timezones import LocalTimeError, to_local
from tests.helpers import page_text


@pytest.fixture
def app_config():
    return {"TIMEZONE": "Europe/Berlin"}


def test_outbox_times_are_in_the_site_zone(client, editor, open_event, sign_up):
    event = open_event(title="Rights at work")
    sign_up(event, "ana@example.org")

    outbox = page_text(client.get("/admin/outbox").text)

    assert "times in Europe/Berlin" in outbox
    assert re.search(r"\d{2}:\d{2} CES?T", outbox)
    assert " UTC" not in outbox


def test_the_audit_log_dates_entries_in_the_site_zone(client, admin, make_event):
    make_event(title="Rights at work")

    text = page_text(client.get("/admin/audit").text)

    assert "times in Europe/Berlin" in text
    assert re.search(r"\d{2}:\d{2} CES?T", text)


def test_news_publication_times_show_the_zone(client, editor, make_news):
    item = make_news(title="Clinic urges review")
    local = to_local(item.published_at, "Europe/Berlin")

    text = page_text(client.get("/admin/news").text)

    assert "Published (Europe/Berlin)" in text
    assert f"{local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}" in text


def test_the_csv_export_dates_registrations_in_iso_8601_with_the_offset(
    client, editor, open_event, sign_up
):
    event = open_event()
    sign_up(event, "ana@example.org")

    response = client.get(f"/admin/events/{event.id}/registrants.csv")

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    registered = datetime.fromisoformat(rows[1][rows[0].index("Registered at")])
    assert registered.utcoffset() == to_local(registered, "Europe/Berlin").utcoffset()


def test_an_event_without_optional_details_says_so_in_words(client, editor, make_event):
    event = make_event(publish=False, summary="", body="")

    text = page_text(client.get(f"/admin/events/{event.id}").text)

    assert "None" not in text
    for words in ("Not part of a series", "No tags", "No internal note", "No credits yet"):
        assert words in text


def test_outbox_messages_and_organisations_never_say_none(client, editor, open_event, sign_up):
    create_organization(OrganizationFields(name="MSI Integrity"))
    event = open_event()
    sign_up(event, "ana@example.org")
    staff_message = client.post(
        f"/admin/events/{event.id}/message",
        data={"states": ["confirmed"], "subject": "Slides", "body": "Here they are."},
    )
    assert staff_message.status_code == 302

    organizations = page_text(client.get("/admin/organizations").text)
    last = client.get("/admin/outbox").text
    message_id = re.findall(r"/admin/outbox/(\d+)", last)[0]
    message = page_text(client.get(f"/admin/outbox/{message_id}").text)

    assert "None" not in organizations and "No logo" in organizations
    assert "None" not in message and "No invitation attached" in message


def test_an_unknown_site_zone_stops_the_app_at_its_start(monkeypatch):
    monkeypatch.setenv("EVENTSVC_TIMEZONE", "Mars/Olympus_Mons")

    with pytest.raises(LocalTimeError, match="Mars/Olympus_Mons"):
        load_settings()


def test_the_site_zone_defaults_to_new_york(monkeypatch, tmp_path):
    monkeypatch.delenv("EVENTSVC_TIMEZONE", raising=False)
    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(tmp_path))

    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["TIMEZONE"] == (
        "America/New_York"
    )
