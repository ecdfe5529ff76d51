"""The admin's attendance pages: the check-in list at the door and the report import."""

import csv
import io
import logging

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Registration
from tests.helpers import page_text

REPORT = b"Name (Original Name),User Email,Duration (Minutes)\nAna,ANA@example.org,90\n" + (
    b"Walk In,walk-in@example.org,30\n"
)


@pytest.fixture
def webinar(open_event, sign_up):
    event = open_event(title="Beyond Business-as-Usual")
    sign_up(event, "ana@example.org", name="Ana Pérez")
    sign_up(event, "bo@example.org", name="Bo Chen")
    return event


def registration(name: str) -> Registration:
    db.session.expire_all()
    return db.session.scalar(select(Registration).where(Registration.name == name))


def test_the_check_in_list_checks_one_person_in_and_undoes_it(client, editor, webinar):
    ana = registration("Ana Pérez")
    url = f"/admin/events/{webinar.id}/check-in"

    page = client.get(url)
    checked = client.post(f"{url}/{ana.id}", data={"attended": "yes"}, follow_redirects=True)
    undone = client.post(
        f"{url}/{ana.id}", data={"attended": "unknown"}, headers={"Accept": "application/json"}
    )

    assert page.headers["Cache-Control"] == "no-store"
    assert "0 of 2 checked in" in page_text(page.text)
    assert "Check in Ana Pérez" in page_text(page.text)
    assert "Ana Pérez is checked in." in page_text(checked.text)
    assert "1 of 2 checked in" in page_text(checked.text)
    assert "Undo check-in of Ana Pérez" in page_text(checked.text)
    assert undone.get_json() == {
        "attended": None,
        "message": "Ana Pérez is no longer checked in.",
        "counted": "0 of 2",
        "status": "Ana Pérez is no longer checked in. 0 of 2 checked in.",
    }
    assert registration("Ana Pérez").attended is None


def test_the_check_in_list_finds_people_by_name_without_putting_it_in_the_url(
    client, editor, webinar
):
    response = client.post(f"/admin/events/{webinar.id}/check-in", data={"q": "bo"})

    text = page_text(response.text)
    assert "Bo Chen" in text and "Ana Pérez" not in text
    assert client.post(f"/admin/events/{webinar.id}/check-in/1", data={}).status_code == 400


def test_a_report_is_imported_with_its_unmatched_rows_shown_but_never_logged(
    client, editor, webinar, caplog
):
    caplog.set_level(logging.DEBUG)
    url = f"/admin/events/{webinar.id}/attendance"

    response = client.post(
        url,
        data={"report": (io.BytesIO(REPORT), "participants.csv"), "others_absent": "y"},
        content_type="multipart/form-data",
    )

    text = page_text(response.text)
    assert response.status_code == 200
    assert "1 registrant is marked as attended; 1 confirmed registrant is marked as not" in text
    assert "Line 3: walk-in@example.org" in text
    assert "walk-in@example.org" not in caplog.text
    assert "ana@example.org" not in caplog.text.lower()
    assert (registration("Ana Pérez").attended, registration("Bo Chen").attended) == (True, False)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_file_that_is_not_a_report_is_refused_with_a_message(client, editor, webinar):
    response = client.post(
        f"/admin/events/{webinar.id}/attendance",
        data={"report": (io.BytesIO(b"just,some\nwords,here\n"), "notes.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    assert "No column of email addresses found" in page_text(response.text)


def test_registrants_and_their_export_show_who_attended(client, editor, webinar):
    client.post(
        f"/admin/events/{webinar.id}/check-in/{registration('Ana Pérez').id}",
        data={"attended": "yes"},
    )
    client.post(
        f"/admin/events/{webinar.id}/check-in/{registration('Bo Chen').id}",
        data={"attended": "no"},
    )

    page = page_text(client.get(f"/admin/events/{webinar.id}/registrants").text)
    exported = client.get(f"/admin/events/{webinar.id}/registrants.csv").data.decode("utf-8-sig")

    assert "Attended 1; 1 did not attend (no-shows)" in page
    assert "Ana Pérez ana@example.org Confirmed Attended" in page
    assert "Bo Chen bo@example.org Confirmed Did not attend" in page
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {row["Name"]: row["Attended"] for row in rows} == {"Ana Pérez": "yes", "Bo Chen": "no"}
