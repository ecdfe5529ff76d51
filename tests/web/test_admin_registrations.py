"""The admin's registration pages: settings, questions, registrants, messages, a person's data."""

import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields
from eventsvc.models import OutboxMessage, Question, Registration
from eventsvc.services.registration_settings import add_question
from eventsvc.timezones import describe
from tests.helpers import (
    ATTRIBUTE,
    SCRIPT,
    csrf_token,
    error_of,
    form_values,
    outbox_kinds,
    outbox_messages,
    page_text,
)


def last_message(registration: Registration) -> OutboxMessage:
    """The last message sent to the registration, written after all before it."""
    return [m for m in outbox_messages() if m.registration_id == registration.id][-1]


def flashes(markup: str) -> str:
    return page_text(markup.split('<div class="flashes" role="status">')[1].split("</div>")[0])


def settings_data(**overrides) -> dict:
    data = {
        "enabled": "y",
        "opens": "2030-01-10T09:00",
        "closes": "2030-01-12T17:30",
        "waitlist": "y",
        "consent_text": "I agree that the clinic keeps my details until the event ends.",
        "privacy_url": "https://clinic.example.org/privacy",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_settings_are_saved_in_the_event_zone_and_a_new_consent_text_is_a_new_version(
    client, editor, make_event
):
    event = make_event(capacity=40)
    url = f"/admin/events/{event.id}/registration"
    page = page_text(client.get(url).text)
    assert "Capacity 40 (change the capacity on the event form)" in page
    assert "Registration closes " + event.starts_at.strftime("%A") in page

    response = client.post(url, data=settings_data(approval="y", confirm_email="y"))

    assert response.status_code == 302
    db.session.refresh(event)
    assert event.registration_enabled and event.approval_required and event.confirm_email
    assert event.registration_opens_at == datetime(2030, 1, 10, 14, 0, tzinfo=UTC)
    assert event.registration_closes_at == datetime(2030, 1, 12, 22, 30, tzinfo=UTC)
    assert event.privacy_url == "https://clinic.example.org/privacy"
    version = event.consent_version
    shown = client.get(url, follow_redirects=True).text
    assert "The registration settings are saved." in flashes(shown)
    assert f"This is version {version}." in page_text(shown)
    assert form_values(shown)["opens"] == "2030-01-10T09:00"

    client.post(url, data=settings_data(waitlist=None))
    db.session.refresh(event)
    assert (event.consent_version, event.waitlist_enabled) == (version, False)
    client.post(url, data=settings_data(consent_text="A new text."))
    db.session.refresh(event)
    assert (event.consent_version, event.consent_text) == (version + 1, "A new text.")


def test_empty_times_mean_the_defaults(client, editor, make_event):
    event = make_event()

    client.post(f"/admin/events/{event.id}/registration", data=settings_data(opens="", closes=""))

    db.session.refresh(event)
    assert event.registration_opens_at is None and event.registration_closes_at is None
    page = page_text(client.get(f"/admin/events/{event.id}/registration").text)
    assert "Registration opens " + describe(event.published_at, event.timezone) in page
    assert "Registration closes " + describe(event.starts_at, event.timezone) in page
    assert "Leave empty: registration opens when the event is published." in page


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"closes": "2030-01-10T08:00"}, "closes", "Registration must close after it opens"),
        (
            {"opens": "2030-03-10T02:30"},
            "opens",
            "2:30 does not exist on 10 March 2030 in America/New_York: "
            "clocks move from 2:00 to 3:00",
        ),
        ({"closes": "soon"}, "closes", "Enter a date and a time"),
        (
            {"privacy_url": "javascript:alert(1)"},
            "privacy_url",
            "Enter a web address starting with https:// or http://",
        ),
        ({"consent_text": "  "}, "consent_text", "Enter the text people agree to"),
    ],
)
def test_bad_settings_are_refused_next_to_their_field_and_the_input_is_kept(
    client, editor, make_event, changes, field_id, message
):
    event = make_event()
    data = settings_data(**changes) | {"approval": "y"}

    response = client.post(f"/admin/events/{event.id}/registration", data=data)

    assert response.status_code == 400
    assert error_of(response.text, field_id) == message
    assert form_values(response.text)["approval"] == "y"
    assert form_values(response.text)["consent_text"] == data["consent_text"].strip()
    db.session.refresh(event)
    assert not event.registration_enabled


def test_the_question_builder_adds_edits_reorders_and_removes(client, editor, open_event):
    event = open_event()
    url = f"/admin/events/{event.id}/questions"
    client.post(url, data={"type": "short_text", "label": "Your role", "help_text": "Optional"})
    client.post(
        url,
        data={
            "type": "single_choice",
            "label": "How will you attend?",
            "required": "y",
            "choices": "Online\r\n\r\n  In person \r\n",
        },
    )
    role, attend = db.session.scalars(select(Question).order_by(Question.position)).all()
    assert (attend.choices, attend.required) == (["Online", "In person"], True)

    listing = page_text(client.get(url).text)
    assert listing.index("Your role Optional Short text No") < listing.index(
        "How will you attend? Single choice Yes Online; In person"
    )

    edit = client.get(f"{url}/{role.id}").text
    assert form_values(edit)["label"] == "Your role"
    client.post(f"{url}/{role.id}", data={"type": "organization", "label": "Organisation"})
    client.post(f"{url}/{attend.id}/move", data={"direction": "up"})
    assert [q.label for q in db.session.scalars(select(Question).order_by(Question.position))] == [
        "How will you attend?",
        "Organisation",
    ]

    response = client.post(f"{url}/{attend.id}/remove", follow_redirects=True)
    assert "past answers stay in the export" in flashes(response.text)
    assert "How will you attend?" not in page_text(response.text.split("<h2")[0])
    assert client.get(f"{url}/{attend.id}").status_code == 404


def test_bad_questions_are_refused_and_the_input_kept(client, editor, open_event):
    event = open_event()
    url = f"/admin/events/{event.id}/questions"

    no_label = client.post(url, data={"type": "short_text", "label": " ", "help_text": "Kept"})
    no_choices = client.post(
        url, data={"type": "multiple_choice", "label": "Topics", "choices": "Only one"}
    )

    assert (no_label.status_code, no_choices.status_code) == (400, 400)
    assert error_of(no_label.text, "label") == "Enter the question"
    assert form_values(no_label.text)["help_text"] == "Kept"
    assert error_of(no_choices.text, "choices") == "Give at least two choices, one per line"
    assert form_values(no_choices.text)["type"] == "multiple_choice"
    assert db.session.scalars(select(Question)).all() == []


def test_registrants_page_counts_filters_and_searches_and_is_never_cached(
    client, editor, open_event, sign_up
):
    event = open_event(capacity=1)
    sign_up(event, "ana@example.org")
    sign_up(event, "bo@example.org", name="Bo Chen")
    sign_up(event, "cy@example.org", name="Cy Diallo")
    url = f"/admin/events/{event.id}/registrants"

    response = client.get(url)

    assert response.headers["Cache-Control"] == "no-store"
    page = page_text(response.text)
    assert "Confirmed 1 / 1 (0 seats free) On the waiting list 2" in page
    assert "No seat is free: raise the capacity first" in page
    assert "Cy Diallo cy@example.org On the waiting list Not known 2" in page
    waitlisted = page_text(client.get(url, query_string={"state": "waitlisted"}).text)
    assert "Bo Chen" in waitlisted and "Ana Pérez" not in waitlisted
    searched = client.post(url, data={"state": "", "q": "DIALLO"})
    assert searched.headers["Cache-Control"] == "no-store"
    found = page_text(searched.text)
    assert "Cy Diallo" in found and "Bo Chen" not in found
    assert "1 registration found" in found
    assert 'value="DIALLO"' in searched.text
    waiting_bo = page_text(client.post(url, data={"state": "waitlisted", "q": "chen"}).text)
    assert "Bo Chen" in waiting_bo and "Cy Diallo" not in waiting_bo
    # A search word in the URL (an old bookmark) searches nothing: the page lists everyone.
    assert "Bo Chen" in page_text(client.get(url, query_string={"q": "DIALLO"}).text)


def test_names_and_answers_come_out_escaped(client, editor, open_event, sign_up):
    event = open_event()
    note = add_question(event, QuestionFields("long_text", ATTRIBUTE))
    registration = sign_up(
        event, "x@example.org", name=SCRIPT, answers={str(note.id): SCRIPT}
    ).registration

    listing = client.get(f"/admin/events/{event.id}/registrants").text
    detail = client.get(f"/admin/events/{event.id}/registrants/{registration.id}")

    for markup in (listing, detail.text):
        assert SCRIPT not in markup and "&lt;script&gt;" in markup
    assert ATTRIBUTE not in detail.text
    assert detail.headers["Cache-Control"] == "no-store"
    assert f"{ATTRIBUTE} {SCRIPT}" in page_text(detail.text)


def test_the_detail_page_shows_labelled_answers_and_consent(client, editor, open_event, sign_up):
    event = open_event()
    country = add_question(event, QuestionFields("country", "Where do you work?"))
    add_question(event, QuestionFields("checkbox", "Send me the recording"))
    registration = sign_up(event, "ana@example.org", answers={str(country.id): "NL"}).registration

    page = page_text(client.get(f"/admin/events/{event.id}/registrants/{registration.id}").text)

    assert "Answers Where do you work? Netherlands Send me the recording no" in page
    assert f"Consent Version {event.consent_version}, given" in page
    assert "Submitted again" not in page


def test_the_detail_page_shows_how_often_the_address_was_sent_again(
    client, editor, open_event, sign_up
):
    event = open_event()
    registration = sign_up(event, "ana@example.org").registration
    for _probe in range(3):
        sign_up(event, "ANA@example.org")

    page = page_text(client.get(f"/admin/events/{event.id}/registrants/{registration.id}").text)

    assert "Submitted again 3 times after registering; details last emailed again" in page


def test_approve_and_decline_change_the_state_and_email_the_person(
    client, editor, open_event, sign_up
):
    event = open_event(capacity=5, approval=True)
    ana = sign_up(event, "ana@example.org").registration
    bo = sign_up(event, "bo@example.org", name="Bo Chen").registration
    base = f"/admin/events/{event.id}/registrants"

    approved = client.post(f"{base}/{ana.id}/approve?back=pending")
    declined = client.post(f"{base}/{bo.id}/decline?back=detail", follow_redirects=True)

    assert approved.headers["Location"] == f"{base}?state=pending"
    db.session.refresh(ana)
    db.session.refresh(bo)
    assert (ana.state, bo.state) == ("confirmed", "declined")
    assert outbox_kinds(ana)[-1] == "approved"
    assert outbox_kinds(bo)[-1] == "declined"
    assert last_message(bo).calendar is None  # awaiting approval, never invited: none to cancel
    assert "Declined: the person is emailed" in flashes(declined.text)
    assert "Bo Chen" in page_text(declined.text)

    again = client.post(f"{base}/{ana.id}/approve", follow_redirects=True)
    assert "Only a registration awaiting approval can be approved." in flashes(again.text)


def test_moving_from_the_waitlist_needs_a_free_seat(client, editor, open_event, sign_up):
    event = open_event(capacity=1)
    sign_up(event, "ana@example.org")
    bo = sign_up(event, "bo@example.org", name="Bo Chen").registration
    url = f"/admin/events/{event.id}/registrants/{bo.id}/promote"

    full = client.post(url, follow_redirects=True)

    assert "No seat is free: raise the capacity first." in flashes(full.text)
    assert 'class="flash flash-error"' in full.text
    db.session.refresh(bo)
    assert bo.state == "waitlisted"

    # A seat is free without the automatic promotion running (as when capacity rises).
    event.capacity = 2
    db.session.commit()
    client.post(url)
    db.session.refresh(bo)
    assert (bo.state, bo.waitlist_position, outbox_kinds(bo)[-1]) == ("confirmed", None, "promoted")


def test_cancelling_on_someones_behalf_asks_first_then_frees_the_seat(
    client, editor, open_event, sign_up
):
    event = open_event(capacity=1)
    ana = sign_up(event, "ana@example.org").registration
    bo = sign_up(event, "bo@example.org", name="Bo Chen").registration
    outbox_messages()  # the worker sends Ana her invitation
    url = f"/admin/events/{event.id}/registrants/{ana.id}/cancel"

    question = client.get(url)

    assert "Cancel the registration of Ana Pérez?" in page_text(question.text)
    db.session.refresh(ana)
    assert ana.state == "confirmed"

    done = client.post(url, follow_redirects=True)

    assert "Cancelled: the person is emailed" in flashes(done.text)
    db.session.refresh(ana)
    db.session.refresh(bo)
    assert (ana.state, bo.state) == ("cancelled", "confirmed")
    assert outbox_kinds(ana)[-1] == "cancelled"
    assert Calendar.from_ical(last_message(ana).calendar)["METHOD"] == "CANCEL"
    assert outbox_kinds(bo)[-1] == "promoted"
    assert "nothing to cancel" in flashes(client.get(url, follow_redirects=True).text)


def test_resend_sends_the_details_again(client, editor, open_event, sign_up):
    event = open_event()
    ana = sign_up(event, "ana@example.org").registration

    response = client.post(f"/admin/events/{event.id}/registrants/{ana.id}/resend")

    assert response.status_code == 302
    assert outbox_kinds(ana) == ["confirmed", "already_registered"]


def test_csv_export_has_every_answer_and_neutralised_formulas(client, editor, open_event, sign_up):
    event = open_event()
    note = add_question(event, QuestionFields("short_text", "Note"))
    sign_up(event, "ana@example.org", name='=HYPERLINK("x")', answers={str(note.id): "+1 555"})
    sign_up(event, "zoe@example.org", name="Zoë, “Z” Ortiz", answers={str(note.id): "@home"})

    response = client.get(f"/admin/events/{event.id}/registrants.csv")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Name" and rows[0][-1] == "Note"
    assert (rows[1][0], rows[1][-1]) == ('\'=HYPERLINK("x")', "'+1 555")
    assert (rows[2][0], rows[2][-1]) == ("Zoë, “Z” Ortiz", "'@home")


def test_message_registrants_queues_one_email_per_person_in_the_chosen_states(
    client, editor, open_event, sign_up
):
    event = open_event(capacity=1)
    sign_up(event, "ana@example.org")
    sign_up(event, "bo@example.org", name="Bo Chen")
    sign_up(event, "cy@example.org", name="Cy Diallo")
    url = f"/admin/events/{event.id}/message"
    assert "On the waiting list (2)" in page_text(client.get(url).text)

    nobody = client.post(url, data={"subject": "Room change", "body": "Kept text"})
    no_subject = client.post(url, data={"states": "confirmed", "body": "We moved."})

    assert (nobody.status_code, no_subject.status_code) == (400, 400)
    assert error_of(nobody.text, "states") == "Choose who receives the message"
    assert form_values(nobody.text)["body"] == "Kept text"
    assert error_of(no_subject.text, "subject") == "Enter a subject"

    sent = client.post(
        url,
        data={"states": ["waitlisted"], "subject": "Room change", "body": "We moved."},
        follow_redirects=True,
    )

    assert "2 messages queued in the outbox." in flashes(sent.text)
    messages = outbox_messages("staff_message")
    assert sorted(m.to_address for m in messages) == ["bo@example.org", "cy@example.org"]
    assert {m.subject for m in messages} == {"Room change"}


def test_the_event_page_links_to_its_registration_pages(client, editor, open_event, sign_up):
    event = open_event(capacity=10)
    sign_up(event, "ana@example.org")

    page = client.get(f"/admin/events/{event.id}").text

    assert "Seats taken 1 of 10" in page_text(page)
    for path in ("registration", "questions", "registrants", "message"):
        assert f'href="/admin/events/{event.id}/{path}"' in page


def test_anonymous_visitors_are_sent_to_sign_in_from_every_registration_page(
    client, open_event, sign_up
):
    event = open_event(capacity=1)
    ana = sign_up(event, "ana@example.org").registration
    question = add_question(event, QuestionFields("short_text", "Role"))
    base = f"/admin/events/{event.id}"
    pages = [
        f"{base}/registration", f"{base}/questions", f"{base}/questions/{question.id}",
        f"{base}/registrants", f"{base}/registrants.csv", f"{base}/registrants/{ana.id}",
        f"{base}/registrants/{ana.id}/cancel", f"{base}/message", "/admin/outbox",
        "/admin/outbox/1", "/admin/personal-data",
    ]  # fmt: skip
    actions = [
        f"{base}/registration", f"{base}/questions", f"{base}/questions/{question.id}/move",
        f"{base}/questions/{question.id}/remove", f"{base}/registrants/{ana.id}/approve",
        f"{base}/registrants/{ana.id}/decline", f"{base}/registrants/{ana.id}/promote",
        f"{base}/registrants/{ana.id}/resend", f"{base}/registrants/{ana.id}/cancel",
        f"{base}/message", "/admin/outbox/1/retry", "/admin/personal-data",
        "/admin/personal-data/export", "/admin/personal-data/erase",
    ]  # fmt: skip

    responses = [client.get(url) for url in pages]
    responses += [client.post(url, data={"email": "ana@example.org"}) for url in actions]

    for response in responses:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    db.session.refresh(ana)
    assert ana.state == "confirmed"


class TestPersonalData:
    @pytest.fixture
    def two_registrations(self, open_event, sign_up):
        first = open_event(capacity=1, title="Rights on the Line")
        second = open_event(title="After the Verdict")
        sign_up(first, "Ana@Example.org")
        waiting = sign_up(first, "bo@example.org", name="Bo Chen").registration
        sign_up(second, "ana@example.org ", name="Ana P.")
        return first, waiting

    def test_editors_are_refused(self, client, editor):
        assert client.get("/admin/personal-data").status_code == 403
        for path in ("", "/export", "/erase"):
            response = client.post(f"/admin/personal-data{path}", data={"email": "a@b.org"})
            assert response.status_code == 403
        assert "Personal data" not in page_text(client.get("/admin/").text)

    def test_find_every_registration_of_an_address_and_export_them(
        self, client, admin, two_registrations
    ):
        found = client.post("/admin/personal-data", data={"email": "ANA@example.org"})

        assert found.headers["Cache-Control"] == "no-store"
        page = page_text(found.text)
        assert "2 registrations, oldest first" in page
        assert "Rights on the Line Ana Pérez Confirmed" in page
        assert "After the Verdict Ana P. Confirmed" in page
        assert "Bo Chen" not in page

        export = client.post("/admin/personal-data/export", data={"email": "ana@example.org"})

        assert export.headers["Content-Disposition"].startswith("attachment;")
        assert export.headers["Cache-Control"] == "no-store"
        data = json.loads(export.data)
        assert [r["event"] for r in data["registrations"]] == [
            "Rights on the Line",
            "After the Verdict",
        ]

    def test_erase_asks_first_then_removes_the_data_and_frees_the_seat(
        self, client, admin, two_registrations
    ):
        event, waiting = two_registrations

        asked = client.post("/admin/personal-data/erase", data={"email": "ana@example.org"})

        assert "Erase 2 registrations?" in page_text(asked.text)
        assert len(db.session.scalars(select(Registration).filter_by(name="Ana P.")).all()) == 1

        done = client.post(
            "/admin/personal-data/erase",
            data={"email": "ana@example.org", "confirmed": "yes"},
            follow_redirects=True,
        )

        assert "Erased 2 registrations." in flashes(done.text)
        assert "ana@example.org" not in done.text
        again = client.post("/admin/personal-data", data={"email": "ana@example.org"})
        assert "No registration uses this address." in page_text(again.text)
        db.session.refresh(waiting)
        assert waiting.state == "confirmed"

    def test_an_address_that_is_not_one_is_refused_next_to_the_field(self, client, admin):
        response = client.post("/admin/personal-data/export", data={"email": "not an address"})

        assert response.status_code == 400
        assert error_of(response.text, "email") == "Enter an email address like name@example.org"
        assert form_values(response.text)["email"] == "not an address"


def hidden_fields(markup: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', markup))


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_with_csrf_on_the_buttons_work_and_a_forged_post_changes_nothing(
    client, login, open_event, sign_up
):
    event = open_event(capacity=5, approval=True)
    ana = sign_up(event, "ana@example.org").registration
    login("admin")
    listing = client.get(f"/admin/events/{event.id}/registrants").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', listing).group(1)
    approve = f"/admin/events/{event.id}/registrants/{ana.id}/approve"

    assert client.post(approve).status_code == 400
    db.session.refresh(ana)
    assert ana.state == "pending"
    client.post(approve, data={"csrf_token": token})
    db.session.refresh(ana)
    assert ana.state == "confirmed"

    found = client.post(
        "/admin/personal-data",
        data={
            "email": "ana@example.org",
            "csrf_token": csrf_token(client.get("/admin/personal-data").text),
        },
    ).text
    erase_form = found.split('action="/admin/personal-data/erase"')[1].split("</form>")[0]
    asked = client.post("/admin/personal-data/erase", data=hidden_fields(erase_form)).text
    confirm_form = asked.split('action="/admin/personal-data/erase"')[1].split("</form>")[0]
    client.post("/admin/personal-data/erase", data=hidden_fields(confirm_form))
    db.session.refresh(ana)
    assert (ana.state, ana.email) == ("cancelled", f"removed-{ana.id}@invalid")


def test_a_registration_or_question_of_another_event_is_not_found(
    client, editor, open_event, sign_up
):
    event, other = open_event(), open_event(title="After the Verdict")
    ana = sign_up(event, "ana@example.org").registration
    question = add_question(event, QuestionFields("short_text", "Role"))

    assert client.get(f"/admin/events/{other.id}/registrants/{ana.id}").status_code == 404
    assert client.post(f"/admin/events/{other.id}/registrants/{ana.id}/resend").status_code == 404
    assert client.get(f"/admin/events/{other.id}/questions/{question.id}").status_code == 404
    assert client.get(f"/admin/events/{event.id}/registrants/{ana.id}/forget").status_code == 404
